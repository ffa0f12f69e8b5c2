// Tracking on the local cloud, read back with the official MetadataServiceClient: a training run as
// a Vertex AI Experiment run (RUNNING at submission, COMPLETE with its metrics at completion, its
// snapshot a system.Dataset in its context), tuning trials as experiment runs, the lineage of a
// registered version from its snapshot to its first deployment and to the rollout that promoted its
// successor (through the reconciler's own outbox flush), the lineage API by alias, the experiment
// runs API page by page; 20 concurrent duplicate deliveries record once, a transient failure between
// two steps is healed by the redelivery, a permanent one never fails the handler.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getTestServer } from '@google-cloud/functions-framework/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { protos } from '@google-cloud/aiplatform';
import '../../../functions/index.js';
import type { LineageView, ListExperimentRunsResponse } from '../../../control-plane/api/tracking-views.js';
import { getVersionLineage, listExperimentRuns, parseExperimentRunsQuery } from '../../../control-plane/api/tracking.js';
import type { ResolvedModelSpec } from '../../../control-plane/config/load-model-specs.js';
import type { DecisionRecord } from '../../../control-plane/evaluation/decision.js';
import { RetrainingRequest } from '../../../control-plane/retraining/messages.js';
import { newTrainingRun } from '../../../control-plane/retraining/submit-training-run.js';
import { promoteRollout } from '../../../control-plane/rollouts/commands.js';
import { reconcileRollout } from '../../../control-plane/rollouts/reconcile.js';
import { startRollout } from '../../../control-plane/rollouts/start-rollout.js';
import type { ControlPlaneContext } from '../../../control-plane/runtime/context.js';
import type { TrainingRunRecord } from '../../../control-plane/state/training-runs.js';
import type { TuningRunRecord } from '../../../control-plane/state/tuning-runs.js';
import { experimentId, experimentRunContextId, modelArtifactId, registrationExecutionId, trialRunName } from '../../../control-plane/tracking/conventions.js';
import { trackTrainingCompleted, trackTrainingSubmitted, trackTuningTrials } from '../../../control-plane/tracking/record.js';
import type { TuningResult } from '../../../control-plane/tuning/tuning-result.js';
import { MetadataServiceClient, vertexClientOptions } from '../../../google-clients/vertex.js';
import { fromStruct } from '../../../vertex/shared/struct.js';
import type { TestCloud } from '../../support/local-cloud.js';
import { startTestCloud } from '../../support/local-cloud.js';
import { missingPrerequisite } from '../reliability/support.js';
import { REGION, deployChampion, readEndpoint, rolloutClientEnvironment, rolloutControlPlane, rolloutEnv, trainTinyModel, until, uploadVersion } from '../rollouts/local-cloud-rollouts.js';

const skip = missingPrerequisite({ python: true, pubsub: true });
const MODEL = 'rollout-good';
const JOB = (n: number) => `projects/local-project/locations/${REGION}/pipelineJobs/rollout-good-req-${n}`;

type IContext = protos.google.cloud.aiplatform.v1.IContext;

