// The REST surface itself, without a client: Google's JSON error shape, strict validation that
// names unknown fields and parameters, enum encodings, and fault injection.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alignedSecondsAgo, PROJECT, startTestEmulator, type TestEmulator } from './support.js';

let env: TestEmulator;
let base: string;
beforeAll(async () => {
  env = await startTestEmulator();
  base = `${env.emulator.url}/v3/projects/${PROJECT}`;
});
afterAll(async () => {
  await env.stop();
});

interface ErrorBody {
  error: { code: number; message: string; status: string; details?: unknown[] };
}

async function call(method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown }> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, json: await res.json() };
}

async function expectError(method: string, path: string, body: unknown, status: number, message: string | RegExp): Promise<ErrorBody> {
  const { status: got, json } = await call(method, path, body);
  expect(got).toBe(status);
  const error = (json as ErrorBody).error;
  expect(error.code).toBe(status);
  if (typeof message === 'string') expect(error.message).toBe(message);
  else expect(error.message).toMatch(message);
  return json as ErrorBody;
}

const T = alignedSecondsAgo(1);
const iso = (seconds: number) => new Date(seconds * 1000).toISOString().replace('.000Z', 'Z');

describe('strict validation', () => {
  it('names an unknown field of a descriptor the way Google does', async () => {
    const body = await expectError(
      'POST',
      '/metricDescriptors',
      { type: 'custom.googleapis.com/x', metricKind: 'GAUGE', valueType: 'DOUBLE', metrickind: 'GAUGE' },
      400,
      `Invalid JSON payload received. Unknown name "metrickind" at 'metric_descriptor': Cannot find field.`,
    );
    expect(body.error.status).toBe('INVALID_ARGUMENT');
  });

  it('names unknown nested fields in a time series write', async () => {
    await expectError(
      'POST',
      '/timeSeries',
      { timeSeries: [{ metric: { type: 'custom.googleapis.com/x', label: {} }, points: [] }] },
      400,
      `Invalid JSON payload received. Unknown name "label" at 'time_series[0].metric': Cannot find field.`,
    );
    await expectError('POST', '/timeSeries', { timeseries: [] }, 400, `Invalid JSON payload received. Unknown name "timeseries": Cannot find field.`);
    await expectError('POST', '/timeSeries', [1, 2], 400, 'Invalid JSON payload received. Root element must be a message.');
  });

  it('reports type errors with the proto field path', async () => {
    await expectError('POST', '/metricDescriptors', { type: 'custom.googleapis.com/x', metricKind: 'SOMETIMES', valueType: 'DOUBLE' }, 400, `Invalid value at 'metric_descriptor.metric_kind' (type.googleapis.com/google.api.MetricDescriptor.MetricKind), "SOMETIMES"`);
    await expectError(
      'POST',
      '/timeSeries',
      { timeSeries: [{ metric: { type: 'custom.googleapis.com/x' }, points: [{ interval: { endTime: iso(T) }, value: { int64Value: '1.5' } }] }] },
      400,
      `Invalid value at 'time_series[0].points[0].value.int64_value' (TYPE_INT64), "1.5"`,
    );
    await expectError(
      'POST',
      '/timeSeries',
      { timeSeries: [{ metric: { type: 'custom.googleapis.com/x' }, points: [{ interval: { endTime: 'noon' }, value: { doubleValue: 1 } }] }] },
      400,
      /^Invalid value at 'time_series\[0\].points\[0\].interval.end_time' \(type.googleapis.com\/google.protobuf.Timestamp\), "noon"$/,
    );
  });

  it('rejects unknown query parameters and bad parameter values', async () => {
    await expectError('GET', '/metricDescriptors?pagesize=3', undefined, 400, `Invalid JSON payload received. Unknown name "pagesize": Cannot bind query parameter. Field 'pagesize' could not be found in request message.`);
    await expectError('GET', `/timeSeries?filter=${encodeURIComponent('metric.type = "custom.googleapis.com/x"')}&interval.endTime=${iso(T)}&view=EVERYTHING`, undefined, 400, /Invalid value at 'view'/);
    await expectError('GET', `/timeSeries?filter=${encodeURIComponent('metric.type = "custom.googleapis.com/x"')}`, undefined, 400, /interval.endTime had an invalid value/);
    await expectError('GET', `/timeSeries?filter=${encodeURIComponent('metric.type = "custom.googleapis.com/x"')}&interval.endTime=${iso(T)}&orderBy=time`, undefined, 400, /orderBy is unsupported/);
  });
});

