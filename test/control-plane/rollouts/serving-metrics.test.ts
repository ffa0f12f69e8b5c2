// End to end: two sklearn models deployed 50/50 on the local Vertex AI, one of them a deliberately
// bad server (slow, failing 40% of requests, set through containerSpec.env); the local Vertex
// writes its built-in metrics to the local Monitoring, and readServingMetrics reports per deployed
// model what the client saw. Also the rollout's own measurements as user-defined metrics.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MetricServiceClient } from '@google-cloud/monitoring';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metricServiceClient } from '../../../google-clients/index.js';
import { startMonitoringEmulator, type MonitoringEmulator } from '../../../emulators/monitoring/server.js';
import { readServingMetrics, writeRolloutMeasurements, type ServingMetrics } from '../../../control-plane/rollouts/analysis/serving-metrics.js';
import { LOCATION, PARENT, PROJECT, startTestVertex, waitFor, type TestVertex } from '../../emulators/vertex/support.js';
import { SKLEARN_IMAGE, pythonUnavailable, trainModels } from '../../emulators/vertex-serving/support.js';

const unavailable = pythonUnavailable();
if (unavailable) console.warn(`Skipping the serving-metrics end-to-end test: ${unavailable}`);

const ADDED_LATENCY_MS = 80;
const REQUESTS = 60;

let monitoringDir: string;
let monitoring: MonitoringEmulator;
let client: MetricServiceClient;

beforeAll(async () => {
  monitoringDir = mkdtempSync(join(tmpdir(), 'serving-metrics-'));
  monitoring = await startMonitoringEmulator({ dataDir: monitoringDir });
  client = metricServiceClient({ projectId: PROJECT, env: { MONITORING_EMULATOR_HOST: `127.0.0.1:${monitoring.port}` } });
});

afterAll(async () => {
  await client?.close();
  await monitoring?.close();
  rmSync(monitoringDir, { recursive: true, force: true });
});

