// A tuning run end to end on the local cloud, through the control plane's own entry points (no
// functions): the API call records the run (QUEUED) and publishes it to tuning-requests (twice: one
// run); submitTuningRun's work submits its snapshot and the tuning pipeline (twice: one PipelineJob);
// the same request id with another body is refused; reading it joins the live HyperparameterTuningJob's trials; the
// pipeline's exit handler announces the end on Pub/Sub; the event is routed to the tuning completion
// (never to training runs), which stores the result and plots and asks, once whatever the duplicate
// deliveries, for a training run of the best trial; that run trains on the tuning run's snapshot.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Message, Subscription } from '@google-cloud/pubsub';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateTuningRunBody } from '../../../control-plane/api/requests.js';
import type { TuningRunView } from '../../../control-plane/api/tuning-runs.js';
import { createTuningRun, getTuningRun, listModelTuningRuns } from '../../../control-plane/api/tuning-runs.js';
import { ModelCatalog } from '../../../control-plane/config/load-model-specs.js';
import { TOPICS } from '../../../control-plane/config/topics.js';
import { ControlPlaneError } from '../../../control-plane/errors.js';
import { PipelineRunEvent, RetrainingRequest } from '../../../control-plane/retraining/messages.js';
import { TuningRequestMessage } from '../../../control-plane/tuning/messages.js';
import { recordTuningRun, submitTuningRun, tuningRuns } from '../../../control-plane/tuning/submit-tuning-run.js';
import { snapshotFolder } from '../../../control-plane/retraining/snapshot.js';
import { submitTrainingRun } from '../../../control-plane/retraining/submit-training-run.js';
import { lazyClients } from '../../../control-plane/runtime/clients.js';
import type { ControlPlaneContext } from '../../../control-plane/runtime/context.js';
import { controlPlaneContext, vertexParent } from '../../../control-plane/runtime/context.js';
import { readSettings } from '../../../control-plane/runtime/settings.js';
import { trainingRunId } from '../../../control-plane/state/training-runs.js';
import { tuningRunId } from '../../../control-plane/state/tuning-runs.js';
import { completeTuningRun } from '../../../control-plane/tuning/complete-tuning-run.js';
import { isTuningRunEvent, tuningPipelineJobName } from '../../../control-plane/tuning/run-events.js';
import { TuningResult } from '../../../control-plane/tuning/tuning-result.js';
import { FIXTURE_TABLE, SAMPLES_DATASET } from '../../../emulators/launcher/seed.js';
import { findPubSubEmulatorJar } from '../../../emulators/pubsub/emulator-process.js';
import type { ClientEnvironment } from '../../../google-clients/environment.js';
import { pubSubClient, storageClient } from '../../../google-clients/index.js';
import { fromStruct } from '../../../vertex/shared/struct.js';
import type { TestCloud } from '../../support/local-cloud.js';
import { startTestCloud } from '../../support/local-cloud.js';
import { edited } from '../config/support.js';

const python = spawnSync('/usr/bin/python3', ['-c', 'import sklearn, pandas, xgboost'], { encoding: 'utf8' });
const skip = python.status !== 0 ? '/usr/bin/python3 lacks sklearn/pandas/xgboost' : findPubSubEmulatorJar() === undefined ? 'the Pub/Sub emulator is not installed' : undefined;
if (skip) console.warn(`tuning run end to end skipped: ${skip}`);

const MODEL = 'flight-delay';
const REGION = 'us-central1';
const REQUEST = 'tune-1';

/** The shipped spec over the fixture table (2,000 flights, every row in each snapshot), without early stopping. */
function fixtureSpec(): string {
  let spec = edited('FROM `samples.flights`', `FROM \`${SAMPLES_DATASET}.${FIXTURE_TABLE}\``);
  spec = edited('sample_fraction: { type: FLOAT64, value: 0.01 }', 'sample_fraction: { type: FLOAT64, value: 1.0 }', spec);
  return edited('earlyStopping: decay_curve', 'earlyStopping: none', spec);
}

