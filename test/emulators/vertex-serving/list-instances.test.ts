// List instances through the official PredictionServiceClient (REST fallback) to the prebuilt
// sklearn/XGBoost model server: each instance a google.protobuf.Value with listValue must reach
// the server as a JSON list, and the request-response log must hold the lists too.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bigQueryClient } from '../../../google-clients/index.js';
import type { BigQueryEmulator } from '../../../emulators/bigquery/server.js';
import { startBigQueryEmulator } from '../../../emulators/bigquery/server.js';
import { fromProtoValue, toProtoValue } from '../../../vertex/shared/struct.js';
import type { JsonValue } from '../../../vertex/shared/struct.js';
import { PARENT, PROJECT, startTestVertex, waitFor } from '../vertex/support.js';
import type { TestVertex } from '../vertex/support.js';
import type { TrainedModels } from './support.js';
import { SKLEARN_IMAGE, XGBOOST_IMAGE, pythonUnavailable, tempDir, trainModels } from './support.js';

const unavailable = pythonUnavailable();
if (unavailable) console.warn(`Skipping the list-instance tests: ${unavailable}`);

describe.skipIf(unavailable !== undefined)('list instances through PredictionServiceClient.predict', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let bigquery: BigQueryEmulator;
  let t: TestVertex;
  let trained: TrainedModels;
  const endpoints: Record<'sklearn' | 'xgboost', string> = { sklearn: '', xgboost: '' };

  async function deploy(name: 'sklearn' | 'xgboost', artifactUri: string, imageUri: string): Promise<string> {
    const [upload] = await t.clients.models.uploadModel({ parent: PARENT, modelId: name, model: { displayName: name, artifactUri, containerSpec: { imageUri } } });
    const [uploaded] = await upload.promise();
    const [create] = await t.clients.endpoints.createEndpoint({
      parent: PARENT,
      endpointId: name,
      endpoint: {
        displayName: name,
        predictRequestResponseLoggingConfig: { enabled: true, samplingRate: 1, bigqueryDestination: { outputUri: `bq://${PROJECT}.serving_logs.${name}` } },
      },
    });
    const [endpoint] = await create.promise();
    const [deployment] = await t.clients.endpoints.deployModel({
      endpoint: endpoint.name,
      deployedModel: { model: uploaded.model, dedicatedResources: { machineSpec: { machineType: 'n1-standard-2' }, minReplicaCount: 1, maxReplicaCount: 1 } },
      trafficSplit: { '0': 100 },
    });
    await deployment.promise();
    return String(endpoint.name);
  }

  async function predict(endpoint: string, instances: JsonValue[]): Promise<JsonValue[]> {
    const [response] = await t.clients.predictions.predict({ endpoint, instances: instances.map((instance, i) => toProtoValue(instance, `instances[${i}]`)) });
    return (response.predictions ?? []).map(fromProtoValue);
  }

  beforeAll(async () => {
    dir = await tempDir('vertex-list-instances-');
    const storageRoot = join(dir.path, 'gcs');
    trained = trainModels(storageRoot, 'models');
    bigquery = await startBigQueryEmulator({ dataDir: join(dir.path, 'bigquery') });
    t = await startTestVertex({ dataDir: join(dir.path, 'vertex'), storageRoot }, { env: { GOOGLE_CLOUD_PROJECT: PROJECT, BIGQUERY_EMULATOR_HOST: bigquery.url } });
    [endpoints.sklearn, endpoints.xgboost] = await Promise.all([deploy('sklearn', 'gs://models/sk-reg', SKLEARN_IMAGE), deploy('xgboost', 'gs://models/xgb-reg', XGBOOST_IMAGE)]);
  }, 90_000);

  afterAll(async () => {
    await t?.stop({ keepData: true });
    await bigquery?.close();
    await dir?.remove();
  });

  it('predicts from numeric lists and from mixed number/string lists', async () => {
    const sklearn = await predict(endpoints.sklearn, trained.sklearnRegression.instances);
    expect(sklearn).toHaveLength(trained.sklearnRegression.expected.length);
    sklearn.forEach((p, i) => expect(p).toBeCloseTo(trained.sklearnRegression.expected[i]!, 9));
    const xgboost = await predict(endpoints.xgboost, trained.xgboostRegression.instances);
    expect(xgboost).toHaveLength(trained.xgboostRegression.expected.length);
    xgboost.forEach((p, i) => expect(p).toBeCloseTo(trained.xgboostRegression.expected[i]!, 4));
  });

  it('logs each list instance as a JSON list', async () => {
    const { instances } = trained.xgboostRegression;
    await predict(endpoints.xgboost, instances);
    const client = bigQueryClient({ projectId: PROJECT, env: { BIGQUERY_EMULATOR_HOST: bigquery.url } });
    const rows = await waitFor(async () => {
      try {
        const [result] = await client.query(`SELECT request_payload FROM \`${PROJECT}.serving_logs.xgboost\``);
        return result as { request_payload: string[] }[];
      } catch {
        return []; // the table is created with the first batch
      }
    }, (result) => result.length >= 2);
    for (const row of rows) expect(row.request_payload.map((text) => JSON.parse(text) as unknown)).toEqual(instances);
  });
});
