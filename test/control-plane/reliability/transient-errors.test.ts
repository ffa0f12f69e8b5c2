// Google APIs fail: 429, 503, a call that never answers. Each is injected, with the emulators'
// fault injector, into each call the event handlers make (BigQuery jobs insert/get, Vertex
// PipelineJobs, models and endpoints, Cloud Storage object reads and writes). The handler must
// fail with an error Pub/Sub will redeliver (isTransient) and leave nothing half done: once the
// fault is gone, a redelivery completes with the same single result, and no lease is left that
// would turn the redelivery away. Permanent errors (an unknown model, a PipelineJob Vertex refuses,
// BigQuery's 404 for the source, Vertex's 404 for the PipelineJob) are recorded on the run and the
// handler returns, so that the message is acknowledged instead of retried forever.
import type { PubSub } from '@google-cloud/pubsub';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FaultRule } from '../../../emulators/kit/faults.js';
import { isTransient, RetryLater } from '../../../control-plane/errors.js';
import { completeTrainingRun } from '../../../control-plane/retraining/complete-training-run.js';
import type { PipelineRunEvent } from '../../../control-plane/retraining/messages.js';
import { newTrainingRun, submitTrainingRun } from '../../../control-plane/retraining/submit-training-run.js';
import type { ControlPlaneContext } from '../../../control-plane/runtime/context.js';
import { vertexParent } from '../../../control-plane/runtime/context.js';
import type { TrainingRunRecord } from '../../../control-plane/state/training-runs.js';
import { trainingRunId } from '../../../control-plane/state/training-runs.js';
import { pubSubClient } from '../../../google-clients/pubsub.js';
import type { TestCloud } from '../../support/local-cloud.js';
import { startTestCloud } from '../../support/local-cloud.js';
import {
  cancelPipelineJob,
  censusOf,
  clientEnvironmentOf,
  controlPlaneEnv,
  controlPlaneOn,
  fastFailingClients,
  MISSING_SOURCE_MODEL,
  missingPrerequisite,
  MODEL,
  pubSubCloudEvent,
  pushData,
  REGION,
  retrainingRequest,
  watchRunEvents,
  settled,
  versionsOfRun,
} from './support.js';
import type { RunEvents } from './support.js';

const skipReason = missingPrerequisite({ python: true, pubsub: true });
const DEADLINE_MS = 1500;
const PROJECT = 'local-project';
const STATE_BUCKET = `${PROJECT}-mlops-state`;

interface FaultCase {
  readonly name: string;
  readonly rule: Omit<FaultRule, 'rate' | 'count'>;
}

const rule = (service: string, method: string, path: string, fault: FaultRule['fault']): FaultCase['rule'] => ({ service, method, path, fault });

// Every Google call submitTrainingRun makes, each with 429, 503 or no answer at all.
const SUBMIT_FAULTS: readonly FaultCase[] = [
  { name: 'BigQuery jobs.insert 429', rule: rule('bigquery', 'POST', `^/bigquery/v2/projects/${PROJECT}/jobs$`, 429) },
  { name: 'BigQuery jobs.insert 503', rule: rule('bigquery', 'POST', `^/bigquery/v2/projects/${PROJECT}/jobs$`, 503) },
  { name: 'BigQuery jobs.getQueryResults 503 (the export ran)', rule: rule('bigquery', 'GET', `^/bigquery/v2/projects/${PROJECT}/queries/`, 503) },
  { name: 'BigQuery jobs.get 429 (the export ran)', rule: rule('bigquery', 'GET', `^/bigquery/v2/projects/${PROJECT}/jobs/[^/]+$`, 429) },
  { name: 'Vertex models.get (the champion) 503', rule: rule('vertex', 'GET', '/models/[^/]+$', 503) },
  { name: 'Vertex models.get (the champion) with no answer', rule: rule('vertex', 'GET', '/models/[^/]+$', 'timeout') },
  { name: 'Vertex pipelineJobs.create 429', rule: rule('vertex', 'POST', '/pipelineJobs$', 429) },
  { name: 'Vertex pipelineJobs.create 503', rule: rule('vertex', 'POST', '/pipelineJobs$', 503) },
  { name: 'Vertex pipelineJobs.create with no answer', rule: rule('vertex', 'POST', '/pipelineJobs$', 'timeout') },
  { name: 'Cloud Storage object write 429 (run record)', rule: rule('storage', 'POST', `^/upload/storage/v1/b/${STATE_BUCKET}/o$`, 429) },
  { name: 'Cloud Storage object write 503 (run record)', rule: rule('storage', 'POST', `^/upload/storage/v1/b/${STATE_BUCKET}/o$`, 503) },
  { name: 'Cloud Storage object read 503 (after the PipelineJob was created)', rule: rule('storage', 'GET', `^/storage/v1/b/${STATE_BUCKET}/o/`, 503) },
];