describe.skipIf(skip !== undefined)('a tuning run on the local cloud', () => {
  let cloud: TestCloud;
  let ctx: ControlPlaneContext;
  let specsDir: string;
  let pubsub: ReturnType<typeof pubSubClient>;
  const subscriptions: Subscription[] = [];
  const runEvents: PipelineRunEvent[] = [];
  const retrainingRequests: RetrainingRequest[] = [];
  const tuningRequests: TuningRequestMessage[] = [];

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
    specsDir = mkdtempSync(join(tmpdir(), 'tuning-run-specs-'));
    writeFileSync(join(specsDir, `${MODEL}.yaml`), fixtureSpec());
    // A model trained by the tuning training pipeline, which takes no hyperparameters to train a best trial with.
    const hpt = edited('name: flight-delay', 'name: hpt-delay', edited('  name: training-pipeline\n', '  name: training-pipeline-hpt\n', edited('      hyperparameters: { n_estimators: 60, max_depth: 12, min_samples_leaf: 5 }\n', '', edited('    hyperparameters: {}\n', '', fixtureSpec()))));
    writeFileSync(join(specsDir, 'hpt-delay.yaml'), hpt);
    ctx = controlPlaneContext(settings, ModelCatalog.load('local', specsDir), lazyClients(ce, REGION), ce);
    pubsub = pubSubClient(ce);
    await listen(TOPICS.pipelineRunEvents, 'tuning-run-test-events', (m) => runEvents.push(PipelineRunEvent.parse(JSON.parse(m.data.toString('utf8')))));
    await listen(TOPICS.retrainingRequests, 'tuning-run-test-requests', (m) => retrainingRequests.push(RetrainingRequest.parse(JSON.parse(m.data.toString('utf8')))));
    await listen(TOPICS.tuningRequests, 'tuning-run-test-tuning-requests', (m) => tuningRequests.push(TuningRequestMessage.parse(JSON.parse(m.data.toString('utf8')))));
  }, 120_000);

  afterAll(async () => {
    await Promise.all(subscriptions.map((s) => s.close()));
    await pubsub?.close();
    await ctx?.clients.close();
    await cloud?.teardown();
    if (specsDir) rmSync(specsDir, { recursive: true, force: true });
  });

  const body = CreateTuningRunBody.parse({
    requestId: REQUEST,
    reason: 'test',
    modelTypes: ['ridge', 'xgboost'],
    // The summary ranks parameters from 5 succeeded trials on.
    maxTrialCount: 6,
    parallelTrialCount: 3,
    algorithm: 'random',
    space: { xgboost: { n_estimators: { type: 'integer', min: 10, max: 30 }, max_depth: { type: 'integer', min: 2, max: 4 } } },
  });
  let run: TuningRunView;

  it('refuses a request that can never run before recording anything', async () => {
    const error = await createTuningRun(ctx, MODEL, CreateTuningRunBody.parse({ requestId: 'tune-bad', modelTypes: ['gradient_boosting'] }), {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ControlPlaneError);
    expect((error as ControlPlaneError).fieldViolations.map((v) => v.field)).toEqual(['modelTypes[0]']);
    const badSource = await createTuningRun(ctx, MODEL, CreateTuningRunBody.parse({ requestId: 'tune-bad', sourceParameters: { sample_fractoin: 0.5 } }), {}).catch((e: unknown) => e);
    expect((badSource as ControlPlaneError).fieldViolations.map((v) => v.field)).toEqual(['sourceParameters.sample_fractoin']);
    const untrainable = await createTuningRun(ctx, 'hpt-delay', CreateTuningRunBody.parse({ requestId: 'tune-bad' }), {}).catch((e: unknown) => e);
    expect((untrainable as ControlPlaneError).fieldViolations.map((v) => v.field)).toEqual(['train']);
    expect((untrainable as Error).message).toMatch(/training-pipeline-hpt.*set train: false/);
    expect((await listModelTuningRuns(ctx, MODEL)).tuningRuns).toEqual([]);
  });

  /** The tuning requests published for a request id, once at least `count` arrived. */
  async function published(requestId: string, count = 1): Promise<TuningRequestMessage[]> {
    const of = () => tuningRequests.filter((m) => m.requestId === requestId);
    for (let waited = 0; waited < 10_000 && of().length < count; waited += 200) await new Promise((r) => setTimeout(r, 200));
    return of();
  }

  it('records the run (QUEUED) and publishes it; its submission makes one snapshot and one PipelineJob, however often either is asked', async () => {
    const [queued, queuedAgain] = await Promise.all([createTuningRun(ctx, MODEL, body, { email: 'ml@example.com' }), createTuningRun(ctx, MODEL, body, { email: 'ml@example.com' })]);
    expect(queued.id).toBe(tuningRunId(MODEL, REQUEST));
    expect(queuedAgain.id).toBe(queued.id);
    // The API call exports nothing and submits nothing: that is submitTuningRun's.
    expect(queued).toMatchObject({ state: 'QUEUED' });
    expect(queued.pipelineJob).toBeUndefined();
    expect(queued.snapshot).toBeUndefined();
    // The same request id with another body is refused, naming what differs; nothing changes.
    const conflict = await createTuningRun(ctx, MODEL, { ...body, maxTrialCount: 5, train: false }, {}).catch((e: unknown) => e);
    expect((conflict as ControlPlaneError).status).toBe('ALREADY_EXISTS');
    expect((conflict as Error).message).toMatch(/different study, train/);

    const messages = await published(REQUEST, 2);
    expect(messages.length).toBeGreaterThanOrEqual(2);
    expect(messages[0]).toMatchObject({ model: MODEL, requestId: REQUEST });
    // Deliveries of both messages at once, and a late redelivery.
    const [first, second] = await Promise.all([submitTuningRun(ctx, messages[0]!), submitTuningRun(ctx, messages[1]!)]);
    const again = await submitTuningRun(ctx, messages[0]!);
    run = (await getTuningRun(ctx, first.id));
    for (const r of [first, second, again]) expect(r).toMatchObject({ id: run.id, pipelineJob: run.pipelineJob, snapshot: run.snapshot });
    expect(run).toMatchObject({ name: `tuningRuns/${first.id}`, model: MODEL, requestId: REQUEST, state: 'RUNNING', train: true, requestedBy: 'ml@example.com' });
    // Once submitted, the API call no longer publishes it.
    const publishedBefore = (await published(REQUEST)).length;
    await createTuningRun(ctx, MODEL, body, {});
    await new Promise((r) => setTimeout(r, 1000));
    expect((await published(REQUEST)).length).toBe(publishedBefore);
    expect(first.study).toMatchObject({ modelTypes: ['ridge', 'xgboost'], metric: { id: 'rmse', goal: 'MINIMIZE' }, algorithm: 'RANDOM_SEARCH', maxTrialCount: 6, parallelTrialCount: 3, earlyStopping: 'none' });
    expect(first.snapshot?.rowCount).toBe(2000);
    // Apart from a training run of the same request id: its own snapshot folder and job.
    expect(first.snapshot!.uri).not.toBe(snapshotFolder(ctx.settings.pipelineBucket, MODEL, REQUEST));
    expect(first.pipelineJob).toMatch(/\/pipelineJobs\/tuning-pipeline-/);
    expect(isTuningRunEvent(ctx.settings, { pipelineJob: first.pipelineJob!, state: 'SUCCEEDED', model: MODEL, requestId: REQUEST })).toBe(true);

    const [jobs] = await (await ctx.clients.pipelines()).listPipelineJobs({ parent: vertexParent(ctx.settings) }, { autoPaginate: true });
    const ours = jobs.filter((j) => j.labels?.tuning_run === first.id);
    expect(ours.map((j) => j.name)).toEqual([first.pipelineJob]);
    expect(ours[0]!.labels).toMatchObject({ model: MODEL, trigger: 'tuning', request_id: REQUEST });
    const [job] = await (await ctx.clients.pipelines()).getPipelineJob({ name: first.pipelineJob! });
    const parameters = fromStruct({ fields: Object.fromEntries(Object.entries(job.runtimeConfig?.parameterValues ?? {})) }) as Record<string, unknown>;
    expect(parameters).toMatchObject({
      training_data_uri: first.snapshot!.uri,
      model_name: MODEL,
      request_id: REQUEST,
      metric_id: 'rmse',
      metric_goal: 'MINIMIZE',
      algorithm: 'RANDOM_SEARCH',
      tuning_job_labels: { tuning_run: first.id, model: MODEL },
      // Trials run as the PipelineJob's own account (none configured here: Vertex's service agent).
      trial_service_account: job.serviceAccount ?? '',
      target_column: 'delay',
      task_type: 'regression',
    });
    expect(parameters.study_spec_parameters).toEqual(first.study.parameters);
    expect((await listModelTuningRuns(ctx, MODEL)).tuningRuns.map((r) => r.id)).toEqual([first.id]);
  }, 120_000);

  let event: PipelineRunEvent;

  it('shows the live trials of the HyperparameterTuningJob while the run goes on, each as a model type and its hyperparameters', async () => {
    let seen: TuningRunView | undefined;
    const deadline = Date.now() + 240_000;
    for (;;) {
      const view = await getTuningRun(ctx, run.id);
      if ((view.result?.trials.length ?? 0) > 0 && seen === undefined) seen = view;
      const done = runEvents.find((e) => e.pipelineJob === run.pipelineJob);
      if (done && seen) {
        event = done;
        break;
      }
      if (Date.now() > deadline) throw new Error(`no finished trial or completion event: ${JSON.stringify(view).slice(0, 2000)}`);
      await new Promise((r) => setTimeout(r, 1000));
    }
    expect(seen.tuningJobState).toMatch(/^JOB_STATE_/);
    expect(seen.result!.job).toMatch(/\/hyperparameterTuningJobs\//);
    for (const trial of seen.result!.trials) {
      expect(['ridge', 'xgboost']).toContain(trial.modelType);
      expect(Object.keys(trial.hyperparameters).every((name) => !name.includes('__'))).toBe(true);
      if (trial.state === 'SUCCEEDED') expect(trial.value).toBeGreaterThan(0);
    }
    expect(event).toEqual({ pipelineJob: run.pipelineJob, state: 'SUCCEEDED', model: MODEL, requestId: REQUEST });
  }, 300_000);

  it('completes once under duplicate deliveries: result, plots, the best trial, one training request; no training run of the request id', async () => {
    expect(isTuningRunEvent(ctx.settings, event)).toBe(true);
    const outcomes = await Promise.allSettled([completeTuningRun(ctx, event, 'a'), completeTuningRun(ctx, event, 'b'), completeTuningRun(ctx, event, 'c')]);
    // The lease lets one finish; the others are told to retry (or find it done).
    const finished = outcomes.flatMap((o) => (o.status === 'fulfilled' && !o.value.duplicate ? [o.value] : []));
    expect(finished).toHaveLength(1);
    const again = await completeTuningRun(ctx, event, 'd');
    expect(again.duplicate).toBe(true);
    const completion = finished[0]!;
    const result = completion.result!;
    expect(TuningResult.parse(result)).toEqual(result);
    expect(result.trials.length).toBeGreaterThanOrEqual(1);
    const best = result.trials.find((t) => t.id === result.bestTrialId)!;
    const succeeded = result.trials.filter((t) => t.state === 'SUCCEEDED');
    expect(best.value).toBe(Math.min(...succeeded.map((t) => t.value!)));
    // The summary's importance of the study's parameters, by their study ids.
    expect(result.parameterImportance.length).toBeGreaterThan(0);
    expect(result.parameterImportance.map((p) => p.parameter)).toContain('model_type');
    expect(result.parameterImportance.reduce((sum, p) => sum + p.importance, 0)).toBeCloseTo(1, 6);

    const stored = (await getTuningRun(ctx, run.id));
    expect(stored).toMatchObject({ state: 'SUCCEEDED', bestTrial: best, tuningJob: result.job, trainingRun: trainingRunId(MODEL, `tuned-${run.id}`) });
    expect(stored.result).toEqual(result);
    expect(stored.results!.uri).toBe(`gs://${ctx.settings.pipelineBucket}/tuning-runs/${run.id}/results.json`);
    expect(stored.results!.plots.length).toBe(4);
    const storage = await ctx.clients.storage();
    for (const plot of stored.results!.plots) {
      const [svg] = await storage.bucket(ctx.settings.pipelineBucket).file(plot.svg.replace(`gs://${ctx.settings.pipelineBucket}/`, '')).download();
      expect(svg.toString('utf8')).toMatch(/^<svg/);
      const [spec] = await storage.bucket(ctx.settings.pipelineBucket).file(plot.spec.replace(`gs://${ctx.settings.pipelineBucket}/`, '')).download();
      expect(JSON.parse(spec.toString('utf8'))).toHaveProperty('$schema');
    }

    // The tuning event never touched the training runs of its request id.
    expect(await ctx.runs.get(trainingRunId(MODEL, REQUEST))).toBeUndefined();
    const training = (await ctx.runs.get(stored.trainingRun!))!.value;
    expect(training).toMatchObject({
      trigger: 'tuning',
      state: 'QUEUED',
      tuningRun: run.id,
      parameterOverrides: { model_type: best.modelType, hyperparameters: best.hyperparameters },
    });
    for (let waited = 0; waited < 10_000 && retrainingRequests.length === 0; waited += 200) await new Promise((r) => setTimeout(r, 200));
    await new Promise((r) => setTimeout(r, 1000));
    expect(retrainingRequests).toHaveLength(1);
    expect(retrainingRequests[0]).toMatchObject({ requestId: `tuned-${run.id}`, trigger: 'tuning', tuningRun: run.id, parameterOverrides: training.parameterOverrides });
  }, 120_000);

  it("the best trial's training run trains on the tuning run's snapshot, exporting nothing", async () => {
    const request = retrainingRequests[0]!;
    const training = await submitTrainingRun(ctx, request);
    expect(training.snapshot).toEqual(run.snapshot);
    expect(training.pipelineJob).toMatch(/\/pipelineJobs\/training-pipeline-/);
    const [job] = await (await ctx.clients.pipelines()).getPipelineJob({ name: training.pipelineJob! });
    expect(job.runtimeConfig?.parameterValues?.training_data_uri?.stringValue).toBe(run.snapshot!.uri);
    expect(job.runtimeConfig?.parameterValues?.model_type?.stringValue).toBe(request.parameterOverrides!.model_type);
    expect(job.labels).toMatchObject({ trigger: 'tuning' });
    const storage = await ctx.clients.storage();
    const ownFolder = snapshotFolder(ctx.settings.pipelineBucket, MODEL, request.requestId).replace(`gs://${ctx.settings.pipelineBucket}/`, '');
    const [files] = await storage.bucket(ctx.settings.pipelineBucket).getFiles({ prefix: ownFolder });
    expect(files).toEqual([]);
    await (await ctx.clients.pipelines()).cancelPipelineJob({ name: training.pipelineJob! }).catch(() => undefined);
  }, 60_000);

  /** The audit rows of a decision id. */
  async function audited(id: string): Promise<{ kind: string; subject: string; details: string }[]> {
    const [rows] = await (await ctx.clients.bigquery()).query({ query: 'SELECT kind, subject, details FROM `mlops_audit.decisions` WHERE decision_id = @id', params: { id } });
    return rows as { kind: string; subject: string; details: string }[];
  }

  it('audits the outcome once', async () => {
    const rows = await audited(`tuning-${run.id}`);
    expect(rows.map((r) => [r.kind, r.subject])).toEqual([['TUNING_SUCCEEDED', run.id]]);
    expect(JSON.parse(rows[0]!.details)).toMatchObject({ trainingRequest: `tuned-${run.id}` });
  });

  it('a tuning pipeline that fails ends the run FAILED with the failed task, and trains nothing', async () => {
    // No flight is that recent: the snapshot is empty and the data checks fail.
    const queued = await createTuningRun(ctx, MODEL, CreateTuningRunBody.parse({ requestId: 'tune-empty', modelTypes: ['ridge'], maxTrialCount: 1, sourceParameters: { since: '2030-01-01T00:00:00Z' } }), {});
    expect(queued).toMatchObject({ state: 'QUEUED', sourceParameters: { since: '2030-01-01T00:00:00Z' } });
    const failing = await submitTuningRun(ctx, (await published('tune-empty'))[0]!);
    expect(failing).toMatchObject({ state: 'RUNNING' });
    let failed: PipelineRunEvent | undefined;
    for (let waited = 0; waited < 120_000 && !failed; waited += 500) {
      failed = runEvents.find((e) => e.pipelineJob === failing.pipelineJob);
      if (!failed) await new Promise((r) => setTimeout(r, 500));
    }
    expect(failed).toMatchObject({ state: 'FAILED', requestId: 'tune-empty' });
    const completion = await completeTuningRun(ctx, failed!);
    expect(completion.run).toMatchObject({ state: 'FAILED', error: { task: expect.stringMatching(/^(validate-data|preprocess-split)$/) as unknown } });
    expect(completion.run.error!.message.length).toBeGreaterThan(0);
    expect(completion.run.trainingRun).toBeUndefined();
    expect(completion.trainingRequest).toBeUndefined();
    expect((await audited(`tuning-${failing.id}`)).map((r) => r.kind)).toEqual(['TUNING_FAILED']);
    expect((await completeTuningRun(ctx, failed!)).duplicate).toBe(true);
  }, 150_000);

  describe('through the functions, in process', () => {
    /** The functions read their environment once, as a deployed instance does. */
    async function functions() {
      Object.assign(process.env, cloud.env, { GOOGLE_CLOUD_PROJECT: cloud.projectId, MLOPS_ENVIRONMENT: 'local', MLOPS_REGION: REGION, MLOPS_MODEL_SPECS_DIR: specsDir });
      const [{ mlopsApi }, { onPipelineRunEvent }, { submitTuningRun: submitFunction }, { pubSubCloudEvent, pushData }] = await Promise.all([
        import('../../../functions/mlops-api.js'),
        import('../../../functions/on-pipeline-run-event.js'),
        import('../../../functions/submit-tuning-run.js'),
        import('../reliability/support.js'),
      ]);
      const call = async (method: string, path: string, body?: unknown) => {
        const res = { statusCode: 0, body: undefined as unknown, status(code: number) { this.statusCode = code; return this; }, json(b: unknown) { this.body = b; return this; }, set() { return this; } };
        const req = { method, path, body, headers: { 'content-type': 'application/json' }, is: (type: string) => (type === 'application/json' ? type : false) };
        await mlopsApi(req as unknown as Parameters<typeof mlopsApi>[0], res as unknown as Parameters<typeof mlopsApi>[1]);
        return { status: res.statusCode, body: res.body as Record<string, unknown> };
      };
      const deliver = (event: PipelineRunEvent, id: string) => onPipelineRunEvent(pubSubCloudEvent(pushData(event, {}, id), id, TOPICS.pipelineRunEvents));
      const deliverRequest = (message: TuningRequestMessage, id: string) => submitFunction(pubSubCloudEvent(pushData(message, {}, id), id, TOPICS.tuningRequests));
      return { call, deliver, deliverRequest };
    }

    it('mlopsApi routes the tuning runs: bodies refused naming the field, a run and a model’s runs read', async () => {
      const { call } = await functions();
      const bad = await call('POST', `/v1/models/${MODEL}/tuningRuns`, { maxTrialCount: 0, algorithm: 'bayes', space: { xgboost: { max_dept: { type: 'integer', min: 2, max: 3 } } }, trian: false });
      expect(bad.status).toBe(400);
      const fields = ((bad.body.error as { details: { fieldViolations: { field: string }[] }[] }).details[0]!.fieldViolations).map((v) => v.field);
      expect(fields).toEqual(expect.arrayContaining(['maxTrialCount', 'algorithm', 'space.xgboost.max_dept', 'trian']));
      expect((await call('GET', '/v1/tuningRuns/NOT_AN_ID')).status).toBe(400);
      expect((await call('GET', '/v1/tuningRuns/flight-delay-tuning-none')).status).toBe(404);
      const read = await call('GET', `/v1/${run.name}`);
      expect(read.status).toBe(200);
      expect(read.body).toMatchObject({ name: run.name, state: 'SUCCEEDED', result: { bestTrialId: expect.any(String) as unknown } });
      const list = await call('GET', `/v1/models/${MODEL}/tuningRuns`);
      expect((list.body.tuningRuns as { requestId: string }[]).map((r) => r.requestId).sort()).toEqual(['tune-1', 'tune-empty']);
    });

    it('onPipelineRunEvent routes by the PipelineJob: a training event of an unfinished tuning run\'s request id goes to training, its own event to the tuning completion', async () => {
      const { deliver } = await functions();
      // A tuning run still going (its job never created here, so its completion cannot succeed).
      const requestId = 'tune-routing';
      const pending = await recordTuningRun(ctx, { model: MODEL, requestId, reason: 'routing', study: run.study, train: false });
      const pipelineJob = tuningPipelineJobName(ctx.settings, MODEL, requestId);
      await ctx.state.replace(`tuning-runs/${pending.id}.json`, { ...pending, state: 'RUNNING', pipelineJob }, (await tuningRuns(ctx).get(pending.id))!.generation);
      const before = (await tuningRuns(ctx).get(pending.id))!.value;
      // A training job's event with that request id: the training path (no run of its own), never the tuning run.
      await deliver({ pipelineJob: `${vertexParent(ctx.settings)}/pipelineJobs/training-pipeline-0123456789abcdef`, state: 'FAILED', model: MODEL, requestId }, 'training-event');
      expect((await tuningRuns(ctx).get(pending.id))!.value).toEqual(before);
      expect(await ctx.runs.get(trainingRunId(MODEL, requestId))).toBeUndefined();
      // Its own job's event, named with the project number as Vertex may: the tuning completion, which ends it.
      await deliver({ pipelineJob: pipelineJob.replace(`projects/${ctx.settings.projectId}/`, 'projects/123456789/'), state: 'FAILED', model: MODEL, requestId }, 'tuning-event');
      expect((await tuningRuns(ctx).get(pending.id))!.value.state).toBe('FAILED');
      expect(await ctx.runs.get(trainingRunId(MODEL, requestId))).toBeUndefined();

      // The finished run's event again: a duplicate, nothing changes, no second training request.
      const finished = (await getTuningRun(ctx, run.id)).updateTime;
      await deliver(event, 'redelivered-tuning-event');
      expect((await getTuningRun(ctx, run.id)).updateTime).toBe(finished);
      await new Promise((r) => setTimeout(r, 1000));
      expect(retrainingRequests).toHaveLength(1);
    });

    it('submitTuningRun: a request that can never be submitted ends its run FAILED with why, and is acknowledged', async () => {
      const { deliverRequest } = await functions();
      // Recorded past the API's checks: a source parameter the spec's query does not declare.
      const bad = await recordTuningRun(ctx, { model: MODEL, requestId: 'tune-bad-source', reason: 'test', study: run.study, sourceParameters: { sample_fractoin: 0.5 }, train: false });
      await deliverRequest({ model: MODEL, requestId: bad.requestId, requestTime: new Date().toISOString() }, 'bad-source');
      const failed = (await tuningRuns(ctx).get(bad.id))!.value;
      expect(failed).toMatchObject({ state: 'FAILED', error: { task: 'submit', message: expect.stringMatching(/sample_fractoin/) as unknown } });
      expect(failed.pipelineJob).toBeUndefined();
      // A request for a run never recorded: acknowledged, nothing recorded.
      await deliverRequest({ model: MODEL, requestId: 'tune-never-recorded', requestTime: new Date().toISOString() }, 'never-recorded');
      expect(await tuningRuns(ctx).get(tuningRunId(MODEL, 'tune-never-recorded'))).toBeUndefined();
    });
  });
});

