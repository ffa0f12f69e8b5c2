// Pub/Sub delivers at least once, and a push subscription may deliver one message to several
// instances at once: twenty deliveries of one retraining request must export one snapshot and
// submit one PipelineJob, and twenty deliveries of one completion event must register one model
// version and record one decision. Checked against the services themselves (BigQuery's jobs,
// Cloud Storage's objects, Vertex's PipelineJobs and model versions), on the fixture table.
import type { PubSub } from '@google-cloud/pubsub';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completeTrainingRun } from '../../../control-plane/retraining/complete-training-run.js';
import { submitTrainingRun } from '../../../control-plane/retraining/submit-training-run.js';
import { endpointName } from '../../../control-plane/registry/first-deployment.js';
import type { ControlPlaneContext } from '../../../control-plane/runtime/context.js';
import { trainingRunId } from '../../../control-plane/state/training-runs.js';
import { watchFunctionLogs } from '../../../emulators/functions/function-log.js';
import { pubSubClient } from '../../../google-clients/pubsub.js';
import { FUNCTIONS } from '../../../infra/functions.js';
import type { TestCloud } from '../../support/local-cloud.js';
import { startTestCloud } from '../../support/local-cloud.js';
import {
  buildReliabilityBundle,
  cancelPipelineJob,
  censusOf,
  clientEnvironmentOf,
  controlPlaneOn,
  eventually,
  missingPrerequisite,
  MODEL,
  receiveUntil,
  redeliverWhileTransient,
  REGION,
  retrainingRequest,
  watchRunEvents,
  versionsOfRun,
} from './support.js';
import type { RunEvents } from './support.js';

const skipReason = missingPrerequisite({ python: true, pubsub: true });
const DELIVERIES = 20;

