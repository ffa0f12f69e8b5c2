// Writing and reading time series through the official client: gauge and cumulative series,
// filters and intervals, aggregation checked against hand-computed values, and Google's rules.
import type { protos } from '@google-cloud/monitoring';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alignedSecondsAgo, at, callError, PARENT, PROJECT, startTestEmulator, type TestEmulator } from './support.js';

type TimeSeries = protos.google.monitoring.v3.ITimeSeries;
type Aggregation = protos.google.monitoring.v3.IAggregation;

const LATENCY = 'custom.googleapis.com/emulator/latency_ms';
const REQUESTS = 'custom.googleapis.com/emulator/request_count';

const task = (taskId: string) => ({ type: 'generic_task', labels: { project_id: PROJECT, location: 'us-central1', namespace: 'serving', job: 'predictor', task_id: taskId } });
// User-defined metrics may not use aiplatform.googleapis.com/Endpoint (only Vertex's own metrics do).
const endpoint = { type: 'generic_node', labels: { location: 'us-central1', namespace: 'serving', node_id: '1234' } };

let env: TestEmulator;
/** The newest period boundary used by the tests: a whole minute, two minutes ago. */
let T: number;

interface SeriesSpec {
  metric: { type: string; labels: Record<string, string> };
  resource: { type: string; labels: Record<string, string> };
  metricKind?: 'GAUGE' | 'CUMULATIVE';
  points: { start?: number; end: number; double?: number; int?: number }[];
}

/** Writes the series the way Google wants: one point per series per request, oldest first. */
async function writeRounds(specs: SeriesSpec[]): Promise<void> {
  const rounds = Math.max(...specs.map((s) => s.points.length));
  for (let r = 0; r < rounds; r += 1) {
    const timeSeries: TimeSeries[] = specs
      .filter((s) => r < s.points.length)
      .map((s) => {
        const p = s.points[r]!;
        return {
          metric: s.metric,
          resource: s.resource,
          ...(s.metricKind ? { metricKind: s.metricKind } : {}),
          points: [
            {
              interval: { endTime: at(p.end), ...(p.start !== undefined ? { startTime: at(p.start) } : {}) },
              value: p.int !== undefined ? { int64Value: p.int } : { doubleValue: p.double ?? 0 },
            },
          ],
        };
      });
    await env.client.createTimeSeries({ name: PARENT, timeSeries });
  }
}

function num(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string') return Number(value);
  return Number(String(value)); // Long
}

/** Point values (newest first) and end times (seconds relative to T). */
function pointsOf(series: TimeSeries | undefined): { t: number; v: number }[] {
  return (series?.points ?? []).map((p) => ({
    t: num(p.interval?.endTime?.seconds) - T,
    v: num(p.value?.doubleValue ?? p.value?.int64Value ?? Number.NaN),
  }));
}

async function list(filter: string, startOffset: number, endOffset: number, aggregation?: Aggregation): Promise<TimeSeries[]> {
  const [series] = await env.client.listTimeSeries({
    name: PARENT,
    filter,
    interval: { startTime: at(T + startOffset), endTime: at(T + endOffset) },
    ...(aggregation ? { aggregation } : {}),
  });
  return series;
}

const latency = (extra = '') => `metric.type = "${LATENCY}"${extra ? ` AND ${extra}` : ''}`;

beforeAll(async () => {
  env = await startTestEmulator();
  T = alignedSecondsAgo(2);
  await env.client.createMetricDescriptor({
    name: PARENT,
    metricDescriptor: { type: LATENCY, metricKind: 'GAUGE', valueType: 'DOUBLE', unit: 'ms', labels: [{ key: 'route' }] },
  });
  await writeRounds([
    {
      // Period (T-120, T-60]: 5, 15 (mean 10). Period (T-60, T]: 0, 10, ..., 100 every 5 s (mean 50, p95 95, p99 99).
      metric: { type: LATENCY, labels: { route: '/predict' } },
      resource: task('t0'),
      points: [{ end: T - 110, double: 5 }, { end: T - 70, double: 15 }, ...Array.from({ length: 11 }, (_, i) => ({ end: T - 50 + 5 * i, double: 10 * i }))],
    },
    { metric: { type: LATENCY, labels: { route: '/predict' } }, resource: task('t1'), points: [{ end: T - 30, double: 200 }, { end: T, double: 300 }] },
    { metric: { type: LATENCY, labels: { route: '/health' } }, resource: task('t0'), points: [{ end: T - 20, double: 1 }] },
    {
      // Cumulative counter started at T-125; no descriptor yet: Google auto-creates it.
      metric: { type: REQUESTS, labels: { model: 'churn' } },
      resource: endpoint,
      metricKind: 'CUMULATIVE',
      points: [{ start: T - 125, end: T - 120, int: 10 }, { start: T - 125, end: T - 60, int: 70 }, { start: T - 125, end: T, int: 190 }],
    },
  ]);
});

