// Metric descriptors through the official client (REST fallback).
import type { protos } from '@google-cloud/monitoring';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callError, PARENT, PROJECT, startTestEmulator, type TestEmulator } from './support.js';

let env: TestEmulator;
beforeAll(async () => {
  env = await startTestEmulator();
});
afterAll(async () => {
  await env.stop();
});

const name = (type: string) => `${PARENT}/metricDescriptors/${type}`;

describe('metric descriptors', () => {
  it('creates a descriptor and reads it back with get', async () => {
    const [created] = await env.client.createMetricDescriptor({
      name: PARENT,
      metricDescriptor: {
        type: 'custom.googleapis.com/serving/latency_ms',
        metricKind: 'GAUGE',
        valueType: 'DOUBLE',
        unit: 'ms',
        description: 'Prediction latency',
        displayName: 'Latency',
        labels: [
          { key: 'route', valueType: 'STRING', description: 'HTTP route' },
          { key: 'code', valueType: 'INT64' },
        ],
      },
    });
    expect(created).toMatchObject({ name: name('custom.googleapis.com/serving/latency_ms'), type: 'custom.googleapis.com/serving/latency_ms', metricKind: 'GAUGE', valueType: 'DOUBLE', unit: 'ms' });

    const [got] = await env.client.getMetricDescriptor({ name: name('custom.googleapis.com/serving/latency_ms') });
    expect(got.description).toBe('Prediction latency');
    // Google stores labels sorted by key and lists the resource types the metric may use.
    expect(got.labels?.map((l) => [l.key, l.valueType])).toEqual([
      ['code', 'INT64'],
      ['route', 'STRING'],
    ]);
    expect(got.monitoredResourceTypes).toEqual(expect.arrayContaining(['global', 'generic_task']));
    // Google does not take user-defined metrics on Vertex AI endpoints: only its built-in metrics use them.
    expect(got.monitoredResourceTypes).not.toContain('aiplatform.googleapis.com/Endpoint');
  });

  it('lists descriptors with a metric type prefix filter, paging through them', async () => {
    for (const type of ['workload.googleapis.com/queue_depth', 'custom.googleapis.com/a_count', 'custom.googleapis.com/b_count']) {
      await env.client.createMetricDescriptor({ name: PARENT, metricDescriptor: { type, metricKind: 'CUMULATIVE', valueType: 'INT64' } });
    }
    const [custom] = await env.client.listMetricDescriptors({ name: PARENT, filter: 'metric.type = starts_with("custom.googleapis.com/")' });
    expect(custom.map((d) => d.type)).toEqual(['custom.googleapis.com/a_count', 'custom.googleapis.com/b_count', 'custom.googleapis.com/serving/latency_ms']);

    const [firstPage, , response] = await env.client.listMetricDescriptors({ name: PARENT, pageSize: 2 }, { autoPaginate: false });
    expect(firstPage).toHaveLength(2);
    expect(response?.nextPageToken).toBeTruthy();
    const all: string[] = [];
    let pageToken = response?.nextPageToken ?? '';
    all.push(...firstPage.map((d) => d.type ?? ''));
    while (pageToken) {
      const [page, , next] = await env.client.listMetricDescriptors({ name: PARENT, pageSize: 2, pageToken }, { autoPaginate: false });
      all.push(...page.map((d) => d.type ?? ''));
      pageToken = next?.nextPageToken ?? '';
    }
    // The four user-defined ones and Vertex AI's four built-in online-prediction metrics.
    expect(all).toHaveLength(8);
    expect(all).toContain('workload.googleapis.com/queue_depth');
    expect(all.filter((t) => t.startsWith('aiplatform.googleapis.com/'))).toHaveLength(4);
  });

  it('updates an existing descriptor on create, never removing labels', async () => {
    const type = 'custom.googleapis.com/upserted';
    await env.client.createMetricDescriptor({ name: PARENT, metricDescriptor: { type, metricKind: 'GAUGE', valueType: 'INT64', labels: [{ key: 'a' }] } });
    await env.client.createMetricDescriptor({ name: PARENT, metricDescriptor: { type, metricKind: 'GAUGE', valueType: 'INT64', description: 'v2', labels: [{ key: 'b' }] } });
    const [got] = await env.client.getMetricDescriptor({ name: name(type) });
    expect(got.description).toBe('v2');
    expect(got.labels?.map((l) => l.key)).toEqual(['a', 'b']);
  });

  it('deletes a descriptor; afterwards get and delete answer 404', async () => {
    const type = 'custom.googleapis.com/short_lived';
    await env.client.createMetricDescriptor({ name: PARENT, metricDescriptor: { type, metricKind: 'GAUGE', valueType: 'BOOL' } });
    await env.client.deleteMetricDescriptor({ name: name(type) });
    const err = await callError(env.client.getMetricDescriptor({ name: name(type) }));
    expect(err.code).toBe(5); // NOT_FOUND
    expect(err.message).toBe(`Could not find descriptor for metric '${type}'.`);
    expect((await callError(env.client.deleteMetricDescriptor({ name: name(type) }))).code).toBe(5);
  });

  it('answers 404 for a descriptor that never existed', async () => {
    const err = await callError(env.client.getMetricDescriptor({ name: name('custom.googleapis.com/missing') }));
    expect(err.code).toBe(5);
    expect(err.message).toMatch(/Could not find descriptor for metric 'custom.googleapis.com\/missing'/);
  });

  it.each<[protos.google.api.IMetricDescriptor, RegExp]>([
    [{ type: 'compute.googleapis.com/instance/cpu', metricKind: 'GAUGE', valueType: 'DOUBLE' }, /metricDescriptor.type had an invalid value of "compute.googleapis.com\/instance\/cpu": Metric types of user-defined metrics must start with/],
    [{ type: 'custom.googleapis.com/x', valueType: 'DOUBLE' }, /metricDescriptor.metricKind.*must be specified/],
    [{ type: 'custom.googleapis.com/x', metricKind: 'CUMULATIVE', valueType: 'STRING' }, /CUMULATIVE metric cannot have value type STRING/],
    [{ type: 'custom.googleapis.com/x', metricKind: 'GAUGE', valueType: 'DOUBLE', labels: [{ key: 'Bad-Key' }] }, /metricDescriptor.labels\[0\].key had an invalid value of "Bad-Key"/],
  ])('rejects an invalid descriptor with 400 (%#)', async (metricDescriptor, message) => {
    const err = await callError(env.client.createMetricDescriptor({ name: PARENT, metricDescriptor }));
    expect(err.code).toBe(3); // INVALID_ARGUMENT
    expect(err.message).toMatch(message);
  });

  it('lists and gets monitored resource descriptors', async () => {
    const [resources] = await env.client.listMonitoredResourceDescriptors({ name: PARENT });
    expect(resources.map((r) => r.type)).toEqual(expect.arrayContaining(['global', 'generic_task', 'aiplatform.googleapis.com/Endpoint']));
    const [task] = await env.client.getMonitoredResourceDescriptor({ name: `projects/${PROJECT}/monitoredResourceDescriptors/generic_task` });
    expect(task.labels?.map((l) => l.key)).toEqual(['project_id', 'location', 'namespace', 'job', 'task_id']);
  });
});