describe.skipIf(skipReason !== undefined)('duplicate deliveries have the effect of one', () => {
  let cloud: TestCloud;
  let bundle: { bundleDir: string; remove(): void } | undefined;
  let ctx: ControlPlaneContext;
  let pubsub: PubSub;
  // The pipelines' completion events, as their exit handlers published them.
  let runEvents: RunEvents;
  const direct = retrainingRequest('duplicates-direct');

  beforeAll(async () => {
    bundle = await buildReliabilityBundle('duplicates');
    // submitTrainingRun is served (the Pub/Sub path); onPipelineRunEvent is not, so that the test
    // delivers the completion event itself, twenty times at once.
    cloud = await startTestCloud({
      seed: 'fixture',
      vertex: true,
      pubsub: true,
      // LOG_LEVEL: the test counts deliveries by the function's INFO invocation lines.
      functions: { bundleDir: bundle.bundleDir, declarations: FUNCTIONS.filter((f) => f.name === 'submitTrainingRun'), extraEnv: { MLOPS_ENVIRONMENT: 'local', MLOPS_REGION: REGION, LOG_LEVEL: 'INFO' } },
    });
    ctx = await controlPlaneOn(cloud);
    pubsub = pubSubClient(clientEnvironmentOf(cloud));
    runEvents = await watchRunEvents(pubsub);
  }, 120_000);

  afterAll(async () => {
    await runEvents?.close();
    await pubsub?.close();
    await ctx?.clients.close();
    await cloud?.teardown();
    bundle?.remove();
  });

  it(`${DELIVERIES} concurrent submissions of one request: one export job, one snapshot folder, one PipelineJob, one run record`, async () => {
    const runs = await Promise.all(Array.from({ length: DELIVERIES }, () => redeliverWhileTransient(() => submitTrainingRun(ctx, direct))));

    const first = runs[0]!;
    expect(first.state).toBe('RUNNING');
    expect(first.pipelineJob).toMatch(/^projects\/local-project\/locations\/us-central1\/pipelineJobs\//);
    for (const run of runs) expect({ pipelineJob: run.pipelineJob, snapshot: run.snapshot }).toEqual({ pipelineJob: first.pipelineJob, snapshot: first.snapshot });
    const census = await censusOf(ctx, direct.requestId);
    expect(census).toMatchObject({ exportJobs: 1, runRecords: 1, pipelineJobs: [first.pipelineJob] });
    expect(census.snapshotFiles).toBeGreaterThan(0);
    expect(first.snapshot?.rowCount).toBe(2000);
    // The snapshots of this model: this request's folder only.
    const [files] = await (await ctx.clients.storage()).bucket(ctx.settings.pipelineBucket).getFiles({ prefix: `snapshots/${MODEL}/` });
    expect(new Set(files.map((f) => `gs://${ctx.settings.pipelineBucket}/${f.name.slice(0, f.name.lastIndexOf('/') + 1)}`))).toEqual(new Set([first.snapshot!.uri]));
  }, 60_000);

  it(`${DELIVERIES} publications of one request to retraining-requests, through the served submitTrainingRun: one export, one PipelineJob, none dead-lettered`, async () => {
    const request = retrainingRequest('duplicates-pubsub');
    const invocations = new Map<string, number>();
    let lastInvocation = Date.now();
    const unwatch = watchFunctionLogs(({ function: name, record }) => {
      if (name !== 'submitTrainingRun' || record.message !== 'submitTrainingRun invocation') return;
      invocations.set(String(record.eventId), (invocations.get(String(record.eventId)) ?? 0) + 1);
      lastInvocation = Date.now();
    });
    try {
      const topic = pubsub.topic('retraining-requests');
      const messageIds = await Promise.all(Array.from({ length: DELIVERIES }, () => topic.publishMessage({ json: request, attributes: { model: request.model, requestId: request.requestId } })));
      expect(new Set(messageIds).size).toBe(DELIVERIES);

      // Every message delivered, the run submitted, and no delivery (or redelivery) for two seconds.
      const runId = trainingRunId(MODEL, request.requestId);
      await eventually(
        async () => ({ delivered: messageIds.every((id) => invocations.has(id)), run: await ctx.runs.get(runId), quietMs: Date.now() - lastInvocation }),
        ({ delivered, run, quietMs }) => delivered && run?.value.pipelineJob !== undefined && quietMs > 2000,
        90_000,
      );
      expect(messageIds.filter((id) => !invocations.has(id))).toEqual([]);
      const run = (await ctx.runs.get(runId))!.value;
      expect(run.state).toBe('RUNNING');
      const census = await censusOf(ctx, request.requestId);
      expect(census).toMatchObject({ exportJobs: 1, runRecords: 1, pipelineJobs: [run.pipelineJob] });
      expect(census.snapshotFiles).toBeGreaterThan(0);
      await cancelPipelineJob(ctx, run.pipelineJob!);

      // Transient lost races are redelivered, never parked: nothing of this request on the dead-letter topic.
      const parked = await receiveUntil(pubsub, 'mlops-dead-letter-inspect', () => false, 2000);
      expect(parked.filter((m) => m.data.includes(request.requestId) || m.attributes.requestId === request.requestId)).toEqual([]);
    } finally {
      unwatch();
    }
  }, 120_000);

  it(`${DELIVERIES} concurrent deliveries of a finished pipeline's event, then late duplicates: one model version, one decision record, no lease left`, async () => {
    const event = await runEvents.of(direct.requestId);
    expect(event).toMatchObject({ state: 'SUCCEEDED', model: MODEL, requestId: direct.requestId });

    // Each delivery has its own id (as distinct Pub/Sub messages do); one holds the lease, the others
    // get RetryLater (transient) and are redelivered until the run is complete.
    const results = await Promise.all(
      Array.from({ length: DELIVERIES }, (_, i) => redeliverWhileTransient(() => completeTrainingRun(ctx, event, `delivery-${i}`), { attempts: 240, delayMs: 250 })),
    );
    expect(results.filter((r) => !r.duplicate)).toHaveLength(1);
    const done = results.find((r) => !r.duplicate)!;
    expect(done.run.state).toBe('SUCCEEDED');
    expect(done.decision?.outcome).toBe('REGISTER_AS_CHAMPION');
    for (const result of results) {
      expect({ state: result.run.state, modelVersion: result.run.modelVersion, decision: result.decision?.id }).toEqual({ state: 'SUCCEEDED', modelVersion: done.run.modelVersion, decision: done.decision?.id });
    }

    // Late duplicates: the exit handler's own retry, a redelivery of one of the twenty.
    for (const deliveryId of ['late-duplicate', 'delivery-0', 'delivery-7']) {
      const again = await completeTrainingRun(ctx, event, deliveryId);
      expect(again.duplicate).toBe(true);
      expect(again.run.modelVersion).toBe(done.run.modelVersion);
    }

    const runId = trainingRunId(MODEL, direct.requestId);
    expect(await versionsOfRun(ctx, direct.requestId)).toEqual([done.run.modelVersion]);
    expect((await ctx.decisions.listForModel(MODEL)).map((d) => d.id)).toEqual([runId]);
    expect((await ctx.state.list('decisions/')).filter((path) => path.includes(runId))).toHaveLength(1);
    const stored = (await ctx.runs.get(runId))!.value;
    expect(stored).toMatchObject({ state: 'SUCCEEDED', modelVersion: done.run.modelVersion, decision: `decisions/${runId}` });
    expect(stored.lease).toBeUndefined();
    // One deployment of the first champion, whichever delivery started it.
    const [endpoint] = await (await ctx.clients.endpoints()).getEndpoint({ name: endpointName(ctx, MODEL) });
    expect((endpoint.deployedModels ?? []).length).toBeLessThanOrEqual(1);
    expect(new Set(results.map((r) => r.run.deployment?.deployedModelId))).toEqual(new Set([stored.deployment?.deployedModelId]));
  }, 240_000);
});
