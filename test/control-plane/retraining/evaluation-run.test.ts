// The evaluation path end to end on the local cloud, through the control plane's own entry points
// (no functions): a training run registers a champion; an evaluation request for that version
// exports a fresh snapshot and runs the evaluation pipeline on the local Vertex with the real
// Python components; the pipeline's exit handler announces the run on Pub/Sub; completing it records
// an evaluation decision and uploads nothing.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Message, Subscription } from '@google-cloud/pubsub';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModelCatalog } from '../../../control-plane/config/load-model-specs.js';
import { TOPICS } from '../../../control-plane/config/topics.js';
import { ControlPlaneError } from '../../../control-plane/errors.js';
import { completeTrainingRun } from '../../../control-plane/retraining/complete-training-run.js';
import type { RetrainingRequest } from '../../../control-plane/retraining/messages.js';
import { PipelineRunEvent } from '../../../control-plane/retraining/messages.js';
import { submitTrainingRun } from '../../../control-plane/retraining/submit-training-run.js';
import { lazyClients } from '../../../control-plane/runtime/clients.js';
import type { ControlPlaneContext } from '../../../control-plane/runtime/context.js';
import { controlPlaneContext } from '../../../control-plane/runtime/context.js';
import { readSettings } from '../../../control-plane/runtime/settings.js';
import type { TrainingRunRecord } from '../../../control-plane/state/training-runs.js';
import { trainingRunId } from '../../../control-plane/state/training-runs.js';
import { FIXTURE_TABLE, SAMPLES_DATASET } from '../../../emulators/launcher/seed.js';
import { findPubSubEmulatorJar } from '../../../emulators/pubsub/emulator-process.js';
import type { ClientEnvironment } from '../../../google-clients/environment.js';
import { pubSubClient, storageClient } from '../../../google-clients/index.js';
import type { IPipelineJob } from '../../../vertex/shared/proto-types.js';
import { fromStruct } from '../../../vertex/shared/struct.js';
import type { TestCloud } from '../../support/local-cloud.js';
import { startTestCloud } from '../../support/local-cloud.js';
import { shippedText } from '../config/support.js';

const python = spawnSync('/usr/bin/python3', ['-c', 'import sklearn, pandas, xgboost'], { encoding: 'utf8' });
const skip = python.status !== 0 ? '/usr/bin/python3 lacks sklearn/pandas/xgboost' : findPubSubEmulatorJar() === undefined ? 'the Pub/Sub emulator is not installed' : undefined;
if (skip) console.warn(`evaluation run end to end skipped: ${skip}`);

const MODEL = 'flight-delay';
const REGION = 'us-central1';

/** The shipped spec over the fixture table (2,000 flights, every row in each snapshot). */
function fixtureSpec(): string {
  const spec = shippedText.replace('FROM `samples.flights`', `FROM \`${SAMPLES_DATASET}.${FIXTURE_TABLE}\``).replace('value: 0.01', 'value: 1.0');
  expect(spec).toContain(FIXTURE_TABLE);
  expect(spec).toContain('value: 1.0');
  return spec;
}

