import { describe, expect, it } from 'vitest';
import { containerEnv, expandVars, servingRoutes } from '../../../emulators/vertex/serving/container-env.js';
import { loggingConfig, modelReference, parseEndpoint, parseModel } from '../../../emulators/vertex/serving/resources.js';
import { loggingTable } from '../../../emulators/vertex/serving/request-logging/destination.js';
import { BoundedWorkQueue } from '../../../emulators/vertex/serving/request-logging/queue.js';
import type { RequestResponseSink } from '../../../emulators/vertex/serving/request-logging/bigquery-sink.js';
import { RequestLogger } from '../../../emulators/vertex/serving/request-logging/request-logger.js';
import { REQUEST_RESPONSE_SCHEMA, requestResponseRow } from '../../../emulators/vertex/serving/request-logging/rows.js';

const ENDPOINT = 'projects/p/locations/us-central1/endpoints/123';

describe('serving container environment', () => {
  const model = parseModel({
    artifactUri: 'gs://models/m',
    containerSpec: {
      imageUri: 'img',
      env: [
        { name: 'GREETING', value: 'port=$(AIP_HTTP_PORT)' },
        { name: 'AIP_HTTP_PORT', value: '9999' },
        { name: 'LITERAL', value: '$$(AIP_HTTP_PORT) $(UNDEFINED)' },
      ],
    },
  });

  it("uses Vertex's default routes unless the containerSpec names its own", () => {
    expect(servingRoutes(model.containerSpec, ENDPOINT, '42')).toEqual({
      predictRoute: '/v1/endpoints/123/deployedModels/42:predict',
      healthRoute: '/v1/endpoints/123/deployedModels/42',
    });
    expect(servingRoutes({ imageUri: 'i', predictRoute: '/p', healthRoute: '/h' }, ENDPOINT, '42')).toEqual({ predictRoute: '/p', healthRoute: '/h' });
  });

  it('sets the AIP variables over the spec env, and expands $(VAR) references', () => {
    const env = containerEnv({
      model,
      endpointName: ENDPOINT,
      deployedModelId: '42',
      port: 8123,
      routes: { predictRoute: '/p', healthRoute: '/h' },
      base: { GOOGLE_CLOUD_PROJECT: 'p', GREETING: 'overridden' },
      storageRoot: '/data/gcs',
    });
    expect(env).toMatchObject({
      AIP_HTTP_PORT: '8123',
      AIP_PREDICT_ROUTE: '/p',
      AIP_HEALTH_ROUTE: '/h',
      AIP_STORAGE_URI: 'gs://models/m',
      AIP_MODEL_DIR: 'gs://models/m',
      AIP_DEPLOYED_MODEL_ID: '42',
      AIP_ENDPOINT_ID: '123',
      GOOGLE_CLOUD_PROJECT: 'p',
      GREETING: 'port=8123',
      LITERAL: '$(AIP_HTTP_PORT) $(UNDEFINED)',
      GCS_LOCAL_ROOT: '/data/gcs',
    });
    expect(expandVars('--port=$(AIP_HTTP_PORT)', env)).toBe('--port=8123');
  });

  it('reads model references with or without a version suffix', () => {
    expect(modelReference({ model: 'projects/p/models/1@3' })).toEqual({ model: 'projects/p/models/1', modelVersionId: '3' });
    expect(modelReference({ model: 'projects/p/models/1', modelVersionId: '2' })).toEqual({ model: 'projects/p/models/1', modelVersionId: '2' });
  });
});

