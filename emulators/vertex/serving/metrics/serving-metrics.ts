// Vertex AI's built-in online-prediction metrics, as Vertex writes them to Cloud Monitoring:
// per deployed model, counted in memory and written as DELTA points once per interval (and once
// more on stop). A prediction only updates counters; Monitoring being slow or down costs the
// points of that interval (logged), never a prediction.
import { emulatorLog } from '../../../kit/log.js';
import { LatencyDistribution } from './latency-distribution.js';
import type { DistributionJson } from './latency-distribution.js';

const PREFIX = 'aiplatform.googleapis.com/prediction/online';
export const SERVING_METRIC_TYPES = {
  predictionCount: `${PREFIX}/prediction_count`,
  errorCount: `${PREFIX}/error_count`,
  responseCount: `${PREFIX}/response_count`,
  predictionLatencies: `${PREFIX}/prediction_latencies`,
} as const;

/** Monitoring's limit on a point's frequency per series, and the default interval here (Google writes every 60 s). */
export const MIN_INTERVAL_MS = 5_000;

export interface PredictionRecord {
  /** `projects/{p}/locations/{l}/endpoints/{id}`. */
  endpoint: string;
  endpointDisplayName?: string | undefined;
  deployedModelId: string;
  modelDisplayName?: string | undefined;
  /** The HTTP status the caller got. */
  status: number;
  /** Predictions answered (successful responses only). */
  predictions: number;
  /** From the request's arrival to the answer. */
  totalMs: number;
  /** The model server's share (undefined when the request never reached it). */
  modelMs?: number | undefined;
}

/** One CreateTimeSeriesRequest body per project. */
export interface TimeSeriesWriter {
  write(project: string, timeSeries: readonly unknown[]): Promise<void>;
}

export interface ServingMetricsOptions {
  writer: TimeSeriesWriter;
  /** Between flushes, at least MIN_INTERVAL_MS (default MIN_INTERVAL_MS). */
  intervalMs?: number;
  now?: () => number;
}

interface SeriesGroup {
  project: string;
  resourceLabels: Record<string, string>;
  metricLabels: Record<string, string>;
  predictions: number;
  errors: number;
  responses: Map<string, number>;
  latencies: Map<'total' | 'model' | 'overhead', LatencyDistribution>;
}

export class ServingMetrics {
  private groups = new Map<string, SeriesGroup>();
  private readonly intervalMs: number;
  private readonly now: () => number;
  private readonly timer: NodeJS.Timeout;
  /** Where the current period started (ms since the epoch, inclusive of one ms after the last end). */
  private periodStartMs: number;
  private lastEndMs: number | undefined;
  private flushing: Promise<void> | undefined;

  constructor(private readonly options: ServingMetricsOptions) {
    this.intervalMs = Math.max(MIN_INTERVAL_MS, options.intervalMs ?? MIN_INTERVAL_MS);
    this.now = options.now ?? Date.now;
    this.periodStartMs = this.now();
    this.timer = setInterval(() => void this.flush(), this.intervalMs).unref();
  }

  record(r: PredictionRecord): void {
    const parsed = parseEndpointName(r.endpoint);
    if (!parsed || !r.deployedModelId) return;
    const metricLabels: Record<string, string> = { deployed_model_id: r.deployedModelId };
    if (r.endpointDisplayName) metricLabels.endpoint_display_name = r.endpointDisplayName;
    if (r.modelDisplayName) metricLabels.model_display_name = r.modelDisplayName;
    const key = JSON.stringify([r.endpoint, metricLabels]);
    let group = this.groups.get(key);
    if (!group) {
      group = {
        project: parsed.project,
        resourceLabels: { resource_container: parsed.project, location: parsed.location, endpoint_id: parsed.endpointId },
        metricLabels,
        predictions: 0,
        errors: 0,
        responses: new Map(),
        latencies: new Map(),
      };
      this.groups.set(key, group);
    }
    const ok = r.status >= 200 && r.status < 300;
    if (ok) group.predictions += r.predictions;
    else group.errors += 1;
    const code = String(r.status);
    group.responses.set(code, (group.responses.get(code) ?? 0) + 1);
    this.latency(group, 'total').add(r.totalMs);
    if (r.modelMs !== undefined) {
      this.latency(group, 'model').add(r.modelMs);
      this.latency(group, 'overhead').add(Math.max(0, r.totalMs - r.modelMs));
    }
  }