describe.skipIf(skip !== undefined)('tracking on the local cloud', () => {
  let cloud: TestCloud;
  let ctx: ControlPlaneContext;
  let spec: ResolvedModelSpec;
  let metadata: MetadataServiceClient;
  let store: string;
  let v1: string;
  let v2: string;

  beforeAll(async () => {
    cloud = await startTestCloud({ vertex: true, pubsub: true });
    ctx = await rolloutControlPlane(cloud);
    spec = ctx.models.require(MODEL);
    trainTinyModel(cloud);
    metadata = new MetadataServiceClient(vertexClientOptions(REGION, rolloutClientEnvironment(cloud)));
    store = `projects/${ctx.settings.projectId}/locations/${REGION}/metadataStores/default`;
  }, 120_000);

  afterAll(async () => {
    await metadata?.close();
    await ctx?.clients.close();
    await cloud?.teardown();
  });

  function trainingRun(n: number, overrides: Record<string, unknown>): TrainingRunRecord {
    const request = RetrainingRequest.parse({ requestId: `req-${n}`, model: MODEL, trigger: 'api', reason: `test run ${n}`, parameterOverrides: overrides, requestTime: '2026-01-01T00:00:00Z' });
    return {
      ...newTrainingRun(request, new Date('2026-01-01T00:00:00Z')),
      state: 'RUNNING',
      pipelineJob: JOB(n),
      snapshot: { uri: `gs://${ctx.settings.pipelineBucket}/snapshots/${MODEL}/req-${n}/`, bigqueryJob: `local-project:US.snapshot_${n}`, rowCount: 2000, schema: [], createTime: '2026-01-01T00:00:01Z' },
    };
  }

  function decision(run: TrainingRunRecord, outcome: DecisionRecord['outcome'], rmse: number): DecisionRecord {
    return { name: `decisions/${run.id}`, id: run.id, model: MODEL, trainingRun: run.name, pipelineJob: run.pipelineJob!, kind: 'training', outcome, reasons: ['test'], gate: { approved: true, reason: 'ok' }, metrics: { rmse, mae: rmse / 2 }, createTime: '2026-01-01T00:10:00Z' };
  }

  const runContext = (run: TrainingRunRecord) => `${store}/contexts/${experimentRunContextId(experimentId(MODEL), run.id)}`;
  const getContext = async (name: string): Promise<IContext> => (await metadata.getContext({ name }))[0];
  const experimentRuns = async (): Promise<IContext[]> =>
    (await metadata.listContexts({ parent: store, filter: `schema_title = "system.ExperimentRun" AND parent_contexts:"${store}/contexts/${experimentId(MODEL)}"` }, { autoPaginate: true }))[0];

  let first: TrainingRunRecord;
  let second: TrainingRunRecord;

  it('records a submitted training run once as a RUNNING experiment run of the model\'s experiment, whatever the duplicates', async () => {
    first = trainingRun(1, { model_type: 'xgboost', hyperparameters: { n_estimators: 40, max_depth: 3 } });
    await Promise.all(Array.from({ length: 20 }, () => trackTrainingSubmitted(ctx, spec, first, JOB(1))));

    const experiment = await getContext(`${store}/contexts/${experimentId(MODEL)}`);
    expect(experiment).toMatchObject({ schemaTitle: 'system.Experiment', schemaVersion: '0.0.1' });
    expect(fromStruct(experiment.metadata)).toEqual({ experiment_deleted: false });

    const runs = await experimentRuns();
    expect(runs.map((r) => r.name)).toEqual([runContext(first)]);
    const run = runs[0]!;
    expect(run).toMatchObject({ schemaTitle: 'system.ExperimentRun', displayName: first.id });
    expect(run.parentContexts).toEqual([`${store}/contexts/${experimentId(MODEL)}`]);
    const m = fromStruct(run.metadata);
    expect(m._state).toBe('RUNNING');
    expect(m._params).toMatchObject({ model_type: 'xgboost', n_estimators: 40, max_depth: 3, trigger: 'api' });
    expect(m).toMatchObject({ mlops_kind: 'training', training_run: first.name, pipeline_job: JOB(1) });

    const [graph] = await metadata.queryContextLineageSubgraph({ context: runContext(first) });
    const datasets = (graph.artifacts ?? []).filter((a) => a.schemaTitle === 'system.Dataset');
    expect(datasets.map((a) => a.uri)).toEqual([first.snapshot!.uri]);
    expect(fromStruct(datasets[0]!.metadata)).toMatchObject({ rowCount: 2000, bigqueryJob: first.snapshot!.bigqueryJob, target: spec.source.target });
  }, 60_000);

  it('completes it with its metrics, registers v1 and its first deployment: 20 concurrent completions record one of each', async () => {
    v1 = await uploadVersion(ctx, MODEL, 'champion');
    const deployed = await deployChampion(ctx, MODEL, v1);
    const d = decision(first, 'REGISTER_AS_CHAMPION', 10.5);
    await Promise.all(Array.from({ length: 20 }, () =>
      trackTrainingCompleted(ctx, { spec, run: first, pipelineJob: JOB(1), decision: d, modelVersion: v1, artifactUri: 'gs://rollout-test-models/sk-reg', deployment: deployed })));

    const run = await getContext(runContext(first));
    const m = fromStruct(run.metadata);
    expect(m._state).toBe('COMPLETE');
    expect(m._metrics).toEqual({ rmse: 10.5, mae: 5.25, gate_approved: 1, decision: 'REGISTER_AS_CHAMPION' });
    expect(m).toMatchObject({ model_version: v1, decision: d.name });
    expect(await experimentRuns()).toHaveLength(1);

    const registration = `${store}/executions/${registrationExecutionId(first.id)}`;
    const [io] = await metadata.queryExecutionInputsAndOutputs({ execution: registration });
    expect((io.events ?? []).map((e) => String(e.type)).sort()).toEqual(['INPUT', 'OUTPUT']);
    const model = (io.artifacts ?? []).find((a) => a.schemaTitle === 'google.VertexModel');
    expect(model?.name).toBe(`${store}/artifacts/${modelArtifactId(v1)}`);
    expect(fromStruct(model?.metadata)).toMatchObject({ resourceName: v1 });

    // A late duplicate of the submission never reopens the run.
    await trackTrainingSubmitted(ctx, spec, first, JOB(1));
    expect(fromStruct((await getContext(runContext(first))).metadata)._state).toBe('COMPLETE');
  }, 120_000);

  it('heals a delivery that failed between two steps on the redelivery, and never fails the handler for a permanent refusal', async () => {
    second = trainingRun(2, { model_type: 'random_forest' });
    await trackTrainingSubmitted(ctx, spec, second, JOB(2));
    v2 = await uploadVersion(ctx, MODEL, 'challenger');
    const d = decision(second, 'REGISTER_AS_CHALLENGER', 9.8);
    const completion = { spec, run: second, pipelineJob: JOB(2), decision: d, modelVersion: v2, artifactUri: 'gs://rollout-test-models/sk-reg' };

    // The events call is the registration's last step: UNAVAILABLE there, after the execution exists.
    const failing = await failingClients(ctx, 'addExecutionEvents', Object.assign(new Error('unavailable'), { code: 14 }));
    await expect(trackTrainingCompleted(failing, completion)).rejects.toMatchObject({ code: 14 });
    const registration = `${store}/executions/${registrationExecutionId(second.id)}`;
    expect((await metadata.queryExecutionInputsAndOutputs({ execution: registration }))[0].events ?? []).toEqual([]);
    // The redelivery (twice, at once) finishes it, once.
    await Promise.all([trackTrainingCompleted(ctx, completion), trackTrainingCompleted(ctx, completion)]);
    expect(((await metadata.queryExecutionInputsAndOutputs({ execution: registration }))[0].events ?? []).map((e) => String(e.type)).sort()).toEqual(['INPUT', 'OUTPUT']);

    // A permanent refusal (INVALID_ARGUMENT) is logged, not thrown: the run's outcome goes on.
    const refusing = await failingClients(ctx, 'updateContext', Object.assign(new Error('bad'), { code: 3 }));
    await expect(trackTrainingCompleted(refusing, { ...completion, decision: { ...d, metrics: { rmse: 1 } } })).resolves.toBeUndefined();
  }, 60_000);

  it('records each rollout attempt of v2 as an execution with its outcome, through the reconciler, and answers the lineage by alias', async () => {
    const rollout = await startRollout(ctx, MODEL, { version: v2, requestedBy: 'test', reason: 'tracking test' });
    // The first pass flushes ROLLOUT_STARTED: the attempt is RUNNING.
    await reconcileRollout(ctx, rollout.id);
    const running = await getVersionLineage(ctx, MODEL, 'challenger');
    expect(running.chain.at(-1)).toMatchObject({ stage: 'rollout', name: `rollouts/${rollout.id}`, state: 'RUNNING' });

    await until('the canary serving its first step', async () => (await reconcileRollout(ctx, rollout.id), (await readEndpoint(ctx, rollout.endpoint)).trafficSplit ?? {}), (split) => (split[rollout.canary.deployedModelId] ?? 0) > 0, 90_000, 500);
    await promoteRollout(ctx, rollout.id, { full: true, actor: 'test' });
    await until('promoted', async () => (await reconcileRollout(ctx, rollout.id), (await ctx.rollouts.require(rollout.id)).value), (r) => r.phase === 'PROMOTED' && r.outbox.length === 0, 90_000, 500);

    // v2 is the champion now: its lineage by alias, snapshot to promotion.
    const lineage = await getVersionLineage(ctx, MODEL, 'champion');
    expect(lineage.version).toBe(v2);
    expect(lineage.chain.map((s) => [s.stage, s.name, s.outcome ?? null])).toEqual([
      ['snapshot', second.snapshot!.uri, null],
      ['pipelineRun', JOB(2), `trained by ${second.name}`],
      ['modelVersion', v2, null],
      ['rollout', `rollouts/${rollout.id}`, 'promoted'],
    ]);
    expect(lineage.chain.at(-1)!.state).toBe('COMPLETE');
    const endpoint = lineage.nodes.find((n) => n.schemaTitle === 'google.VertexEndpoint');
    expect(endpoint?.resourceName).toBe(rollout.endpoint);
    expect(lineage.edges).toContainEqual({ source: lineage.chain.at(-1)!.node, target: endpoint!.id, event: 'OUTPUT' });
    // v1's deployment shares the endpoint artifact but is not v2's lineage.
    expect(lineage.nodes.filter((n) => n.metadata.kind === 'deployment' || n.resourceName === v1)).toEqual([]);

    // v1, by id: its snapshot, its pipeline run, and its first deployment.
    const old = await getVersionLineage(ctx, MODEL, v1.slice(v1.lastIndexOf('@') + 1));
    expect(old.chain.map((s) => [s.stage, s.outcome ?? null])).toEqual([['snapshot', null], ['pipelineRun', `trained by ${first.name}`], ['modelVersion', null], ['deployment', 'deployed']]);
    await expect(getVersionLineage(ctx, MODEL, 'no-such-alias')).rejects.toMatchObject({ status: 'NOT_FOUND' });
  }, 240_000);

  it('records every tuning trial as an experiment run, and lists the runs a page at a time', async () => {
    const tuningRun = {
      name: `tuningRuns/${MODEL}-tuning-t1-abc`, id: `${MODEL}-tuning-t1-abc`, model: MODEL, requestId: 't1', reason: 'test', state: 'RUNNING', train: false,
      createTime: '2026-01-01T00:00:00Z', updateTime: '2026-01-01T00:00:00Z', pipelineJob: JOB(3), snapshot: first.snapshot!,
      study: { modelTypes: ['ridge', 'xgboost'], metric: { id: 'rmse', goal: 'MINIMIZE' }, algorithm: 'RANDOM_SEARCH', maxTrialCount: 3, parallelTrialCount: 3, maxFailedTrialCount: 0, earlyStopping: 'none', parameters: [] },
    } satisfies TuningRunRecord;
    const result: TuningResult = {
      job: `projects/local-project/locations/${REGION}/hyperparameterTuningJobs/7`,
      metric: { id: 'rmse', goal: 'MINIMIZE' },
      trials: [
        { id: '1', state: 'SUCCEEDED', modelType: 'ridge', hyperparameters: { alpha: 0.5 }, value: 11 },
        { id: '2', state: 'SUCCEEDED', modelType: 'xgboost', hyperparameters: { n_estimators: 20, max_depth: 3 }, value: 9.5 },
        { id: '3', state: 'INFEASIBLE', modelType: 'xgboost', hyperparameters: { n_estimators: 30, max_depth: 4 }, infeasibleReason: 'crashed' },
      ],
      bestTrialId: '2',
      bestPerModelType: { ridge: '1', xgboost: '2' },
      parameterImportance: [],
    };
    await Promise.all(Array.from({ length: 5 }, () => trackTuningTrials(ctx, spec, tuningRun, result)));

    const trials = (await listExperimentRuns(ctx, MODEL, parseExperimentRunsQuery({ kind: 'tuning-trial' }))).experimentRuns;
    expect(trials.map((t) => [t.runId, t.state, t.params, t.metrics]).sort()).toEqual([
      [trialRunName(tuningRun.id, '1'), 'COMPLETE', { model_type: 'ridge', alpha: 0.5 }, { rmse: 11 }],
      [trialRunName(tuningRun.id, '2'), 'COMPLETE', { model_type: 'xgboost', n_estimators: 20, max_depth: 3 }, { rmse: 9.5 }],
      [trialRunName(tuningRun.id, '3'), 'FAILED', { model_type: 'xgboost', n_estimators: 30, max_depth: 4 }, {}],
    ]);
    expect(trials[0]!.links).toMatchObject({ tuningRun: tuningRun.name, tuningJob: result.job, pipelineJob: JOB(3) });

    // Two training runs and three trials, two at a time.
    const seen: string[] = [];
    let pageToken: string | undefined;
    do {
      const page = await listExperimentRuns(ctx, MODEL, parseExperimentRunsQuery({ pageSize: '2', ...(pageToken ? { pageToken } : {}) }));
      expect(page.experimentRuns.length).toBeLessThanOrEqual(2);
      seen.push(...page.experimentRuns.map((r) => `${r.kind} ${r.runId}`));
      pageToken = page.nextPageToken;
    } while (pageToken);
    expect(seen.sort()).toEqual([`training ${first.id}`, `training ${second.id}`, ...['1', '2', '3'].map((t) => `tuning-trial ${trialRunName(tuningRun.id, t)}`)].sort());
    const training = (await listExperimentRuns(ctx, MODEL, parseExperimentRunsQuery({ kind: 'training' }))).experimentRuns.find((r) => r.runId === second.id);
    expect(training).toMatchObject({ state: 'COMPLETE', metrics: { rmse: 9.8 }, params: { model_type: 'random_forest', trigger: 'api' }, links: { trainingRun: second.name, modelVersion: v2, pipelineJob: JOB(2) } });
  }, 60_000);

  describe('through mlopsApi (the functions framework in-process)', () => {
    let server: Server;
    let api = '';
    const savedEnv: Record<string, string | undefined> = {};
    const get = async <T>(path: string) => {
      const response = await fetch(`${api}${path}`);
      return { status: response.status, body: (await response.json()) as T & { error?: { status: string; details?: { fieldViolations?: { field: string }[] }[] } } };
    };

    beforeAll(async () => {
      server = getTestServer('mlopsApi');
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      api = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const env = rolloutEnv(cloud, { MLOPS_API_URL: api });
      for (const name of Object.keys(env)) savedEnv[name] = process.env[name];
      Object.assign(process.env, env);
    });
    afterAll(async () => {
      for (const [name, value] of Object.entries(savedEnv)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
      await new Promise((resolve) => server?.close(resolve));
    });

    it('answers the lineage by alias and the experiment runs page by page; a bad page size names the field, an unknown alias is 404', async () => {
      const lineage = await get<LineageView>(`/v1/models/${MODEL}/versions/champion/lineage`);
      expect(lineage.status).toBe(200);
      expect(lineage.body.chain.map((s) => s.stage)).toEqual(['snapshot', 'pipelineRun', 'modelVersion', 'rollout']);
      const page = await get<ListExperimentRunsResponse>(`/v1/models/${MODEL}/experimentRuns?pageSize=2`);
      expect(page.status).toBe(200);
      expect(page.body.experimentRuns).toHaveLength(2);
      expect(page.body.nextPageToken).toBeTruthy();
      const rest = await get<ListExperimentRunsResponse>(`/v1/models/${MODEL}/experimentRuns?pageSize=100&pageToken=${encodeURIComponent(page.body.nextPageToken!)}`);
      expect(rest.body.experimentRuns).toHaveLength(3);
      const bad = await get<object>(`/v1/models/${MODEL}/experimentRuns?pageSize=0`);
      expect(bad.status).toBe(400);
      expect(JSON.stringify(bad.body)).toContain('pageSize');
      expect((await get<object>(`/v1/models/${MODEL}/versions/nope/lineage`)).status).toBe(404);
    });
  });
});

/** The context with a metadata client whose `method` fails with `error` (every call). */
async function failingClients(ctx: ControlPlaneContext, method: string, error: Error): Promise<ControlPlaneContext> {
  const real = await ctx.clients.metadata();
  const proxy = new Proxy(real, {
    get(target, property, receiver) {
      if (property === method) return () => Promise.reject(error);
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
  return { ...ctx, clients: { ...ctx.clients, metadata: () => Promise.resolve(proxy) } };
}
