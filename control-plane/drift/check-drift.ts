// checkDrift's decision (design §1): for each model with a drift policy, every version serving on
// its endpoint is compared with its training baseline over the recent window of the endpoint's
// request-response log (histograms in BigQuery SQL, scores here); the scores go to Cloud Monitoring,
// where the model's alert policy turns drift into an incident (and onMonitoringAlert into a
// retrain). The same pass runs the performance check (the champion's quality on the actuals) and
// the model-age check, which ask for retrains themselves. Each result is recorded: one row per
// version and feature in BigQuery (mlops_monitoring.model_checks) and the latest per model in the
// state bucket. It never waits on anything but its own queries.
import { MODEL_CHECKS_TABLE } from '../config/bigquery-tables.js';
import type { ResolvedModelSpec } from '../config/load-model-specs.js';
import { PREDICTION_FEATURE } from '../config/model-spec.js';
import { isTransient } from '../errors.js';
import { endpointName } from '../registry/first-deployment.js';
import { observeEndpoint } from '../rollouts/endpoint-effects.js';
import type { TableRef } from '../rollouts/analysis/request-log-query.js';
import { requestAutomaticRetrain } from '../retraining/automatic-retrain.js';
import { currentChampion } from '../retraining/submit-training-run.js';
import type { ControlPlaneContext } from '../runtime/context.js';
import { vertexModelName } from '../runtime/context.js';
import type { InsertRow } from '../state/append-rows.js';
import { appendRows } from '../state/append-rows.js';
import type { FeatureResult, ModelCheckRecord, PerformanceResult, VersionDrift } from './drift-check-record.js';
import { writeLatestCheck } from './drift-check-record.js';
import { driftPoints } from './drift-metrics.js';
import { featureDrift } from './feature-drift.js';
import { versionBaseline } from './model-baseline.js';
import { monitoredFeatures } from './monitored-features.js';

/** Instances per bin before PSI counts (its tiers, its alert): below it, sampling noise alone reaches the tiers. */
export const PSI_MIN_PER_BIN = 10;

export interface CheckDriftOptions {
  /** Only these models (default: every model with a drift policy). */
  readonly models?: readonly string[];
  /** Cloud Scheduler's scheduled time of this firing: the check id (a repeated firing is the same check). */
  readonly scheduleTime?: string;
}

export interface CheckDriftResult {
  readonly checks: ModelCheckRecord[];
  readonly errors: { model: string; error: string }[];
}

export async function checkDrift(ctx: ControlPlaneContext, options: CheckDriftOptions = {}): Promise<CheckDriftResult> {
  const specs = ctx.models.list().filter((s) => s.drift !== undefined && (options.models === undefined || options.models.includes(s.name)));
  const settled = await Promise.allSettled(specs.map((spec) => checkModel(ctx, spec, options.scheduleTime)));
  const checks: ModelCheckRecord[] = [];
  const errors: { model: string; error: string }[] = [];
  settled.forEach((s, i) => {
    if (s.status === 'fulfilled') checks.push(s.value);
    else errors.push({ model: specs[i]!.name, error: String((s.reason as Error)?.message ?? s.reason) });
  });
  return { checks, errors };
}

function logTableOf(spec: ResolvedModelSpec, project: string): TableRef | undefined {
  const t = spec.endpoint.requestResponseLogging?.bigqueryTable;
  return t ? { projectId: t.projectId ?? project, datasetId: t.datasetId, tableId: t.tableId } : undefined;
}

/** Deployed models with traffic, with their versions (`projects/.../models/m@N`). */
function servingVersions(endpoint: Awaited<ReturnType<typeof observeEndpoint>>, modelBase: string) {
  return Object.entries(endpoint.view.traffic)
    .filter(([, percent]) => percent > 0)
    .flatMap(([deployedModelId, trafficPercent]) => {
      const deployed = endpoint.endpoint?.deployedModels?.find((d) => d.id === deployedModelId);
      const versionId = String(deployed?.modelVersionId ?? '');
      if (!deployed || versionId === '') return [];
      return [{ deployedModelId, trafficPercent, versionId, version: `${deployed.model ?? modelBase}@${versionId}` }];
    });
}