  /**
   * Writes what the current period holds. One flush at a time: a tick while one is in flight is
   * skipped and its counts go out with the next. A point's end is at least MIN_INTERVAL_MS after
   * the previous one's (Monitoring's rule), so a flush soon after another ends a little ahead.
   */
  flush(): Promise<void> {
    if (this.flushing) return this.flushing.then(() => this.flush());
    if (this.groups.size === 0) return Promise.resolve();
    const groups = [...this.groups.values()];
    this.groups = new Map();
    const endMs = Math.max(this.now(), (this.lastEndMs ?? Number.NEGATIVE_INFINITY) + MIN_INTERVAL_MS, this.periodStartMs + 1);
    const interval = { startTime: new Date(this.periodStartMs).toISOString(), endTime: new Date(endMs).toISOString() };
    this.lastEndMs = endMs;
    this.periodStartMs = endMs + 1;
    this.flushing = this.send(groups, interval).finally(() => (this.flushing = undefined));
    return this.flushing;
  }

  /** Stops the timer and writes the last period. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }

  private latency(group: SeriesGroup, type: 'total' | 'model' | 'overhead'): LatencyDistribution {
    let d = group.latencies.get(type);
    if (!d) group.latencies.set(type, (d = new LatencyDistribution()));
    return d;
  }

  private async send(groups: readonly SeriesGroup[], interval: { startTime: string; endTime: string }): Promise<void> {
    const byProject = new Map<string, unknown[]>();
    for (const g of groups) {
      const list = byProject.get(g.project) ?? [];
      list.push(...toTimeSeries(g, interval));
      byProject.set(g.project, list);
    }
    await Promise.all(
      [...byProject.entries()].map(async ([project, series]) => {
        // timeSeries.create takes at most 200 series per request.
        for (let i = 0; i < series.length; i += 200) {
          const chunk = series.slice(i, i + 200);
          try {
            await this.options.writer.write(project, chunk);
          } catch (error) {
            emulatorLog('WARNING', `serving metrics lost: ${chunk.length} time series of ${interval.startTime}..${interval.endTime} could not be written to Cloud Monitoring`, {
              component: 'vertex-serving',
              project,
              error: error instanceof Error ? error.message : String(error),
            });
          }
        }
      }),
    );
  }
}

function toTimeSeries(g: SeriesGroup, interval: { startTime: string; endTime: string }): unknown[] {
  const resource = { type: 'aiplatform.googleapis.com/Endpoint', labels: g.resourceLabels };
  const int = (type: string, labels: Record<string, string>, value: number) => ({
    metric: { type, labels },
    resource,
    metricKind: 'DELTA',
    valueType: 'INT64',
    points: [{ interval, value: { int64Value: String(value) } }],
  });
  const dist = (labels: Record<string, string>, value: DistributionJson) => ({
    metric: { type: SERVING_METRIC_TYPES.predictionLatencies, labels },
    resource,
    metricKind: 'DELTA',
    valueType: 'DISTRIBUTION',
    points: [{ interval, value: { distributionValue: value } }],
  });
  // Every series of a group gets a point each period it saw traffic, zeros included: a canary with
  // no errors reads 0 errors rather than no data.
  return [
    int(SERVING_METRIC_TYPES.predictionCount, g.metricLabels, g.predictions),
    int(SERVING_METRIC_TYPES.errorCount, g.metricLabels, g.errors),
    ...[...g.responses.entries()].map(([code, n]) => int(SERVING_METRIC_TYPES.responseCount, { ...g.metricLabels, response_code: code }, n)),
    ...[...g.latencies.entries()].filter(([, d]) => d.size > 0).map(([type, d]) => dist({ ...g.metricLabels, latency_type: type }, d.toJson())),
  ];
}

function parseEndpointName(name: string): { project: string; location: string; endpointId: string } | undefined {
  const m = /^projects\/([^/]+)\/locations\/([^/]+)\/endpoints\/([^/]+)$/.exec(name);
  return m ? { project: m[1]!, location: m[2]!, endpointId: m[3]! } : undefined;
}
