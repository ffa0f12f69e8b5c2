// Values Vertex AI refuses are refused by the local Vertex too, through the official client:
// documented limits (display names, labels, boot disks, timeouts, replica counts), machine types
// with a did-you-mean, and pipeline parameter values of the wrong type.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { protos } from '@google-cloud/aiplatform';
import { toStruct, toValueMap } from '../../../vertex/shared/struct.js';
import type { JsonObject, JsonValue } from '../../../vertex/shared/struct.js';
import { PARENT, callError, startTestVertex } from './support.js';
import type { TestVertex } from './support.js';

type IWorkerPoolSpec = protos.google.cloud.aiplatform.v1.IWorkerPoolSpec;

let t: TestVertex;
beforeAll(async () => {
  t = await startTestVertex();
});
afterAll(async () => {
  await t.stop();
});

const container = { imageUri: 'alpine:3.20', command: ['sh', '-c', 'true'] };

async function refusedCustomJob(pool: IWorkerPoolSpec, extra: protos.google.cloud.aiplatform.v1.ICustomJob = {}): Promise<string> {
  const err = await callError(t.clients.jobs.createCustomJob({
    parent: PARENT,
    customJob: { displayName: 'limits', jobSpec: { workerPoolSpecs: [pool] }, ...extra },
  }));
  expect(err.code).toBe(3); // INVALID_ARGUMENT
  const [, jobs] = [null, (await t.clients.jobs.listCustomJobs({ parent: PARENT }))[0]];
  expect(jobs.filter((j) => j.displayName === 'limits')).toEqual([]); // nothing was created
  return err.message;
}

describe('documented limits', () => {
  const pool = (over: IWorkerPoolSpec = {}): IWorkerPoolSpec => ({ machineSpec: { machineType: 'n1-standard-4' }, replicaCount: 1, containerSpec: container, ...over });

  it('refuses a negative or too small boot disk', async () => {
    expect(await refusedCustomJob(pool({ diskSpec: { bootDiskSizeGb: -5 } }))).toMatch(/boot_disk_size_gb.*100-64000 GB/);
    expect(await refusedCustomJob(pool({ diskSpec: { bootDiskSizeGb: 99 } }))).toMatch(/boot_disk_size_gb/);
    expect(await refusedCustomJob(pool({ diskSpec: { bootDiskType: 'pd-fast' } }))).toMatch(/boot_disk_type/);
  });

  it('refuses a negative or zero job timeout', async () => {
    expect(await refusedCustomJob(pool(), { jobSpec: { workerPoolSpecs: [pool()], scheduling: { timeout: { seconds: -30 } } } })).toMatch(/scheduling\.timeout.*at least 1s/);
    expect(await refusedCustomJob(pool(), { jobSpec: { workerPoolSpecs: [pool()], scheduling: { timeout: { seconds: 0, nanos: 5 } } } })).toMatch(/scheduling\.timeout/);
  });

  it('refuses a 1 MB display name and names beyond 128 characters, counting code points', async () => {
    expect(await refusedCustomJob(pool(), { displayName: 'x'.repeat(1 << 20) })).toMatch(/display_name.*at most 128 characters/);
    const [ok] = await t.clients.jobs.createCustomJob({ parent: PARENT, customJob: { displayName: '🙂'.repeat(128), jobSpec: { workerPoolSpecs: [pool()] } } });
    expect(ok.displayName).toBe('🙂'.repeat(128));
  });

  it('refuses bad labels', async () => {
    expect(await refusedCustomJob(pool(), { labels: { Team: 'churn' } })).toMatch(/labels\["Team"\]/);
    expect(await refusedCustomJob(pool(), { labels: { team: 'x'.repeat(64) } })).toMatch(/label values/i);
    const many = Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`k${i}`, 'v']));
    expect(await refusedCustomJob(pool(), { labels: many })).toMatch(/at most 64 labels/i);
  });

  it('refuses negative replica counts in a worker pool and in a deployment', async () => {
    expect(await refusedCustomJob(pool({ replicaCount: -1 }))).toMatch(/replica_count/);
    const [create] = await t.clients.endpoints.createEndpoint({ parent: PARENT, endpoint: { displayName: 'limits' } });
    const [endpoint] = await create.promise();
    const err = await callError(t.clients.endpoints.deployModel({
      endpoint: endpoint.name!,
      deployedModel: { model: `${PARENT}/models/none`, dedicatedResources: { machineSpec: { machineType: 'n1-standard-2' }, minReplicaCount: 2, maxReplicaCount: 1 } },
    }));
    expect(err.code).toBe(3);
    expect(err.message).toMatch(/max_replica_count.*at least minReplicaCount/);
  });
});

