// Built-in Vertex AI metrics: listed and got like Google's, closed to users through the public API,
// written through the emulator's internal channel, and read back with ALIGN_DELTA / percentile
// aligners over delta distributions, grouped by deployed model.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_INGEST_PREFIX } from '../../../emulators/monitoring/routes/time-series.js';
import { PARENT, PROJECT, alignedSecondsAgo, at, callError, startTestEmulator, type TestEmulator } from './support.js';

const LATENCIES = 'aiplatform.googleapis.com/prediction/online/prediction_latencies';
const RESPONSES = 'aiplatform.googleapis.com/prediction/online/response_count';
const endpoint = { type: 'aiplatform.googleapis.com/Endpoint', labels: { resource_container: PROJECT, location: 'us-central1', endpoint_id: '42' } };
const buckets = { exponentialBuckets: { numFiniteBuckets: 10, growthFactor: 2, scale: 1 } };

let env: TestEmulator;
const T = alignedSecondsAgo(1);

async function ingest(timeSeries: unknown[]): Promise<Response> {
  return fetch(`${env.emulator.url}${SYSTEM_INGEST_PREFIX}/v3/projects/${PROJECT}/timeSeries`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ timeSeries }),
  });
}

const iso = (s: number) => new Date(s * 1000).toISOString();
const responses = (model: string, code: string, n: number, start: number, end: number) => ({
  metric: { type: RESPONSES, labels: { deployed_model_id: model, response_code: code } },
  resource: endpoint,
  metricKind: 'DELTA',
  valueType: 'INT64',
  points: [{ interval: { startTime: iso(start), endTime: iso(end) }, value: { int64Value: String(n) } }],
});
/** `counts[i]` samples in bucket i: [1,2), [2,4), ... with the range given. */
const latencies = (model: string, counts: number[], range: [number, number], start: number, end: number) => {
  const count = counts.reduce((a, b) => a + b, 0);
  return {
    metric: { type: LATENCIES, labels: { deployed_model_id: model, latency_type: 'total' } },
    resource: endpoint,
    metricKind: 'DELTA',
    valueType: 'DISTRIBUTION',
    points: [
      {
        interval: { startTime: iso(start), endTime: iso(end) },
        value: { distributionValue: { count: String(count), mean: (range[0] + range[1]) / 2, range: { min: range[0], max: range[1] }, bucketOptions: buckets, bucketCounts: counts.map(String) } },
      },
    ],
  };
};

beforeAll(async () => {
  env = await startTestEmulator();
  // Two delta periods for each of two deployed models: (T-50, T-40] and (T-20, T-10].
  for (const [start, end] of [[T - 50, T - 40], [T - 20, T - 10]] as const) {
    const reply = await ingest([
      responses('1', '200', 9, start, end),
      responses('1', '500', 1, start, end),
      responses('2', '200', 5, start, end),
      // Model 1: 10 samples in [8,16) ms each period; model 2: 10 in [64,128).
      latencies('1', [0, 0, 0, 0, 10], [8, 15], start, end),
      latencies('2', [0, 0, 0, 0, 0, 0, 0, 10], [64, 127], start, end),
    ]);
    expect(reply.status, await reply.text()).toBe(200);
  }
});

afterAll(async () => {
  await env.stop();
});