afterAll(async () => {
  await env.stop();
});

describe('reading raw series', () => {
  it('lists series of a metric type with a label filter, points newest first', async () => {
    const series = await list(latency('metric.labels.route = "/predict"'), -120, 0);
    expect(series.map((s) => s.resource?.labels?.task_id)).toEqual(['t0', 't1']);
    const [a, b] = series;
    expect(a).toMatchObject({ metric: { type: LATENCY, labels: { route: '/predict' } }, metricKind: 'GAUGE', valueType: 'DOUBLE', unit: 'ms' });
    expect(a?.resource).toEqual({ type: 'generic_task', labels: task('t0').labels });
    expect(pointsOf(a)).toHaveLength(13);
    expect(pointsOf(a)[0]).toEqual({ t: 0, v: 100 });
    expect(pointsOf(a).at(-1)).toEqual({ t: -110, v: 5 });
    expect(pointsOf(b)).toEqual([{ t: 0, v: 300 }, { t: -30, v: 200 }]);
  });

  it('filters on resource labels and resource type', async () => {
    expect((await list(latency('resource.labels.task_id = "t1"'), -120, 0)).map((s) => s.metric?.labels?.route)).toEqual(['/predict']);
    expect(await list(latency('resource.type = "global"'), -120, 0)).toEqual([]);
    expect(await list(latency('resource.type = "generic_task"'), -120, 0)).toHaveLength(3);
  });

  it('returns only points in (startTime, endTime] and only series with points there', async () => {
    const series = await list(latency('metric.labels.route = "/predict"'), -60, -30);
    expect(pointsOf(series[0]).map((p) => p.t)).toEqual([-30, -35, -40, -45, -50]);
    expect(pointsOf(series[1])).toEqual([{ t: -30, v: 200 }]);
    expect(await list(latency('metric.labels.route = "/health"'), -60, -25)).toEqual([]);
  });

  it('reads cumulative points with their start time, under an auto-created descriptor', async () => {
    const [series] = await list(`metric.type = "${REQUESTS}"`, -180, 0);
    expect(series).toMatchObject({ metricKind: 'CUMULATIVE', valueType: 'INT64', resource: { type: endpoint.type, labels: { ...endpoint.labels, project_id: PROJECT } } });
    expect(pointsOf(series)).toEqual([{ t: 0, v: 190 }, { t: -60, v: 70 }, { t: -120, v: 10 }]);
    expect(series?.points?.map((p) => num(p.interval?.startTime?.seconds) - T)).toEqual([-125, -125, -125]);
    const [descriptor] = await env.client.getMetricDescriptor({ name: `${PARENT}/metricDescriptors/${REQUESTS}` });
    expect(descriptor).toMatchObject({ metricKind: 'CUMULATIVE', valueType: 'INT64', labels: [{ key: 'model', valueType: 'STRING' }] });
  });

  it('returns headers only in the HEADERS view', async () => {
    const [series] = await env.client.listTimeSeries({ name: PARENT, filter: latency(), interval: { startTime: at(T - 120), endTime: at(T) }, view: 'HEADERS' });
    expect(series).toHaveLength(3);
    expect(series.every((s) => (s.points ?? []).length === 0)).toBe(true);
  });

  it('pages by points in the FULL view, splitting a series across pages', async () => {
    const request = { name: PARENT, filter: latency('metric.labels.route = "/predict"'), interval: { startTime: at(T - 120), endTime: at(T) }, pageSize: 5 };
    const pages: TimeSeries[][] = [];
    let pageToken: string | undefined;
    do {
      const [page, , response] = await env.client.listTimeSeries({ ...request, ...(pageToken ? { pageToken } : {}) }, { autoPaginate: false });
      pages.push(page);
      pageToken = response?.nextPageToken || undefined;
    } while (pageToken);
    expect(pages.map((p) => p.map((s) => (s.points ?? []).length))).toEqual([[5], [5], [3, 2]]);
  });
});