describe.skipIf(unavailable !== undefined)('readServingMetrics against the local Vertex AI and Monitoring', () => {
  let vertex: TestVertex;
  let endpoint = '';
  let good = '';
  let bad = '';
  const seen = { goodOk: 0, badOk: 0, failed: 0 };
  let start: Date;

  beforeAll(async () => {
    // The env the launcher gives the Vertex emulator: Monitoring's address reaches the serving runtime.
    vertex = await startTestVertex({}, { env: { GOOGLE_CLOUD_PROJECT: PROJECT, MONITORING_EMULATOR_HOST: `127.0.0.1:${monitoring.port}` } });
    trainModels(vertex.storageRoot, 'models');
    const upload = async (id: string, env: { name: string; value: string }[]) => {
      const [operation] = await vertex.clients.models.uploadModel({
        parent: PARENT,
        modelId: id,
        model: { displayName: id, artifactUri: 'gs://models/sk-reg', containerSpec: { imageUri: SKLEARN_IMAGE, env } },
      });
      const [response] = await operation.promise();
      return String(response.model);
    };
    const goodModel = await upload('good', []);
    const badModel = await upload('bad', [
      { name: 'MODEL_SERVER_ADDED_LATENCY_MS', value: String(ADDED_LATENCY_MS) },
      { name: 'MODEL_SERVER_ERROR_RATE', value: '0.4' },
      { name: 'MODEL_SERVER_FAULT_SEED', value: '11' },
    ]);
    const [created] = await vertex.clients.endpoints.createEndpoint({ parent: PARENT, endpointId: 'canary', endpoint: { displayName: 'canary' } });
    endpoint = String((await created.promise())[0].name);
    const resources = { machineSpec: { machineType: 'n1-standard-2' }, minReplicaCount: 1, maxReplicaCount: 1 };
    const deploy = async (model: string, trafficSplit: Record<string, number>) => {
      const [operation] = await vertex.clients.endpoints.deployModel({ endpoint, deployedModel: { model, dedicatedResources: resources }, trafficSplit });
      return String((await operation.promise())[0].deployedModel?.id);
    };
    good = await deploy(goodModel, { '0': 100 });
    bad = await deploy(badModel, { '0': 50, [good]: 50 });

    start = new Date();
    // Objects keyed by feature name (the model's input_schema.json).
    const instances = [[1, 2], [0.5, -1.5], [3, 0]].map(([x1, x2]) => ({ structValue: { fields: { x1: { numberValue: x1! }, x2: { numberValue: x2! } } } }));
    for (let i = 0; i < REQUESTS; i += 1) {
      try {
        const [response] = await vertex.clients.predictions.predict({ endpoint, instances });
        if (response.deployedModelId === good) seen.goodOk += 1;
        else seen.badOk += 1;
      } catch (error) {
        // Only the bad server fails; its errors carry no deployed model id.
        expect(String(error)).toMatch(/injected fault/);
        seen.failed += 1;
      }
    }
  }, 120_000);

  afterAll(async () => {
    await vertex?.stop();
  });

  it('reports per deployed model the counts, error rate and latency the client saw', async () => {
    expect(seen.failed).toBeGreaterThan(0);
    expect(seen.goodOk).toBeGreaterThan(0);
    const read = () => readServingMetrics(client, { projectId: PROJECT, location: LOCATION, endpointId: 'canary', deployedModelIds: [good, bad, '404'], start, end: new Date() });
    // The local Vertex writes every 5 s: wait for the points that hold all the traffic.
    const metrics = await waitFor(read, (m) => (m[good]?.requestCount ?? 0) + (m[bad]?.requestCount ?? 0) === REQUESTS, 30_000, 500);

    const goodMetrics = metrics[good]!;
    expect(goodMetrics).toMatchObject({ requestCount: seen.goodOk, predictionCount: 3 * seen.goodOk, errorCount: 0, errorRate: 0 });
    expect(goodMetrics.latencyP95Ms).toBeLessThan(ADDED_LATENCY_MS);

    const badMetrics = metrics[bad]!;
    const badRequests = seen.badOk + seen.failed;
    expect(badMetrics).toMatchObject({ requestCount: badRequests, predictionCount: 3 * seen.badOk, errorCount: seen.failed });
    expect(badMetrics.errorRate).toBeCloseTo(seen.failed / badRequests, 12);
    // Every request to the bad server waited the added latency; buckets are 5% wide.
    expect(badMetrics.latencyP50Ms).toBeGreaterThanOrEqual(ADDED_LATENCY_MS);
    expect(badMetrics.latencyP95Ms).toBeGreaterThanOrEqual(badMetrics.latencyP50Ms!);
    expect(badMetrics.latencyP95Ms).toBeLessThan(ADDED_LATENCY_MS * 1.05 + 200);

    const none: ServingMetrics = { requestCount: 0, predictionCount: 0, errorCount: 0, errorRate: undefined, latencyP50Ms: undefined, latencyP95Ms: undefined };
    expect(metrics['404']).toEqual(none);
  }, 60_000);
});

describe('writeRolloutMeasurements', () => {
  it('writes gauges under custom.googleapis.com/mlops/rollout/, merging points of a series closer than 5 s', async () => {
    const now = Date.now();
    const labels = { model: 'flight-delay', version: '3', deployedModelId: '77', rolloutId: 'r-1', step: 2 };
    const outcome = await writeRolloutMeasurements(client, PROJECT, [
      { metric: 'error_rate', value: 0.5, labels, at: new Date(now - 20_000) },
      { metric: 'error_rate', value: 0.25, labels, at: new Date(now - 18_000) },
      { metric: 'error_rate', value: 0.125, labels, at: new Date(now - 5_000) },
      { metric: 'latency_p95_ms', value: 42, labels, at: new Date(now - 5_000) },
    ]);
    expect(outcome).toEqual({ written: 3, skipped: 1 });
    const [series] = await client.listTimeSeries({
      name: `projects/${PROJECT}`,
      filter: 'metric.type = "custom.googleapis.com/mlops/rollout/error_rate"',
      interval: { startTime: { seconds: Math.floor(now / 1000) - 60 }, endTime: { seconds: Math.ceil(now / 1000) } },
    });
    expect(series).toHaveLength(1);
    expect(series[0]?.metric?.labels).toEqual({ model: 'flight-delay', version: '3', deployed_model_id: '77', rollout_id: 'r-1', step: '2' });
    expect(series[0]?.resource).toEqual({ type: 'global', labels: { project_id: PROJECT } });
    // Newest first: the point at -18 s replaced the one at -20 s.
    expect(series[0]?.points?.map((p) => p.value?.doubleValue)).toEqual([0.125, 0.25]);
    await expect(writeRolloutMeasurements(client, PROJECT, [{ metric: 'Bad-Name', value: 1, labels, at: new Date() }])).rejects.toThrow(/lowercase/);
  });
});
