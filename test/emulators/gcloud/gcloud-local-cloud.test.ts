// The real `gcloud` against the local cloud with only the env file's variables (issue 7):
// `ai endpoints create` and `ai endpoints deploy-model` finish (gcloud polls their operations
// under /v1beta1), and `ai custom-jobs stream-logs` prints a finished job's replica output
// through the Logging emulator (CLOUDSDK_API_ENDPOINT_OVERRIDES_LOGGING).
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { v1 } from '@google-cloud/aiplatform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { vertexClientOptions } from '../../../google-clients/index.js';
import type { TestCloud } from '../../support/local-cloud.js';
import { startTestCloud } from '../../support/local-cloud.js';
import { DOUBLING_SERVER, LOCATION, waitFor } from '../vertex/support.js';

const GCLOUD = '/usr/bin/gcloud';
const run = promisify(execFile);
const hasGcloud = existsSync(GCLOUD);
if (!hasGcloud) console.warn(`gcloud tests skipped: the Cloud CLI is not installed at ${GCLOUD}`);

let cloud: TestCloud;
let config: string;
let parent: string;
let clients: {
  jobs: InstanceType<typeof v1.JobServiceClient>;
  models: InstanceType<typeof v1.ModelServiceClient>;
  endpoints: InstanceType<typeof v1.EndpointServiceClient>;
  predictions: InstanceType<typeof v1.PredictionServiceClient>;
};

/** Runs gcloud with the local cloud's env file variables and a throwaway configuration directory. */
async function gcloud(...args: string[]): Promise<{ stdout: string; stderr: string }> {
  return run(GCLOUD, [...args, `--region=${LOCATION}`], {
    env: {
      ...cloud.env,
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: config,
      CLOUDSDK_CONFIG: config,
      CLOUDSDK_CORE_DISABLE_PROMPTS: '1',
      CLOUDSDK_COMPONENT_MANAGER_DISABLE_UPDATE_CHECK: '1',
    },
    timeout: 60_000,
  });
}

describe.skipIf(!hasGcloud)('gcloud against the local cloud', () => {
  beforeAll(async () => {
    config = mkdtempSync(join(tmpdir(), 'gcloud-config-'));
    cloud = await startTestCloud({ vertex: true });
    parent = `projects/${cloud.projectId}/locations/${LOCATION}`;
    const options = vertexClientOptions(LOCATION, { projectId: cloud.projectId, env: cloud.env });
    clients = {
      jobs: new v1.JobServiceClient(options),
      models: new v1.ModelServiceClient(options),
      endpoints: new v1.EndpointServiceClient(options),
      predictions: new v1.PredictionServiceClient(options),
    };
  }, 60_000);
  afterAll(async () => {
    await Promise.all(Object.values(clients ?? {}).map((c: { close(): Promise<void> }) => c.close()));
    await cloud?.teardown();
    rmSync(config, { recursive: true, force: true });
  });

  it('writes the Logging override into the env file variables', () => {
    expect(cloud.env.CLOUDSDK_API_ENDPOINT_OVERRIDES_LOGGING).toBe(`${cloud.endpoints.logging!}/`);
    expect(cloud.env.LOGGING_EMULATOR_HOST).toBe(cloud.endpoints.logging!.replace('http://', ''));
  });

  it('creates an endpoint and deploys a model uploaded with the official client', async () => {
    const [upload] = await clients.models.uploadModel({ parent, modelId: 'gcloud-doubler', model: { displayName: 'gcloud-doubler', containerSpec: { imageUri: 'python:3.11', command: ['python3', '-c', DOUBLING_SERVER] } } });
    await upload.promise();

    const created = await gcloud('ai', 'endpoints', 'create', '--display-name=from-gcloud');
    const endpointName = /Created Vertex AI endpoint: (projects\/\S+\/endpoints\/\d+)\./.exec(created.stderr)?.[1];
    expect(endpointName, created.stderr).toBeDefined();
    const [endpoint] = await clients.endpoints.getEndpoint({ name: endpointName! });
    expect(endpoint.displayName).toBe('from-gcloud');

    const endpointId = endpointName!.split('/').pop()!;
    const deployed = await gcloud('ai', 'endpoints', 'deploy-model', endpointId, '--model=gcloud-doubler', '--display-name=doubler-v1', '--machine-type=n1-standard-2');
    const deployedModelId = /Id of the deployed model: (\d+)/.exec(deployed.stderr)?.[1];
    expect(deployedModelId, deployed.stderr).toBeDefined();
    const [after] = await clients.endpoints.getEndpoint({ name: endpointName! });
    expect(after.deployedModels).toEqual([expect.objectContaining({ id: deployedModelId, displayName: 'doubler-v1', model: `${parent}/models/gcloud-doubler` })]);
    expect(after.trafficSplit).toEqual({ [deployedModelId!]: 100 });
    const [prediction] = await clients.predictions.predict({ endpoint: endpointName!, instances: [{ numberValue: 21 }] });
    expect(prediction.predictions).toEqual([expect.objectContaining({ numberValue: 42 })]);
  }, 120_000);

  it("streams a finished CustomJob's replica output, and one task's with --task-name", async () => {
    const pool = (command: string) => ({ machineSpec: { machineType: 'n1-standard-4' }, replicaCount: 1, containerSpec: { imageUri: 'alpine', command: ['sh', '-c', command] } });
    const [job] = await clients.jobs.createCustomJob({
      parent,
      customJob: {
        displayName: 'prints-known-lines',
        jobSpec: {
          workerPoolSpecs: [
            pool('echo "epoch 1 loss=0.50"; echo "epoch 2 loss=0.25" >&2; sleep 1; echo "training done"'),
            pool('echo "worker ready"'),
          ],
        },
      },
    });
    await waitFor(async () => (await clients.jobs.getCustomJob({ name: job.name! }))[0].state, (s) => s === 'JOB_STATE_SUCCEEDED' || s === 'JOB_STATE_FAILED');
    const jobId = job.name!.split('/').pop()!;

    const [all, worker] = await Promise.all([
      gcloud('ai', 'custom-jobs', 'stream-logs', jobId, '--polling-interval=1'),
      gcloud('ai', 'custom-jobs', 'stream-logs', jobId, '--polling-interval=1', '--task-name=workerpool1-0'),
    ]);
    const lines = all.stdout.trim().split('\n').map((line) => line.split('\t'));
    // gcloud's columns: severity, local time, task name, message.
    const chief = lines.filter((l) => l[2] === 'workerpool0-0').map((l) => l[3]);
    expect(chief, all.stdout + all.stderr).toEqual(['epoch 1 loss=0.50', 'epoch 2 loss=0.25', 'training done']);
    expect(lines).toContainEqual(['INFO', expect.stringMatching(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d /), 'workerpool1-0', 'worker ready']);
    expect(worker.stdout.trim().split('\n').map((l) => l.split('\t').slice(2))).toEqual([['workerpool1-0', 'worker ready']]);
  }, 120_000);
});