describe('machine types', () => {
  it('refuses a misspelt machine type in a CustomJob with a did-you-mean', async () => {
    const message = await refusedCustomJob({ machineSpec: { machineType: 'n1-standrd-4' }, replicaCount: 1, containerSpec: container });
    expect(message).toMatch(/machine_type.*"n1-standrd-4" is not a machine type Vertex AI training offers; did you mean `n1-standard-4`\?/);
  });

  it('refuses a misspelt machine type in a tuning job trial', async () => {
    const err = await callError(t.clients.jobs.createHyperparameterTuningJob({
      parent: PARENT,
      hyperparameterTuningJob: {
        displayName: 'hpt',
        maxTrialCount: 1,
        parallelTrialCount: 1,
        studySpec: { metrics: [{ metricId: 'm', goal: 'MAXIMIZE' }], parameters: [{ parameterId: 'x', doubleValueSpec: { minValue: 0, maxValue: 1 } }] },
        trialJobSpec: { workerPoolSpecs: [{ machineSpec: { machineType: 'n2-standard-5' }, replicaCount: 1, containerSpec: container }] },
      },
    }));
    expect(err.code).toBe(3);
    expect(err.message).toMatch(/trial_job_spec\.worker_pool_specs\[0\]\.machine_spec\.machine_type.*n2-standard-5/);
  });

  it('refuses a training-only machine type for a deployment', async () => {
    const [create] = await t.clients.endpoints.createEndpoint({ parent: PARENT, endpoint: { displayName: 'machines' } });
    const [endpoint] = await create.promise();
    const err = await callError(t.clients.endpoints.deployModel({
      endpoint: endpoint.name!,
      deployedModel: { model: `${PARENT}/models/none`, dedicatedResources: { machineSpec: { machineType: 'm1-ultramem-40' }, minReplicaCount: 1 } },
    }));
    expect(err.code).toBe(3);
    expect(err.message).toMatch(/"m1-ultramem-40" is offered for training, not for prediction/);
  });
});

describe('pipeline parameter types', () => {
  const spec: JsonObject = {
    pipelineInfo: { name: 'typed' },
    schemaVersion: '2.1.0',
    root: {
      inputDefinitions: {
        parameters: {
          name: { parameterType: 'STRING' },
          epochs: { parameterType: 'NUMBER_INTEGER', defaultValue: 3 },
          verbose: { parameterType: 'BOOLEAN', defaultValue: false },
        },
      },
      dag: { tasks: {} },
    },
    components: {},
    deploymentSpec: { executors: {} },
  };

  async function refused(parameterValues: Record<string, JsonValue>): Promise<string> {
    const err = await callError(t.clients.pipelines.createPipelineJob({
      parent: PARENT,
      pipelineJob: {
        displayName: 'typed',
        pipelineSpec: toStruct(spec, 'pipelineSpec'),
        runtimeConfig: { gcsOutputDirectory: 'gs://out/typed', parameterValues: toValueMap(parameterValues, 'parameterValues') },
      },
    }));
    expect(err.code).toBe(3);
    return err.message;
  }

  it('refuses a number for a STRING, a fraction for an INTEGER and text for a BOOLEAN', async () => {
    expect(await refused({ name: 42 })).toMatch(/pipeline parameter name: pipeline expects a string \(STRING\), got 42/);
    expect(await refused({ name: 'n', epochs: 2.5 })).toMatch(/epochs.*an integer \(NUMBER_INTEGER\), got 2\.5/);
    expect(await refused({ name: 'n', verbose: 'yes' })).toMatch(/verbose.*a boolean \(BOOLEAN\)/);
    const [jobs] = await t.clients.pipelines.listPipelineJobs({ parent: PARENT });
    expect(jobs).toEqual([]);
  });
});
