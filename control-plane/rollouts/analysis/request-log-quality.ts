// compareQuality: the canary's and the stable model's error (RMSE, MAE) or accuracy over a window
// of the endpoint's request-response log, joined per instance to the ground truth, with
// confidence intervals and the canary's relative change. Only per-version aggregates (n, mean and
// sample variance of the per-instance loss) leave BigQuery.
//
// Join. Each logged request holds its instances and predictions as parallel REPEATED STRINGs:
// UNNEST(request_payload) WITH OFFSET gives each instance its position, and the prediction at the
// same offset is response_payload[SAFE_OFFSET(position)] (the same pairing as joining a second
// UNNEST ... WITH OFFSET on equal offsets, without the per-request cross product; SAFE_ makes a
// shorter response a NULL prediction, skipped). JSON_VALUE(instance, '$.<idField>') is compared with
// CAST(actual.<idField> AS STRING). The actuals table should hold one row per id: an id with two
// rows counts its instances twice.
//
// Skipped, not failing: predictions or labels that are not numbers (RMSE/MAE), NaN or ±Inf,
// instances without the id field or without an actual, responses shorter than their requests.
// Accuracy reads the predicted label as `predicted_class` (the servers' return_probabilities
// objects) or the scalar itself, and compares numerically when both sides are numbers (so 1 and
// 1.0 match), as text otherwise.
//
// Intervals (request-log-intervals.ts). Per version: RMSE = √MSE with the Wald interval of the
// MSE (the per-instance squared errors' mean ± z·√(VAR_SAMP/n)) mapped through √ (clipped at 0);
// MAE likewise without the root; accuracy with Wilson's score interval. Relative change
// (positive = canary worse, for every metric): canary/stable − 1 for RMSE and MAE, and the relative
// drop 1 − canary/stable for accuracy, each with the delta-method interval of the log of the ratio
// of two independent means (the versions serve disjoint requests), exponentiated; for RMSE the
// log is halved (√ of the MSE ratio).
import type { BigQuery } from '@google-cloud/bigquery';
import { z } from 'zod';
import type { Interval, LossMoments } from './request-log-intervals.js';
import { logRatioInterval, meanInterval, twoSidedZ, wilsonInterval } from './request-log-intervals.js';
import type { LogWindow, TableRef } from './request-log-query.js';
import { aggregateRows, columnNameSchema, logWindowSchema, tableRefSchema, tableSql, versionOf, windowFilter } from './request-log-query.js';

export type QualityMetric = 'rmse' | 'mae' | 'accuracy';

export interface ActualsSource {
  readonly table: TableRef;
  /** The key in each logged instance (`$.<idField>`) and the actuals table's column of the same name. */
  readonly idField: string;
  /** The ground truth column (a number for RMSE/MAE; a label for accuracy). */
  readonly labelColumn: string;
}

export interface CompareQualityRequest extends LogWindow {
  readonly actuals: ActualsSource;
  readonly metric: QualityMetric;
  /** Two-sided confidence level of every interval, e.g. 0.95. */
  readonly confidence: number;
}

export interface VersionQuality {
  /** Instances joined to an actual with a usable prediction. */
  readonly n: number;
  /** The metric; undefined when n is 0. */
  readonly value: number | undefined;
  /** Undefined when n < 2. */
  readonly ci: Interval | undefined;
}

export interface QualityComparison {
  readonly metric: QualityMetric;
  readonly confidence: number;
  readonly stable: VersionQuality;
  readonly canary: VersionQuality;
  /**
   * Positive means the canary is worse: canary/stable − 1 for RMSE and MAE, 1 − canary/stable
   * for accuracy. Undefined when a version has fewer than 2 instances or a zero metric.
   */
  readonly relativeChange: { readonly estimate: number; readonly ci: Interval } | undefined;
}

const requestSchema = logWindowSchema.and(
  z.object({
    actuals: z.object({ table: tableRefSchema, idField: columnNameSchema, labelColumn: columnNameSchema }).strict(),
    metric: z.enum(['rmse', 'mae', 'accuracy']),
    confidence: z.number().gt(0).lt(1),
  }),
);

const momentsRow = z.object({
  deployed_model_id: z.string(),
  n: z.coerce.number().int(),
  mean: z.number().nullable(),
  variance: z.number().nullable(),
});

/** The joined row's `predicted` and `truth` columns, per metric. */
function columnsSql(metric: QualityMetric, label: string): string {
  if (metric === 'accuracy') return `COALESCE(JSON_VALUE(prediction, '$.predicted_class'), JSON_VALUE(prediction)) AS predicted, SAFE_CAST(${label} AS STRING) AS truth`;
  return `SAFE_CAST(JSON_VALUE(prediction) AS FLOAT64) AS predicted, SAFE_CAST(${label} AS FLOAT64) AS truth`;
}

