// The drift loop end to end on the local cloud, every link a real API: the tiny scikit-learn
// regression (x1, x2 → y) served by the local Vertex with its requests logged to BigQuery; its
// baseline_statistics.json written by the pipeline's own baseline.py; checkDrift scoring the logged
// window into Cloud Monitoring gauges; the model's alert policy (infra/alert-policies.ts, created by
// the launcher) evaluated by the Monitoring emulator; the incident published to Pub/Sub and pushed
// to the served onMonitoringAlert; the retrain recorded as a QUEUED run. In-distribution traffic
// opens nothing; traffic with x1 far beyond its training range opens incidents and one run; a
// repeated check and a redelivered notification add none.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PubSub } from '@google-cloud/pubsub';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MODEL_CHECKS_TABLE } from '../../../control-plane/config/bigquery-tables.js';
import { FEATURE_SCORE_METRIC } from '../../../control-plane/config/drift-metrics.js';
import { loadModelSpecs, ModelCatalog, resolveForEnvironment } from '../../../control-plane/config/load-model-specs.js';
import { checkDrift } from '../../../control-plane/drift/check-drift.js';
import type { ModelCheckRecord } from '../../../control-plane/drift/drift-check-record.js';
import { readLatestCheck } from '../../../control-plane/drift/drift-check-record.js';
import { httpStatus } from '../../../control-plane/errors.js';
import { lazyClients } from '../../../control-plane/runtime/clients.js';
import type { ControlPlaneContext } from '../../../control-plane/runtime/context.js';
import { controlPlaneContext } from '../../../control-plane/runtime/context.js';
import { readSettings } from '../../../control-plane/runtime/settings.js';
import type { TrainingRunRecord } from '../../../control-plane/state/training-runs.js';
import { buildFunctionsBundle, REPO_ROOT } from '../../../emulators/functions/bundle.js';
import { watchFunctionLogs } from '../../../emulators/functions/function-log.js';
import { ensureControlPlaneBuckets } from '../../../emulators/launcher/buckets.js';
import type { EvaluationReport, IncidentView } from '../../../emulators/monitoring/alerting/alerting.js';
import type { Delivery } from '../../../emulators/monitoring/alerting/model.js';
import type { ClientEnvironment } from '../../../google-clients/environment.js';
import { pubSubClient } from '../../../google-clients/pubsub.js';
import { PredictionServiceClient, vertexClientOptions } from '../../../google-clients/vertex.js';
import { driftAlertModels, MIN_ALIGNMENT_SECONDS } from '../../../infra/alert-policies.js';
import { FUNCTIONS } from '../../../infra/functions.js';
import { toProtoValue } from '../../../vertex/shared/struct.js';
import { seededRandom } from '../../emulators/vertex-serving/support.js';
import type { TestCloud } from '../../support/local-cloud.js';
import { startTestCloud } from '../../support/local-cloud.js';
import { deployChampion, REGION, trainTinyModel, until, uploadVersion } from '../rollouts/local-cloud-rollouts.js';
import { missingPrerequisite, receiveUntil } from '../reliability/support.js';
import { python } from './python.js';

const skipReason = missingPrerequisite({ python: true, pubsub: true });
const MODELS_DIR = fileURLToPath(new URL('./fixtures/models', import.meta.url));
/** fixtures/models/drift-tiny.yaml: threshold 0.3, minInstances 50, driftWindow 60 s locally. */
const MODEL = 'drift-tiny';
/** Instances per phase: in distribution, then shifted (3× as many, so that they dominate the shared window). */
const IN_DISTRIBUTION = 120;
const SHIFTED = 360;
const PER_REQUEST = 10;
/** How far the shifted traffic moves x1: its training range is [-5, 5]. */
const X1_SHIFT = 20;
/** Google: one point per time series per 5 s; checkDrift writes every series on each check. */
const MIN_CHECK_SPACING_MS = 5_500;

/**
 * baseline_statistics.json beside the tiny model's files, as export_serving writes it: baseline.py
 * on the model's training frame (support.ts draws it: default_rng(7), 40 rows of uniform(-5, 5),
 * y = 2·x1 − 3·x2 + 5) and on the model's own predictions of it, 20 bins (its default). The frame
 * is checked against the fitted StandardScaler's mean and scale, so a change of the tiny model's
 * data fails here rather than scoring against the wrong baseline.
 */
