// Data lives in DuckDB under dataDir: a restarted emulator serves what the previous one stored,
// including the ordering state that guards writes.
import { afterAll, describe, expect, it } from 'vitest';
import { alignedSecondsAgo, at, callError, PARENT, startTestEmulator, type TestEmulator } from './support.js';

const TYPE = 'custom.googleapis.com/restart/queue_depth';
let env: TestEmulator | undefined;
afterAll(async () => {
  await env?.stop();
});

describe('restart', () => {
  it('keeps descriptors, series and points across a restart on the same data directory', async () => {
    const T = alignedSecondsAgo(1);
    const write = (client: TestEmulator['client'], end: number, value: number) =>
      client.createTimeSeries({ name: PARENT, timeSeries: [{ metric: { type: TYPE, labels: { queue: 'q1' } }, resource: { type: 'global' }, points: [{ interval: { endTime: at(end) }, value: { int64Value: value } }] }] });

    const first = await startTestEmulator();
    await first.client.createMetricDescriptor({ name: PARENT, metricDescriptor: { type: TYPE, metricKind: 'GAUGE', valueType: 'INT64', description: 'depth' } });
    await write(first.client, T - 20, 3);
    await write(first.client, T - 10, 4);
    await first.stop({ keepData: true });

    env = await startTestEmulator(first.dataDir);
    const [descriptor] = await env.client.getMetricDescriptor({ name: `${PARENT}/metricDescriptors/${TYPE}` });
    expect(descriptor.description).toBe('depth');
    const [series] = await env.client.listTimeSeries({ name: PARENT, filter: `metric.type = "${TYPE}"`, interval: { startTime: at(T - 60), endTime: at(T) } });
    expect(series.map((s) => [s.metric?.labels, (s.points ?? []).map((p) => String(p.value?.int64Value))])).toEqual([[{ queue: 'q1' }, ['4', '3']]]);

    // The newest point survived too: an older one is still out of order.
    expect((await callError(write(env.client, T - 15, 5))).message).toMatch(/Points must be written in order/);
    await write(env.client, T, 5);
  });
});
