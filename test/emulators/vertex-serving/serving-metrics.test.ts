// The local Vertex's built-in metrics writer: what one interval's points hold, Monitoring's 5 s
// rule between points, and a Monitoring that is down costing points, never predictions.
import { describe, expect, it } from 'vitest';
import { SYSTEM_INGEST_PREFIX } from '../../../emulators/monitoring/routes/time-series.js';
import { MonitoringEmulatorWriter } from '../../../emulators/vertex/serving/metrics/monitoring-writer.js';
import { ServingMetrics, type TimeSeriesWriter } from '../../../emulators/vertex/serving/metrics/serving-metrics.js';
import { freePort } from '../../../emulators/kit/free-port.js';

const ENDPOINT = 'projects/p1/locations/us-central1/endpoints/9';

interface Written {
  project: string;
  series: { metric: { type: string; labels: Record<string, string> }; resource: unknown; points: { interval: { startTime: string; endTime: string }; value: Record<string, unknown> }[] }[];
}

function recorder(): TimeSeriesWriter & { writes: Written[] } {
  const writes: Written[] = [];
  return { writes, write: (project, series) => (writes.push({ project, series: series as Written['series'] }), Promise.resolve()) };
}

describe('ServingMetrics', () => {
  it('writes per deployed model its predictions, errors, responses by code and latency distributions', async () => {
    const writer = recorder();
    const metrics = new ServingMetrics({ writer });
    metrics.record({ endpoint: ENDPOINT, endpointDisplayName: 'ep', deployedModelId: '1', modelDisplayName: 'm', status: 200, predictions: 3, totalMs: 12, modelMs: 10 });
    metrics.record({ endpoint: ENDPOINT, endpointDisplayName: 'ep', deployedModelId: '1', modelDisplayName: 'm', status: 500, predictions: 0, totalMs: 30, modelMs: 29 });
    metrics.record({ endpoint: ENDPOINT, endpointDisplayName: 'ep', deployedModelId: '1', modelDisplayName: 'm', status: 504, predictions: 0, totalMs: 600 });
    await metrics.stop();
    expect(writer.writes).toHaveLength(1);
    const { project, series } = writer.writes[0]!;
    expect(project).toBe('p1');
    const value = (type: string, labels: Record<string, string> = {}) =>
      series.find((s) => s.metric.type.endsWith(type) && Object.entries(labels).every(([k, v]) => s.metric.labels[k] === v))?.points[0]?.value;
    expect(value('prediction_count')).toEqual({ int64Value: '3' });
    expect(value('error_count')).toEqual({ int64Value: '2' });
    expect(value('response_count', { response_code: '200' })).toEqual({ int64Value: '1' });
    expect(value('response_count', { response_code: '504' })).toEqual({ int64Value: '1' });
    const total = value('prediction_latencies', { latency_type: 'total' })?.distributionValue as { count: string; mean: number; range: { min: number; max: number } };
    expect(total).toMatchObject({ count: '3', range: { min: 12, max: 600 } });
    expect(total.mean).toBeCloseTo(214, 9);
    // The timeout never got a model answer: model and overhead latencies count two requests.
    expect(value('prediction_latencies', { latency_type: 'model' })?.distributionValue).toMatchObject({ count: '2' });
    expect(series[0]).toMatchObject({
      metric: { labels: { deployed_model_id: '1', endpoint_display_name: 'ep', model_display_name: 'm' } },
      resource: { type: 'aiplatform.googleapis.com/Endpoint', labels: { resource_container: 'p1', location: 'us-central1', endpoint_id: '9' } },
    });
  });

  it('keeps consecutive delta points apart: the next starts after the last ends, at least 5 s later', async () => {
    const writer = recorder();
    let now = 1_700_000_000_000;
    const metrics = new ServingMetrics({ writer, now: () => now });
    const record = () => metrics.record({ endpoint: ENDPOINT, deployedModelId: '1', status: 200, predictions: 1, totalMs: 1 });
    record();
    now += 1_000;
    await metrics.flush();
    record();
    now += 1_000;
    await metrics.stop();
    const [first, second] = writer.writes.map((w) => w.series[0]!.points[0]!.interval);
    expect(Date.parse(second!.startTime)).toBeGreaterThan(Date.parse(first!.endTime));
    expect(Date.parse(second!.endTime) - Date.parse(first!.endTime)).toBeGreaterThanOrEqual(5_000);
  });

  it('loses the points, not the caller, when Monitoring is down', async () => {
    const port = await freePort();
    const metrics = new ServingMetrics({ writer: new MonitoringEmulatorWriter(`127.0.0.1:${port}`, 1_000) });
    metrics.record({ endpoint: ENDPOINT, deployedModelId: '1', status: 200, predictions: 1, totalMs: 1 });
    const started = Date.now();
    await expect(metrics.stop()).resolves.toBeUndefined();
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it('writes to the Monitoring emulator at its internal channel', async () => {
    const calls: string[] = [];
    const original = globalThis.fetch;
    globalThis.fetch = ((url: string) => (calls.push(String(url)), Promise.resolve(new Response('{}')))) as typeof fetch;
    try {
      await new MonitoringEmulatorWriter('127.0.0.1:1').write('p1', []);
    } finally {
      globalThis.fetch = original;
    }
    expect(calls).toEqual([`http://127.0.0.1:1${SYSTEM_INGEST_PREFIX}/v3/projects/p1/timeSeries`]);
  });
});