describe.skipIf(skip !== undefined)('an evaluation run on the local cloud', () => {
  let cloud: TestCloud;
  let ctx: ControlPlaneContext;
  let specsDir: string;
  let pubsub: ReturnType<typeof pubSubClient>;
  const subscriptions: Subscription[] = [];
  const runEvents: PipelineRunEvent[] = [];
  const decisionEvents: { attributes: Record<string, string>; data: { decision: { id: string; outcome: string }; modelVersion?: string } }[] = [];

  async function listen(topic: string, name: string, onMessage: (message: Message) => void): Promise<void> {
    const [subscription] = await pubsub.topic(topic).createSubscription(name);
    subscription.on('message', (message: Message) => {
      message.ack();
      onMessage(message);
    });
    subscriptions.push(subscription);
  }

  beforeAll(async () => {
    cloud = await startTestCloud({ seed: 'fixture', vertex: true, pubsub: true });
    const ce: ClientEnvironment = { projectId: cloud.projectId, env: cloud.env };
    const settings = readSettings({ GOOGLE_CLOUD_PROJECT: cloud.projectId, MLOPS_ENVIRONMENT: 'local', MLOPS_REGION: REGION });
    const storage = storageClient(ce);
    await Promise.all([storage.createBucket(settings.stateBucket), storage.createBucket(settings.pipelineBucket)]);
    specsDir = mkdtempSync(join(tmpdir(), 'evaluation-run-specs-'));
    writeFileSync(join(specsDir, `${MODEL}.yaml`), fixtureSpec());
    ctx = controlPlaneContext(settings, ModelCatalog.load('local', specsDir), lazyClients(ce, REGION), ce);
    pubsub = pubSubClient(ce);
    await listen(TOPICS.pipelineRunEvents, 'evaluation-run-test-events', (m) => runEvents.push(PipelineRunEvent.parse(JSON.parse(m.data.toString('utf8')))));
    await listen(TOPICS.deploymentEvents, 'evaluation-run-test-decisions', (m) => decisionEvents.push({ attributes: m.attributes, data: JSON.parse(m.data.toString('utf8')) as (typeof decisionEvents)[number]['data'] }));
  }, 120_000);

  afterAll(async () => {
    await Promise.all(subscriptions.map((s) => s.close()));
    await pubsub?.close();
    await ctx?.clients.close();
    await cloud?.teardown();
    if (specsDir) rmSync(specsDir, { recursive: true, force: true });
  });

  const request = (requestId: string, extra: Partial<RetrainingRequest>): RetrainingRequest => ({
    requestId, model: MODEL, trigger: 'api', reason: 'test', requestTime: new Date().toISOString(), ...extra,
  });

  /** Waits for the run's PipelineJob to end and for its exit handler's completion event. */
  async function finished(run: TrainingRunRecord): Promise<{ job: IPipelineJob; event: PipelineRunEvent }> {
    expect(run.pipelineJob, run.error?.message).toBeDefined();
    const pipelines = await ctx.clients.pipelines();
    const deadline = Date.now() + 150_000;
    for (;;) {
      const [job] = await pipelines.getPipelineJob({ name: run.pipelineJob! });
      const event = runEvents.find((e) => e.pipelineJob === run.pipelineJob);
      const ended = ['PIPELINE_STATE_SUCCEEDED', 'PIPELINE_STATE_FAILED', 'PIPELINE_STATE_CANCELLED'].includes(String(job.state));
      if (ended && event) return { job, event };
      if (Date.now() > deadline) throw new Error(`${run.pipelineJob!} is ${String(job.state)}, completion event ${event ? 'received' : 'not received'}`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }

  const taskNames = (job: IPipelineJob) => new Set((job.jobDetail?.taskDetails ?? []).map((t) => t.taskName));
  let champion = '';
  let trainingRmse = Number.NaN;

  it('a training run registers the first model as champion', async () => {
    const run = await submitTrainingRun(ctx, request('train-1', { parameterOverrides: { model_type: 'xgboost', hyperparameters: { n_estimators: 30, max_depth: 3 } } }));
    const { job, event } = await finished(run);
    expect(job.state, job.error?.message ?? '').toBe('PIPELINE_STATE_SUCCEEDED');
    const result = await completeTrainingRun(ctx, event);
    expect(result.decision).toMatchObject({ kind: 'training', outcome: 'REGISTER_AS_CHAMPION' });
    expect(result.run.modelVersion).toBe(`projects/${cloud.projectId}/locations/${REGION}/models/${MODEL}@1`);
    champion = result.run.modelVersion!;
    trainingRmse = result.decision!.metrics.rmse!;
    expect(trainingRmse).toBeGreaterThan(0);
  }, 180_000);

  it('evaluating a version that does not exist fails at once, permanently, before any snapshot', async () => {
    const error = await submitTrainingRun(ctx, request('evaluation-missing', { trigger: 'evaluation', evaluatedVersion: '7' })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ControlPlaneError);
    expect((error as ControlPlaneError).status).toBe('NOT_FOUND');
    expect((error as Error).message).toBe(`models/${MODEL} has no version 7 to evaluate`);
    const run = await ctx.runs.get(trainingRunId(MODEL, 'evaluation-missing'));
    expect(run?.value).toMatchObject({ state: 'QUEUED' });
    expect(run?.value.snapshot).toBeUndefined();
  });

  it("an evaluation request runs the evaluation pipeline on a fresh snapshot with the version's artifacts, and records a decision without uploading", async () => {
    expect(champion, 'the training run registered a champion').not.toBe('');
    const models = await ctx.clients.models();
    const [version] = await models.getModel({ name: champion });

    const run = await submitTrainingRun(ctx, request('evaluation-1', { trigger: 'evaluation', evaluatedVersion: '1' }));
    expect(run).toMatchObject({ state: 'RUNNING', trigger: 'evaluation', evaluatedVersion: '1', champion });
    expect(run.snapshot?.uri).toMatch(new RegExp(`^gs://${ctx.settings.pipelineBucket}/snapshots/${MODEL}/`));
    expect(run.snapshot?.rowCount).toBe(2000);
    expect(run.pipelineJob).toMatch(/\/pipelineJobs\/evaluation-pipeline-/);

    const { job, event } = await finished(run);
    expect(job.state, job.error?.message ?? '').toBe('PIPELINE_STATE_SUCCEEDED');
    expect((fromStruct(job.pipelineSpec) as { pipelineInfo: { name: string } }).pipelineInfo.name).toBe('evaluation-pipeline');
    expect(job.labels).toMatchObject({ model: MODEL, trigger: 'evaluation', request_id: 'evaluation-1', evaluated_version: '1' });
    const parameters = Object.fromEntries(Object.entries(job.runtimeConfig?.parameterValues ?? {}).map(([k, v]) => [k, v.stringValue]));
    expect(parameters).toMatchObject({ candidate_model_uri: version.artifactUri, champion_model_uri: version.artifactUri, training_data_uri: run.snapshot!.uri });
    const tasks = taskNames(job);
    for (const name of ['validate-data', 'preprocess-split', 'evaluate-model', 'gate-model', 'compare-with-champion', 'publish-run-event']) expect(tasks.has(name), name).toBe(true);
    for (const name of ['train-model', 'export-serving-artifact']) expect(tasks.has(name), name).toBe(false);
    expect(event).toEqual({ pipelineJob: run.pipelineJob, state: 'SUCCEEDED', model: MODEL, requestId: 'evaluation-1' });

    const result = await completeTrainingRun(ctx, event);
    const decision = result.decision!;
    // The champion evaluated against itself: the same predictions, so never better.
    expect(decision).toMatchObject({
      kind: 'evaluation',
      outcome: 'EVALUATED_NOT_BETTER',
      evaluatedVersion: champion,
      champion,
      pipelineJob: run.pipelineJob,
      gate: { approved: true },
      comparison: { metric: 'rmse', verdict: 'not_better', difference: 0, ci_low: 0, ci_high: 0 },
    });
    expect(decision.comparison!.challenger).toBe(decision.comparison!.champion);
    expect(decision.reasons[1]).toMatch(/^does not beat the champion: rmse difference 0 /);
    expect(decision.metrics.rmse).toBeCloseTo(decision.comparison!.challenger!, 9);
    // The snapshot holds the same rows and the split the same seed: the test rows are the training run's.
    expect(Math.abs(decision.metrics.rmse! - trainingRmse)).toBeLessThanOrEqual(1e-6 * trainingRmse);

    expect(result.run).toMatchObject({ state: 'SUCCEEDED', decision: decision.name });
    expect(result.run.modelVersion).toBeUndefined();
    expect(result.deployment).toBeUndefined();
    const [versions] = await models.listModelVersions({ name: champion.split('@')[0]! });
    expect(versions.map((v) => v.versionId)).toEqual(['1']);

    // The decision is announced like a training run's.
    for (let waited = 0; waited < 10_000 && !decisionEvents.some((e) => e.attributes.decisionId === decision.id); waited += 200) await new Promise((r) => setTimeout(r, 200));
    expect(decisionEvents.find((e) => e.attributes.decisionId === decision.id)?.attributes).toEqual({ type: 'decision', model: MODEL, outcome: 'EVALUATED_NOT_BETTER', decisionId: decision.id });

    // A duplicate completion event changes nothing.
    const again = await completeTrainingRun(ctx, event);
    expect(again.duplicate).toBe(true);
    expect(again.decision).toEqual(decision);
  }, 180_000);
});
