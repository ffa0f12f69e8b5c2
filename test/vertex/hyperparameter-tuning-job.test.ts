import { describe, expect, it } from 'vitest';
import type { HyperparameterTuningJobInput, ParameterInput, StudySpecInput } from '../../vertex/requests/hyperparameter-tuning-job.js';
import { buildCreateHyperparameterTuningJobRequest, buildStudySpec } from '../../vertex/requests/hyperparameter-tuning-job.js';
import { cpuReplica } from './fixtures.js';
import { expectFieldError, expectValidRequest, LOCATION } from './support.js';

const learningRate: ParameterInput = { type: 'double', parameterId: 'learning_rate', min: 1e-4, max: 1e-1, scale: 'UNIT_LOG_SCALE' };
const optimizer: ParameterInput = {
  type: 'categorical',
  parameterId: 'optimizer',
  values: ['adam', 'sgd'],
  conditionalParameters: [
    { parentValues: ['sgd'], parameter: { type: 'double', parameterId: 'momentum', min: 0, max: 0.99 } },
  ],
};
const layers: ParameterInput = {
  type: 'integer',
  parameterId: 'layers',
  min: 1,
  max: 6,
  conditionalParameters: [
    { parentValues: [4, 5, 6], parameter: { type: 'discrete', parameterId: 'dropout', values: [0.1, 0.2, 0.3] } },
  ],
};
const batchSize: ParameterInput = {
  type: 'discrete',
  parameterId: 'batch_size',
  values: [32, 64, 128, 256],
  scale: 'UNIT_LOG_SCALE',
  conditionalParameters: [{ parentValues: [256], parameter: { type: 'categorical', parameterId: 'precision', values: ['bf16', 'fp32'] } }],
};

function study(overrides: Partial<StudySpecInput> = {}): StudySpecInput {
  return { metrics: [{ metricId: 'val_loss', goal: 'MINIMIZE' }], parameters: [learningRate, optimizer, layers, batchSize], ...overrides };
}

function input(overrides: Partial<HyperparameterTuningJobInput> = {}): HyperparameterTuningJobInput {
  return {
    ...LOCATION,
    displayName: 'churn-hpt',
    study: study(),
    maxTrialCount: 20,
    parallelTrialCount: 4,
    maxFailedTrialCount: 3,
    trialJobSpec: { pools: { chief: cpuReplica() }, baseOutputDirectory: 'gs://mlops-demo-models/hpt' },
    labels: { team: 'churn' },
    ...overrides,
  };
}

