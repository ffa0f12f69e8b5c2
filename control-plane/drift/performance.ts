// The performance check: one deployed model's logged predictions over the drift window, joined per
// instance with the actuals (the spec's rollout.groundTruth), scored with R², RMSE, MAE or accuracy.
// Only sums leave BigQuery: n, Σ squared and absolute errors, the total sum of squares
// (R² = 1 − SSE/SST), and the count of correct labels. Instances without the id, an actual or a
// numeric prediction are skipped, as in the rollout's quality comparison. SST is n·VAR_POP(y), so
// that constant actuals give SST 0 (R² undefined) rather than a rounding residue.
import type { BigQuery } from '@google-cloud/bigquery';
import { z } from 'zod';
import type { TableRef } from '../rollouts/analysis/request-log-query.js';
import { aggregateRows, columnNameSchema, tableRefSchema, tableSql } from '../rollouts/analysis/request-log-query.js';

export type PerformanceMetric = 'r2' | 'rmse' | 'mae' | 'accuracy';

export interface PerformanceRequest {
  readonly logTable: TableRef;
  readonly endpoint: string;
  readonly deployedModelId: string;
  readonly start: Date;
  readonly end: Date;
  readonly actuals: { readonly table: TableRef; readonly idField: string; readonly labelColumn: string };
  readonly metric: PerformanceMetric;
}

export interface PerformanceValue {
  /** Instances joined with an actual and a usable prediction. */
  readonly n: number;
  /** Undefined without instances (R²: also when every actual is equal). */
  readonly value: number | undefined;
}

const requestSchema = z.object({
  logTable: tableRefSchema,
  endpoint: z.string().regex(/^projects\/[^/]+\/locations\/[^/]+\/endpoints\/[^/]+$/, 'projects/P/locations/L/endpoints/E'),
  deployedModelId: z.string().min(1),
  start: z.date(),
  end: z.date(),
  actuals: z.object({ table: tableRefSchema, idField: columnNameSchema, labelColumn: columnNameSchema }).strict(),
  metric: z.enum(['r2', 'rmse', 'mae', 'accuracy']),
}).refine((r) => r.start.getTime() < r.end.getTime(), { message: 'start must be before end', path: ['end'] });

const sumsRow = z.object({
  n: z.coerce.number().int(),
  sse: z.number().nullable(),
  sae: z.number().nullable(),
  /** n · population variance of the actuals: the total sum of squares, without Σy² − (Σy)²/n's cancellation. */
  sst: z.number().nullable(),
  correct: z.coerce.number().nullable(),
});

export function performanceQuery(request: PerformanceRequest): { sql: string; params: Record<string, unknown>; types: Record<string, string> } {
  const { idField, labelColumn } = request.actuals;
  const label = `actual.\`${labelColumn}\``;
  const classification = request.metric === 'accuracy';
  const columns = classification
    ? `COALESCE(JSON_VALUE(prediction, '$.predicted_class'), JSON_VALUE(prediction)) AS predicted_label, SAFE_CAST(${label} AS STRING) AS truth_label, CAST(NULL AS FLOAT64) AS predicted, CAST(NULL AS FLOAT64) AS truth`
    : `CAST(NULL AS STRING) AS predicted_label, CAST(NULL AS STRING) AS truth_label, SAFE_CAST(JSON_VALUE(prediction) AS FLOAT64) AS predicted, SAFE_CAST(${label} AS FLOAT64) AS truth`;
  const usable = classification
    ? 'predicted_label IS NOT NULL AND truth_label IS NOT NULL'
    : 'predicted IS NOT NULL AND truth IS NOT NULL AND NOT IS_NAN(predicted) AND NOT IS_INF(predicted) AND NOT IS_NAN(truth) AND NOT IS_INF(truth)';
  const sql = `WITH instances AS (
  SELECT JSON_VALUE(instance, '$.${idField}') AS id, log.response_payload[SAFE_OFFSET(position)] AS prediction
  FROM ${tableSql(request.logTable)} AS log, UNNEST(log.request_payload) AS instance WITH OFFSET AS position
  WHERE log.endpoint = @endpoint
    AND log.deployed_model_id = @deployed_model_id
    AND log.logging_time >= @window_start
    AND log.logging_time < @window_end
),
joined AS (
  SELECT ${columns}
  FROM instances
  JOIN ${tableSql(request.actuals.table)} AS actual ON instances.id = CAST(actual.\`${idField}\` AS STRING)
)
SELECT COUNT(*) AS n,
  SUM((predicted - truth) * (predicted - truth)) AS sse,
  SUM(ABS(predicted - truth)) AS sae,
  VAR_POP(truth) * COUNT(*) AS sst,
  COUNTIF(COALESCE(SAFE_CAST(predicted_label AS FLOAT64) = SAFE_CAST(truth_label AS FLOAT64), predicted_label = truth_label)) AS correct
FROM joined
WHERE ${usable}`;
  return {
    sql,
    params: { endpoint: request.endpoint, deployed_model_id: request.deployedModelId, window_start: request.start, window_end: request.end },
    types: { endpoint: 'STRING', deployed_model_id: 'STRING', window_start: 'TIMESTAMP', window_end: 'TIMESTAMP' },
  };
}

/** The metric from the sums (exported for the tests' reference computation). */
export function metricFromSums(metric: PerformanceMetric, s: z.infer<typeof sumsRow>): PerformanceValue {
  const n = s.n;
  if (n === 0) return { n, value: undefined };
  switch (metric) {
    case 'rmse': return { n, value: Math.sqrt((s.sse ?? 0) / n) };
    case 'mae': return { n, value: (s.sae ?? 0) / n };
    case 'accuracy': return { n, value: (s.correct ?? 0) / n };
    case 'r2': {
      const sst = s.sst ?? 0;
      return { n, value: sst > 0 ? 1 - (s.sse ?? 0) / sst : undefined };
    }
  }
}

export async function measurePerformance(bigquery: BigQuery, request: PerformanceRequest): Promise<PerformanceValue> {
  const checked = requestSchema.parse(request);
  const [row] = await aggregateRows(bigquery, performanceQuery(checked), sumsRow);
  return metricFromSums(checked.metric, row ?? { n: 0, sse: null, sae: null, sst: null, correct: null });
}
