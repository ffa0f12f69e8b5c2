// One measurement of an analysis step, over the step's window so far: Vertex's serving metrics
// from Cloud Monitoring (requests, errors, latency per deployed model), the predictions of canary
// and stable from the request-response log (a two-sample test) and, where the spec names ground
// truth, each version's quality on the actuals joined with its logged predictions. The verdict is
// judged (verdict.ts) and the numbers are written back to Monitoring as custom metrics.
import { log } from '../../logging/log.js';
import { grpcCode, httpStatus, RpcCode } from '../errors.js';
import type { ControlPlaneContext } from '../runtime/context.js';
import type { ServingMetrics } from './analysis/serving-metrics.js';
import type { Measurement, RolloutRecord } from './rollout-record.js';
import { criteriaAt } from './transitions.js';
import { judge } from './verdict.js';

function endpointId(endpoint: string): string {
  return endpoint.split('/').at(-1) ?? endpoint;
}

function numbers(m: ServingMetrics | undefined): Measurement['stable'] {
  if (!m) return undefined;
  return {
    requestCount: m.requestCount,
    predictionCount: m.predictionCount,
    errorCount: m.errorCount,
    ...(m.errorRate === undefined ? {} : { errorRate: m.errorRate }),
    ...(m.latencyP50Ms === undefined ? {} : { latencyP50Ms: m.latencyP50Ms }),
    ...(m.latencyP95Ms === undefined ? {} : { latencyP95Ms: m.latencyP95Ms }),
  };
}

/**
 * Vertex creates the request-response table with the first logged request (the actuals table
 * arrives with the first actual): before that there is no evidence yet, which is not an error.
 */
async function absentIfNoTable<T>(query: Promise<T>): Promise<T | undefined> {
  try {
    return await query;
  } catch (err) {
    if (httpStatus(err) === 404 || grpcCode(err) === RpcCode.NOT_FOUND) return undefined;
    throw err;
  }
}

export async function measure(ctx: ControlPlaneContext, r: RolloutRecord, now: Date): Promise<Measurement> {
  const step = r.steps.find((s) => s.index === r.stepIndex);
  const start = new Date(step?.startedAt ?? now.toISOString());
  const windowClosed = (now.getTime() - start.getTime()) / 1000 >= r.policy.analysisWindowSeconds;
  const base = { at: now.toISOString(), windowStart: start.toISOString(), windowEnd: now.toISOString() };
  const stableId = r.stable.deployedModelId;
  const canaryId = r.canary.deployedModelId;
  try {
    // Loaded when a measurement is due, not with every API request (cold starts).
    const [{ readServingMetrics }, { comparePredictions }, { compareQuality }] = await Promise.all([
      import('./analysis/serving-metrics.js'),
      import('./analysis/request-log-predictions.js'),
      import('./analysis/request-log-quality.js'),
    ]);
    const serving = await readServingMetrics(await ctx.clients.monitoring(), {
      projectId: ctx.settings.projectId,
      location: ctx.settings.region,
      endpointId: endpointId(r.endpoint),
      deployedModelIds: [stableId, canaryId],
      start,
      end: now,
    });
    const logTable = r.policy.requestLogTable;
    const bigquery = logTable ? await ctx.clients.bigquery() : undefined;
    const window = { logTable: logTable!, endpoint: r.endpoint, stableDeployedModelId: stableId, canaryDeployedModelId: canaryId, start, end: now };
    const predictions = bigquery ? await absentIfNoTable(comparePredictions(bigquery, window)) : undefined;
    const truth = r.policy.groundTruth;
    const quality =
      bigquery && truth
        ? await absentIfNoTable(compareQuality(bigquery, {
            ...window,
            actuals: { table: { projectId: truth.table.projectId ?? ctx.settings.projectId, datasetId: truth.table.datasetId, tableId: truth.table.tableId }, idField: truth.idField, labelColumn: truth.labelColumn },
            metric: truth.metric as 'rmse' | 'mae' | 'accuracy',
            confidence: truth.confidence,
          }))
        : undefined;
    const stable = numbers(serving[stableId]);
    const canary = numbers(serving[canaryId]);
    const numbersSeen = {
      ...(stable ? { stable } : {}),
      ...(canary ? { canary } : {}),
      ...(predictions
        ? { predictions: { stableCount: predictions.stable.n, canaryCount: predictions.canary.n, ...(predictions.ksStatistic === undefined ? {} : { ksStatistic: predictions.ksStatistic }), ...(predictions.pValue === undefined ? {} : { pValue: predictions.pValue }) } }
        : {}),
      ...(quality
        ? {
            quality: {
              metric: truth!.metric,
              stable: { n: quality.stable.n, ...(quality.stable.value === undefined ? {} : { value: quality.stable.value }), ...(quality.stable.ci ? { ci: quality.stable.ci } : {}) },
              canary: { n: quality.canary.n, ...(quality.canary.value === undefined ? {} : { value: quality.canary.value }), ...(quality.canary.ci ? { ci: quality.canary.ci } : {}) },
              ...(quality.relativeChange ? { relativeChange: quality.relativeChange } : {}),
            },
          }
        : {}),
    };
    const judged = judge({ ...numbersSeen, qualityExpected: truth !== undefined && bigquery !== undefined }, criteriaAt(r, r.stepIndex), windowClosed);
    const measurement: Measurement = { ...base, ...numbersSeen, ...judged };
    // Monitoring takes at most one point per series every 5 s (local steps measure more often).
    const previous = step?.measurements.at(-1);
    if (!previous || now.getTime() - Date.parse(previous.at) >= 5_000) await recordMeasurement(ctx, r, measurement, now);
    return measurement;
  } catch (err) {
    return { ...base, checks: [], result: 'Error', error: err instanceof Error ? err.message : String(err) };
  }
}

/** The canary's numbers as custom metrics, for dashboards and alert policies; best effort. */
async function recordMeasurement(ctx: ControlPlaneContext, r: RolloutRecord, m: Measurement, now: Date): Promise<void> {
  const labels = { model: r.model, version: r.canary.version.split('@')[1] ?? '', deployedModelId: r.canary.deployedModelId, rolloutId: r.id, step: r.stepIndex + 1 };
  const values: [string, number | undefined][] = [
    ['request_count', m.canary?.requestCount],
    ['error_rate', m.canary?.errorRate],
    ['latency_p95_ms', m.canary?.latencyP95Ms],
    ['prediction_ks_statistic', m.predictions?.ksStatistic],
    ['quality_relative_change', m.quality?.relativeChange?.estimate],
  ];
  const points = values.flatMap(([metric, value]) => (value === undefined || !Number.isFinite(value) ? [] : [{ metric, value, labels, at: now }]));
  try {
    const { writeRolloutMeasurements } = await import('./analysis/serving-metrics.js');
    await writeRolloutMeasurements(await ctx.clients.monitoring(), ctx.settings.projectId, points);
  } catch (err) {
    log('WARNING', 'rollout measurement not written to Cloud Monitoring', { rollout: r.id, error: err instanceof Error ? err.message : String(err) });
  }
}
