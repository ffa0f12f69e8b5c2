// Serving numbers of a rollout window from Cloud Monitoring: Vertex AI's built-in online-prediction
// metrics per deployed model (read), and the rollout's own measurements as user-defined metrics
// (written). Pure functions over an injected MetricServiceClient.
import type { MetricServiceClient, protos } from '@google-cloud/monitoring';
import type { WriteOutcome } from '../../monitoring/custom-metrics.js';
import { timestamp, writeGauges } from '../../monitoring/custom-metrics.js';

type TimeSeries = protos.google.monitoring.v3.ITimeSeries;
type Reducer = 'REDUCE_SUM' | 'REDUCE_PERCENTILE_50' | 'REDUCE_PERCENTILE_95';

const VERTEX = 'aiplatform.googleapis.com/prediction/online';
export const SERVING_METRICS = {
  responseCount: `${VERTEX}/response_count`,
  predictionCount: `${VERTEX}/prediction_count`,
  errorCount: `${VERTEX}/error_count`,
  predictionLatencies: `${VERTEX}/prediction_latencies`,
} as const;

/** Google: an alignment period is at least 60 s. */
const MIN_ALIGNMENT_SECONDS = 60;

export interface ServingMetrics {
  /** Responses of every code (response_count summed): each request gets exactly one response. */
  requestCount: number;
  /** Predictions answered (instances of successful requests). */
  predictionCount: number;
  /** Failed requests (error_count). */
  errorCount: number;
  /** errorCount / requestCount; undefined without requests. */
  errorRate: number | undefined;
  /** Of the "total" latency (what the caller waits); undefined without requests. */
  latencyP50Ms: number | undefined;
  latencyP95Ms: number | undefined;
}

export interface ServingMetricsQuery {
  projectId: string;
  location: string;
  endpointId: string;
  deployedModelIds: readonly string[];
  start: Date;
  end: Date;
}

/**
 * Per deployed model, over (start, end], aggregated as one alignment period: counts with
 * ALIGN_DELTA + REDUCE_SUM, latency percentiles with ALIGN_DELTA (the window's distributions
 * merged) + REDUCE_PERCENTILE_50/95, all grouped by `metric.label.deployed_model_id`. A window
 * shorter than 60 s (Google's minimum alignment period) is widened to the 60 s ending at `end`,
 * so it also counts traffic from just before `start`. Every id asked for is in the result.
 */
export async function readServingMetrics(client: MetricServiceClient, query: ServingMetricsQuery): Promise<Record<string, ServingMetrics>> {
  const periodSeconds = Math.max(MIN_ALIGNMENT_SECONDS, Math.ceil((query.end.getTime() - query.start.getTime()) / 1000));
  const endMs = query.end.getTime();
  const interval = { startTime: timestamp(endMs - periodSeconds * 1000), endTime: timestamp(endMs) };
  const resource = [
    'resource.type = "aiplatform.googleapis.com/Endpoint"',
    `resource.labels.endpoint_id = "${quote(query.endpointId)}"`,
    `resource.labels.location = "${quote(query.location)}"`,
  ].join(' AND ');
  const read = async (metricType: string, reducer: Reducer, extraFilter = ''): Promise<Map<string, number>> => {
    const [series]: [TimeSeries[], unknown, unknown] = await client.listTimeSeries(
      {
        name: `projects/${query.projectId}`,
        filter: `metric.type = "${metricType}" AND ${resource}${extraFilter}`,
        interval,
        aggregation: {
          alignmentPeriod: { seconds: periodSeconds },
          perSeriesAligner: 'ALIGN_DELTA',
          crossSeriesReducer: reducer,
          groupByFields: ['metric.label.deployed_model_id'],
        },
        view: 'FULL',
      },
      { autoPaginate: true },
    );
    return byDeployedModel(series);
  };
  const total = ' AND metric.labels.latency_type = "total"';
  const [responses, predictions, errors, p50, p95] = await Promise.all([
    read(SERVING_METRICS.responseCount, 'REDUCE_SUM'),
    read(SERVING_METRICS.predictionCount, 'REDUCE_SUM'),
    read(SERVING_METRICS.errorCount, 'REDUCE_SUM'),
    read(SERVING_METRICS.predictionLatencies, 'REDUCE_PERCENTILE_50', total),
    read(SERVING_METRICS.predictionLatencies, 'REDUCE_PERCENTILE_95', total),
  ]);
  const out: Record<string, ServingMetrics> = {};
  for (const id of query.deployedModelIds) {
    const requestCount = responses.get(id) ?? 0;
    const errorCount = errors.get(id) ?? 0;
    out[id] = {
      requestCount,
      predictionCount: predictions.get(id) ?? 0,
      errorCount,
      errorRate: requestCount > 0 ? errorCount / requestCount : undefined,
      latencyP50Ms: requestCount > 0 ? p50.get(id) : undefined,
      latencyP95Ms: requestCount > 0 ? p95.get(id) : undefined,
    };
  }
  return out;
}

/** One value per deployed model: the sum of the (single-period) points of its group. */
function byDeployedModel(series: readonly TimeSeries[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const s of series) {
    const id = s.metric?.labels?.deployed_model_id;
    if (!id) continue;
    for (const point of s.points ?? []) {
      const value = numberOf(point.value);
      if (value !== undefined) out.set(id, (out.get(id) ?? 0) + value);
    }
  }
  return out;
}

function numberOf(value: protos.google.monitoring.v3.ITypedValue | null | undefined): number | undefined {
  if (!value) return undefined;
  if (value.int64Value !== undefined && value.int64Value !== null) return Number(String(value.int64Value));
  if (value.doubleValue !== undefined && value.doubleValue !== null) return Number.isFinite(value.doubleValue) ? value.doubleValue : undefined;
  return undefined;
}

// ---- the rollout's own measurements ------------------------------------------------------------

export interface RolloutMeasurement {
  /** `custom.googleapis.com/mlops/rollout/<metric>`: request_count, error_rate, latency_p95_ms, ... */
  metric: string;
  value: number;
  labels: { model: string; version: string; deployedModelId: string; rolloutId: string; step: number };
  at: Date;
}

export const ROLLOUT_METRIC_PREFIX = 'custom.googleapis.com/mlops/rollout/';

export type { WriteOutcome };

/** The measurements as GAUGE points (custom-metrics.ts: Google's write rules); at most one point per series per 5 s. */
export async function writeRolloutMeasurements(client: MetricServiceClient, projectId: string, points: readonly RolloutMeasurement[]): Promise<WriteOutcome> {
  for (const p of points) {
    if (!/^[a-z][a-z0-9_]*$/.test(p.metric)) throw new Error(`rollout metric name '${p.metric}' must be lowercase letters, digits and underscores`);
  }
  return writeGauges(client, projectId, points.map((p) => ({
    type: `${ROLLOUT_METRIC_PREFIX}${p.metric}`,
    labels: { model: p.labels.model, version: p.labels.version, deployed_model_id: p.labels.deployedModelId, rollout_id: p.labels.rolloutId, step: String(p.labels.step) },
    value: p.value,
    at: p.at,
  })));
}

/** A value inside a filter's double-quoted string. */
function quote(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
}