/** The per-instance loss over `predicted` and `truth`, and when an instance counts. */
function lossSql(metric: QualityMetric): { loss: string; usable: string } {
  if (metric === 'accuracy') {
    return {
      loss: 'IF(COALESCE(SAFE_CAST(predicted AS FLOAT64) = SAFE_CAST(truth AS FLOAT64), predicted = truth), 1, 0)',
      usable: 'predicted IS NOT NULL AND truth IS NOT NULL',
    };
  }
  return {
    loss: metric === 'rmse' ? '(predicted - truth) * (predicted - truth)' : 'ABS(predicted - truth)',
    usable: 'predicted IS NOT NULL AND truth IS NOT NULL AND NOT IS_NAN(predicted) AND NOT IS_INF(predicted) AND NOT IS_NAN(truth) AND NOT IS_INF(truth)',
  };
}

/** The SQL and parameters of the per-version loss moments (exported for the benchmark and tests). */
export function qualityMomentsQuery(request: CompareQualityRequest): { sql: string; params: Record<string, unknown>; types: Record<string, string> } {
  const filter = windowFilter(request);
  const { idField, labelColumn } = request.actuals;
  const { loss, usable } = lossSql(request.metric);
  const sql = `WITH instances AS (
  SELECT log.deployed_model_id AS deployed_model_id, JSON_VALUE(instance, '$.${idField}') AS id, log.response_payload[SAFE_OFFSET(position)] AS prediction
  FROM ${tableSql(request.logTable)} AS log, UNNEST(log.request_payload) AS instance WITH OFFSET AS position
  WHERE ${filter.sql}
),
joined AS (
  SELECT instances.deployed_model_id AS deployed_model_id, ${columnsSql(request.metric, `actual.\`${labelColumn}\``)}
  FROM instances
  JOIN ${tableSql(request.actuals.table)} AS actual ON instances.id = CAST(actual.\`${idField}\` AS STRING)
  WHERE instances.id IS NOT NULL AND instances.prediction IS NOT NULL
),
losses AS (
  SELECT deployed_model_id, ${loss} AS loss FROM joined WHERE ${usable}
)
SELECT deployed_model_id, COUNT(*) AS n, AVG(loss) AS mean, VAR_SAMP(loss) AS variance
FROM losses
GROUP BY deployed_model_id`;
  return { sql, params: filter.params, types: filter.types };
}

export async function compareQuality(bigquery: BigQuery, request: CompareQualityRequest): Promise<QualityComparison> {
  const checked = requestSchema.parse(request);
  const rows = await aggregateRows(bigquery, qualityMomentsQuery(checked), momentsRow);
  const moments: Record<'stable' | 'canary', LossMoments> = { stable: { n: 0, mean: 0, variance: undefined }, canary: { n: 0, mean: 0, variance: undefined } };
  for (const row of rows) {
    const version = versionOf(checked, row.deployed_model_id);
    if (version === undefined || row.n === 0 || row.mean === null) continue;
    moments[version] = { n: row.n, mean: row.mean, variance: row.variance ?? undefined };
  }
  return qualityFromMoments(checked.metric, checked.confidence, moments.stable, moments.canary);
}

/** The metric, intervals and relative change from each version's loss moments. */
export function qualityFromMoments(metric: QualityMetric, confidence: number, stable: LossMoments, canary: LossMoments): QualityComparison {
  const z = twoSidedZ(confidence);
  const version = (m: LossMoments): VersionQuality => {
    if (m.n === 0) return { n: 0, value: undefined, ci: undefined };
    if (metric === 'accuracy') return { n: m.n, value: m.mean, ci: m.n < 2 ? undefined : wilsonInterval(m.mean * m.n, m.n, z) };
    const interval = meanInterval(m, z);
    if (metric === 'mae') return { n: m.n, value: m.mean, ci: interval && [Math.max(0, interval[0]), interval[1]] };
    return { n: m.n, value: Math.sqrt(m.mean), ci: interval && [Math.sqrt(Math.max(0, interval[0])), Math.sqrt(interval[1])] };
  };
  const ratio = logRatioInterval(canary, stable, z, metric === 'rmse' ? 0.5 : 1);
  let relativeChange: QualityComparison['relativeChange'];
  if (ratio !== undefined && canary.n >= 2 && stable.n >= 2) {
    relativeChange =
      metric === 'accuracy'
        ? { estimate: 1 - ratio.ratio, ci: [1 - ratio.ci[1], 1 - ratio.ci[0]] }
        : { estimate: ratio.ratio - 1, ci: [ratio.ci[0] - 1, ratio.ci[1] - 1] };
  }
  return { metric, confidence, stable: version(stable), canary: version(canary), relativeChange };
}