async function checkModel(ctx: ControlPlaneContext, spec: ResolvedModelSpec, scheduleTime: string | undefined): Promise<ModelCheckRecord> {
  const drift = spec.drift!;
  const now = ctx.now();
  const checkedAt = now.toISOString();
  const checkId = `${spec.name}-${(scheduleTime ?? checkedAt).replace(/[^0-9TZ]/g, '')}`;
  const window = { start: new Date(now.getTime() - spec.durations.driftWindow * 1000), end: now };
  const base: ModelCheckRecord = { model: spec.name, checkId, checkedAt, window: { start: window.start.toISOString(), end: checkedAt }, versions: [], retrains: [] };
  const logTable = logTableOf(spec, ctx.settings.projectId);
  const endpoint = endpointName(ctx, spec.name);
  const observed = await observeEndpoint(ctx, endpoint);
  const serving = servingVersions(observed, vertexModelName(ctx.settings, spec.name));

  let record: ModelCheckRecord = base;
  if (!logTable) record = { ...record, skipped: 'the endpoint has no request-response logging (endpoint.requestResponseLogging)' };
  else if (!observed.view.exists) record = { ...record, skipped: `${endpoint} does not exist yet` };
  else if (serving.length === 0) record = { ...record, skipped: `nothing serves on ${endpoint}` };
  else {
    const bigquery = await ctx.clients.bigquery();
    const versions = await Promise.all(serving.map((s) => versionDrift(ctx, spec, bigquery, { logTable, endpoint, ...window }, s)));
    record = { ...record, versions };
  }

  const champion = await currentChampion(ctx, spec.name);
  if (champion && logTable && drift.performance && spec.rollout.groundTruth) {
    const deployed = serving.find((s) => s.versionId === champion.versionId);
    record = { ...record, performance: await performanceCheck(ctx, spec, logTable, endpoint, window, champion.name, deployed?.deployedModelId) };
  }
  if (champion && drift.modelAgeCheck) {
    const ageSeconds = (now.getTime() - Date.parse(champion.createTime)) / 1000;
    record = { ...record, age: { version: champion.name, createTime: champion.createTime, ageSeconds, maxAgeSeconds: spec.durations.maxModelAge, breached: ageSeconds > spec.durations.maxModelAge } };
  }

  // Scores first (the alert policy acts on them), then the record, then the checks' own retrains.
  const points = record.versions.flatMap((v) => driftPoints(spec.name, v, now));
  if (points.length > 0) {
    const { writeGauges } = await import('../monitoring/custom-metrics.js');
    try {
      await writeGauges(await ctx.clients.monitoring(), ctx.settings.projectId, points);
    } catch (err) {
      // Recorded, not fatal: the scores stay in the check's record and table, and the next check writes again.
      if (isTransient(err)) throw err;
      record = { ...record, monitoringError: String((err as Error)?.message ?? err).slice(0, 1000) };
    }
  }
  record = { ...record, retrains: await checkRetrains(ctx, spec, record, champion?.versionId) };
  await appendRows(await ctx.clients.bigquery(), MODEL_CHECKS_TABLE, checkRows(record));
  await writeLatestCheck(ctx, record);
  return record;
}