const BASELINE_SCRIPT = `
import joblib, pandas as pd
from pathlib import Path
from mlops_components.baseline import baseline_statistics, prediction_statistics
directory = Path(data["directory"])
rng = np.random.default_rng(7)
X = rng.uniform(-5, 5, size=(40, 2))
model = joblib.load(directory / "model.joblib")
scale = model.named_steps["scale"]
if not (np.allclose(scale.mean_, X.mean(axis=0)) and np.allclose(scale.scale_, X.std(axis=0))):
    raise SystemExit("the tiny model was not trained on default_rng(7)'s 40 uniform(-5, 5) rows: update the baseline frame")
frame = pd.DataFrame({"x1": X[:, 0], "x2": X[:, 1], "y": 2 * X[:, 0] - 3 * X[:, 1] + 5})
prediction = prediction_statistics(model.predict(X), "regression", 20)
statistics = baseline_statistics(frame, ["x1", "x2"], [], "y", True, 20, prediction)
(directory / "baseline_statistics.json").write_text(json.dumps(statistics))
print(json.dumps({"x1": [float(X[:, 0].min()), float(X[:, 0].max())], "rows": len(frame)}))
`;

interface Instance {
  x1: number;
  x2: number;
}

/** Instances drawn as the training rows were (uniform on [-5, 5]), x1 moved by `x1Shift`. */
function instances(random: () => number, n: number, x1Shift = 0): Instance[] {
  return Array.from({ length: n }, () => ({ x1: -5 + 10 * random() + x1Shift, x2: -5 + 10 * random() }));
}