// Every Google call completeTrainingRun makes for a first champion, in the order it makes them.
const COMPLETION_FAULTS: readonly FaultCase[] = [
  { name: 'Cloud Storage object read 503 (run record)', rule: rule('storage', 'GET', `^/storage/v1/b/${STATE_BUCKET}/o/`, 503) },
  { name: 'Cloud Storage object write 503 (lease)', rule: rule('storage', 'POST', `^/upload/storage/v1/b/${STATE_BUCKET}/o$`, 503) },
  { name: 'Cloud Storage object write 429 (lease)', rule: rule('storage', 'POST', `^/upload/storage/v1/b/${STATE_BUCKET}/o$`, 429) },
  { name: 'Vertex pipelineJobs.get 503', rule: rule('vertex', 'GET', '/pipelineJobs/[^/]+$', 503) },
  { name: 'Vertex pipelineJobs.get with no answer', rule: rule('vertex', 'GET', '/pipelineJobs/[^/]+$', 'timeout') },
  { name: 'Vertex models.listVersions 503 (the decision is recorded)', rule: rule('vertex', 'GET', ':listVersions$', 503) },
  { name: 'Vertex models.get 429', rule: rule('vertex', 'GET', '/models/[^/:]+$', 429) },
  { name: 'Vertex models.upload 503', rule: rule('vertex', 'POST', '/models:upload$', 503) },
  { name: 'Vertex models.upload with no answer', rule: rule('vertex', 'POST', '/models:upload$', 'timeout') },
  { name: 'Vertex endpoints.get 503 (the version is uploaded)', rule: rule('vertex', 'GET', '/endpoints/[^/]+$', 503) },
  { name: 'Vertex endpoints.create 429', rule: rule('vertex', 'POST', '/endpoints$', 429) },
  { name: 'Vertex endpoints.deployModel 503', rule: rule('vertex', 'POST', ':deployModel$', 503) },
];

function expectInjectedTransient(error: unknown): void {
  expect(isTransient(error), `isTransient(${String((error as Error)?.message ?? error)})`).toBe(true);
  // The injected fault itself, not a lease another delivery left behind.
  expect(error).not.toBeInstanceOf(RetryLater);
  expect(String((error as Error).message)).toMatch(/injected fault|DEADLINE_EXCEEDED|deadline|timeout|timed out/i);
}

