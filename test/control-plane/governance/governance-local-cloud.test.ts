// Governance on the local cloud: a real training run completed by the control plane (its cost
// estimate stored and checked against the PipelineJob's task details by hand, its model card written
// beside the artifacts and linked from the Model Registry version, the same bytes on a redelivery);
// the audit trail read back through mlopsApi (GET /v1/models/{m}/decisions: every decision kind of
// the run, filters, paging, ordering, de-duplication, 400s naming the parameter); and approvals
// audited with the approver's email.
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import type { PubSub } from '@google-cloud/pubsub';
import { getTestServer } from '@google-cloud/functions-framework/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import '../../../functions/index.js';
import type { ListDecisionsResponse } from '../../../control-plane/api/decisions.js';
import { approve } from '../../../control-plane/api/rollouts.js';
import { appendDecisions } from '../../../control-plane/audit/decision-log.js';
import type { AuditedDecision } from '../../../control-plane/audit/decision-log.js';
import { AUDIT_TABLE } from '../../../control-plane/config/bigquery-tables.js';
import { timestampMs } from '../../../control-plane/governance/cost-estimate.js';
import { num } from '../../../control-plane/governance/model-card.js';
import { PIPELINE_RUN_FEE_USD, TRAINING_MACHINE_USD_PER_HOUR } from '../../../control-plane/governance/price-table.js';
import { completionDecisions, writeModelCard } from '../../../control-plane/governance/training-governance.js';
import { completeTrainingRun } from '../../../control-plane/retraining/complete-training-run.js';
import { submitTrainingRun } from '../../../control-plane/retraining/submit-training-run.js';
import type { RolloutRecord } from '../../../control-plane/rollouts/rollout-record.js';
import type { ControlPlaneContext } from '../../../control-plane/runtime/context.js';
import { vertexModelName } from '../../../control-plane/runtime/context.js';
import { trainingRunId } from '../../../control-plane/state/training-runs.js';
import { TuningRuns } from '../../../control-plane/state/tuning-runs.js';
import { pubSubClient } from '../../../google-clients/pubsub.js';
import { parseGcsUri } from '../../../vertex/shared/storage-uris.js';
import type { TestCloud } from '../../support/local-cloud.js';
import { startTestCloud } from '../../support/local-cloud.js';
import { clientEnvironmentOf, controlPlaneEnv, controlPlaneOn, missingPrerequisite, MISSING_SOURCE_MODEL, MODEL, retrainingRequest, watchRunEvents } from '../reliability/support.js';
import type { RunEvents } from '../reliability/support.js';

const skip = missingPrerequisite({ python: true, pubsub: true });
const APPROVER = 'ml-lead@example.com';

interface ErrorBody {
  error: { code: number; status: string; message: string; details?: { fieldViolations?: { field: string }[] }[] };
}

