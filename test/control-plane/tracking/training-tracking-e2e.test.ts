// A real training run on the local cloud, tracked end to end: submitTrainingRun records the
// experiment run RUNNING; the pipeline runs on the local Vertex (which records its own pipeline run
// context, task executions and artifacts); completeTrainingRun records it COMPLETE with the
// evaluation's metrics and gate, its pipeline run context as a child, and the registration joining
// the pipeline's exported model to the new version; the lineage API answers the champion's graph
// with the pipeline's side in it, and mlopsApi's routes answer both reads.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Message, Subscription } from '@google-cloud/pubsub';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getVersionLineage, listExperimentRuns, parseExperimentRunsQuery } from '../../../control-plane/api/tracking.js';
import { ModelCatalog } from '../../../control-plane/config/load-model-specs.js';
import { TOPICS } from '../../../control-plane/config/topics.js';
import { completeTrainingRun } from '../../../control-plane/retraining/complete-training-run.js';
import { PipelineRunEvent } from '../../../control-plane/retraining/messages.js';
import { submitTrainingRun } from '../../../control-plane/retraining/submit-training-run.js';
import { lazyClients } from '../../../control-plane/runtime/clients.js';
import type { ControlPlaneContext } from '../../../control-plane/runtime/context.js';
import { controlPlaneContext } from '../../../control-plane/runtime/context.js';
import { readSettings } from '../../../control-plane/runtime/settings.js';
import { experimentId, experimentRunContextId } from '../../../control-plane/tracking/conventions.js';
import { FIXTURE_TABLE, SAMPLES_DATASET } from '../../../emulators/launcher/seed.js';
import { findPubSubEmulatorJar } from '../../../emulators/pubsub/emulator-process.js';
import type { ClientEnvironment } from '../../../google-clients/environment.js';
import { pubSubClient, storageClient } from '../../../google-clients/index.js';
import { MetadataServiceClient, vertexClientOptions } from '../../../google-clients/vertex.js';
import { fromStruct } from '../../../vertex/shared/struct.js';
import type { TestCloud } from '../../support/local-cloud.js';
import { startTestCloud } from '../../support/local-cloud.js';
import { shippedText } from '../config/support.js';

const python = spawnSync('/usr/bin/python3', ['-c', 'import sklearn, pandas, xgboost'], { encoding: 'utf8' });
const skip = python.status !== 0 ? '/usr/bin/python3 lacks sklearn/pandas/xgboost' : findPubSubEmulatorJar() === undefined ? 'the Pub/Sub emulator is not installed' : undefined;
if (skip) console.warn(`training run tracking end to end skipped: ${skip}`);

const MODEL = 'flight-delay';
const REGION = 'us-central1';

