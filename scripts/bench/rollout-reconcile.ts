// Rollout reconciliation on the local cloud (emulators in-process, no functions, seed 'none'):
//  a. a reconcileRollouts pass per active rollout, with K = 1 and 4 models (copies of
//     models/flight-delay.yaml, each logging requests to its own table), each endpoint serving a
//     tiny sklearn model at 90% and its canary at 10% in an analysis step: passes that measure
//     (Monitoring + BigQuery queries) and passes that find no measurement due, against the least a
//     pass must do, one getEndpoint per model through the official client;
//  b. a canary answering half its requests 500 (MODEL_SERVER_ERROR_RATE=0.5) under background
//     traffic, reconcileRollout called back to back: the time from the failing measurement to the
//     ROLLED_BACK decision, against one traffic update (updateEndpoint with the etag) on the same
//     endpoint. With Cloud Scheduler, the wait for the next tick (up to 60 s) comes on top.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { ModelCatalog } from '../../control-plane/config/load-model-specs.js';
import { deployFirstChampion, endpointName } from '../../control-plane/registry/first-deployment.js';
import type { RolloutPassResult } from '../../control-plane/rollouts/reconcile.js';
import { reconcileRollout, reconcileRollouts } from '../../control-plane/rollouts/reconcile.js';
import type { RolloutRecord } from '../../control-plane/rollouts/rollout-record.js';
import { startRollout } from '../../control-plane/rollouts/start-rollout.js';
import { lazyClients } from '../../control-plane/runtime/clients.js';
import type { ControlPlaneContext } from '../../control-plane/runtime/context.js';
import { controlPlaneContext, vertexModelName, vertexParent } from '../../control-plane/runtime/context.js';
import { readSettings } from '../../control-plane/runtime/settings.js';
import { ensureControlPlaneBuckets } from '../../emulators/launcher/buckets.js';
import { startLocalCloud } from '../../emulators/launcher/local-cloud.js';
import { PredictionServiceClient, vertexClientOptions } from '../../google-clients/vertex.js';
import { planTrafficUpdate } from '../../vertex/requests/traffic-split.js';
import { buildUploadModelRequest } from '../../vertex/requests/upload-model.js';
import { SKLEARN_1_5_CPU } from '../../vertex/requests/prebuilt-containers.js';
import { toProtoValue } from '../../vertex/shared/struct.js';
import { log } from '../log.js';
import { latencySummary, median, round } from './stats.js';
import { textTable } from './text-table.js';

process.env.METADATA_SERVER_DETECTION ??= 'none';
const PYTHON = '/usr/bin/python3';
const REGION = 'us-central1';
const BUCKET = 'bench-rollout-models';
const ARTIFACT = 'models/tiny-reg';
const KS = [1, 4] as const;
/** Measured passes per K (after one warm-up), each ANALYSIS_INTERVAL_S after the last. */
const MEASURED_PASSES = 4;
const WAITING_PASSES = 10;
const ANALYSIS_INTERVAL_S = 2;
const FAILING_REPETITIONS = 2;
const REQUESTS_PER_ENDPOINT = 30;

// LinearRegression loaded by the prebuilt sklearn server; flight_id is a feature (weight ~0) because
// the server refuses keys its input schema does not name, and the ground truth joins on it.
const TRAIN = String.raw`
import json, sys
from pathlib import Path
import numpy as np, joblib
from sklearn.linear_model import LinearRegression
d = Path(sys.argv[1]); d.mkdir(parents=True, exist_ok=True)
rng = np.random.default_rng(7)
X = rng.uniform(-5, 5, size=(200, 4)); y = 2 * X[:, 1] - 3 * X[:, 2] + 0.5 * X[:, 3] + 5 + rng.normal(0, 0.1, 200)
joblib.dump(LinearRegression().fit(X, y), d / "model.joblib")
names = ["flight_id", "x1", "x2", "x3"]
(d / "input_schema.json").write_text(json.dumps({"feature_names": names,
    "features": [{"name": n, "index": i, "type": "numeric"} for i, n in enumerate(names)]}))
`;