describe.skipIf(skip !== undefined)('governance on the local cloud', () => {
  let cloud: TestCloud;
  let ctx: ControlPlaneContext;
  let pubsub: PubSub;
  let runEvents: RunEvents;
  let server: Server;
  let api = '';
  const savedEnv: Record<string, string | undefined> = {};
  const get = async <T>(path: string): Promise<{ status: number; body: T }> => {
    const response = await fetch(`${api}${path}`);
    return { status: response.status, body: (await response.json()) as T };
  };
  /**
   * The rows again, as a handler that crashed and retried its insert with another insertId (or none)
   * appends them: BigQuery keeps both copies, so only the reader's de-duplication by decision id hides them.
   */
  const appendDuplicates = async (decisions: readonly AuditedDecision[]): Promise<void> => {
    const json = (d: AuditedDecision) => ({ decision_id: d.id, decided_at: d.at, model: d.model, version: d.version ?? null, subject: d.subject, kind: d.kind, actor: d.actor, reason: d.reason, details: JSON.stringify(d.details) });
    const table = (await ctx.clients.bigquery()).dataset(AUDIT_TABLE.datasetId).table(AUDIT_TABLE.tableId);
    await table.insert([...decisions.map((d) => ({ insertId: `retried-${d.id}`, json: json(d) })), ...decisions.map((d) => ({ json: json(d) }))], { raw: true });
  };
  /** How many rows the audit table holds for a decision id (copies included). */
  const copiesOf = async (id: string): Promise<number> => {
    const [rows] = await (await ctx.clients.bigquery()).query({ query: `SELECT COUNT(*) AS n FROM \`${ctx.settings.projectId}.${AUDIT_TABLE.datasetId}.${AUDIT_TABLE.tableId}\` WHERE decision_id = @id`, params: { id } });
    return Number((rows as { n: number | string }[])[0]!.n);
  };
  const download = async (uri: string): Promise<string> => {
    const { bucket, object } = parseGcsUri(uri)!;
    const [bytes] = await (await ctx.clients.storage()).bucket(bucket).file(object).download();
    return bytes.toString('utf8');
  };

  beforeAll(async () => {
    cloud = await startTestCloud({ seed: 'fixture', vertex: true, pubsub: true });
    ctx = await controlPlaneOn(cloud);
    pubsub = pubSubClient(clientEnvironmentOf(cloud));
    runEvents = await watchRunEvents(pubsub, 'governance-run-events');
    // mlopsApi in-process, configured as --set-env-vars configures the deployed function.
    const env = { ...controlPlaneEnv(cloud), MLOPS_APPROVERS: APPROVER };
    for (const name of Object.keys(env)) savedEnv[name] = process.env[name];
    Object.assign(process.env, env);
    server = getTestServer('mlopsApi');
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    api = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }, 120_000);

  afterAll(async () => {
    for (const [name, value] of Object.entries(savedEnv)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    await new Promise((resolve) => server?.close(resolve));
    await runEvents?.close();
    await pubsub?.close();
    await ctx?.clients.close();
    await cloud?.teardown();
  });

  it('a completed run: cost estimate by hand from its PipelineJob, model card beside the artifacts and linked from the version, every decision in the trail', async () => {
    const request = retrainingRequest('governance-first');
    const submitted = await submitTrainingRun(ctx, request);
    const event = await runEvents.of(request.requestId);
    const completed = await completeTrainingRun(ctx, event, 'governance-delivery-1');
    expect(completed.decision?.outcome).toBe('REGISTER_AS_CHAMPION');
    const runId = trainingRunId(MODEL, request.requestId);
    const run = (await ctx.runs.get(runId))!.value;

    // The estimate, recomputed by hand from the job's task details and the price table.
    const [job] = await (await ctx.clients.pipelines()).getPipelineJob({ name: submitted.pipelineJob! });
    const estimate = run.costEstimate!;
    expect(estimate.unpriced).toEqual([]);
    // The training step itself (4 vCPUs, 16 GB) is among the priced tasks.
    expect(estimate.items.filter((i) => i.task.startsWith('train')).length).toBe(1);
    let byHand = PIPELINE_RUN_FEE_USD;
    for (const item of estimate.items) {
      const task = job.jobDetail!.taskDetails!.find((t) => t.taskName === item.task)!;
      const hours = (timestampMs(task.endTime)! - timestampMs(task.startTime)!) / 3_600_000;
      // Every step of the training pipeline is on Vertex Pipelines' default machine or fits it (train: 4 vCPUs, 16 GB).
      expect(item.machineType, item.task).toBe('e2-standard-4');
      expect(item.hours).toBeCloseTo(hours, 8);
      expect(item.usd!).toBeCloseTo(hours * TRAINING_MACHINE_USD_PER_HOUR['e2-standard-4']!, 6);
      byHand += hours * 0.154114;
    }
    expect(estimate.total).toBeCloseTo(byHand, 5);

    // The card beside the version's artifacts, with the run's real numbers.
    const model = await get<{ versions: { name: string; artifactUri: string; labels: Record<string, string>; description: string; modelCard?: { markdownUri: string; htmlUri: string } }[] }>(`/v1/models/${MODEL}`);
    const version = model.body.versions.find((v) => v.name === run.modelVersion)!;
    expect(version.modelCard).toEqual(run.modelCard);
    expect(run.modelCard).toEqual({ markdownUri: `${version.artifactUri.replace(/\/$/, '')}/model_card.md`, htmlUri: `${version.artifactUri.replace(/\/$/, '')}/model_card.html` });
    expect(version.labels.model_card).toBe('md-html');
    expect(version.description).toContain(`model card: ${run.modelCard!.htmlUri}`);
    const markdown = await download(run.modelCard!.markdownUri);
    const html = await download(run.modelCard!.htmlUri);
    const decision = completed.decision!;
    expect(markdown).toContain(`| Rows | ${run.snapshot!.rowCount} |`);
    expect(run.snapshot!.rowCount).toBe(2000);
    expect(markdown).toContain(`| rmse | ${num(decision.metrics.rmse)} |`);
    expect(markdown).toContain(`Estimated USD ${num(estimate.total)}`);
    expect(markdown).toContain('No champion to compare with');
    expect(html).toContain(`<td>${num(decision.metrics.rmse)}</td>`);
    expect(html).toContain('<h2>Known limits</h2>');

    // A redelivery after a crash rewrites the card from the same stored records: the same bytes.
    await writeModelCard(ctx, { spec: ctx.models.require(MODEL), run, decision, artifactUri: version.artifactUri, modelType: 'ridge', alias: 'champion' });
    expect(await download(run.modelCard!.markdownUri)).toBe(markdown);
    expect(await download(run.modelCard!.htmlUri)).toBe(html);
    expect((await completeTrainingRun(ctx, event, 'governance-delivery-2')).duplicate).toBe(true);

    // GET trainingRun shows the estimate.
    const shown = await get<{ costEstimate: { total: number }; modelCard: unknown }>(`/v1/trainingRuns/${runId}`);
    expect(shown.body).toMatchObject({ costEstimate: { total: estimate.total, pricesAsOf: estimate.pricesAsOf }, modelCard: run.modelCard });

    // The completion's rows appended again under other insertIds (a crash between insert and ack): still once each.
    const completionRows = completionDecisions({ run, decision, modelVersion: run.modelVersion!, costEstimate: estimate, modelCard: run.modelCard!, deployment: run.deployment! });
    await appendDuplicates(completionRows);
    expect(await copiesOf(`decision-${decision.id}`)).toBe(3);

    // The trail: submission (with its trigger), decision (with the numbers and the cost), registration.
    const trail = await get<ListDecisionsResponse>(`/v1/models/${MODEL}/decisions`);
    expect(trail.status).toBe(200);
    const ofRun = trail.body.decisions.filter((d) => d.subject === runId);
    expect(ofRun.map((d) => d.kind).sort()).toEqual(['FIRST_CHAMPION_DEPLOYED', 'REGISTER_AS_CHAMPION', 'TRAINING_RUN_SUBMITTED', 'VERSION_REGISTERED']);
    expect(ofRun.find((d) => d.kind === 'FIRST_CHAMPION_DEPLOYED')).toMatchObject({ version: run.modelVersion, details: { endpoint: run.deployment!.endpoint, deployedModelId: run.deployment!.deployedModelId } });
    expect(ofRun.find((d) => d.kind === 'TRAINING_RUN_SUBMITTED')).toMatchObject({ actor: 'api', details: { trigger: 'api', pipelineJob: submitted.pipelineJob, snapshot: { rowCount: 2000 } } });
    expect(ofRun.find((d) => d.kind === 'REGISTER_AS_CHAMPION')).toMatchObject({ actor: 'onPipelineRunEvent', version: run.modelVersion, details: { metrics: decision.metrics, costEstimate: { total: estimate.total } } });
    expect(ofRun.find((d) => d.kind === 'VERSION_REGISTERED')).toMatchObject({ version: run.modelVersion, details: { modelCard: run.modelCard } });
    // Each decision once, though the table holds copies; newest first.
    expect(ofRun.length).toBe(4);
    expect(new Set(trail.body.decisions.map((d) => d.id)).size).toBe(trail.body.decisions.length);
    const times = trail.body.decisions.map((d) => Date.parse(d.decideTime));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
  }, 300_000);

  it("a tuned run's card reads its tuning run and results: best trial, model types tried, trials' compute by hand", async () => {
    const first = (await ctx.runs.get(trainingRunId(MODEL, 'governance-first')))!.value;
    const decision = (await ctx.decisions.get(first.id))!;
    const bucket = ctx.settings.pipelineBucket;
    const trial = (id: string, modelType: string, value: number, minutes: number) => ({
      id, state: 'SUCCEEDED' as const, modelType, hyperparameters: { alpha: 0.5 }, value, startTime: '2026-01-05T03:00:00Z', endTime: new Date(Date.parse('2026-01-05T03:00:00Z') + minutes * 60_000).toISOString(),
    });
    const trials = [trial('1', 'ridge', 40.1, 30), trial('2', 'random_forest', 39.2, 60), trial('3', 'ridge', 39.9, 30)];
    const result = { job: 'projects/p/locations/us-central1/hyperparameterTuningJobs/1', metric: { id: 'rmse', goal: 'MINIMIZE' as const }, trials, bestTrialId: '2', bestPerModelType: { ridge: '3', random_forest: '2' }, parameterImportance: [] };
    await (await ctx.clients.storage()).bucket(bucket).file('tuning-runs/gov-tune/results.json').save(JSON.stringify(result), { contentType: 'application/json', resumable: false });
    await new TuningRuns(ctx.state).createOrGet({
      name: 'tuningRuns/gov-tune', id: 'gov-tune', model: MODEL, requestId: 'gov-tune', reason: 'governance test', state: 'SUCCEEDED', train: true, createTime: first.createTime, updateTime: first.createTime,
      study: { modelTypes: ['ridge', 'random_forest'], metric: { id: 'rmse', goal: 'MINIMIZE' }, algorithm: 'ALGORITHM_UNSPECIFIED', maxTrialCount: 3, parallelTrialCount: 3, maxFailedTrialCount: 0, earlyStopping: 'none', parameters: [] },
      snapshot: first.snapshot!, bestTrial: trials[1]!, bestPerModelType: result.bestPerModelType, results: { uri: `gs://${bucket}/tuning-runs/gov-tune/results.json`, plots: [] },
    });
    const artifactUri = `gs://${bucket}/governance-test/tuned-model`;
    const uris = await writeModelCard(ctx, { spec: ctx.models.require(MODEL), run: { ...first, tuningRun: 'gov-tune', trigger: 'tuning' }, decision, artifactUri, modelType: 'random_forest', alias: 'challenger' });
    expect(uris).toEqual({ markdownUri: `${artifactUri}/model_card.md`, htmlUri: `${artifactUri}/model_card.html` });
    const markdown = await download(uris.markdownUri);
    expect(markdown).toContain('## Tuning');
    expect(markdown).toContain('| Model types tried | ridge, random\\_forest |');
    expect(markdown).toContain('| Best trial | 2: random\\_forest, rmse 39.2 |');
    // By hand: 2 trial-hours on n1-standard-4.
    expect(markdown).toContain(`3 trials, 2 h on n1-standard-4: USD ${num(2 * TRAINING_MACHINE_USD_PER_HOUR['n1-standard-4']!)}`);
  }, 60_000);

  it('GET decisions: kind and version filters, time window, pages in order, de-duplicated rows, 400 naming the parameter', async () => {
    const model = MISSING_SOURCE_MODEL;
    const version = (n: number) => `${vertexModelName(ctx.settings, model)}@${n}`;
    const kinds = ['ROLLOUT_STARTED', 'STEP_SET_WEIGHT', 'ANALYSIS_PASSED', 'PROMOTED', 'ROLLOUT_STARTED', 'ANALYSIS_FAILED', 'ABORTED'];
    const decisions = kinds.map((kind, i) => ({
      id: `trail-test.${i + 1}`, at: new Date(Date.UTC(2026, 0, 5, 3, i)).toISOString(), model, version: version(i < 4 ? 2 : 3),
      subject: `${model}-v${i < 4 ? 2 : 3}`, kind, actor: i === 3 ? 'reconciler' : 'analysis', reason: `${kind} <numbers>`, details: { step: i, ratio: 1.25 },
    }));
    await appendDecisions(ctx, decisions);
    // The same rows again under other insertIds or none (a retried flush): the table holds them twice more,
    // the trail shows each once, on a page or across a page boundary (trail-test.5 ends the first page of 3).
    await appendDuplicates(decisions.slice(2, 5));
    expect(await copiesOf('trail-test.5')).toBe(3);

    const all = await get<ListDecisionsResponse>(`/v1/models/${model}/decisions?pageSize=500`);
    expect(all.body.decisions.map((d) => d.id)).toEqual(['trail-test.7', 'trail-test.6', 'trail-test.5', 'trail-test.4', 'trail-test.3', 'trail-test.2', 'trail-test.1']);
    expect(all.body.decisions[0]).toEqual({ id: 'trail-test.7', kind: 'ABORTED', decideTime: '2026-01-05T03:06:00.000Z', model, version: version(3), subject: `${model}-v3`, actor: 'analysis', reason: 'ABORTED <numbers>', details: { step: 6, ratio: 1.25 } });
    expect(all.body.nextPageToken).toBeUndefined();

    // Pages of 3: the same order, nothing repeated or lost.
    const paged: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await get<ListDecisionsResponse>(`/v1/models/${model}/decisions?pageSize=3${token ? `&pageToken=${token}` : ''}`);
      expect(page.status).toBe(200);
      expect(page.body.decisions.length).toBeLessThanOrEqual(3);
      paged.push(...page.body.decisions.map((d) => d.id));
      token = page.body.nextPageToken;
      pages += 1;
    } while (token && pages < 10);
    expect(pages).toBe(3);
    expect(paged).toEqual(all.body.decisions.map((d) => d.id));

    const byKind = await get<ListDecisionsResponse>(`/v1/models/${model}/decisions?kind=PROMOTED,ABORTED&kind=ANALYSIS_FAILED`);
    expect(byKind.body.decisions.map((d) => d.kind)).toEqual(['ABORTED', 'ANALYSIS_FAILED', 'PROMOTED']);
    const byVersion = await get<ListDecisionsResponse>(`/v1/models/${model}/decisions?version=2`);
    expect(byVersion.body.decisions.map((d) => d.id)).toEqual(['trail-test.4', 'trail-test.3', 'trail-test.2', 'trail-test.1']);
    const fullName = await get<ListDecisionsResponse>(`/v1/models/${model}/decisions?version=${encodeURIComponent(version(3))}&kind=ROLLOUT_STARTED`);
    expect(fullName.body.decisions.map((d) => d.id)).toEqual(['trail-test.5']);
    const window = await get<ListDecisionsResponse>(`/v1/models/${model}/decisions?since=2026-01-05T03:02:00Z&until=${encodeURIComponent('2026-01-05T04:05:00+01:00')}`);
    expect(window.body.decisions.map((d) => d.id)).toEqual(['trail-test.5', 'trail-test.4', 'trail-test.3']);

    const violations = async (query: string) => {
      const { status, body } = await get<ErrorBody>(`/v1/models/${model}/decisions?${query}`);
      expect(status, query).toBe(400);
      expect(body.error.status).toBe('INVALID_ARGUMENT');
      return body.error.details![0]!.fieldViolations!.map((v) => v.field);
    };
    expect(await violations('pageSize=0')).toEqual(['pageSize']);
    expect(await violations('pageSize=1000')).toEqual(['pageSize']);
    expect(await violations('since=last-week')).toEqual(['since']);
    expect(await violations('until=2026-13-01T00:00:00Z')).toEqual(['until']);
    expect(await violations('kind=promoted')).toEqual(['kind']);
    expect(await violations('version=latest')).toEqual(['version']);
    expect(await violations('pageToken=not-a-token')).toEqual(['pageToken']);
    const first = await get<ListDecisionsResponse>(`/v1/models/${model}/decisions?pageSize=2`);
    expect(await violations(`pageSize=2&kind=PROMOTED&pageToken=${first.body.nextPageToken!}`)).toEqual(['pageToken']);
    expect(await violations('colour=red')).toEqual(['colour']);
    expect((await get<ErrorBody>('/v1/models/no-such-model/decisions')).status).toBe(404);
  }, 120_000);

  it('approvals: each granted or refused approval is in the trail with the caller as actor, and GET rollout shows the approval state', async () => {
    const model = MISSING_SOURCE_MODEL;
    const id = `${model}-v9`;
    const now = new Date().toISOString();
    const criteria = { minRequests: 1, maxErrorRateRatio: 2, errorRateSlack: 0.01, maxLatencyP95Ratio: 2, latencyP95SlackMs: 50, maxQualityDegradation: 0.1, minQualitySamples: 10, failureLimit: 1, consecutiveErrorLimit: 3 };
    // A rollout waiting for its approval, as startRollout leaves it where the environment requires one.
    const record: RolloutRecord = {
      id, name: `rollouts/${id}`, model, endpoint: `${vertexModelName(ctx.settings, model).replace('/models/', '/endpoints/')}`,
      stable: { version: `${vertexModelName(ctx.settings, model)}@8`, deployedModelId: 's8' }, canary: { version: `${vertexModelName(ctx.settings, model)}@9`, deployedModelId: 'c9' },
      policy: { steps: [{ setWeight: 10 }], analysis: criteria, onManualTrafficChange: 'pause', analysisWindowSeconds: 10, analysisIntervalSeconds: 2, scaleDownDelaySeconds: 5, deployTimeoutSeconds: 60 },
      phase: 'AWAITING_APPROVAL', stepIndex: 0, attempt: 1, steps: [], traffic: { desired: { s8: 100 }, previous: { s8: 100 }, unsynced: [] }, approvals: [],
      history: [], outbox: [
        { id: `${id}.1.1`, kind: 'ROLLOUT_STARTED', at: now, actor: 'onPipelineRunEvent', reason: 'test', details: {} },
        { id: `${id}.1.2`, kind: 'AWAITING_APPROVAL', at: now, actor: 'policy', reason: `the prod environment requires an approval by one of ${APPROVER} before the first step`, details: {} },
      ],
      requestedBy: 'onPipelineRunEvent', createTime: now, updateTime: now,
    };
    expect(await ctx.rollouts.create(record)).toBe(true);
    const approvers = { ...ctx, settings: { ...ctx.settings, approvers: [APPROVER] } };
    await expect(approve(approvers, id, { email: 'intruder@example.com' })).rejects.toMatchObject({ status: 'PERMISSION_DENIED' });
    const granted = await approve(approvers, id, { email: APPROVER });
    expect(granted).toMatchObject({ phase: 'PROGRESSING', pendingDecisions: 0, approval: { required: true, state: 'GRANTED', grantedBy: APPROVER, refusals: [{ email: 'intruder@example.com' }] } });

    const shown = await get<{ approval: unknown }>(`/v1/rollouts/${id}`);
    expect(shown.body.approval).toEqual(granted.approval);
    const trail = await get<ListDecisionsResponse>(`/v1/models/${model}/decisions?kind=APPROVAL_GRANTED,APPROVAL_DENIED,AWAITING_APPROVAL`);
    const ofRollout = trail.body.decisions.filter((d) => d.subject === id);
    expect(ofRollout.map((d) => [d.kind, d.actor]).sort()).toEqual([['APPROVAL_DENIED', 'intruder@example.com'], ['APPROVAL_GRANTED', APPROVER], ['AWAITING_APPROVAL', 'policy']]);
    expect(ofRollout.find((d) => d.kind === 'APPROVAL_GRANTED')).toMatchObject({ version: record.canary.version, reason: `approved by ${APPROVER}` });
  }, 60_000);
});
