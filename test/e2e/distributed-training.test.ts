// The PyTorch DDP trainer as a two-pool CustomJob on local Vertex: chief + one worker find each
// other through CLUSTER_SPEC on loopback, train with gloo, and the chief writes the model.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMPONENT_IMAGE } from '../../pipelines/components/image.js';
import { vertexClients } from '../../google-clients/index.js';
import { buildCreateCustomJobRequest } from '../../vertex/requests/custom-job.js';
import { multiWorkerMirroredJob } from '../../vertex/requests/custom-job-presets.js';
import type { TestCloud } from '../support/local-cloud.js';
import { startTestCloud } from '../support/local-cloud.js';

const probe = spawnSync('/usr/bin/python3', ['-c', 'import torch'], { encoding: 'utf8' });
const skipReason = probe.status === 0 ? undefined : `/usr/bin/python3 cannot import torch: ${probe.stderr.trim().split('\n').at(-1) ?? ''}`;
if (skipReason) console.warn(`distributed training test skipped: ${skipReason}`);

describe.skipIf(skipReason !== undefined)('distributed PyTorch training as a CustomJob', () => {
  let cloud: TestCloud;
  let vertex: ReturnType<typeof vertexClients>;

  beforeAll(async () => {
    cloud = await startTestCloud({ vertex: true });
    vertex = vertexClients('us-central1', { projectId: cloud.projectId, env: cloud.env });
  }, 60_000);

  afterAll(async () => {
    await Promise.all(Object.values(vertex ?? {}).map((c) => c.close()));
    await cloud?.teardown();
  });

  it('chief and worker train together with DDP and the chief saves the model', async () => {
    const request = buildCreateCustomJobRequest({
      project: cloud.projectId,
      location: 'us-central1',
      displayName: 'ddp-mlp',
      spec: {
        pools: multiWorkerMirroredJob({
          replica: {
            machine: { machineType: 'n1-standard-4' },
            task: {
              container: {
                imageUri: COMPONENT_IMAGE,
                command: ['python3', '-m', 'mlops_components.steps.ddp_trainer'],
                args: ['--epochs', '2', '--synthetic-rows', '256', '--backend', 'gloo', '--init-timeout-seconds', '60'],
              },
            },
          },
          workerCount: 1,
        }),
        baseOutputDirectory: 'gs://local-project-training/ddp',
        scheduling: { timeout: 300 },
      },
    });
    const [created] = await vertex.jobs.createCustomJob(request);
    let state = '';
    for (let i = 0; i < 240 && !['JOB_STATE_SUCCEEDED', 'JOB_STATE_FAILED', 'JOB_STATE_CANCELLED'].includes(state); i++) {
      await new Promise((r) => setTimeout(r, 500));
      const [job] = await vertex.jobs.getCustomJob({ name: created.name! });
      state = String(job.state);
      if (state === 'JOB_STATE_FAILED') throw new Error(job.error?.message ?? 'failed');
    }
    expect(state).toBe('JOB_STATE_SUCCEEDED');
    const modelDir = join(cloud.dataDir, 'storage', 'local-project-training', 'ddp', 'model');
    expect(existsSync(join(modelDir, 'model.pt'))).toBe(true);
    expect(existsSync(join(modelDir, 'model_config.json'))).toBe(true);
    // The worker joined the same process group as rank 1 of 2 and trained every epoch.
    const jobId = created.name!.split('/').pop()!;
    const workerLog = readFileSync(join(cloud.dataDir, 'vertex', 'logs', 'customJobs', jobId, 'workerpool1-0.log'), 'utf8');
    const epochs = workerLog
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { message?: string; rank?: number; world_size?: number })
      .filter((e) => e.message === 'epoch finished');
    expect(epochs.map((e) => [e.rank, e.world_size])).toEqual([
      [1, 2],
      [1, 2],
    ]);
  }, 150_000);
});