describe('aggregation', () => {
  const period = { seconds: 60 };
  const one = (series: TimeSeries[]) => {
    expect(series).toHaveLength(1);
    return pointsOf(series[0]);
  };
  const taskT0Predict = latency('metric.labels.route = "/predict" AND resource.labels.task_id = "t0"');

  it('aligns with mean, sum, min, max and count per 60 s period, newest period first', async () => {
    expect(one(await list(taskT0Predict, -120, 0, { alignmentPeriod: period, perSeriesAligner: 'ALIGN_MEAN' }))).toEqual([{ t: 0, v: 50 }, { t: -60, v: 10 }]);
    expect(one(await list(taskT0Predict, -120, 0, { alignmentPeriod: period, perSeriesAligner: 'ALIGN_SUM' }))).toEqual([{ t: 0, v: 550 }, { t: -60, v: 20 }]);
    expect(one(await list(taskT0Predict, -60, 0, { alignmentPeriod: period, perSeriesAligner: 'ALIGN_MAX' }))).toEqual([{ t: 0, v: 100 }]);
    expect(one(await list(taskT0Predict, -60, 0, { alignmentPeriod: period, perSeriesAligner: 'ALIGN_MIN' }))).toEqual([{ t: 0, v: 0 }]);
    const [count] = await list(taskT0Predict, -60, 0, { alignmentPeriod: period, perSeriesAligner: 'ALIGN_COUNT' });
    expect(count).toMatchObject({ valueType: 'INT64', metricKind: 'GAUGE' });
    expect(pointsOf(count)).toEqual([{ t: 0, v: 11 }]);
  });

  it('computes p95 and p99 over a period by linear interpolation', async () => {
    const [p95] = one(await list(taskT0Predict, -60, 0, { alignmentPeriod: period, perSeriesAligner: 'ALIGN_PERCENTILE_95' }));
    const [p99] = one(await list(taskT0Predict, -60, 0, { alignmentPeriod: period, perSeriesAligner: 'ALIGN_PERCENTILE_99' }));
    expect(p95?.v).toBeCloseTo(95, 9);
    expect(p99?.v).toBeCloseTo(99, 9);
  });

  it('reduces across series: sum grouped by a metric label, mean and percentiles over all', async () => {
    // Per-series means over (T-60, T]: /predict t0 → 50, /predict t1 → 250, /health t0 → 1.
    const byRoute = await list(latency(), -60, 0, { alignmentPeriod: period, perSeriesAligner: 'ALIGN_MEAN', crossSeriesReducer: 'REDUCE_SUM', groupByFields: ['metric.labels.route'] });
    expect(byRoute.map((s) => [s.metric?.labels, s.resource?.labels ?? {}, pointsOf(s)])).toEqual([
      [{ route: '/health' }, {}, [{ t: 0, v: 1 }]],
      [{ route: '/predict' }, {}, [{ t: 0, v: 300 }]],
    ]);
    const mean = one(await list(latency(), -60, 0, { alignmentPeriod: period, perSeriesAligner: 'ALIGN_MEAN', crossSeriesReducer: 'REDUCE_MEAN' }));
    expect(mean[0]?.v).toBeCloseTo(301 / 3, 9);
    const p95 = one(await list(latency(), -60, 0, { alignmentPeriod: period, perSeriesAligner: 'ALIGN_MEAN', crossSeriesReducer: 'REDUCE_PERCENTILE_95' }));
    const p99 = one(await list(latency(), -60, 0, { alignmentPeriod: period, perSeriesAligner: 'ALIGN_MEAN', crossSeriesReducer: 'REDUCE_PERCENTILE_99' }));
    expect(p95[0]?.v).toBeCloseTo(230, 9); // ranks of [1, 50, 250]: 1.9 → 50 + 0.9 × 200
    expect(p99[0]?.v).toBeCloseTo(246, 9);
  });

  it('groups by a resource label', async () => {
    const byTask = await list(latency(), -60, 0, { alignmentPeriod: period, perSeriesAligner: 'ALIGN_MAX', crossSeriesReducer: 'REDUCE_SUM', groupByFields: ['resource.labels.task_id'] });
    expect(byTask.map((s) => [s.resource?.labels?.task_id, pointsOf(s)[0]?.v])).toEqual([
      ['t0', 101],
      ['t1', 300],
    ]);
  });

  it('turns a cumulative counter into deltas and rates', async () => {
    const [delta] = await list(`metric.type = "${REQUESTS}"`, -120, 0, { alignmentPeriod: period, perSeriesAligner: 'ALIGN_DELTA' });
    expect(delta).toMatchObject({ metricKind: 'DELTA', valueType: 'INT64' });
    expect(pointsOf(delta)).toEqual([{ t: 0, v: 120 }, { t: -60, v: 60 }]);
    expect(delta?.points?.map((p) => num(p.interval?.startTime?.seconds) - T)).toEqual([-60, -120]);
    const [rate] = await list(`metric.type = "${REQUESTS}"`, -120, 0, { alignmentPeriod: period, perSeriesAligner: 'ALIGN_RATE', crossSeriesReducer: 'REDUCE_SUM' });
    expect(rate).toMatchObject({ metricKind: 'GAUGE', valueType: 'DOUBLE' });
    expect(pointsOf(rate)).toEqual([{ t: 0, v: 2 }, { t: -60, v: 1 }]);
  });

  it('applies a secondary aggregation to the output of the first', async () => {
    // Per-series 60 s means, then the max of those per series over 120 s (50, 250, 1), summed.
    const [series] = await env.client.listTimeSeries({
      name: PARENT,
      filter: latency(),
      interval: { startTime: at(T - 120), endTime: at(T) },
      aggregation: { alignmentPeriod: period, perSeriesAligner: 'ALIGN_MEAN' },
      secondaryAggregation: { alignmentPeriod: { seconds: 120 }, perSeriesAligner: 'ALIGN_MAX', crossSeriesReducer: 'REDUCE_SUM' },
    });
    expect(pointsOf(series[0])).toEqual([{ t: 0, v: 301 }]);
  });

  it('accepts enums as numbers, as some callers send them', async () => {
    // 12 = ALIGN_MEAN, 4 = REDUCE_SUM.
    const series = await list(latency(), -60, 0, { alignmentPeriod: period, perSeriesAligner: 12, crossSeriesReducer: 4 });
    expect(pointsOf(series[0])).toEqual([{ t: 0, v: 301 }]);
  });

  it('rejects aggregations Google rejects', async () => {
    const cumulativeMean = await callError(list(`metric.type = "${REQUESTS}"`, -120, 0, { alignmentPeriod: period, perSeriesAligner: 'ALIGN_MEAN' }));
    expect(cumulativeMean.code).toBe(3);
    expect(cumulativeMean.message).toMatch(/aggregation.perSeriesAligner had an invalid value of "ALIGN_MEAN": The aligner cannot be applied to metrics with kind CUMULATIVE and value type INT64/);
    const noAligner = await callError(list(latency(), -60, 0, { crossSeriesReducer: 'REDUCE_SUM' }));
    expect(noAligner.message).toMatch(/aligner cannot be ALIGN_NONE/);
  });
});