describe('encodings', () => {
  const type = 'custom.googleapis.com/rest/temperature';

  it('accepts enum names and int64 as JSON numbers, and answers with names by default', async () => {
    const created = await call('POST', '/metricDescriptors', { type, metricKind: 'GAUGE', valueType: 'INT64', labels: [{ key: 'room', valueType: 'STRING' }] });
    expect(created.status).toBe(200);
    expect(created.json).toMatchObject({ name: `projects/${PROJECT}/metricDescriptors/${type}`, metricKind: 'GAUGE', valueType: 'INT64' });
    const written = await call('POST', '/timeSeries', {
      timeSeries: [{ metric: { type, labels: { room: 'lab' } }, resource: { type: 'global' }, points: [{ interval: { endTime: iso(T) }, value: { int64Value: 21 } }] }],
    });
    expect(written).toEqual({ status: 200, json: {} });
  });

  it('answers with numeric enums when the caller asks for enum-encoding=int', async () => {
    const res = await fetch(`${base}/metricDescriptors/${type}?$alt=json;enum-encoding=int`);
    expect(await res.json()).toMatchObject({ metricKind: 1, valueType: 2 });
  });

  it('refuses alignments that would produce an unbounded number of periods', async () => {
    const filter = encodeURIComponent(`metric.type = "${type}"`);
    await expectError(
      'GET',
      `/timeSeries?filter=${filter}&interval.startTime=2000-01-01T00:00:00Z&interval.endTime=${iso(T)}&aggregation.alignmentPeriod=60s&aggregation.perSeriesAligner=ALIGN_MEAN`,
      undefined,
      400,
      /more than 100000 alignment periods/,
    );
  });

  it('binds snake_case query names and enum names or numbers', async () => {
    const filter = encodeURIComponent(`metric.type = "${type}" AND metric.labels.room = "lab"`);
    const q = `filter=${filter}&interval.start_time=${iso(T - 60)}&interval.end_time=${iso(T)}&aggregation.alignmentPeriod=60s`;
    const byName = await call('GET', `/timeSeries?${q}&aggregation.perSeriesAligner=ALIGN_MAX`);
    const byNumber = await call('GET', `/timeSeries?${q}&aggregation.perSeriesAligner=11`);
    expect(byName.json).toEqual(byNumber.json);
    expect(byName.json).toEqual({
      timeSeries: [
        {
          metric: { type, labels: { room: 'lab' } },
          resource: { type: 'global', labels: { project_id: PROJECT } },
          metricKind: 'GAUGE',
          valueType: 'INT64',
          points: [{ interval: { startTime: iso(T), endTime: iso(T) }, value: { int64Value: '21' } }],
        },
      ],
    });
  });
});

describe('fault injection', () => {
  it('fails the configured calls with Google-shaped errors', async () => {
    const put = await fetch(`${env.emulator.url}/_emulator/faults`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([{ path: '/metricDescriptors$', method: 'GET', fault: 503, count: 1 }]),
    });
    expect(put.status).toBe(200);
    const failed = await expectError('GET', '/metricDescriptors', undefined, 503, /injected fault 503/);
    expect(failed.error.status).toBe('UNAVAILABLE');
    expect((await call('GET', '/metricDescriptors')).status).toBe(200);
  });
});
