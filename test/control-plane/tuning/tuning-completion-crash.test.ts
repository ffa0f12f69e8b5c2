// A tuning run's outcome is audited once whatever crashes: the final state is recorded with the
// audit row pending, the row appended (insertId = decision id), then the flag cleared; a delivery
// that crashed anywhere in between leaves the redelivery to append the very same row. And the best
// trial's training run is never one the completion did not make.
import { describe, expect, it } from 'vitest';
import type { ControlPlaneContext } from '../../../control-plane/runtime/context.js';
import { readSettings } from '../../../control-plane/runtime/settings.js';
import type { TuningRunRecord } from '../../../control-plane/state/tuning-runs.js';
import { TrainingRuns, trainingRunId } from '../../../control-plane/state/training-runs.js';
import { TuningRuns, tuningRunId } from '../../../control-plane/state/tuning-runs.js';
import { completeTuningRun } from '../../../control-plane/tuning/complete-tuning-run.js';
import { tuningPipelineJobName } from '../../../control-plane/tuning/run-events.js';
import { MapStore } from './map-store.js';

const settings = readSettings({ GOOGLE_CLOUD_PROJECT: 'my-project', MLOPS_ENVIRONMENT: 'local', MLOPS_REGION: 'us-central1' });
const MODEL = 'flight-delay';
const REQUEST = 'tune-crash';

class Crash extends Error {}

/** A context over a map store whose Google calls are fakes recording the audit rows; the clock moves on each call. */
function world() {
  const store = new MapStore();
  const runs = new TuningRuns(store.asStore());
  const rows: { insertId: string; json: Record<string, unknown> }[] = [];
  const published: { topic: string; message: unknown }[] = [];
  let clock = Date.UTC(2026, 0, 1);
  let failInsert = false;
  const ctx = {
    settings,
    now: () => new Date((clock += 1000)),
    models: { require: () => ({ name: MODEL }), get: () => ({ name: MODEL }) },
    state: store.asStore(),
    runs: new TrainingRuns(store.asStore()),
    clients: {
      pipelines: () => Promise.resolve({ getPipelineJob: () => Promise.resolve([{ error: { message: 'the data checks failed' } }]) }),
      jobs: () => Promise.resolve({ listHyperparameterTuningJobs: () => Promise.resolve([[TUNING_JOB]]) }),
      storage: () => Promise.resolve({ bucket: () => ({ file: () => ({ save: () => Promise.resolve() }) }) }),
      bigquery: () => Promise.resolve({
        dataset: () => ({ table: () => ({ insert: (r: typeof rows) => {
          if (failInsert) return Promise.reject(new Crash('crash before the audit row'));
          rows.push(...r);
          return Promise.resolve();
        } }) }),
      }),
      pubsub: () => Promise.resolve({ topic: (topic: string) => ({ publishMessage: (message: unknown) => Promise.resolve(String(published.push({ topic, message }))) }) }),
    },
  } as unknown as ControlPlaneContext;
  return { store, runs, rows, published, ctx, setFailInsert: (v: boolean) => (failInsert = v) };
}

/** A finished HyperparameterTuningJob with one succeeded trial. */
const TUNING_JOB = {
  name: 'projects/my-project/locations/us-central1/hyperparameterTuningJobs/1',
  state: 'JOB_STATE_SUCCEEDED',
  trials: [{ id: '1', state: 'SUCCEEDED', parameters: [{ parameterId: 'model_type', value: { stringValue: 'ridge' } }, { parameterId: 'ridge__alpha', value: { numberValue: 0.5 } }], finalMeasurement: { metrics: [{ metricId: 'rmse', value: 3 }] } }],
};