describe('buildCreateHyperparameterTuningJobRequest', () => {
  it('builds every parameter type, scale and conditional kind, and passes the validator', () => {
    const request = buildCreateHyperparameterTuningJobRequest(input({ study: study({ stopping: { type: 'median' }, measurementSelection: 'BEST_MEASUREMENT' }) }));
    expectValidRequest('CreateHyperparameterTuningJobRequest', request);
    const spec = request.hyperparameterTuningJob?.studySpec;
    expect(spec?.metrics).toEqual([{ metricId: 'val_loss', goal: 'MINIMIZE' }]);
    const [lr, opt, lay, batch] = spec?.parameters ?? [];
    expect(lr?.doubleValueSpec).toEqual({ minValue: 1e-4, maxValue: 1e-1 });
    expect(lr?.scaleType).toBe('UNIT_LOG_SCALE');
    expect(opt?.scaleType).toBeUndefined();
    expect(opt?.conditionalParameterSpecs?.[0]?.parentCategoricalValues?.values).toEqual(['sgd']);
    expect(lay?.conditionalParameterSpecs?.[0]?.parentIntValues?.values).toEqual([4, 5, 6]);
    expect(batch?.conditionalParameterSpecs?.[0]?.parentDiscreteValues?.values).toEqual([256]);
    expect(spec?.medianAutomatedStoppingSpec).toEqual({});
    expect(spec?.algorithm).toBeUndefined();
    expect(request.hyperparameterTuningJob?.trialJobSpec?.workerPoolSpecs).toHaveLength(1);
  });

  it('checks trial counts', () => {
    expectFieldError(() => buildCreateHyperparameterTuningJobRequest(input({ parallelTrialCount: 30 })), 'parallelTrialCount', /maxTrialCount/);
    expectFieldError(() => buildCreateHyperparameterTuningJobRequest(input({ parallelTrialCount: 0 })), 'parallelTrialCount');
    expectFieldError(() => buildCreateHyperparameterTuningJobRequest(input({ maxFailedTrialCount: -1 })), 'maxFailedTrialCount');
    expectFieldError(() => buildCreateHyperparameterTuningJobRequest(input({ trialJobSpec: { pools: { chief: { ...cpuReplica(), machine: { machineType: 'a2-highgpu-1g' } } } } })),
      'trialJobSpec.pools.chief.machine.acceleratorType');
  });

  it('allows GRID_SEARCH only without double parameters, conditional ones included', () => {
    const grid = buildStudySpec(study({ algorithm: 'GRID_SEARCH', parameters: [layers, batchSize] }));
    expect(grid.algorithm).toBe('GRID_SEARCH');
    expectFieldError(() => buildStudySpec(study({ algorithm: 'GRID_SEARCH' })), 'study.parameters[0].type', /GRID_SEARCH/);
    expectFieldError(() => buildStudySpec(study({ algorithm: 'GRID_SEARCH', parameters: [optimizer] })),
      'study.parameters[0].conditionalParameters[0].type', /momentum is double/);
    expect(buildStudySpec(study({ algorithm: 'RANDOM_SEARCH' })).algorithm).toBe('RANDOM_SEARCH');
  });

  it('requires an explicit metric goal', () => {
    const noGoal = { metricId: 'val_loss' } as unknown as StudySpecInput['metrics'][number];
    expectFieldError(() => buildStudySpec(study({ metrics: [noGoal] })), 'study.metrics[0].goal');
    expectFieldError(() => buildStudySpec(study({ metrics: [] })), 'study.metrics');
    expectFieldError(() => buildStudySpec(study({ metrics: [{ metricId: 'a', goal: 'MAXIMIZE' }, { metricId: 'a', goal: 'MINIMIZE' }] })), 'study.metrics[1].metricId');
  });

  it('checks ranges, scales and discrete values', () => {
    const one = (parameter: ParameterInput): StudySpecInput => study({ parameters: [parameter] });
    expectFieldError(() => buildStudySpec(one({ ...learningRate, min: 0 })), 'study.parameters[0].scale', /positive/);
    expectFieldError(() => buildStudySpec(one({ type: 'double', parameterId: 'x', min: -1, max: 1, scale: 'UNIT_REVERSE_LOG_SCALE' })), 'study.parameters[0].scale');
    expectFieldError(() => buildStudySpec(one({ type: 'double', parameterId: 'x', min: 1, max: 1 })), 'study.parameters[0].max');
    expectFieldError(() => buildStudySpec(one({ type: 'integer', parameterId: 'x', min: 1, max: 8.5 })), 'study.parameters[0].max');
    expectFieldError(() => buildStudySpec(one({ type: 'integer', parameterId: 'x', min: 1, max: 8, default: 9 })), 'study.parameters[0].default');
    expectFieldError(() => buildStudySpec(one({ type: 'discrete', parameterId: 'x', values: [1, 4, 2] })), 'study.parameters[0].values[2]', /increasing/);
    expectFieldError(() => buildStudySpec(one({ type: 'discrete', parameterId: 'x', values: [2, 2] })), 'study.parameters[0].values[1]');
    expectFieldError(() => buildStudySpec(one({ type: 'discrete', parameterId: 'x', values: [0, 1], scale: 'UNIT_LOG_SCALE' })), 'study.parameters[0].scale');
    expectFieldError(() => buildStudySpec(one({ type: 'categorical', parameterId: 'x', values: ['a', 'a'] })), 'study.parameters[0].values');
    const scaledCategorical = { type: 'categorical', parameterId: 'x', values: ['a'], scale: 'UNIT_LINEAR_SCALE' } as unknown as ParameterInput;
    expectFieldError(() => buildStudySpec(one(scaledCategorical)), 'study.parameters[0].scale', /categorical/);
    expectFieldError(() => buildStudySpec(one({ type: 'double', parameterId: '1x', min: 0, max: 1 })), 'study.parameters[0].parameterId');
  });

  it('checks conditional parameters against their parent', () => {
    const one = (parameter: ParameterInput): StudySpecInput => study({ parameters: [parameter] });
    expectFieldError(() => buildStudySpec(one({ ...optimizer, conditionalParameters: [{ parentValues: ['rmsprop'], parameter: learningRate }] })),
      'study.parameters[0].conditionalParameters[0].parentValues[0]', /not a value of the parent/);
    expectFieldError(() => buildStudySpec(one({ ...layers, conditionalParameters: [{ parentValues: [7], parameter: learningRate }] })),
      'study.parameters[0].conditionalParameters[0].parentValues[0]');
    expectFieldError(() => buildStudySpec(one({ ...batchSize, conditionalParameters: [{ parentValues: [100], parameter: learningRate }] })),
      'study.parameters[0].conditionalParameters[0].parentValues[0]');
    expectFieldError(() => buildStudySpec(one({ ...layers, conditionalParameters: [{ parentValues: [], parameter: learningRate }] })),
      'study.parameters[0].conditionalParameters[0].parentValues');
    const doubleParent = { ...learningRate, conditionalParameters: [{ parentValues: [0.01], parameter: layers }] } as unknown as ParameterInput;
    expectFieldError(() => buildStudySpec(one(doubleParent)), 'study.parameters[0].conditionalParameters');
    expectFieldError(() => buildStudySpec(study({ parameters: [learningRate, { ...optimizer, conditionalParameters: [{ parentValues: ['sgd'], parameter: learningRate }] }] })),
      'study.parameters[1].conditionalParameters[0].parameter.parameterId', /duplicate/);
  });

  it('builds each stopping rule (the type allows only one)', () => {
    expect(buildStudySpec(study({ stopping: { type: 'decayCurve', useElapsedDuration: true } })).decayCurveStoppingSpec).toEqual({ useElapsedDuration: true });
    const convex = buildStudySpec(study({ stopping: { type: 'convex', minStepCount: 10, maxStepCount: 100, learningRateParameterName: 'learning_rate' } }));
    expect(convex.convexAutomatedStoppingSpec).toEqual({ minStepCount: 10, maxStepCount: 100, learningRateParameterName: 'learning_rate' });
    expectFieldError(() => buildStudySpec(study({ stopping: { type: 'convex', minStepCount: 100, maxStepCount: 10 } })), 'study.stopping.minStepCount');
    expectValidRequest('CreateHyperparameterTuningJobRequest', buildCreateHyperparameterTuningJobRequest(input({ study: study({ stopping: { type: 'convex', maxStepCount: 50 } }) })));
  });
});
