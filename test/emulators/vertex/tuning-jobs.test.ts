// HyperparameterTuningJobs through the official Node client: trials as local processes that
// report hypertune metrics, grid search, median and decay-curve stopping, failure limits, Vizier's
// default algorithm (the local Gaussian-process bandit), and the label that says which search ran.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { protos } from '@google-cloud/aiplatform';
import { PARENT, callError, startTestVertex, waitFor } from './support.js';
import type { TestVertex } from './support.js';

type ITuningJob = protos.google.cloud.aiplatform.v1.IHyperparameterTuningJob;

let t: TestVertex;
beforeAll(async () => {
  t = await startTestVertex();
});
afterAll(async () => {
  await t.stop();
});

// A trial: reports `accuracy` for steps 1..5 (lr=3 learns ten times slower, and slowly), rewriting the
// hypertune file each time as the cloudml-hypertune library does, and notes its model dir.
const TRIAL = `
import argparse, json, os, time
p = argparse.ArgumentParser()
p.add_argument('--lr', type=float)
p.add_argument('--optimizer')
p.add_argument('--momentum', type=float, default=None)
a, _ = p.parse_known_args()
os.makedirs('/gcs/hpt/seen', exist_ok=True)
open('/gcs/hpt/seen/trial-' + os.environ['CLOUD_ML_TRIAL_ID'], 'w').write(json.dumps({'argv': os.sys.argv[1:], 'model_dir': os.environ['AIP_MODEL_DIR']}))
lines = []
for step in range(1, 6):
    value = step * (0.1 if a.lr == 3 else a.lr)
    lines.append(json.dumps({'global_step': str(step), 'accuracy': str(value), 'timestamp': time.time(), 'trial': os.environ['CLOUD_ML_TRIAL_ID']}))
    open(os.environ['CLOUD_ML_HP_METRIC_FILE'], 'w').write('\\n'.join(lines) + '\\n')
    time.sleep(1.0 if a.lr == 3 else 0.25)  # the slow learner would take long: stopping it early saves that
`;

const trialJobSpec = (code: string) => ({
  workerPoolSpecs: [{ machineSpec: { machineType: 'n1-standard-4' }, replicaCount: 1, containerSpec: { imageUri: 'python:3.11', command: ['python3', '-c', code] } }],
  baseOutputDirectory: { outputUriPrefix: 'gs://hpt/out' },
});

async function finished(name: string): Promise<ITuningJob> {
  return waitFor(
    async () => (await t.clients.jobs.getHyperparameterTuningJob({ name }))[0],
    (j) => ['JOB_STATE_SUCCEEDED', 'JOB_STATE_FAILED', 'JOB_STATE_CANCELLED'].includes(String(j.state)),
    40_000,
  );
}