/** The parts of flight-delay.yaml a copy changes (the loader validates the whole copy). */
interface SpecDoc {
  name: string;
  displayName: string;
  endpoint: { displayName: string; requestResponseLogging: { bigqueryTable: string } };
  rollout: { groundTruth: { table: string } };
  environments: { local: { durations: Record<string, string> } };
}

/** A copy of flight-delay.yaml named `name`, logging to serving_logs.<name>, with local durations for the bench. */
function specCopy(base: SpecDoc, name: string, durations: Record<string, string>): SpecDoc {
  const spec = structuredClone(base);
  const table = name.replaceAll('-', '_');
  spec.name = name;
  spec.displayName = name;
  spec.endpoint.displayName = name;
  spec.endpoint.requestResponseLogging.bigqueryTable = `serving_logs.${table}`;
  spec.rollout.groundTruth.table = `serving_logs.${table}_actuals`;
  spec.environments.local.durations = { ...spec.environments.local.durations, ...durations };
  return spec;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, read: () => Promise<T>, done: (v: T) => boolean, timeoutMs = 90_000, everyMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value)}`);
    await sleep(everyMs);
  }
}

const work = mkdtempSync(join(tmpdir(), 'bench-rollout-reconcile-'));
const specsDir = join(work, 'models');
// With Pub/Sub: every decision a pass records is published to deployment-events.
const cloud = await startLocalCloud({ dataDir: join(work, 'cloud'), seed: 'none', scheduler: false });
const env = { ...cloud.env, MLOPS_ENVIRONMENT: 'local', MLOPS_REGION: REGION, MLOPS_MODEL_SPECS_DIR: specsDir };
const ce = { projectId: cloud.projectId, env };
const clients = lazyClients(ce, REGION);
try {
  if (cloud.pubsubUnavailable) throw new Error(`the rollout reconcile bench needs Pub/Sub (decisions are published): ${cloud.pubsubUnavailable}`);
  const setupStarted = performance.now();
  const base = parse(readFileSync(new URL('../../models/flight-delay.yaml', import.meta.url), 'utf8')) as SpecDoc;
  const models = Array.from({ length: Math.max(...KS) }, (_, i) => `bench-delay-${i + 1}`);
  const failing = 'bench-failing';
  mkdirSync(specsDir);
  // Measurements due every 2 s within a window that does not close during the bench.
  for (const m of models) writeFileSync(join(specsDir, `${m}.yaml`), stringify(specCopy(base, m, { rolloutAnalysisWindow: '1h', rolloutAnalysisInterval: `${ANALYSIS_INTERVAL_S}s` })));
  // Measured as often as a pass comes; the rollback starts at the first failing measurement (failureLimit 0).
  writeFileSync(join(specsDir, `${failing}.yaml`), stringify(specCopy(base, failing, { rolloutAnalysisWindow: '5m', rolloutAnalysisInterval: '1s' })));

  const settings = readSettings(env);
  await ensureControlPlaneBuckets(ce);
  const ctx: ControlPlaneContext = controlPlaneContext(settings, ModelCatalog.load('local', specsDir), clients, ce);
  const project = settings.projectId;
  const modelsClient = await clients.models();
  const endpoints = await clients.endpoints();
  const bigquery = await clients.bigquery();
  const predictions = new PredictionServiceClient(vertexClientOptions(REGION, ce));

  execFileSync(PYTHON, ['-c', TRAIN, join(cloud.dataDir, 'storage', BUCKET, ARTIFACT)], { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', OMP_NUM_THREADS: '1' } });
  const upload = async (model: string, first: boolean, serverEnv: Record<string, string> = {}): Promise<string> => {
    const [operation] = await modelsClient.uploadModel(
      buildUploadModelRequest({
        project,
        location: REGION,
        displayName: model,
        ...(first ? { modelId: model } : { parentModel: vertexModelName(settings, model) }),
        artifactUri: `gs://${BUCKET}/${ARTIFACT}`,
        container: { imageUri: SKLEARN_1_5_CPU, env: serverEnv },
      }),
    );
    const [response] = await operation.promise();
    return `${vertexModelName(settings, model)}@${String(response.modelVersionId)}`;
  };
  /** Version 1 at 100% on the model's endpoint (with its request-response logging), serving. */
  const champion = async (model: string): Promise<string> => {
    const version = await upload(model, true);
    const first = await deployFirstChampion(ctx, ctx.models.require(model), version);
    await until(`${model}'s champion`, async () => (await endpoints.getEndpoint({ name: first.endpoint }))[0], (e) => (e.deployedModels ?? []).length === 1 && Object.values(e.trafficSplit ?? {}).includes(100));
    return first.endpoint;
  };
  /** Starts the rollout of `version` (`weight`%, then an analysis) and reconciles it until it waits in the analysis step. */
  const rollOut = async (model: string, version: string, weight: number): Promise<RolloutRecord> => {
    const r = await startRollout(ctx, model, { version: version.split('@')[1]!, requestedBy: 'bench@example.com', reason: 'bench', policy: { steps: [{ setWeight: weight }, { analysis: {} }] } });
    await until<RolloutPassResult>(`${r.id} in its analysis step`, () => reconcileRollout(ctx, r.id), (p) => p.stepIndex === 1 && p.waiting === 'analysis: next measurement not due', 120_000, 300);
    return r;
  };
  // flight_id: the key the spec's ground truth joins on.
  const instance = (i: number) => toProtoValue({ flight_id: i % REQUESTS_PER_ENDPOINT, x1: ((i * 37) % 100) / 10 - 5, x2: ((i * 53) % 100) / 10 - 5, x3: ((i * 71) % 100) / 10 - 5 }, 'instance');
  /** Predictions through the endpoint (logged to its table by the local Vertex), and the table's actuals. */
  const traffic = async (model: string, endpoint: string): Promise<void> => {
    for (let i = 0; i < REQUESTS_PER_ENDPOINT; i++) await predictions.predict({ endpoint, instances: [instance(i)] });
    const table = model.replaceAll('-', '_');
    const dataset = bigquery.dataset('serving_logs');
    await dataset.get({ autoCreate: true });
    const [actuals] = await dataset.createTable(`${table}_actuals`, { schema: { fields: [{ name: 'flight_id', type: 'INTEGER' }, { name: 'delay', type: 'FLOAT' }] } });
    await actuals.insert(Array.from({ length: REQUESTS_PER_ENDPOINT }, (_, i) => ({ flight_id: i, delay: i })));
    await until(`${table}'s request log`, async () => (await dataset.table(table).exists())[0], (e) => e, 30_000);
  };

  // a. K active rollouts waiting in an analysis step; the first K models' champions and canaries.
  const reconcileRows: (string | number)[][] = [];
  const endpointOf: Record<string, string> = {};
  let ready = 0;
  for (const k of KS) {
    const added = models.slice(ready, k);
    await Promise.all(
      added.map(async (m) => {
        endpointOf[m] = await champion(m);
        await rollOut(m, await upload(m, false), 10);
        await traffic(m, endpointOf[m]);
      }),
    );
    ready = k;
    const active = models.slice(0, k);

    const baselineSamples: number[] = [];
    for (let i = 0; i < 25; i++) {
      const t = performance.now();
      for (const m of active) await endpoints.getEndpoint({ name: endpointOf[m]! });
      if (i >= 5) baselineSamples.push(performance.now() - t);
    }
    // Measuring passes: each after every rollout's last measurement is ANALYSIS_INTERVAL_S old;
    // waiting passes right after each (no measurement due).
    const measuring: number[] = [];
    const waiting: number[] = [];
    let measuredRollouts = 0;
    let waitedRollouts = 0;
    for (let pass = 0; pass <= MEASURED_PASSES; pass++) {
      await sleep(ANALYSIS_INTERVAL_S * 1000 + 100);
      let t = performance.now();
      const measured = await reconcileRollouts(ctx);
      if (pass > 0) measuring.push(performance.now() - t);
      measuredRollouts += measured.rollouts.filter((r) => r.transitions > 0).length;
      for (let w = 0; w < WAITING_PASSES / MEASURED_PASSES; w++) {
        t = performance.now();
        const idle = await reconcileRollouts(ctx);
        if (pass > 0) waiting.push(performance.now() - t);
        waitedRollouts += idle.rollouts.filter((r) => r.transitions === 0 && r.waiting === 'analysis: next measurement not due').length;
      }
      if (measured.errors.length > 0) throw new Error(`reconcile errors: ${JSON.stringify(measured.errors)}`);
    }
    const last = (await ctx.rollouts.require(`${models[0]}-v2`)).value.steps.find((s) => s.index === 1)?.measurements.at(-1);
    const baselineMs = median(baselineSamples);
    const perMeasuring = median(measuring) / k;
    const perWaiting = median(waiting) / k;
    const figures = {
      activeRollouts: k,
      getEndpointPerModel: { ...latencySummary(baselineSamples.map((s) => s / k)) },
      measuringPassPerRollout: { ...latencySummary(measuring.map((s) => s / k)), vsBaseline: round(perMeasuring / (baselineMs / k), 1), passes: measuring.length },
      waitingPassPerRollout: { ...latencySummary(waiting.map((s) => s / k)), vsBaseline: round(perWaiting / (baselineMs / k), 1), passes: waiting.length },
      // Passes with a transition (a measurement taken) / rollouts found waiting, over all passes incl. warm-up.
      rolloutsMeasured: measuredRollouts,
      rolloutsFoundWaiting: waitedRollouts,
      lastMeasurement: last ? { result: last.result, canaryRequests: last.canary?.requestCount, stableRequests: last.stable?.requestCount, predictions: last.predictions, quality: last.quality?.canary } : undefined,
    };
    log('INFO', 'bench: reconcileRollouts pass per active rollout (local cloud)', figures);
    reconcileRows.push(
      [`K=${k}: baseline, getEndpoint per model`, round(baselineMs / k, 1), 1],
      [`K=${k}: pass measuring (Monitoring + BigQuery)`, round(perMeasuring, 1), figures.measuringPassPerRollout.vsBaseline],
      [`K=${k}: pass, no measurement due`, round(perWaiting, 1), figures.waitingPassPerRollout.vsBaseline],
    );
  }

  // b. A failing canary under traffic, reconciled back to back until rolled back.
  const failingEndpoint = await champion(failing);
  // The log table exists before the first measurement (a missing one is a measurement error).
  await traffic(failing, failingEndpoint);
  const stableId = (await endpoints.getEndpoint({ name: failingEndpoint }))[0].deployedModels![0]!.id!;
  const toRollback: number[] = [];
  const failedToRollback: number[] = [];
  const passesToRollback: number[] = [];
  let sent = 0;
  for (let rep = 0; rep < FAILING_REPETITIONS; rep++) {
    const version = await upload(failing, false, { MODEL_SERVER_ERROR_RATE: '0.5', MODEL_SERVER_FAULT_SEED: String(rep + 1) });
    const r = await rollOut(failing, version, 50);
    let stop = false;
    const background = Promise.all(
      [0, 1].map(async (lane) => {
        for (let i = lane; !stop; i += 2) {
          await predictions.predict({ endpoint: failingEndpoint, instances: [instance(i)] }).catch(() => undefined);
          sent++;
        }
      }),
    );
    let passes = 0;
    try {
      await until(`${r.id} rolled back`, async () => {
        passes++;
        return reconcileRollout(ctx, r.id);
      }, (p) => p.phase === 'ABORTED', 120_000, 0);
    } finally {
      stop = true;
      await background;
    }
    const done = (await ctx.rollouts.require(r.id)).value;
    const failed = done.steps.find((s) => s.index === 1)?.measurements.find((m) => m.result === 'Failed');
    const decisionAt = (kind: string) => done.history.find((d) => d.kind === kind)?.at;
    const rolledBack = decisionAt('ROLLED_BACK');
    const analysisFailed = decisionAt('ANALYSIS_FAILED');
    if (!failed || !rolledBack) throw new Error(`${r.id}: no failing measurement or no ROLLED_BACK decision: ${JSON.stringify(done.history.map((d) => `${d.kind}: ${d.reason}`))}`);
    toRollback.push(Date.parse(rolledBack) - Date.parse(failed.at));
    if (analysisFailed) failedToRollback.push(Date.parse(rolledBack) - Date.parse(analysisFailed));
    passesToRollback.push(passes);
    log('INFO', 'bench: failing canary rolled back', {
      rollout: r.id,
      failingMeasurementAt: failed.at,
      analysisFailedAt: analysisFailed,
      rolledBackAt: rolledBack,
      msFromEvidenceToRolledBack: toRollback.at(-1),
      reconcileCallsSinceAnalysisStarted: passes,
      canary: failed.canary,
      failedChecks: failed.checks.filter((c) => c.outcome === 'fail').map((c) => c.detail),
    });
  }
  // Baseline: one traffic update with the etag on the same endpoint (stable at 100% again).
  const updateSamples: number[] = [];
  for (let i = 0; i < 7; i++) {
    const [current] = await endpoints.getEndpoint({ name: failingEndpoint });
    const t = performance.now();
    await endpoints.updateEndpoint(planTrafficUpdate(current, { [stableId]: 100 }));
    if (i >= 2) updateSamples.push(performance.now() - t);
  }
  const updateMs = median(updateSamples);
  const rollbackMs = median(toRollback);
  const rollback = {
    repetitions: FAILING_REPETITIONS,
    evidenceToRolledBackMs: toRollback.map((v) => round(v, 1)),
    medianMs: round(rollbackMs, 1),
    analysisFailedToRolledBackMs: failedToRollback.map((v) => round(v, 1)),
    reconcileCallsSinceAnalysisStarted: passesToRollback,
    trafficUpdate: latencySummary(updateSamples),
    vsBaseline: round(rollbackMs / updateMs, 1),
    backgroundRequests: sent,
    note: 'with Cloud Scheduler calling reconcileRollouts every minute, the wait for the next tick (up to 60 s) comes before the measurement and adds to this',
  };
  log('INFO', 'bench: failing canary, from the failing measurement to ROLLED_BACK (local cloud)', rollback);
  log('INFO', 'bench: rollout reconcile set-up and run', { seconds: round((performance.now() - setupStarted) / 1000, 1), parent: vertexParent(settings), endpoint: endpointName(ctx, failing) });
  process.stdout.write(
    `${textTable(['reconcileRollouts (local cloud)', 'median ms per rollout', 'vs baseline'], reconcileRows)}\n\n${textTable(
      ['failing canary (MODEL_SERVER_ERROR_RATE=0.5)', 'median ms', 'vs baseline'],
      [
        ['baseline: updateEndpoint (traffic, with etag)', round(updateMs, 1), 1],
        ['failing measurement → ROLLED_BACK (+ up to 60 s Scheduler tick)', round(rollbackMs, 1), rollback.vsBaseline],
      ],
    )}\n`,
  );
  await predictions.close();
} finally {
  await clients.close();
  await cloud.stop();
  rmSync(work, { recursive: true, force: true });
}