/** Sends the instances in requests of PER_REQUEST, two at a time; returns how many requests were answered. */
async function predictAll(client: PredictionServiceClient, endpoint: string, all: readonly Instance[]): Promise<number> {
  const batches: Instance[][] = [];
  for (let i = 0; i < all.length; i += PER_REQUEST) batches.push(all.slice(i, i + PER_REQUEST));
  let answered = 0;
  const worker = async () => {
    for (let batch = batches.shift(); batch !== undefined; batch = batches.shift()) {
      const [response] = await client.predict({ endpoint, instances: batch.map((x) => toProtoValue({ ...x }, 'instance')) });
      expect(response.predictions?.length).toBe(batch.length);
      answered += 1;
    }
  };
  await Promise.all([worker(), worker()]);
  return answered;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.skipIf(skipReason !== undefined)('the drift loop on the local cloud', () => {
  let cloud: TestCloud;
  let bundle: { bundleDir: string; remove(): void } | undefined;
  let ctx: ControlPlaneContext;
  let prediction: PredictionServiceClient;
  let pubsub: PubSub;
  let endpoint: string;
  let version: string;
  let logTable: string;
  let loggedRequests = 0;
  let lastCheckAt = 0;
  const random = seededRandom(20260107);
  /** onMonitoringAlert's outcomes, from its log lines. */
  const outcomes: { action: string; incidentId: string }[] = [];
  let unwatch: (() => void) | undefined;

  /** Waits until the request-response log holds `expected` rows of the endpoint (Vertex writes them in the background). */
  async function logged(expected: number): Promise<void> {
    const bigquery = await ctx.clients.bigquery();
    await until(
      `${expected} requests logged in ${logTable}`,
      async () => {
        try {
          const [rows] = await bigquery.query({ query: `SELECT COUNT(*) AS n FROM \`${logTable}\` WHERE endpoint = @endpoint`, params: { endpoint } });
          return Number((rows as { n: number }[])[0]?.n ?? 0);
        } catch (err) {
          // Vertex creates the table with its first batch of rows.
          if (httpStatus(err) === 404) return 0;
          throw err;
        }
      },
      (n) => n >= expected,
      20_000,
      250,
    );
  }

  /** checkDrift of this model only, at least 5 s after the previous one (Google's rule for one series); `waitedMs` is that pause. */
  async function check(): Promise<{ record: ModelCheckRecord; waitedMs: number }> {
    const waitedMs = Math.max(0, lastCheckAt + MIN_CHECK_SPACING_MS - Date.now());
    if (waitedMs > 0) await sleep(waitedMs);
    lastCheckAt = Date.now();
    const result = await checkDrift(ctx, { models: [MODEL] });
    expect(result.errors).toEqual([]);
    expect(result.checks).toHaveLength(1);
    // Every score reached Cloud Monitoring (a refused write would be recorded here).
    expect(result.checks[0]!.monitoringError).toBeUndefined();
    return { record: result.checks[0]!, waitedMs };
  }

  async function alerting<T>(method: 'GET' | 'POST', path: string): Promise<T> {
    const response = await fetch(`${cloud.endpoints.monitoring}/_emulator/alerting${path}`, { method });
    expect(response.status, `${method} ${path}`).toBe(200);
    return (await response.json()) as T;
  }
  const evaluate = () => alerting<EvaluationReport>('POST', ':evaluate');
  const incidents = async () => (await alerting<{ incidents: IncidentView[] }>('GET', '/incidents')).incidents;
  const deliveries = async () => (await alerting<{ deliveries: Delivery[] }>('GET', '/deliveries')).deliveries;
  const runsOf = async (): Promise<TrainingRunRecord[]> => ctx.runs.listForModel(MODEL);

  beforeAll(async () => {
    const bundleDir = join(REPO_ROOT, 'dist', `test-drift-local-cloud-${process.pid}`);
    await buildFunctionsBundle({ outDir: bundleDir, modelsDir: MODELS_DIR });
    bundle = { bundleDir, remove: () => rmSync(bundleDir, { recursive: true, force: true }) };
    const extraEnv = { MLOPS_ENVIRONMENT: 'local', MLOPS_REGION: REGION, LOG_LEVEL: 'INFO' };
    cloud = await startTestCloud({
      vertex: true,
      pubsub: true,
      functions: { bundleDir, declarations: FUNCTIONS.filter((f) => f.name === 'onMonitoringAlert'), extraEnv },
      driftAlerting: { models: driftAlertModels(loadModelSpecs(MODELS_DIR).filter((s) => s.name === MODEL).map((s) => resolveForEnvironment(s, 'local'))), alignmentSeconds: MIN_ALIGNMENT_SECONDS },
      monitoringAlertEvaluationIntervalMs: 0,
    });
    const env = { ...cloud.env, ...extraEnv, MLOPS_MODEL_SPECS_DIR: MODELS_DIR };
    const settings = readSettings(env);
    const ce: ClientEnvironment = { projectId: settings.projectId, env };
    await ensureControlPlaneBuckets(ce);
    ctx = controlPlaneContext(settings, ModelCatalog.load('local', MODELS_DIR), lazyClients(ce, settings.region), ce);
    const table = ctx.models.require(MODEL).endpoint.requestResponseLogging!.bigqueryTable;
    logTable = `${table.datasetId}.${table.tableId}`;
    unwatch = watchFunctionLogs(({ function: name, record }) => {
      if (name === 'onMonitoringAlert' && typeof record.action === 'string') outcomes.push({ action: record.action, incidentId: String(record.incidentId) });
    });

    trainTinyModel(cloud);
    version = await uploadVersion(ctx, MODEL, 'champion');
    // The baseline beside the version's artifacts, where the training pipeline's export puts it.
    const [uploaded] = await (await ctx.clients.models()).getModel({ name: version });
    const artifact = /^gs:\/\/([^/]+)\/(.+?)\/*$/.exec(String(uploaded.artifactUri))!;
    const written = python<{ x1: [number, number]; rows: number }>(BASELINE_SCRIPT, { directory: join(cloud.dataDir, 'storage', artifact[1]!, artifact[2]!) });
    expect(written.rows).toBe(40);
    // Every shifted x1 lies beyond the training maximum: it falls in the baseline's empty overflow bin.
    expect(-5 + X1_SHIFT).toBeGreaterThan(written.x1[1]);
    ({ endpoint } = await deployChampion(ctx, MODEL, version));
    prediction = new PredictionServiceClient(vertexClientOptions(REGION, ce));
    pubsub = pubSubClient(ce);
  }, 180_000);

  afterAll(async () => {
    unwatch?.();
    await prediction?.close();
    await pubsub?.close();
    await ctx?.clients.close();
    await cloud?.teardown();
    bundle?.remove();
  });

  it('in-distribution traffic: every feature scored small, no incident, no retrain', async () => {
    const sent = await predictAll(prediction, endpoint, instances(random, IN_DISTRIBUTION));
    loggedRequests += sent;
    await logged(loggedRequests);

    const { record } = await check();
    expect(record.skipped).toBeUndefined();
    expect(record.versions).toHaveLength(1);
    const [served] = record.versions;
    expect(served).toMatchObject({ version, trafficPercent: 100, servedInstances: IN_DISTRIBUTION, drifted: [] });
    expect(served!.error).toBeUndefined();
    expect(served!.insufficient).toBeUndefined();
    expect(served!.features.map((f) => f.feature).sort()).toEqual(['prediction', 'x1', 'x2']);
    console.log(`drift loop, in distribution: ${served!.features.map((f) => `${f.feature} ${f.distance.value!.toFixed(3)}`).join(', ')}`);
    for (const f of served!.features) {
      expect(f, f.feature).toMatchObject({ kind: 'numeric', servingCount: IN_DISTRIBUTION, missingFraction: 0, threshold: 0.3, drifted: false, distance: { metric: 'jensen_shannon' } });
      // Forty training rows on twenty bins leave sampling noise, well below the threshold.
      expect(f.distance.value!, f.feature).toBeLessThan(0.25);
    }
    expect(await readLatestCheck(ctx, MODEL)).toEqual(record);

    const report = await evaluate();
    expect(report.problems).toEqual([]);
    expect(report.policiesEvaluated).toBe(1);
    expect(report.opened).toEqual([]);
    expect(await incidents()).toEqual([]);
    expect(await runsOf()).toEqual([]);
  }, 60_000);

  it('x1 shifted beyond its training range: incidents open, onMonitoringAlert queues one drift retrain naming x1 and the incident', async () => {
    const firstShiftedRequest = Date.now();
    const sent = await predictAll(prediction, endpoint, instances(random, SHIFTED, X1_SHIFT));
    const answeredAt = Date.now();
    loggedRequests += sent;
    await logged(loggedRequests);
    const loggedAt = Date.now();

    // The window holds both phases: a quarter in distribution, three quarters with x1 (and so y) out of range.
    const { record, waitedMs } = await check();
    const checkedAt = Date.now();
    const [served] = record.versions;
    expect(served!.servedInstances).toBe(IN_DISTRIBUTION + SHIFTED);
    const score = Object.fromEntries(served!.features.map((f) => [f.feature, f]));
    expect(score.x1).toMatchObject({ drifted: true });
    expect(score.x1!.distance.value!).toBeGreaterThan(0.45);
    expect(score.prediction).toMatchObject({ drifted: true });
    expect(score.x2).toMatchObject({ drifted: false });
    expect(score.x2!.distance.value!).toBeLessThan(0.3);
    expect([...served!.drifted].sort()).toEqual(['prediction', 'x1']);
    expect((await readLatestCheck(ctx, MODEL))?.checkId).toBe(record.checkId);

    // The score as Cloud Monitoring holds it: x1's Jensen-Shannon series, newest point above the threshold.
    const [series] = await (await ctx.clients.monitoring()).listTimeSeries({
      name: `projects/${ctx.settings.projectId}`,
      filter: `metric.type = "${FEATURE_SCORE_METRIC}" AND metric.labels.model = "${MODEL}" AND metric.labels.feature = "x1" AND metric.labels.metric = "jensen_shannon"`,
      interval: { startTime: { seconds: Math.floor(Date.now() / 1000) - 300 }, endTime: { seconds: Math.ceil(Date.now() / 1000) + 1 } },
    });
    expect(series).toHaveLength(1);
    expect(series[0]!.metric?.labels).toEqual({ model: MODEL, version: served!.versionId, feature: 'x1', metric: 'jensen_shannon' });
    const points = series[0]!.points!.map((p) => p.value!.doubleValue!);
    expect(points).toHaveLength(2); // newest first: this check's, then the in-distribution one
    expect(points[0]).toBeCloseTo(score.x1!.distance.value!, 12);
    expect(points[0]).toBeGreaterThan(0.3);
    expect(points[1]).toBeLessThan(0.3);

    // The check's rows in BigQuery: x1 breached in this check.
    const [rows] = await (await ctx.clients.bigquery()).query({
      query: `SELECT check_id, metric, value, threshold, breached FROM \`${MODEL_CHECKS_TABLE.datasetId}.${MODEL_CHECKS_TABLE.tableId}\` WHERE model = @model AND check = 'drift' AND subject = 'x1' ORDER BY checked_at`,
      params: { model: MODEL },
    });
    expect(rows).toHaveLength(2);
    expect(rows[1]).toMatchObject({ check_id: record.checkId, metric: 'jensen_shannon', threshold: 0.3, breached: true });
    expect(rows[0]).toMatchObject({ breached: false });

    // The policy's one condition opens an incident per violating series: x1's and the prediction's.
    const evaluatedFrom = Date.now();
    const report = await evaluate();
    const evaluatedAt = Date.now();
    expect(report.problems).toEqual([]);
    const opened = report.opened.map((i) => i.metric.labels.feature).sort();
    expect(opened).toEqual(['prediction', 'x1']);
    for (const i of report.opened) {
      expect(i.policy).toMatch(/^projects\/[^/]+\/alertPolicies\/[^/]+$/);
      expect(i).toMatchObject({ state: 'open', metric: { type: FEATURE_SCORE_METRIC, labels: { model: MODEL, version: served!.versionId, metric: 'jensen_shannon' } } });
    }
    expect(report.deliveries.map((d) => d.status)).toEqual(['delivered', 'delivered']);
    const incidentIds = report.opened.map((i) => i.incidentId);

    // Published to model-monitoring-alerts, pushed to onMonitoringAlert: one run, the other incident debounced by it.
    const runs = await until('a drift-triggered training run', runsOf, (r) => r.length > 0, 30_000, 200);
    const run = runs[0]!;
    const createdAt = Date.parse(run.createTime);
    console.log(
      `drift loop, shifted: ${served!.features.map((f) => `${f.feature} ${f.distance.value!.toFixed(3)}`).join(', ')}; ` +
        `first shifted request → training run ${run.id} created in ${createdAt - firstShiftedRequest} ms ` +
        `(${sent} requests answered ${answeredAt - firstShiftedRequest} ms, logged in BigQuery +${loggedAt - answeredAt} ms, ` +
        `5 s spacing of checks +${waitedMs} ms, checkDrift +${checkedAt - loggedAt - waitedMs} ms, test's queries +${evaluatedFrom - checkedAt} ms, ` +
        `alert evaluation and publish +${evaluatedAt - evaluatedFrom} ms, push to onMonitoringAlert → run +${createdAt - evaluatedAt} ms)`,
    );
    expect(run).toMatchObject({ model: MODEL, trigger: 'drift', state: 'QUEUED', requestedBy: 'drift-check' });
    expect(run.driftedFeatures).toContain('x1');
    expect([...run.driftedFeatures!].sort()).toEqual(['prediction', 'x1']);
    const named = incidentIds.filter((id) => run.reason.includes(`incident ${id}`));
    expect(named, run.reason).toHaveLength(1);
    expect(run.reason).toMatch(/^drift: (x1|prediction) jensen_shannon [0-9.]+ above 0\.3 /);

    // The retraining request on retraining-requests (pulled here: submitTrainingRun is not served), as the run says.
    const published = await receiveUntil(pubsub, 'retraining-requests-submit', (r) => r.length > 0, 10_000);
    expect(published.length).toBeGreaterThan(0);
    for (const message of published) {
      expect(message.attributes).toEqual({ model: MODEL, requestId: run.requestId, trigger: 'drift' });
      expect(JSON.parse(message.data)).toMatchObject({ model: MODEL, requestId: run.requestId, trigger: 'drift', reason: run.reason, driftedFeatures: run.driftedFeatures });
    }

    await until('both incidents handled', () => Promise.resolve([...outcomes]), (o) => incidentIds.every((id) => o.some((x) => x.incidentId === id)), 30_000, 200);
    expect(outcomes.map((o) => o.action).sort()).toEqual(['DEBOUNCED', 'TRIGGERED']);
    expect(outcomes.find((o) => o.action === 'TRIGGERED')!.incidentId).toBe(named[0]);
    expect(await runsOf()).toHaveLength(1);
  }, 90_000);

  it('the drift goes on: a repeated check, another evaluation and a redelivered notification make no second run', async () => {
    const [before] = await runsOf();
    const { record } = await check();
    expect([...record.versions[0]!.drifted].sort()).toEqual(['prediction', 'x1']);
    const report = await evaluate();
    // Still violating: the same incidents stay open, nothing new is sent.
    expect(report).toMatchObject({ opened: [], renotified: [], closed: [], deliveries: [] });
    const open = await incidents();
    expect(open.map((i) => i.state)).toEqual(['open', 'open']);

    // Pub/Sub delivers at least once: the triggering notification again, as it was published.
    const triggering = outcomes.find((o) => o.action === 'TRIGGERED')!;
    const [delivery] = (await deliveries()).filter((d) => d.incidentId === triggering.incidentId);
    const seen = outcomes.length;
    await pubsub.topic('model-monitoring-alerts').publishMessage({ data: Buffer.from(JSON.stringify(delivery!.payload)) });
    await until('the redelivery handled', () => Promise.resolve(outcomes.length), (n) => n > seen, 30_000, 200);
    expect(outcomes.slice(seen)).toEqual([{ action: 'DUPLICATE', incidentId: triggering.incidentId }]);

    const runs = await runsOf();
    expect(runs).toHaveLength(1);
    expect(runs[0]).toEqual(before);
    expect(runs.filter((r) => r.trigger === 'drift')).toHaveLength(1);
  }, 60_000);
});