describe('request-response logging', () => {
  it("names the table like Vertex when the destination leaves parts out", () => {
    const endpoint = { name: ENDPOINT, displayName: 'churn model-v2' };
    expect(loggingTable('bq://proj.ds.tbl', endpoint)).toEqual({ project: 'proj', dataset: 'ds', table: 'tbl' });
    expect(loggingTable('bq://proj.ds', endpoint)).toEqual({ project: 'proj', dataset: 'ds', table: 'request_response_logging' });
    expect(loggingTable('bq://proj', endpoint)).toEqual({ project: 'proj', dataset: 'logging_churn_model_v2_123', table: 'request_response_logging' });
    expect(() => loggingTable('proj.ds.tbl', endpoint)).toThrow(/bq:\/\//);
  });

  it('applies only when enabled with a destination', () => {
    const endpoint = (config: unknown) => parseEndpoint({ name: ENDPOINT, predictRequestResponseLoggingConfig: config });
    expect(loggingConfig(endpoint({ enabled: true, samplingRate: 0.5, bigqueryDestination: { outputUri: 'bq://p.d.t' } }))).toEqual({ samplingRate: 0.5, outputUri: 'bq://p.d.t' });
    expect(loggingConfig(endpoint({ enabled: false, samplingRate: 1, bigqueryDestination: { outputUri: 'bq://p.d.t' } }))).toBeUndefined();
    expect(loggingConfig(endpoint({ enabled: true }))).toBeUndefined();
  });

  it('logs one JSON string per instance and per prediction', () => {
    const row = requestResponseRow({
      endpoint: ENDPOINT,
      deployedModelId: '1',
      request: { instances: [[1, 2], { a: 'x' }], parameters: {} },
      response: { predictions: [3.5, 'yes'], deployedModelId: '1' },
      at: new Date('2024-05-01T10:00:00Z'),
    });
    expect(row).toMatchObject({
      endpoint: ENDPOINT,
      deployed_model_id: '1',
      logging_time: '2024-05-01T10:00:00.000Z',
      request_payload: ['[1,2]', '{"a":"x"}'],
      response_payload: ['3.5', '"yes"'],
    });
    // Exactly the columns of the table Vertex creates: latency is a Monitoring metric, not a column.
    expect(Object.keys(row).sort()).toEqual(['deployed_model_id', 'endpoint', 'logging_time', 'request_id', 'request_payload', 'response_payload']);
    expect(REQUEST_RESPONSE_SCHEMA.map((f) => f.name).sort()).toEqual(Object.keys(row).sort());
    expect(row.request_id).toMatch(/^[1-9]\d{17}$/);
    expect(requestResponseRow({ ...{ endpoint: ENDPOINT, deployedModelId: '1', at: new Date() }, request: 'raw text', response: { other: 1 } })).toMatchObject({
      request_payload: ['raw text'],
      response_payload: ['{"other":1}'],
    });
  });

  it('drops work beyond its capacity instead of queueing without bound, and survives handler errors', async () => {
    const handled: number[][] = [];
    const errors: unknown[] = [];
    const drops: number[] = [];
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    const queue = new BoundedWorkQueue<number>({
      capacity: 3,
      batchSize: 2,
      handle: async (batch) => {
        await gate;
        handled.push(batch);
        if (batch.includes(2)) throw new Error('boom');
      },
      onError: (error) => errors.push(error),
      onDrop: (n) => drops.push(n),
    });
    expect([1, 2, 3, 4].map((n) => queue.push(n))).toEqual([true, true, true, false]);
    expect(drops).toEqual([1]);
    release();
    await queue.flush();
    expect(handled).toEqual([[1, 2], [3]]);
    expect(errors).toHaveLength(1);
    expect(queue.push(5)).toBe(true);
    await queue.flush();
    expect(handled.at(-1)).toEqual([5]);
  });

  it('samples, and never makes the caller wait on a slow or failing sink', async () => {
    const written: string[] = [];
    let calls = 0;
    const sink: RequestResponseSink = {
      write: async (table, rows) => {
        calls++;
        if (table.table === 'broken') throw new Error('table is broken');
        await new Promise((resolve) => setTimeout(resolve, 50));
        written.push(...rows.map((r) => `${table.table}:${r.deployed_model_id}`));
      },
    };
    const draws = [0.1, 0.9, 0.1, 0.1];
    const logger = new RequestLogger({ sink, random: () => draws.shift() ?? 0 });
    const exchange = { endpoint: ENDPOINT, deployedModelId: '1', request: {}, response: {}, latencyMs: 1, at: new Date() };
    const started = performance.now();
    expect(logger.record({ project: 'p', dataset: 'd', table: 't' }, 0.5, exchange)).toBe(true);
    expect(logger.record({ project: 'p', dataset: 'd', table: 't' }, 0.5, exchange)).toBe(false); // not sampled
    expect(logger.record({ project: 'p', dataset: 'd', table: 'broken' }, 0.5, exchange)).toBe(true);
    expect(logger.record({ project: 'p', dataset: 'd', table: 't' }, 0.5, { ...exchange, deployedModelId: '2' })).toBe(true);
    expect(performance.now() - started).toBeLessThan(20);
    await logger.flush();
    expect(written).toEqual(['t:1', 't:2']);
    expect(calls).toBe(2); // one insert per table per batch
  });
});
