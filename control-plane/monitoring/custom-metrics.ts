// The control plane's own numbers as Cloud Monitoring user-defined metrics: GAUGE DOUBLE points on
// the `global` resource (user-defined metrics may not use aiplatform.googleapis.com/Endpoint),
// written within Google's rules for timeSeries.create: at most 200 series per request, one point
// per series per request, points of one series at least 5 s apart.
import type { MetricServiceClient, protos } from '@google-cloud/monitoring';

type TimeSeries = protos.google.monitoring.v3.ITimeSeries;

export interface GaugePoint {
  /** The full metric type, `custom.googleapis.com/...`. */
  readonly type: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
  readonly at: Date;
}

export interface WriteOutcome {
  written: number;
  /** Points dropped because a later point of the same series came within 5 s (the later one is kept). */
  skipped: number;
}

/** Google: "Don't add data points to the same time series faster than one point each 5 seconds." */
const MIN_POINT_SPACING_MS = 5_000;
const MAX_SERIES_PER_REQUEST = 200;
const METRIC_TYPE = /^custom\.googleapis\.com\/[a-z][a-z0-9_]*(?:\/[a-z][a-z0-9_]*)*$/;
const LABEL_KEY = /^[a-z][a-z0-9_]{0,99}$/;

/**
 * Writes the points; those of one series closer than 5 s apart are merged by keeping the later one,
 * the rest go out oldest first. The caller must not write a series again within 5 s of its last point.
 */
export async function writeGauges(client: MetricServiceClient, projectId: string, points: readonly GaugePoint[]): Promise<WriteOutcome> {
  for (const p of points) {
    if (!METRIC_TYPE.test(p.type)) throw new Error(`metric type '${p.type}' must be custom.googleapis.com/ followed by lowercase letters, digits, underscores and slashes`);
    if (!Number.isFinite(p.value)) throw new Error(`metric ${p.type} has a non-finite value ${p.value}`);
    for (const key of Object.keys(p.labels)) if (!LABEL_KEY.test(key)) throw new Error(`metric ${p.type}: label key '${key}' must be lowercase letters, digits and underscores`);
  }
  const bySeries = new Map<string, GaugePoint[]>();
  for (const p of [...points].sort((a, b) => a.at.getTime() - b.at.getTime())) {
    const key = JSON.stringify([p.type, Object.entries(p.labels).sort(([a], [b]) => a.localeCompare(b))]);
    const kept = bySeries.get(key) ?? [];
    const last = kept.at(-1);
    if (last && p.at.getTime() - last.at.getTime() < MIN_POINT_SPACING_MS) kept[kept.length - 1] = p;
    else kept.push(p);
    bySeries.set(key, kept);
  }
  const series = [...bySeries.values()];
  const written = series.reduce((n, s) => n + s.length, 0);
  // Round i holds each series' i-th point, so every request has one point per series, in time order.
  const rounds = Math.max(0, ...series.map((s) => s.length));
  for (let i = 0; i < rounds; i += 1) {
    const round = series.flatMap((s) => {
      const point = s[i];
      return point ? [toTimeSeries(projectId, point)] : [];
    });
    for (let j = 0; j < round.length; j += MAX_SERIES_PER_REQUEST) {
      await client.createTimeSeries({ name: `projects/${projectId}`, timeSeries: round.slice(j, j + MAX_SERIES_PER_REQUEST) });
    }
  }
  return { written, skipped: points.length - written };
}

function toTimeSeries(projectId: string, p: GaugePoint): TimeSeries {
  return {
    metric: { type: p.type, labels: { ...p.labels } },
    resource: { type: 'global', labels: { project_id: projectId } },
    metricKind: 'GAUGE',
    valueType: 'DOUBLE',
    points: [{ interval: { endTime: timestamp(p.at.getTime()) }, value: { doubleValue: p.value } }],
  };
}

export function timestamp(ms: number): { seconds: number; nanos: number } {
  const seconds = Math.floor(ms / 1000);
  return { seconds, nanos: Math.round((ms - seconds * 1000) * 1e6) };
}