describe.skipIf(skipReason !== undefined)('transient and permanent errors from Google APIs', () => {
  let cloud: TestCloud;
  // The handlers' logic over clients that fail fast; the census and clean-up use the product's clients.
  let ctx: ControlPlaneContext;
  let observer: ControlPlaneContext;
  let pubsub: PubSub;
  let runEvents: RunEvents;
  const cancellations: Promise<void>[] = [];
  const completionRequest = retrainingRequest('faults-completion');
  const savedEnv = { ...process.env };

  const runOf = async (requestId: string, model = MODEL): Promise<TrainingRunRecord | undefined> => (await observer.runs.get(trainingRunId(model, requestId)))?.value;
  const inject = (fault: FaultCase) => cloud.faults.configure([{ ...fault.rule, rate: 1 }]);

  beforeAll(async () => {
    cloud = await startTestCloud({ seed: 'fixture', vertex: true, pubsub: true });
    const ce = clientEnvironmentOf(cloud);
    ctx = await controlPlaneOn(cloud, fastFailingClients(ce, REGION, DEADLINE_MS));
    observer = await controlPlaneOn(cloud);
    pubsub = pubSubClient(ce);
    runEvents = await watchRunEvents(pubsub);
    // The run the completion faults are injected into: its pipeline trains while the submit faults run.
    await submitTrainingRun(observer, completionRequest);
    // The exported handlers read their settings from the environment, as deployed.
    Object.assign(process.env, controlPlaneEnv(cloud));
  }, 120_000);

  afterAll(async () => {
    cloud?.faults.clear();
    await Promise.allSettled(cancellations);
    await runEvents?.close();
    await pubsub?.close();
    await ctx?.clients.close();
    await observer?.clients.close();
    await cloud?.teardown();
    for (const name of Object.keys(process.env)) if (!(name in savedEnv)) delete process.env[name];
    Object.assign(process.env, savedEnv);
  });

  describe('submitTrainingRun', () => {
    it.each(SUBMIT_FAULTS.map((fault, i) => [fault.name, fault, `submit-fault-${i}`] as const))('%s: fails transiently, and a redelivery makes one export and one PipelineJob', async (_name, fault, requestId) => {
      const request = retrainingRequest(requestId);
      inject(fault);
      let failure: Awaited<ReturnType<typeof settled>>;
      try {
        failure = await settled(submitTrainingRun(ctx, request));
      } finally {
        cloud.faults.clear();
      }
      expect(failure.ok).toBe(false);
      if (failure.ok) return;
      expectInjectedTransient(failure.error);

      // Nothing half done: no run past QUEUED, no lease, at most the (idempotent) PipelineJob.
      const left = await runOf(requestId);
      if (left) expect({ state: left.state, pipelineJob: left.pipelineJob, lease: left.lease }).toEqual({ state: 'QUEUED', pipelineJob: undefined, lease: undefined });
      expect((await censusOf(observer, requestId)).pipelineJobs.length).toBeLessThanOrEqual(1);

      const run = await submitTrainingRun(ctx, request);
      expect(run.state).toBe('RUNNING');
      const census = await censusOf(observer, requestId);
      expect(census).toMatchObject({ exportJobs: 1, runRecords: 1, pipelineJobs: [run.pipelineJob] });
      expect(census.snapshotFiles).toBeGreaterThan(0);
      // A later duplicate changes nothing.
      expect(await submitTrainingRun(ctx, request)).toEqual(run);
      cancellations.push(cancelPipelineJob(observer, run.pipelineJob!));
    }, 30_000);

    it('through the deployed handler: a transient failure throws (Pub/Sub redelivers), the redelivery submits', async () => {
      const { submitTrainingRun: handler } = await import('../../../functions/submit-training-run.js');
      const request = retrainingRequest('handler-transient');
      const event = pubSubCloudEvent(pushData(request, {}, 'message-transient'), 'message-transient');
      cloud.faults.configure([{ ...rule('vertex', 'POST', '/pipelineJobs$', 503), rate: 1 }]);
      let first: Awaited<ReturnType<typeof settled>>;
      try {
        first = await settled(handler(event));
      } finally {
        cloud.faults.clear();
      }
      expect(first.ok).toBe(false);
      if (!first.ok) expect(isTransient(first.error)).toBe(true);
      const queued = await runOf(request.requestId);
      expect({ state: queued?.state, pipelineJob: queued?.pipelineJob }).toEqual({ state: 'QUEUED', pipelineJob: undefined });

      await handler(event);
      const run = (await runOf(request.requestId))!;
      expect(run.state).toBe('RUNNING');
      expect((await censusOf(observer, request.requestId)).pipelineJobs).toEqual([run.pipelineJob]);
      cancellations.push(cancelPipelineJob(observer, run.pipelineJob!));
    }, 30_000);

    it('permanent: an unknown model is acknowledged and creates nothing', async () => {
      const { submitTrainingRun: handler } = await import('../../../functions/submit-training-run.js');
      const request = retrainingRequest('unknown-model', { model: 'no-such-model' });
      await expect(handler(pubSubCloudEvent(pushData(request, {}, 'message-unknown'), 'message-unknown'))).resolves.toBeUndefined();
      expect(await censusOf(observer, request.requestId, 'no-such-model')).toMatchObject({ exportJobs: 0, runRecords: 0, pipelineJobs: [] });
    });

    it('permanent: a PipelineJob Vertex refuses (a parameter of the wrong type) ends the run FAILED with why, and is acknowledged', async () => {
      const { submitTrainingRun: handler } = await import('../../../functions/submit-training-run.js');
      const request = retrainingRequest('refused-parameter', { parameterOverrides: { model_type: 5 } });
      const event = pubSubCloudEvent(pushData(request, {}, 'message-refused'), 'message-refused');
      await expect(handler(event)).resolves.toBeUndefined();
      const run = await runOf(request.requestId);
      expect(run).toMatchObject({ state: 'FAILED', error: { task: 'submit' } });
      expect(run?.error?.message).toMatch(/model_type/);
      expect((await censusOf(observer, request.requestId)).pipelineJobs).toEqual([]);
      // A redelivery is acknowledged again and changes nothing.
      await expect(handler(event)).resolves.toBeUndefined();
      expect(await runOf(request.requestId)).toEqual(run);
    });

    it("permanent: BigQuery's 404 for the source table ends the run FAILED with BigQuery's message, and is acknowledged", async () => {
      const { submitTrainingRun: handler } = await import('../../../functions/submit-training-run.js');
      const request = retrainingRequest('missing-table', { model: MISSING_SOURCE_MODEL });
      await expect(handler(pubSubCloudEvent(pushData(request, {}, 'message-missing'), 'message-missing'))).resolves.toBeUndefined();
      const run = await runOf(request.requestId, MISSING_SOURCE_MODEL);
      expect(run).toMatchObject({ state: 'FAILED', error: { task: 'submit' } });
      expect(run?.error?.message).toMatch(/no_such_table/);
      expect((await censusOf(observer, request.requestId, MISSING_SOURCE_MODEL)).pipelineJobs).toEqual([]);
    });
  });

  describe('completeTrainingRun', () => {
    it('a fault in each call fails transiently and leaves no lease; once the faults are gone a redelivery registers one version and records one decision', async () => {
      const event = await runEvents.of(completionRequest.requestId);
      expect(event.state).toBe('SUCCEEDED');
      const runId = trainingRunId(MODEL, completionRequest.requestId);

      for (const [i, fault] of COMPLETION_FAULTS.entries()) {
        inject(fault);
        let outcome: Awaited<ReturnType<typeof settled>>;
        try {
          // Each attempt as another delivery: a lease left by an earlier one would turn it away.
          outcome = await settled(completeTrainingRun(ctx, event, `faulty-delivery-${i}`));
        } finally {
          cloud.faults.clear();
        }
        expect(outcome.ok, fault.name).toBe(false);
        if (outcome.ok) return;
        expectInjectedTransient(outcome.error);
        const run = (await runOf(completionRequest.requestId))!;
        expect({ fault: fault.name, state: run.state, lease: run.lease }).toEqual({ fault: fault.name, state: 'RUNNING', lease: undefined });
        expect((await versionsOfRun(observer, completionRequest.requestId)).length, fault.name).toBeLessThanOrEqual(1);
        expect((await observer.decisions.listForModel(MODEL)).length, fault.name).toBeLessThanOrEqual(1);
      }

      const result = await completeTrainingRun(ctx, event, 'redelivery');
      expect(result.duplicate).toBe(false);
      expect(result.run).toMatchObject({ state: 'SUCCEEDED', decision: `decisions/${runId}` });
      expect(result.run.lease).toBeUndefined();
      expect(await versionsOfRun(observer, completionRequest.requestId)).toEqual([result.run.modelVersion]);
      expect((await observer.decisions.listForModel(MODEL)).map((d) => d.id)).toEqual([runId]);
      expect(result.run.deployment?.deployedModelId).toMatch(/^\d+$/);
      const again = await completeTrainingRun(ctx, event, 'redelivery');
      expect(again).toMatchObject({ duplicate: true, run: { modelVersion: result.run.modelVersion } });
    }, 240_000);

    it("permanent: Vertex's 404 for the event's PipelineJob ends the run FAILED with why, and is acknowledged", async () => {
      const { onPipelineRunEvent: handler } = await import('../../../functions/on-pipeline-run-event.js');
      const request = retrainingRequest('pipeline-gone');
      await observer.runs.createOrGet(newTrainingRun(request, new Date()));
      const event: PipelineRunEvent = { pipelineJob: `${vertexParent(observer.settings)}/pipelineJobs/never-submitted`, state: 'SUCCEEDED', model: MODEL, requestId: request.requestId };
      await expect(handler(pubSubCloudEvent(pushData(event, {}, 'message-gone'), 'message-gone', 'pipeline-run-events'))).resolves.toBeUndefined();
      const run = await runOf(request.requestId);
      expect(run).toMatchObject({ state: 'FAILED', error: { task: 'complete' } });
      expect(run?.error?.message).toMatch(/never-submitted/);
      expect(run?.lease).toBeUndefined();
    });

    it('permanent: an event for a run that does not exist is acknowledged and creates nothing', async () => {
      const { onPipelineRunEvent: handler } = await import('../../../functions/on-pipeline-run-event.js');
      const event: PipelineRunEvent = { pipelineJob: `${vertexParent(observer.settings)}/pipelineJobs/unknown-run`, state: 'FAILED', model: MODEL, requestId: 'no-such-request' };
      await expect(handler(pubSubCloudEvent(pushData(event, {}, 'message-unknown-run'), 'message-unknown-run', 'pipeline-run-events'))).resolves.toBeUndefined();
      expect(await runOf('no-such-request')).toBeUndefined();
    });
  });
});