async function versionDrift(
  ctx: ControlPlaneContext,
  spec: ResolvedModelSpec,
  bigquery: Awaited<ReturnType<ControlPlaneContext['clients']['bigquery']>>,
  window: { logTable: TableRef; endpoint: string; start: Date; end: Date },
  serving: { deployedModelId: string; trafficPercent: number; versionId: string; version: string },
): Promise<VersionDrift> {
  const drift = spec.drift!;
  const empty = { ...serving, servedInstances: 0, features: [], drifted: [] };
  let features;
  try {
    const { baseline, inputSchema } = await versionBaseline(ctx, serving.version);
    const only = drift.features ? [...drift.features, ...(drift.prediction && baseline.prediction ? [PREDICTION_FEATURE] : [])] : undefined;
    features = monitoredFeatures(baseline, inputSchema, only).filter((f) => drift.prediction || f.source.kind !== 'prediction');
  } catch (err) {
    // A transient failure fails the check (Scheduler retries); a missing or malformed baseline is recorded.
    if (isTransient(err)) throw err;
    return { ...empty, error: `no baseline: ${String((err as Error)?.message ?? err)}` };
  }
  const { servingHistograms } = await import('./serving-histograms.js');
  const histograms = (await servingHistograms(bigquery, { ...window, deployedModelIds: [serving.deployedModelId] }, features)).get(serving.deployedModelId);
  const servedInstances = Math.max(0, ...features.map((f) => histograms?.get(f.name)?.total ?? 0));
  if (servedInstances < drift.minInstances) {
    return { ...empty, servedInstances, insufficient: `${servedInstances} instances served in the window, fewer than drift.minInstances (${drift.minInstances})` };
  }
  const results: FeatureResult[] = features.map((f) => {
    const scored = featureDrift(f, histograms?.get(f.name) ?? { counts: new Array<number>(f.baseline.length).fill(0), missing: 0, total: 0 });
    const threshold = drift.thresholds[f.name] ?? drift.threshold;
    const overDistance = scored.distance.value !== undefined && scored.distance.value > threshold;
    // Without drift, PSI's expected value is about (bins − 1)/n: it means something only with ten instances per bin.
    const psiReliable = scored.servingCount >= PSI_MIN_PER_BIN * f.baseline.length;
    const overPsi = psiReliable && drift.psiThreshold !== undefined && scored.psi !== undefined && scored.psi > drift.psiThreshold;
    return {
      feature: scored.feature, kind: scored.kind, servingCount: scored.servingCount, missingFraction: scored.missingFraction,
      distance: { metric: scored.distance.metric, ...(scored.distance.value !== undefined ? { value: scored.distance.value } : {}) },
      ...(scored.psi !== undefined ? { psi: scored.psi } : {}),
      ...(scored.psiTier !== undefined ? { psiTier: scored.psiTier } : {}),
      psiReliable,
      ...(scored.ks !== undefined ? { ks: scored.ks } : {}),
      threshold,
      ...(drift.psiThreshold !== undefined ? { psiThreshold: drift.psiThreshold } : {}),
      drifted: overDistance || overPsi,
    };
  });
  return { ...serving, servedInstances, features: results, drifted: results.filter((r) => r.drifted).map((r) => r.feature) };
}

async function performanceCheck(
  ctx: ControlPlaneContext, spec: ResolvedModelSpec, logTable: TableRef, endpoint: string, window: { start: Date; end: Date }, version: string, deployedModelId: string | undefined,
): Promise<PerformanceResult> {
  const p = spec.drift!.performance!;
  const truth = spec.rollout.groundTruth!;
  const bound = { ...(p.min !== undefined ? { min: p.min } : {}), ...(p.max !== undefined ? { max: p.max } : {}) };
  const common = { version, metric: p.metric, bound };
  if (deployedModelId === undefined) return { ...common, n: 0, breached: false, insufficient: 'the champion does not serve on the endpoint' };
  const { measurePerformance } = await import('./performance.js');
  const measured = await measurePerformance(await ctx.clients.bigquery(), {
    logTable, endpoint, deployedModelId, ...window,
    actuals: { table: { projectId: truth.table.projectId ?? ctx.settings.projectId, datasetId: truth.table.datasetId, tableId: truth.table.tableId }, idField: truth.idField, labelColumn: truth.labelColumn },
    metric: p.metric as 'r2' | 'rmse' | 'mae' | 'accuracy',
  }).catch((err: unknown) => {
    // No actuals table yet: nothing to score, not a failure of the check.
    if ((err as { code?: unknown })?.code === 404) return { n: 0, value: undefined };
    throw err;
  });
  if (measured.n < p.minSamples || measured.value === undefined) {
    return { ...common, n: measured.n, breached: false, insufficient: `${measured.n} predictions joined with actuals, fewer than drift.performance.minSamples (${p.minSamples})` };
  }
  const breached = (p.min !== undefined && measured.value < p.min) || (p.max !== undefined && measured.value > p.max);
  return { ...common, n: measured.n, value: measured.value, breached };
}

const fmt = (n: number | undefined) => (n === undefined ? 'n/a' : Number(n.toPrecision(3)).toString());

