// The one function that turns a HyperparameterTuningJob's trials into a TuningResult: each trial's
// model type and plain hyperparameters, its value, its state, and the best trial overall and per
// model type for the study's goal; trials still going are shown apart.
import { describe, expect, it } from 'vitest';
import type { VertexTrial } from '../../../control-plane/tuning/trials.js';
import { bestTrial, liveTrials, tuningResult } from '../../../control-plane/tuning/trials.js';
import { TuningResult } from '../../../control-plane/tuning/tuning-result.js';

const time = (seconds: number) => ({ seconds: String(seconds), nanos: 0 });

function trial(id: string, state: string, params: Record<string, number | string>, value?: number, step = 100): VertexTrial {
  return {
    id,
    state,
    parameters: Object.entries(params).map(([parameterId, v]) => ({ parameterId, value: typeof v === 'number' ? { numberValue: v } : { stringValue: v } })),
    ...(value === undefined ? {} : { finalMeasurement: { stepCount: String(step), metrics: [{ metricId: 'rmse', value }] }, measurements: [{ stepCount: String(step), metrics: [{ metricId: 'rmse', value }] }] }),
    startTime: time(1_700_000_000 + Number(id)),
    ...(state === 'SUCCEEDED' || state === 'INFEASIBLE' ? { endTime: time(1_700_000_100 + Number(id)) } : {}),
  };
}

const job = {
  name: 'projects/p/locations/us-central1/hyperparameterTuningJobs/7',
  state: 'JOB_STATE_RUNNING',
  trials: [
    trial('1', 'SUCCEEDED', { model_type: 'ridge', ridge__alpha: 0.5 }, 31.2, 1),
    trial('2', 'SUCCEEDED', { model_type: 'xgboost', xgboost__n_estimators: 120, xgboost__learning_rate: 0.1 }, 29.5, 120),
    // Stopped early by the decay-curve rule: its last measurement is at 40 of 150 estimators.
    trial('3', 'SUCCEEDED', { model_type: 'xgboost', xgboost__n_estimators: 150, xgboost__learning_rate: 0.02 }, 33.0, 40),
    { ...trial('4', 'INFEASIBLE', { model_type: 'random_forest', random_forest__max_depth: 4 }), infeasibleReason: 'exited with status 1' },
    trial('5', 'SUCCEEDED', { model_type: 'random_forest', random_forest__max_depth: 12, random_forest__n_estimators: 60 }, 30.1, 60),
    // Succeeded without a value of the metric: no better than failed.
    { ...trial('6', 'SUCCEEDED', { model_type: 'ridge', ridge__alpha: 3 }), finalMeasurement: { stepCount: '1', metrics: [{ metricId: 'r2', value: 0.1 }] } },
    { ...trial('7', 'ACTIVE', { model_type: 'xgboost', xgboost__n_estimators: 90 }), measurements: [{ stepCount: '10', metrics: [{ metricId: 'rmse', value: 35 }] }, { stepCount: '20', metrics: [{ metricId: 'rmse', value: 34 }] }] },
    trial('8', 'REQUESTED', { model_type: 'ridge', ridge__alpha: 1 }),
  ],
};

describe('tuningResult', () => {
  it('lists the finished trials with their type, plain hyperparameters, value and state, and picks the lowest RMSE', () => {
    const result = tuningResult(job, { id: 'rmse', goal: 'MINIMIZE' });
    expect(TuningResult.parse(result)).toEqual(result);
    expect(result.job).toBe(job.name);
    expect(result.trials.map((t) => [t.id, t.state, t.modelType])).toEqual([
      ['1', 'SUCCEEDED', 'ridge'], ['2', 'SUCCEEDED', 'xgboost'], ['3', 'SUCCEEDED', 'xgboost'], ['4', 'INFEASIBLE', 'random_forest'], ['5', 'SUCCEEDED', 'random_forest'], ['6', 'INFEASIBLE', 'ridge'],
    ]);
    expect(result.trials[1]).toMatchObject({ hyperparameters: { n_estimators: 120, learning_rate: 0.1 }, value: 29.5, startTime: '2023-11-14T22:13:22.000Z' });
    expect(result.trials[1]!.earlyStopped).toBeUndefined();
    expect(result.trials[2]!.earlyStopped).toBe(true);
    expect(result.trials[3]).toMatchObject({ infeasibleReason: 'exited with status 1' });
    expect(result.trials[3]!.value).toBeUndefined();
    expect(result.trials[5]!.infeasibleReason).toMatch(/no value of rmse/);
    expect(result.bestTrialId).toBe('2');
    expect(result.bestPerModelType).toEqual({ ridge: '1', xgboost: '2', random_forest: '5' });
    expect(bestTrial(result)).toMatchObject({ id: '2', modelType: 'xgboost', hyperparameters: { n_estimators: 120, learning_rate: 0.1 } });
    expect(result.parameterImportance).toEqual([]);
  });

  it('picks the highest value when the goal is to maximize, and the earlier trial on a tie', () => {
    const result = tuningResult(job, { id: 'rmse', goal: 'MAXIMIZE' });
    expect(result.bestTrialId).toBe('3');
    expect(result.bestPerModelType).toEqual({ ridge: '1', xgboost: '3', random_forest: '5' });
    const tie = tuningResult({ trials: [trial('2', 'SUCCEEDED', { model_type: 'ridge' }, 1), trial('1', 'SUCCEEDED', { model_type: 'ridge' }, 1)] }, { id: 'rmse', goal: 'MINIMIZE' });
    expect(tie.bestTrialId).toBe('1');
  });

  it('has no best trial before one succeeded, and carries the importance it is given', () => {
    const result = tuningResult({ name: 'j', trials: [trial('1', 'ACTIVE', { model_type: 'ridge', ridge__alpha: 1 })] }, { id: 'rmse', goal: 'MINIMIZE' }, [{ parameter: 'model_type', importance: 1 }]);
    expect(result.trials).toEqual([]);
    expect(result.bestTrialId).toBeUndefined();
    expect(result.bestPerModelType).toEqual({});
    expect(result.parameterImportance).toEqual([{ parameter: 'model_type', importance: 1 }]);
  });
});

describe('liveTrials', () => {
  it('shows the trials still going with their latest measurement', () => {
    expect(liveTrials(job, { id: 'rmse', goal: 'MINIMIZE' })).toEqual([
      { id: '7', state: 'ACTIVE', modelType: 'xgboost', hyperparameters: { n_estimators: 90 }, latestValue: 34, latestStep: 20, startTime: '2023-11-14T22:13:27.000Z' },
      { id: '8', state: 'REQUESTED', modelType: 'ridge', hyperparameters: { alpha: 1 }, startTime: '2023-11-14T22:13:28.000Z' },
    ]);
  });
});