describe('errors', () => {
  const gaugePoint = (end: number, value: number, labels = { route: '/predict' }, resource = task('t0')) => ({
    metric: { type: LATENCY, labels },
    resource,
    points: [{ interval: { endTime: at(end) }, value: { doubleValue: value } }],
  });

  it('answers 400 naming the problem for an invalid filter', async () => {
    const unsupported = await callError(list(latency('metric.labels.route : "/predict"'), -60, 0));
    expect(unsupported.code).toBe(3);
    expect(unsupported.message).toMatch(/^Field filter had an invalid value of ".*": the ':' \(has\) operator is not supported/);
    const noType = await callError(list('metric.labels.route = "/predict"', -60, 0));
    expect(noType.message).toMatch(/must specify a single metric type/);
    const syntax = await callError(list(`${latency()} AND`, -60, 0));
    expect(syntax.message).toMatch(/unexpected end of filter/);
  });

  it('answers 404 for a metric type that does not exist', async () => {
    const err = await callError(list('metric.type = "custom.googleapis.com/nope"', -60, 0));
    expect(err.code).toBe(5);
    expect(err.message).toMatch(/^Cannot find metric\(s\) that match type = "custom.googleapis.com\/nope"/);
  });

  it('rejects an out-of-order point with 400 and writes the valid series of the request', async () => {
    const health = gaugePoint(T - 10, 2, { route: '/health' });
    const err = await callError(env.client.createTimeSeries({ name: PARENT, timeSeries: [health, gaugePoint(T - 5, 1)] }));
    expect(err.code).toBe(3);
    expect(err.message).toBe(
      'One or more TimeSeries could not be written: Points must be written in order. One or more of the points specified had an older start time than the most recent point.: timeSeries[1]',
    );
    // The other series of the request was written (Google's partial success).
    expect(pointsOf((await list(latency('metric.labels.route = "/health"'), -60, 0))[0])[0]).toEqual({ t: -10, v: 2 });
  });

  it('enforces one point per series per request, distinct series and at most 200 series', async () => {
    const twoPoints = { ...gaugePoint(T + 10, 1), points: [gaugePoint(T + 10, 1).points[0]!, gaugePoint(T + 20, 1).points[0]!] };
    expect((await callError(env.client.createTimeSeries({ name: PARENT, timeSeries: [twoPoints] }))).message).toMatch(/timeSeries\[0\].points had an invalid value: Only one point can be written per TimeSeries per request/);
    expect((await callError(env.client.createTimeSeries({ name: PARENT, timeSeries: [gaugePoint(T + 10, 1), gaugePoint(T + 20, 1)] }))).message).toMatch(/timeSeries\[1\] had an invalid value: Duplicate TimeSeries encountered/);
    const many = Array.from({ length: 201 }, (_, i) => gaugePoint(T + 10, 1, { route: `/r${i}` }));
    expect((await callError(env.client.createTimeSeries({ name: PARENT, timeSeries: many }))).message).toMatch(/A maximum of 200 TimeSeries/);
  });

  it('rejects points written faster than one per 5 s, and interval rules by metric kind', async () => {
    const tooSoon = await callError(env.client.createTimeSeries({ name: PARENT, timeSeries: [gaugePoint(T + 2, 1, { route: '/predict' }, task('t1'))] }));
    expect(tooSoon.message).toMatch(/written more frequently than the maximum sampling period/);
    const gaugeWithStart = { ...gaugePoint(T + 30, 1), points: [{ interval: { startTime: at(T + 20), endTime: at(T + 30) }, value: { doubleValue: 1 } }] };
    expect((await callError(env.client.createTimeSeries({ name: PARENT, timeSeries: [gaugeWithStart] }))).message).toMatch(/The start time must be equal to the end time .* for the gauge metric/);
    const cumulativeWithoutStart = { metric: { type: REQUESTS, labels: { model: 'churn' } }, resource: endpoint, points: [{ interval: { endTime: at(T + 30) }, value: { int64Value: 200 } }] };
    expect((await callError(env.client.createTimeSeries({ name: PARENT, timeSeries: [cumulativeWithoutStart] }))).message).toMatch(/start time must be before the end time .* for the non-gauge metric/);
  });

  it('rejects a resource type the descriptor does not allow', async () => {
    const type = 'custom.googleapis.com/emulator/task_only';
    await env.client.createMetricDescriptor({ name: PARENT, metricDescriptor: { type, metricKind: 'GAUGE', valueType: 'DOUBLE', monitoredResourceTypes: ['generic_task'] } });
    const onGlobal = { metric: { type }, resource: { type: 'global' }, points: [{ interval: { endTime: at(T) }, value: { doubleValue: 1 } }] };
    expect((await callError(env.client.createTimeSeries({ name: PARENT, timeSeries: [onGlobal] }))).message).toMatch(/does not accept the monitored resource type global/);
  });

  it('rejects a value of the wrong type and incomplete resources', async () => {
    const wrongType = { metric: { type: LATENCY, labels: { route: '/x' } }, resource: task('t9'), points: [{ interval: { endTime: at(T + 30) }, value: { int64Value: 3 } }] };
    expect((await callError(env.client.createTimeSeries({ name: PARENT, timeSeries: [wrongType] }))).message).toMatch(/Value type for metric custom.googleapis.com\/emulator\/latency_ms must be DOUBLE, but is INT64/);
    const partialTask = gaugePoint(T + 30, 1, { route: '/x' }, { type: 'generic_task', labels: { location: 'us-central1', job: 'j' } } as ReturnType<typeof task>);
    expect((await callError(env.client.createTimeSeries({ name: PARENT, timeSeries: [partialTask] }))).message).toMatch(/Missing labels: \(namespace task_id\)/);
  });
});