describe('built-in descriptors', () => {
  it('lists and gets the four Vertex AI online-prediction metrics as Google defines them', async () => {
    const [all] = await env.client.listMetricDescriptors({ name: PARENT, filter: 'metric.type = starts_with("aiplatform.googleapis.com/")' });
    expect(all.map((d) => [d.type, d.metricKind, d.valueType, d.unit])).toEqual([
      ['aiplatform.googleapis.com/prediction/online/error_count', 'DELTA', 'INT64', '1'],
      ['aiplatform.googleapis.com/prediction/online/prediction_count', 'DELTA', 'INT64', '1'],
      [LATENCIES, 'DELTA', 'DISTRIBUTION', 'ms'],
      [RESPONSES, 'DELTA', 'INT64', '1'],
    ]);
    const [got] = await env.client.getMetricDescriptor({ name: `${PARENT}/metricDescriptors/${LATENCIES}` });
    expect(got.labels?.map((l) => l.key)).toEqual(['deployed_model_id', 'endpoint_display_name', 'latency_type', 'model_display_name', 'spot']);
    expect(got.monitoredResourceTypes).toEqual(['aiplatform.googleapis.com/Endpoint']);
    expect(got.name).toBe(`${PARENT}/metricDescriptors/${LATENCIES}`);
  });

  it('refuses to create, delete or write built-in metrics through the public API', async () => {
    const create = await callError(env.client.createMetricDescriptor({ name: PARENT, metricDescriptor: { type: RESPONSES, metricKind: 'DELTA', valueType: 'INT64' } }));
    expect(create.code).toBe(3);
    const remove = await callError(env.client.deleteMetricDescriptor({ name: `${PARENT}/metricDescriptors/${RESPONSES}` }));
    expect(remove.code).toBe(3);
    expect(remove.message).toMatch(/built-in metric/);
    const write = await callError(
      env.client.createTimeSeries({
        name: PARENT,
        timeSeries: [{ metric: { type: RESPONSES, labels: { deployed_model_id: '1', response_code: '200' } }, resource: endpoint, metricKind: 'DELTA', points: [{ interval: { startTime: at(T - 5), endTime: at(T) }, value: { int64Value: 1 } }] }],
      }),
    );
    expect(write.code).toBe(3);
    // The descriptor survives the refused delete.
    const [still] = await env.client.getMetricDescriptor({ name: `${PARENT}/metricDescriptors/${RESPONSES}` });
    expect(still.type).toBe(RESPONSES);
  });

  it('refuses user-defined metrics on a Vertex AI endpoint resource', async () => {
    const error = await callError(
      env.client.createTimeSeries({ name: PARENT, timeSeries: [{ metric: { type: 'custom.googleapis.com/x' }, resource: endpoint, points: [{ interval: { endTime: at(T) }, value: { doubleValue: 1 } }] }] }),
    );
    expect(error.message).toMatch(/unsupported monitored resource type "aiplatform.googleapis.com\/Endpoint"/);
  });

  it('takes on its internal channel only built-in metrics with their own labels', async () => {
    const custom = await ingest([{ ...responses('1', '200', 1, T - 8, T - 6), metric: { type: 'custom.googleapis.com/y' } }]);
    expect(custom.status).toBe(400);
    const unknownLabel = await ingest([{ ...responses('1', '200', 1, T - 8, T - 6), metric: { type: RESPONSES, labels: { deployed_model_id: '1', colour: 'red' } } }]);
    expect(unknownLabel.status).toBe(400);
    expect(await unknownLabel.text()).toMatch(/Unrecognized metric labels.*colour/);
  });
});

describe('reading built-in series', () => {
  const interval = { startTime: at(T - 60), endTime: at(T) };
  const filter = (type: string) => `metric.type = "${type}" AND resource.labels.endpoint_id = "42"`;

  it('sums response counts per deployed model over the window with ALIGN_DELTA + REDUCE_SUM', async () => {
    const [series] = await env.client.listTimeSeries({
      name: PARENT,
      filter: filter(RESPONSES),
      interval,
      aggregation: { alignmentPeriod: { seconds: 60 }, perSeriesAligner: 'ALIGN_DELTA', crossSeriesReducer: 'REDUCE_SUM', groupByFields: ['metric.label.deployed_model_id'] },
    });
    const sums: Record<string, number> = Object.fromEntries(series.map((s) => [s.metric?.labels?.deployed_model_id ?? '', Number(s.points?.[0]?.value?.int64Value)]));
    expect(sums).toEqual({ '1': 20, '2': 10 });
    expect(series[0]?.metricKind).toBe('DELTA');
  });

  it('merges a window of delta distributions with ALIGN_DELTA and reads percentiles per model', async () => {
    const [merged] = await env.client.listTimeSeries({ name: PARENT, filter: filter(LATENCIES), interval, aggregation: { alignmentPeriod: { seconds: 60 }, perSeriesAligner: 'ALIGN_DELTA' } });
    const model1 = merged.find((s) => s.metric?.labels?.deployed_model_id === '1');
    expect(model1?.valueType).toBe('DISTRIBUTION');
    expect(Number(model1?.points?.[0]?.value?.distributionValue?.count)).toBe(20);

    for (const [aligner, p] of [['ALIGN_PERCENTILE_50', 0.5], ['ALIGN_PERCENTILE_95', 0.95]] as const) {
      const [series] = await env.client.listTimeSeries({ name: PARENT, filter: filter(LATENCIES), interval, aggregation: { alignmentPeriod: { seconds: 60 }, perSeriesAligner: aligner } });
      const value = (id: string) => series.find((s) => s.metric?.labels?.deployed_model_id === id)?.points?.[0]?.value?.doubleValue;
      // Evenly spread inside the bucket: [8,16) at rank p → 8 + 8p (clamped to the range max 15).
      expect(value('1')).toBeCloseTo(Math.min(8 + 8 * p, 15), 6);
      expect(value('2')).toBeCloseTo(Math.min(64 + 64 * p, 127), 6);
    }

    const [p95] = await env.client.listTimeSeries({
      name: PARENT,
      filter: filter(LATENCIES),
      interval,
      aggregation: { alignmentPeriod: { seconds: 60 }, perSeriesAligner: 'ALIGN_DELTA', crossSeriesReducer: 'REDUCE_PERCENTILE_95', groupByFields: ['metric.label.deployed_model_id'] },
    });
    expect(p95.map((s) => [s.metric?.labels?.deployed_model_id, s.points?.[0]?.value?.doubleValue])).toEqual([
      ['1', 15],
      ['2', 124.8],
    ]);
  });
});
