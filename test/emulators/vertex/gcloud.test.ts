// `gcloud ai` against the emulator (CLOUDSDK_API_ENDPOINT_OVERRIDES_AIPLATFORM), with a fixed
// access token so no login is needed: list custom jobs, models and endpoints; predict.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DOUBLING_SERVER, PARENT, PROJECT, startTestVertex, waitFor } from './support.js';
import type { TestVertex } from './support.js';

const GCLOUD = '/usr/bin/gcloud';
const run = promisify(execFile);

let t: TestVertex;
let config: string;

async function gcloud(...args: string[]): Promise<unknown> {
  const { stdout } = await run(GCLOUD, [...args, '--region=us-central1', '--format=json'], {
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: config,
      CLOUDSDK_CONFIG: config,
      CLOUDSDK_API_ENDPOINT_OVERRIDES_AIPLATFORM: `${t.emulator.url}/`,
      CLOUDSDK_CORE_PROJECT: PROJECT,
      CLOUDSDK_AUTH_ACCESS_TOKEN: 'local-emulator-token',
      CLOUDSDK_CORE_DISABLE_PROMPTS: '1',
      CLOUDSDK_COMPONENT_MANAGER_DISABLE_UPDATE_CHECK: '1',
    },
    timeout: 30_000,
  });
  return JSON.parse(stdout);
}

describe.skipIf(!existsSync(GCLOUD))('gcloud ai', () => {
  beforeAll(async () => {
    config = mkdtempSync(join(tmpdir(), 'gcloud-config-'));
    t = await startTestVertex();
    const [job] = await t.clients.jobs.createCustomJob({
      parent: PARENT,
      customJob: { displayName: 'from-gcloud', jobSpec: { workerPoolSpecs: [{ machineSpec: { machineType: 'n1-standard-4' }, replicaCount: 1, containerSpec: { imageUri: 'alpine', command: ['true'] } }] } },
    });
    const [upload] = await t.clients.models.uploadModel({ parent: PARENT, modelId: 'doubler', model: { displayName: 'doubler', containerSpec: { imageUri: 'python:3.11', command: ['python3', '-c', DOUBLING_SERVER] } } });
    await upload.promise();
    const [create] = await t.clients.endpoints.createEndpoint({ parent: PARENT, endpointId: 'cli', endpoint: { displayName: 'cli' } });
    const [endpoint] = await create.promise();
    const [deploy] = await t.clients.endpoints.deployModel({ endpoint: endpoint.name!, deployedModel: { model: `${PARENT}/models/doubler`, dedicatedResources: { machineSpec: { machineType: 'n1-standard-2' }, minReplicaCount: 1 } } });
    await deploy.promise();
    await waitFor(async () => (await t.clients.jobs.getCustomJob({ name: job.name! }))[0].state, (s) => s === 'JOB_STATE_SUCCEEDED');
  });
  afterAll(async () => {
    await t.stop();
    rmSync(config, { recursive: true, force: true });
  });

  it('lists custom jobs, models and endpoints, and predicts', async () => {
    const request = join(config, 'request.json');
    writeFileSync(request, JSON.stringify({ instances: [1, 2, 3] }));
    const [jobs, models, endpoints, predictions] = await Promise.all([
      gcloud('ai', 'custom-jobs', 'list'),
      gcloud('ai', 'models', 'list'),
      gcloud('ai', 'endpoints', 'list'),
      gcloud('ai', 'endpoints', 'predict', 'cli', `--json-request=${request}`),
    ]);
    expect(jobs).toEqual([expect.objectContaining({ displayName: 'from-gcloud', state: 'JOB_STATE_SUCCEEDED' })]);
    expect(models).toEqual([expect.objectContaining({ name: `${PARENT}/models/doubler`, versionId: '1' })]);
    expect(endpoints).toEqual([expect.objectContaining({ name: `${PARENT}/endpoints/cli`, deployedModels: [expect.objectContaining({ model: `${PARENT}/models/doubler` })] })]);
    expect(predictions).toEqual(expect.objectContaining({ predictions: [2, 4, 6] }));
  });
});