/** The retrains this check asks for itself (drift goes through the alert policy instead). */
async function checkRetrains(ctx: ControlPlaneContext, spec: ResolvedModelSpec, record: ModelCheckRecord, championId: string | undefined): Promise<ModelCheckRecord['retrains']> {
  const out: ModelCheckRecord['retrains'] = [];
  const ask = async (trigger: 'drift' | 'performance' | 'age', requestId: string, reason: string, details: Record<string, unknown>, version: string, driftedFeatures?: string[]) => {
    const outcome = await requestAutomaticRetrain(ctx, { model: spec.name, trigger, requestId, reason, subject: record.checkId, version, details, ...(driftedFeatures ? { driftedFeatures } : {}) });
    out.push({ trigger, action: outcome.action, requestId, reason, ...(outcome.action === 'DEBOUNCED' ? { debouncedBy: outcome.by } : { trainingRun: outcome.run.id }) });
  };
  // PSI's "retrain soon" tier (0.2–0.3) on the champion: a retrain, once per cooldown period (the
  // "retrain now" tier above it, and the distances, go through the alert policy instead).
  const champion = record.versions.find((v) => v.versionId === championId && v.insufficient === undefined && v.error === undefined);
  const soon = champion?.features.filter((f) => f.psiReliable && f.psiTier === 'retrain_soon' && !f.drifted) ?? [];
  if (champion && soon.length > 0) {
    const period = Math.floor(Date.parse(record.checkedAt) / 1000 / spec.durations.retrainCooldown);
    const listed = soon.map((f) => `${f.feature} ${fmt(f.psi)}`).join(', ');
    const features = soon.map((f) => f.feature);
    await ask('drift', `psi-v${championId}-${period}`, `drift: PSI in the retrain-soon tier (0.2–0.3) for ${listed}`, { driftedFeatures: features }, champion.version, features);
  }
  const perf = record.performance;
  if (perf?.breached && championId) {
    const bound = perf.bound.min !== undefined ? `below its minimum ${perf.bound.min}` : `above its maximum ${fmt(perf.bound.max)}`;
    await ask('performance', `performance-v${championId}-${record.checkId.slice(spec.name.length + 1)}`, `performance: the champion's ${perf.metric} ${fmt(perf.value)} over ${perf.n} predictions with actuals is ${bound}`, { ...perf }, perf.version);
  }
  const age = record.age;
  if (age?.breached && championId) {
    // One request per champion version and period of maxModelAge: a rejected retrain is asked again a period later.
    const period = Math.floor(age.ageSeconds / age.maxAgeSeconds);
    await ask('age', `age-v${championId}-${period}`, `age: the champion is ${fmt(age.ageSeconds / 86_400)} days old, more than durations.maxModelAge (${fmt(age.maxAgeSeconds / 86_400)} days)`, { ...age }, age.version);
  }
  return out;
}

function checkRows(record: ModelCheckRecord): InsertRow[] {
  const common = { check_id: record.checkId, checked_at: record.checkedAt, model: record.model, window_start: record.window.start, window_end: record.window.end };
  const rows: InsertRow[] = [];
  for (const v of record.versions) {
    for (const f of v.features) {
      rows.push({
        insertId: `${record.checkId}/${v.versionId}/${f.feature}`,
        json: {
          ...common, version: v.version, deployed_model_id: v.deployedModelId, check: 'drift', subject: f.feature, metric: f.distance.metric,
          value: f.distance.value ?? null, threshold: f.threshold, breached: f.drifted,
          details: JSON.stringify({ psi: f.psi, psiTier: f.psiTier, ks: f.ks, servingCount: f.servingCount, missingFraction: f.missingFraction }),
        },
      });
    }
  }
  const perf = record.performance;
  if (perf) {
    rows.push({
      insertId: `${record.checkId}/performance`,
      json: { ...common, version: perf.version, deployed_model_id: null, check: 'performance', subject: perf.metric, metric: perf.metric, value: perf.value ?? null, threshold: perf.bound.min ?? perf.bound.max ?? null, breached: perf.breached, details: JSON.stringify({ n: perf.n, insufficient: perf.insufficient }) },
    });
  }
  const age = record.age;
  if (age) {
    rows.push({
      insertId: `${record.checkId}/age`,
      json: { ...common, version: age.version, deployed_model_id: null, check: 'age', subject: 'age', metric: 'age_seconds', value: age.ageSeconds, threshold: age.maxAgeSeconds, breached: age.breached, details: JSON.stringify({ createTime: age.createTime }) },
    });
  }
  return rows;
}