async function recordRunning(runs: TuningRuns, train = false): Promise<TuningRunRecord> {
  const id = tuningRunId(MODEL, REQUEST);
  const time = new Date(Date.UTC(2026, 0, 1)).toISOString();
  const { run } = await runs.createOrGet({
    name: `tuningRuns/${id}`, id, model: MODEL, requestId: REQUEST, reason: 'test', state: 'RUNNING', train, createTime: time, updateTime: time,
    pipelineJob: tuningPipelineJobName(settings, MODEL, REQUEST),
    study: { modelTypes: ['ridge'], metric: { id: 'rmse', goal: 'MINIMIZE' }, algorithm: 'RANDOM_SEARCH', maxTrialCount: 1, parallelTrialCount: 1, maxFailedTrialCount: 0, earlyStopping: 'none', parameters: [] },
  });
  return run;
}

const event = { pipelineJob: tuningPipelineJobName(settings, MODEL, REQUEST), state: 'FAILED' as const, model: MODEL, requestId: REQUEST };

describe('the tuning completion audits once across crashes', () => {
  it('a crash after the final state is recorded, before the audit row: the redelivery appends it', async () => {
    const w = world();
    const run = await recordRunning(w.runs);
    w.setFailInsert(true);
    await expect(completeTuningRun(w.ctx, event, 'first')).rejects.toBeInstanceOf(Crash);
    expect((await w.runs.get(run.id))!.value).toMatchObject({ state: 'FAILED', auditPending: { id: `tuning-${run.id}`, kind: 'TUNING_FAILED' } });
    expect(w.rows).toEqual([]);
    w.setFailInsert(false);
    const again = await completeTuningRun(w.ctx, event, 'redelivered');
    expect(again.duplicate).toBe(true);
    expect(w.rows.map((r) => r.insertId)).toEqual([`tuning-${run.id}`]);
    expect((await w.runs.get(run.id))!.value.auditPending).toBeUndefined();
    // Later duplicates append nothing more.
    await completeTuningRun(w.ctx, event, 'late');
    expect(w.rows).toHaveLength(1);
  });

  it('a crash after the audit row, before the flag is cleared: the redelivery appends the very same row (one insertId, one content)', async () => {
    const w = world();
    const run = await recordRunning(w.runs);
    let crashed = false;
    w.store.fault = (op, _path, value) => {
      const written = value as Partial<TuningRunRecord>;
      if (!crashed && op === 'replace' && written.state === 'FAILED' && written.auditPending === undefined) {
        crashed = true;
        throw new Crash('crash between the audit and clearing its flag');
      }
    };
    await expect(completeTuningRun(w.ctx, event, 'first')).rejects.toBeInstanceOf(Crash);
    expect(w.rows).toHaveLength(1);
    expect((await w.runs.get(run.id))!.value.auditPending).toBeDefined();
    await completeTuningRun(w.ctx, event, 'redelivered');
    await completeTuningRun(w.ctx, event, 'late');
    expect(new Set(w.rows.map((r) => r.insertId))).toEqual(new Set([`tuning-${run.id}`]));
    expect(w.rows).toHaveLength(2);
    expect(w.rows[1]).toEqual(w.rows[0]);
    expect((await w.runs.get(run.id))!.value).toMatchObject({ state: 'FAILED', error: { message: 'the data checks failed' } });
    expect((await w.runs.get(run.id))!.value.auditPending).toBeUndefined();
  });
});

describe("the tuning completion and its best trial's training run", () => {
  it("never adopts a training run under its best trial's reserved id that is not its own: fails loudly, requests nothing", async () => {
    const w = world();
    const run = await recordRunning(w.runs, true);
    const requestId = `tuned-${run.id}`;
    const time = new Date().toISOString();
    // Made before the API reserved the prefix, say: a run of the same id that is no tuning run's.
    await w.ctx.runs.createOrGet({ name: `trainingRuns/${trainingRunId(MODEL, requestId)}`, id: trainingRunId(MODEL, requestId), model: MODEL, requestId, trigger: 'api', reason: '', state: 'QUEUED', createTime: time, updateTime: time });
    const error = await completeTuningRun(w.ctx, { ...event, state: 'SUCCEEDED' }, 'first').catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/exists but is not tuning run .*'s best trial \(its tuningRun: none\)/);
    expect(w.published.filter((p) => p.topic === 'retraining-requests')).toEqual([]);
    expect((await w.runs.get(run.id))!.value.trainingRun).toBeUndefined();
  });
});
