// The training request ids the tuning completion gives best trials (`tuned-<tuning run id>`) are
// reserved: the API refuses them, and a best trial's training run trains only on a tuning run of
// its own model.
import { describe, expect, it } from 'vitest';
import { createEvaluation } from '../../../control-plane/api/evaluations.js';
import { CreateEvaluationBody, CreateTrainingRunBody } from '../../../control-plane/api/requests.js';
import { createTrainingRun } from '../../../control-plane/api/training-runs.js';
import { ControlPlaneError } from '../../../control-plane/errors.js';
import { submitTrainingRun } from '../../../control-plane/retraining/submit-training-run.js';
import type { ControlPlaneContext } from '../../../control-plane/runtime/context.js';
import { readSettings } from '../../../control-plane/runtime/settings.js';
import { TrainingRuns } from '../../../control-plane/state/training-runs.js';
import { TuningRuns, tuningRunId } from '../../../control-plane/state/tuning-runs.js';
import { MapStore } from './map-store.js';

const settings = readSettings({ GOOGLE_CLOUD_PROJECT: 'my-project', MLOPS_ENVIRONMENT: 'local', MLOPS_REGION: 'us-central1' });

function context(store: MapStore): ControlPlaneContext {
  return {
    settings,
    now: () => new Date(),
    models: { require: (name: string) => ({ name }), get: (name: string) => ({ name }) },
    runs: new TrainingRuns(store.asStore()),
    state: store.asStore(),
    clients: {},
  } as unknown as ControlPlaneContext;
}

describe('reserved tuned- request ids', () => {
  it('POST trainingRuns and POST evaluations refuse them, naming requestId, and record nothing', async () => {
    const store = new MapStore();
    const ctx = context(store);
    const training = await createTrainingRun(ctx, 'flight-delay', CreateTrainingRunBody.parse({ requestId: 'tuned-flight-delay-tuning-x-0123456789' }), {}).catch((e: unknown) => e);
    expect(training).toBeInstanceOf(ControlPlaneError);
    expect((training as ControlPlaneError).fieldViolations.map((v) => v.field)).toEqual(['requestId']);
    const evaluation = await createEvaluation(ctx, 'flight-delay', CreateEvaluationBody.parse({ version: '1', requestId: 'tuned-x' }), {}).catch((e: unknown) => e);
    expect((evaluation as ControlPlaneError).fieldViolations.map((v) => v.field)).toEqual(['requestId']);
    expect(store.objects.size).toBe(0);
  });

  it("a best trial's training run refuses another model's tuning run snapshot", async () => {
    const store = new MapStore();
    const ctx = context(store);
    const id = tuningRunId('other-model', 't-1');
    const time = new Date().toISOString();
    await new TuningRuns(store.asStore()).createOrGet({
      name: `tuningRuns/${id}`, id, model: 'other-model', requestId: 't-1', reason: '', state: 'SUCCEEDED', train: true, createTime: time, updateTime: time,
      study: { modelTypes: ['ridge'], metric: { id: 'rmse', goal: 'MINIMIZE' }, algorithm: 'RANDOM_SEARCH', maxTrialCount: 1, parallelTrialCount: 1, maxFailedTrialCount: 0, earlyStopping: 'none', parameters: [] },
      snapshot: { uri: 'gs://b/snapshots/other-model/t-1/', bigqueryJob: 'j', rowCount: 10, schema: [], createTime: time },
    });
    const error = await submitTrainingRun(ctx, { requestId: `tuned-${id}`, model: 'flight-delay', trigger: 'tuning', reason: '', tuningRun: id, requestTime: time }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ControlPlaneError);
    expect((error as ControlPlaneError).status).toBe('FAILED_PRECONDITION');
    expect((error as Error).message).toMatch(/tuned models\/other-model, not models\/flight-delay/);
  });
});