describe('hyperparameter tuning', () => {
  it('walks the grid in order and stops a trial that falls below the median', async () => {
    const [job] = await t.clients.jobs.createHyperparameterTuningJob({
      parent: PARENT,
      hyperparameterTuningJob: {
        displayName: 'grid',
        maxTrialCount: 5,
        parallelTrialCount: 1,
        studySpec: {
          metrics: [{ metricId: 'accuracy', goal: 'MAXIMIZE' }],
          parameters: [
            {
              parameterId: 'lr',
              discreteValueSpec: { values: [1, 2, 3] },
              conditionalParameterSpecs: [
                { parentDiscreteValues: { values: [2] }, parameterSpec: { parameterId: 'momentum', discreteValueSpec: { values: [0.5] } } },
              ],
            },
          ],
          algorithm: 'GRID_SEARCH',
          medianAutomatedStoppingSpec: {},
        },
        trialJobSpec: trialJobSpec(TRIAL),
      },
    });
    expect(job.labels?.['local-vertex-algorithm']).toBe('grid-search');
    const done = await finished(job.name!);
    expect(done.state, JSON.stringify(done.error)).toBe('JOB_STATE_SUCCEEDED');
    const trials = done.trials ?? [];
    // The grid has three points: lr=1, lr=2 (with its conditional momentum), lr=3.
    expect(trials.map((tr) => tr.id)).toEqual(['1', '2', '3']);
    expect(trials.map((tr) => tr.parameters?.map((p) => [p.parameterId, p.value?.numberValue]))).toEqual([
      [['lr', 1]],
      [['lr', 2], ['momentum', 0.5]],
      [['lr', 3]],
    ]);
    expect(trials.map((tr) => tr.state)).toEqual(['SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED']);
    const [first, second, third] = trials;
    expect(first!.measurements).toHaveLength(5);
    expect(first!.finalMeasurement?.stepCount).toBe('5');
    expect(first!.finalMeasurement?.metrics?.[0]).toMatchObject({ metricId: 'accuracy', value: 5 });
    expect(second!.finalMeasurement?.metrics?.[0]?.value).toBe(10);
    // lr=3 reports 0.1 at step 1, below the median (1.5) of the completed trials there: stopped early.
    expect((third!.measurements ?? []).length).toBeLessThan(5);
    expect(third!.finalMeasurement?.metrics?.[0]?.value).toBeLessThan(0.5);
    expect(third!.startTime).toBeTruthy();
    expect(third!.endTime).toBeTruthy();
    const seen = JSON.parse(readFileSync(join(t.storageRoot, 'hpt', 'seen', 'trial-2'), 'utf8')) as { argv: string[]; model_dir: string };
    expect(seen.argv).toEqual(['--lr=2.0', '--momentum=0.5']);
    expect(seen.model_dir).toBe('gs://hpt/out/2/model/');
  });

  it('fails the job once maxFailedTrialCount trials failed', async () => {
    const [job] = await t.clients.jobs.createHyperparameterTuningJob({
      parent: PARENT,
      hyperparameterTuningJob: {
        displayName: 'failing',
        maxTrialCount: 4,
        parallelTrialCount: 2,
        maxFailedTrialCount: 2,
        studySpec: { metrics: [{ metricId: 'accuracy', goal: 'MAXIMIZE' }], parameters: [{ parameterId: 'optimizer', categoricalValueSpec: { values: ['adam', 'sgd'] } }] },
        trialJobSpec: trialJobSpec('import sys; sys.exit(2)'),
      },
    });
    // ALGORITHM_UNSPECIFIED (Vizier's Bayesian search) runs the local GP bandit, and says so.
    expect(job.labels?.['local-vertex-algorithm']).toBe('gaussian-process-bandit');
    const done = await finished(job.name!);
    expect(done.state).toBe('JOB_STATE_FAILED');
    expect(done.error?.message).toMatch(/max_failed_trial_count \(2\)/);
    expect(done.trials?.filter((tr) => tr.state === 'INFEASIBLE').length).toBeGreaterThanOrEqual(2);
    // The trials that failed say why (a trial still running when the job failed is stopped instead,
    // and which one that is depends on timing).
    expect(done.trials?.filter((tr) => /exited with a non-zero status of 2/.test(tr.infeasibleReason ?? '')).length).toBeGreaterThanOrEqual(2);
  });

  it('runs ALGORITHM_UNSPECIFIED as the GP bandit: the centre first, parallel trials apart', async () => {
    const quadratic = `
import argparse, json, os
p = argparse.ArgumentParser()
p.add_argument('--x', type=float)
p.add_argument('--n', type=int)
a, _ = p.parse_known_args()
line = {'global_step': '1', 'loss': str((a.x - 1.5) ** 2 + (a.n - 7) ** 2), 'trial': os.environ['CLOUD_ML_TRIAL_ID']}
open(os.environ['CLOUD_ML_HP_METRIC_FILE'], 'w').write(json.dumps(line) + '\\n')
`;
    const [job] = await t.clients.jobs.createHyperparameterTuningJob({
      parent: PARENT,
      hyperparameterTuningJob: {
        displayName: 'gp',
        maxTrialCount: 4,
        parallelTrialCount: 2,
        studySpec: {
          metrics: [{ metricId: 'loss', goal: 'MINIMIZE' }],
          parameters: [
            { parameterId: 'x', doubleValueSpec: { minValue: -4, maxValue: 2 } },
            { parameterId: 'n', integerValueSpec: { minValue: 1, maxValue: 11 } },
          ],
        },
        trialJobSpec: trialJobSpec(quadratic),
      },
    });
    expect(job.labels?.['local-vertex-algorithm']).toBe('gaussian-process-bandit');
    const done = await finished(job.name!);
    expect(done.state, JSON.stringify(done.error)).toBe('JOB_STATE_SUCCEEDED');
    const points = (done.trials ?? []).map((tr) => tr.parameters?.map((p) => p.value?.numberValue));
    expect(points).toHaveLength(4);
    expect(points[0]).toEqual([-1, 6]); // the centre of [-4, 2] x [1, 11]
    // Trial 2 was suggested while trial 1 ran: the engine saw it pending and went elsewhere.
    expect(points[1]).not.toEqual(points[0]);
    expect(new Set(points.map((p) => JSON.stringify(p))).size).toBe(4);
    for (const tr of done.trials ?? []) {
      const [x, n] = tr.parameters!.map((p) => p.value!.numberValue!);
      expect(Number.isInteger(n)).toBe(true);
      expect(tr.finalMeasurement?.metrics?.[0]?.value).toBeCloseTo((x! - 1.5) ** 2 + (n! - 7) ** 2);
    }
  });

  it('stops a trial by the decay curve once three trials have completed', async () => {
    const [job] = await t.clients.jobs.createHyperparameterTuningJob({
      parent: PARENT,
      hyperparameterTuningJob: {
        displayName: 'decay',
        maxTrialCount: 4,
        parallelTrialCount: 1,
        studySpec: {
          metrics: [{ metricId: 'accuracy', goal: 'MAXIMIZE' }],
          parameters: [{ parameterId: 'lr', discreteValueSpec: { values: [1, 1.5, 2, 3] } }],
          algorithm: 'GRID_SEARCH',
          decayCurveStoppingSpec: {},
        },
        trialJobSpec: trialJobSpec(TRIAL),
      },
    });
    const done = await finished(job.name!);
    expect(done.state, JSON.stringify(done.error)).toBe('JOB_STATE_SUCCEEDED');
    const trials = done.trials ?? [];
    expect(trials.map((tr) => tr.state)).toEqual(['SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED']);
    // The first three run to the end (fewer than three completed trials: never stop).
    expect(trials.slice(0, 3).map((tr) => tr.measurements?.length)).toEqual([5, 5, 5]);
    // lr=3 learns ten times slower: its curve predicts a final far below the best (10).
    expect((trials[3]!.measurements ?? []).length).toBeLessThan(5);
  });

  it('rejects grid search over a continuous parameter and a log scale over zero', async () => {
    const base = { displayName: 'bad', maxTrialCount: 2, parallelTrialCount: 1, trialJobSpec: trialJobSpec('pass') };
    const grid = await callError(t.clients.jobs.createHyperparameterTuningJob({
      parent: PARENT,
      hyperparameterTuningJob: { ...base, studySpec: { metrics: [{ metricId: 'm', goal: 'MINIMIZE' }], algorithm: 'GRID_SEARCH', parameters: [{ parameterId: 'lr', doubleValueSpec: { minValue: 0.1, maxValue: 1 } }] } },
    }));
    expect(grid.code).toBe(3);
    expect(grid.message).toMatch(/GRID_SEARCH.*"lr" is a double_value_spec/);
    const log = await callError(t.clients.jobs.createHyperparameterTuningJob({
      parent: PARENT,
      hyperparameterTuningJob: { ...base, studySpec: { metrics: [{ metricId: 'm', goal: 'MINIMIZE' }], parameters: [{ parameterId: 'lr', scaleType: 'UNIT_LOG_SCALE', doubleValueSpec: { minValue: 0, maxValue: 1 } }] } },
    }));
    expect(log.code).toBe(3);
    expect(log.message).toMatch(/study_spec\.parameters\[0\]\.scale_type UNIT_LOG_SCALE needs a positive range/);
  });
});