describe.skipIf(skip !== undefined)('a real training run, tracked', () => {
  let cloud: TestCloud;
  let ctx: ControlPlaneContext;
  let specsDir: string;
  let metadata: MetadataServiceClient;
  let pubsub: ReturnType<typeof pubSubClient>;
  let subscription: Subscription | undefined;
  const runEvents: PipelineRunEvent[] = [];

  beforeAll(async () => {
    cloud = await startTestCloud({ seed: 'fixture', vertex: true, pubsub: true });
    const ce: ClientEnvironment = { projectId: cloud.projectId, env: cloud.env };
    const settings = readSettings({ GOOGLE_CLOUD_PROJECT: cloud.projectId, MLOPS_ENVIRONMENT: 'local', MLOPS_REGION: REGION });
    const storage = storageClient(ce);
    await Promise.all([storage.createBucket(settings.stateBucket), storage.createBucket(settings.pipelineBucket)]);
    specsDir = mkdtempSync(join(tmpdir(), 'tracking-e2e-specs-'));
    writeFileSync(join(specsDir, `${MODEL}.yaml`), shippedText.replace('FROM `samples.flights`', `FROM \`${SAMPLES_DATASET}.${FIXTURE_TABLE}\``).replace('value: 0.01', 'value: 1.0'));
    ctx = controlPlaneContext(settings, ModelCatalog.load('local', specsDir), lazyClients(ce, REGION), ce);
    metadata = new MetadataServiceClient(vertexClientOptions(REGION, ce));
    pubsub = pubSubClient(ce);
    [subscription] = await pubsub.topic(TOPICS.pipelineRunEvents).createSubscription('tracking-e2e-events');
    subscription.on('message', (m: Message) => {
      m.ack();
      runEvents.push(PipelineRunEvent.parse(JSON.parse(m.data.toString('utf8'))));
    });
  }, 120_000);

  afterAll(async () => {
    await subscription?.close();
    await pubsub?.close();
    await metadata?.close();
    await ctx?.clients.close();
    await cloud?.teardown();
    if (specsDir) rmSync(specsDir, { recursive: true, force: true });
  });

  it('records the run from submission to registration, joined with what the pipeline recorded; a failed recording is healed by the redelivery', async () => {
    const submitted = await submitTrainingRun(ctx, { requestId: 'track-1', model: MODEL, trigger: 'api', reason: 'tracking', requestTime: new Date().toISOString(), parameterOverrides: { model_type: 'xgboost', hyperparameters: { n_estimators: 30, max_depth: 3 } } });
    const store = `projects/${cloud.projectId}/locations/${REGION}/metadataStores/default`;
    const runContext = `${store}/contexts/${experimentRunContextId(experimentId(MODEL), submitted.id)}`;
    const [running] = await metadata.getContext({ name: runContext });
    expect(fromStruct(running.metadata)).toMatchObject({ _state: 'RUNNING', _params: { model_type: 'xgboost', n_estimators: 30, max_depth: 3, trigger: 'api' }, pipeline_job: submitted.pipelineJob });

    const deadline = Date.now() + 150_000;
    let event: PipelineRunEvent | undefined;
    while (!(event = runEvents.find((e) => e.pipelineJob === submitted.pipelineJob))) {
      if (Date.now() > deadline) throw new Error('no completion event');
      await new Promise((r) => setTimeout(r, 500));
    }
    // A delivery whose recording fails transiently between two steps (after the registration's
    // execution, before its events) throws before the run is marked done; the redelivery finishes it.
    const metadataClient = await ctx.clients.metadata();
    const flaky = new Proxy(metadataClient, {
      get: (target, property) => (property === 'addExecutionEvents' ? () => Promise.reject(Object.assign(new Error('unavailable'), { code: 14 })) : (Reflect.get(target, property) as unknown)),
    });
    const failing: ControlPlaneContext = { ...ctx, clients: { ...ctx.clients, metadata: () => Promise.resolve(flaky) } };
    await expect(completeTrainingRun(failing, event)).rejects.toMatchObject({ code: 14 });
    expect((await ctx.runs.get(submitted.id))?.value).toMatchObject({ state: 'RUNNING', modelVersion: `projects/${cloud.projectId}/locations/${REGION}/models/${MODEL}@1` });
    const completed = await completeTrainingRun(ctx, event);
    expect(completed.decision?.outcome).toBe('REGISTER_AS_CHAMPION');

    const [done] = await metadata.getContext({ name: runContext });
    const m = fromStruct(done.metadata);
    expect(m._state).toBe('COMPLETE');
    expect(m._metrics).toMatchObject({ ...completed.decision!.metrics, gate_approved: 1, decision: 'REGISTER_AS_CHAMPION' });
    expect(Object.keys(completed.decision!.metrics).length).toBeGreaterThan(0);
    const [job] = await (await ctx.clients.pipelines()).getPipelineJob({ name: submitted.pipelineJob! });
    const pipelineRun = job.jobDetail?.pipelineRunContext?.name;
    expect(pipelineRun).toBeTruthy();
    const [pipelineContext] = await metadata.getContext({ name: pipelineRun! });
    expect(pipelineContext.parentContexts).toContain(runContext);

    // The champion's lineage: the registration's inputs include the model artifact the pipeline recorded.
    const lineage = await getVersionLineage(ctx, MODEL, 'champion');
    expect(lineage.version).toBe(completed.run.modelVersion);
    expect(lineage.chain.map((s) => s.stage)).toEqual(['snapshot', 'pipelineRun', 'modelVersion', 'deployment']);
    expect(lineage.chain[1]!.name).toBe(submitted.pipelineJob);
    const registration = lineage.nodes.find((n) => n.metadata.kind === 'registration');
    const registrationInputs = lineage.edges.filter((e) => e.target === registration?.id && e.event === 'INPUT').map((e) => lineage.nodes.find((n) => n.id === e.source)!);
    expect(registrationInputs.map((n) => n.schemaTitle).sort()).toEqual(['system.Dataset', 'system.Model']);
    // ... and the pipeline's own executions upstream of it.
    const exported = registrationInputs.find((n) => n.schemaTitle === 'system.Model')!;
    expect(lineage.edges.some((e) => e.target === exported.id && e.event === 'OUTPUT')).toBe(true);

    const runs = await listExperimentRuns(ctx, MODEL, parseExperimentRunsQuery({}));
    expect(runs.experimentRuns.map((r) => [r.runId, r.kind, r.state])).toEqual([[submitted.id, 'training', 'COMPLETE']]);
  }, 240_000);
});
