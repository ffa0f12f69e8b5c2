// Deployed models as local model servers: prebuilt sklearn/XGBoost images run
// pipelines/components/python/serving/model_server.py through the container launcher.
import { mkdir, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bigQueryClient } from '../../../google-clients/index.js';
import type { BigQueryEmulator } from '../../../emulators/bigquery/server.js';
import { startBigQueryEmulator } from '../../../emulators/bigquery/server.js';
import { LocalContainerLauncher } from '../../../emulators/vertex/containers/index.js';
import { EndpointRuntime } from '../../../emulators/vertex/serving/index.js';
import type { TrainedModels } from './support.js';
import {
  SKLEARN_IMAGE,
  XGBOOST_IMAGE,
  endpointResource,
  modelResource,
  pythonUnavailable,
  seededRandom,
  tempDir,
  trainModels,
} from './support.js';

const unavailable = pythonUnavailable();
if (unavailable) console.warn(`Skipping the model-server tests: ${unavailable}`);

const PROJECT = 'local-project';

describe.skipIf(unavailable !== undefined)('EndpointRuntime with model_server.py', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let storageRoot: string;
  let bigquery: BigQueryEmulator;
  let env: Record<string, string>;
  let runtime: EndpointRuntime;
  let trained: TrainedModels;
  const random = seededRandom(2024);

  const regression = endpointResource('100', { '1': 90, '2': 10 }, [
    { id: '1', model: '10' },
    { id: '2', model: '11' },
  ]);
  const xgboost = endpointResource('200', { '3': 100 }, [{ id: '3', model: '20' }], {
    predictRequestResponseLoggingConfig: { enabled: true, samplingRate: 1, bigqueryDestination: { outputUri: `bq://${PROJECT}.serving_logs.predictions` } },
  });
  const classifier = endpointResource('300', { '4': 100 }, [{ id: '4', model: '30' }]);
  const boosterClassifier = endpointResource('400', { '5': 100 }, [{ id: '5', model: '50' }]);

  beforeAll(async () => {
    dir = await tempDir('vertex-serving-');
    storageRoot = join(dir.path, 'gcs');
    trained = trainModels(storageRoot, 'models');
    bigquery = await startBigQueryEmulator({ dataDir: join(dir.path, 'bigquery') });
    env = { GOOGLE_CLOUD_PROJECT: PROJECT, BIGQUERY_EMULATOR_HOST: bigquery.url };
    runtime = new EndpointRuntime({
      launcher: new LocalContainerLauncher({ storageRoot, killGraceMs: 1_000 }),
      storageRoot,
      logDir: join(dir.path, 'logs'),
      env,
      random,
      startupTimeoutMs: 30_000,
    });
    // The same artifact twice on one endpoint: a canary pair whose routing the tests can count.
    await Promise.all([
      runtime.deploy(regression.name as string, '1', modelResource('10', 'gs://models/sk-reg', SKLEARN_IMAGE)),
      runtime.deploy(regression.name as string, '2', modelResource('11', 'gs://models/sk-reg/', SKLEARN_IMAGE)),
      runtime.deploy(xgboost.name as string, '3', modelResource('20', 'gs://models/xgb-reg', XGBOOST_IMAGE)),
      runtime.deploy(classifier.name as string, '4', modelResource('30', 'gs://models/sk-clf', SKLEARN_IMAGE, { predictRoute: '/predict', healthRoute: '/health' })),
      runtime.deploy(boosterClassifier.name as string, '5', modelResource('50', 'gs://models/xgb-clf', XGBOOST_IMAGE)),
    ]);
  }, 60_000);

  afterAll(async () => {
    await runtime?.stopAll();
    await bigquery?.close();
    await dir?.remove();
  });

  it('predicts with a scikit-learn pipeline from lists and from objects keyed by feature name', async () => {
    const { instances, objects, expected } = trained.sklearnRegression;
    for (const batch of [instances, objects]) {
      const result = await runtime.predict(regression, { instances: batch }, { raw: false });
      expect(result.status).toBe(200);
      const body = result.body as { predictions: number[]; deployedModelId: string; model: string; modelVersionId: string; modelDisplayName: string };
      expect(body.predictions).toHaveLength(expected.length);
      body.predictions.forEach((p, i) => expect(p).toBeCloseTo(expected[i]!, 9));
      expect(body.deployedModelId).toBe(result.deployedModelId);
      expect(body.model).toBe(`projects/local-project/locations/us-central1/models/${result.deployedModelId === '1' ? '10' : '11'}`);
      expect(body.modelVersionId).toBe('1');
    }
  });

  it('predicts with an XGBoost booster behind its preprocessor (unseen categories included)', async () => {
    const { instances, expected } = trained.xgboostRegression;
    const result = await runtime.predict(xgboost, { instances }, { raw: false });
    expect(result).toMatchObject({ status: 200, deployedModelId: '3' });
    const { predictions } = result.body as { predictions: number[] };
    predictions.forEach((p, i) => expect(p).toBeCloseTo(expected[i]!, 4));
  });

  it.each([
    ['scikit-learn pipeline', () => classifier, () => trained.sklearnClassifier, 9],
    ['XGBoost booster', () => boosterClassifier, () => trained.xgboostClassifier, 5],
  ] as const)('answers class labels, and probabilities when asked (%s)', async (_kind, endpoint, fixture, digits) => {
    const { instances, labels, probabilities } = fixture();
    const plain = await runtime.predict(endpoint(), { instances }, { raw: false });
    expect((plain.body as { predictions: unknown[] }).predictions).toEqual(labels);
    const detailed = await runtime.predict(endpoint(), { instances, parameters: { return_probabilities: true } }, { raw: false });
    const predictions = (detailed.body as { predictions: { predicted_class: string; classes: string[]; probabilities: number[] }[] }).predictions;
    expect(predictions).toHaveLength(labels.length);
    predictions.forEach((p, i) => {
      expect(p.predicted_class).toBe(labels[i]);
      expect(p.classes).toEqual(['no', 'yes']);
      p.probabilities.forEach((q, j) => expect(q).toBeCloseTo(probabilities[i]![j]!, digits));
    });
  });

  it('routes by the traffic split: 90/10 over 200 requests, and 100/0 to one model', async () => {
    const body = { instances: trained.sklearnRegression.instances.slice(0, 1) };
    const count = async (endpoint: Record<string, unknown>, n: number) => {
      const hits: Record<string, number> = {};
      for (let i = 0; i < n; i++) {
        const { status, deployedModelId } = await runtime.predict(endpoint, body, { raw: false });
        expect(status).toBe(200);
        hits[deployedModelId] = (hits[deployedModelId] ?? 0) + 1;
      }
      return hits;
    };
    const split = await count(regression, 200);
    expect(split['1']! + split['2']!).toBe(200);
    expect(split['2']!).toBeGreaterThanOrEqual(8);
    expect(split['2']!).toBeLessThanOrEqual(35);
    expect(await count({ ...regression, trafficSplit: { '1': 0, '2': 100 } }, 30)).toEqual({ '2': 30 });
  });

  it('passes rawPredict bodies through untouched', async () => {
    const text = JSON.stringify({ instances: trained.sklearnRegression.instances });
    const result = await runtime.predict(classifier, Buffer.from(text), { raw: true });
    expect(result.status).toBe(200);
    expect(result.contentType).toBe('application/json');
    expect(result.body).toBe('{"predictions": ["yes", "no", "yes"]}');
  });

  it('answers bad requests with 400 and the model server reason', async () => {
    const unknown = await runtime.predict(regression, { instances: [{ x1: 1, typo: 2 }] }, { raw: false });
    expect(unknown.status).toBe(400);
    expect(unknown.body).toMatchObject({ error: { code: 400, status: 'INVALID_ARGUMENT', message: expect.stringMatching(/unknown features \['typo'\]/) as unknown } });
    const shape = await runtime.predict(regression, { instances: [[1, 2, 3]] }, { raw: false });
    expect(shape.status).toBe(400);
    const noInstances = await runtime.predict(regression, { rows: [] }, { raw: false });
    expect(noInstances).toMatchObject({ status: 400, deployedModelId: expect.stringMatching(/^[12]$/) as unknown });
    const empty = await runtime.predict(endpointResource('999', {}, []), { instances: [[1, 2]] }, { raw: false });
    expect(empty).toMatchObject({ status: 400, deployedModelId: '', body: { error: { status: 'FAILED_PRECONDITION' } } });
  });

  it('logs requests and responses to BigQuery through the official client', async () => {
    const { instances } = trained.xgboostRegression;
    await runtime.predict(xgboost, { instances }, { raw: false });
    await runtime.predict(xgboost, { instances: instances.slice(0, 1) }, { raw: false });
    await runtime.flushRequestLogs();
    const client = bigQueryClient({ projectId: PROJECT, env });
    const [rows] = await client.query(
      `SELECT endpoint, deployed_model_id, request_payload, response_payload, logging_time, request_id
       FROM \`${PROJECT}.serving_logs.predictions\` ORDER BY ARRAY_LENGTH(request_payload) DESC`,
    );
    const logged = rows as { endpoint: string; deployed_model_id: string; request_payload: string[]; response_payload: string[]; logging_time: unknown }[];
    // The XGBoost test above predicted on this endpoint too.
    expect(logged.length).toBeGreaterThanOrEqual(2);
    const first = logged[0]!;
    expect(first).toMatchObject({ endpoint: xgboost.name, deployed_model_id: '3' });
    expect(first.request_payload.map((s) => JSON.parse(s) as unknown)).toEqual(instances);
    expect(first.response_payload).toHaveLength(instances.length);
    expect(first.logging_time).toBeTruthy();
  });

  it('gives containerSpec.env to the server process, which refuses a bad fault setting at start', async () => {
    const bad = modelResource('60', 'gs://models/sk-reg', SKLEARN_IMAGE, { env: [{ name: 'MODEL_SERVER_ERROR_RATE', value: '1.5' }] });
    await expect(runtime.deploy(classifier.name as string, '9', bad)).rejects.toMatchObject({
      code: 400,
      message: expect.stringMatching(/MODEL_SERVER_ERROR_RATE must be a fraction between 0 and 1, got '1.5'/) as unknown,
    });
    // Every request failing (rate 1) shows the variable reached the process.
    const failing = endpointResource('600', { '9': 100 }, [{ id: '9', model: '61' }]);
    await runtime.deploy(failing.name as string, '9', modelResource('61', 'gs://models/sk-reg', SKLEARN_IMAGE, { env: [{ name: 'MODEL_SERVER_ERROR_RATE', value: '1' }] }));
    const result = await runtime.predict(failing, { instances: trained.sklearnRegression.instances }, { raw: false });
    expect(result).toMatchObject({ status: 500, deployedModelId: '9', body: { error: { message: expect.stringMatching(/injected fault/) as unknown } } });
    await runtime.undeploy(failing.name as string, '9');
  });

  it('refuses models whose artifacts are missing or hold no model file, with the server log', async () => {
    await expect(runtime.deploy(classifier.name as string, '8', modelResource('40', 'gs://models/nothing-here', SKLEARN_IMAGE))).rejects.toMatchObject({
      code: 400,
      message: expect.stringMatching(/do not exist/) as unknown,
    });
    await mkdir(join(storageRoot, 'models', 'empty'), { recursive: true });
    await writeFile(join(storageRoot, 'models', 'empty', 'README'), 'no model here\n');
    await expect(runtime.deploy(classifier.name as string, '9', modelResource('41', 'gs://models/empty', SKLEARN_IMAGE))).rejects.toMatchObject({
      message: expect.stringMatching(/model server log[\s\S]*has no model\.joblib, model\.pkl or model\.bst/) as unknown,
    });
    expect(runtime.describe(classifier.name as string, '9')).toBeUndefined();
  });

  it('undeploy stops the server: its port closes and predictions answer 503', async () => {
    const info = runtime.describe(classifier.name as string, '4');
    expect(info?.running).toBe(true);
    await runtime.undeploy(classifier.name as string, '4');
    expect(await portOpen(info!.port)).toBe(false);
    const after = await runtime.predict(classifier, { instances: [[1, 1]] }, { raw: false });
    expect(after).toMatchObject({ status: 503, body: { error: { status: 'UNAVAILABLE' } } });
    await runtime.undeploy(classifier.name as string, '4'); // idempotent
  });
});

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
