// State survives a restart on the same data directory: models, endpoints (their deployed models
// get servers again), operations; jobs that were running fail, as when their workers are lost.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DOUBLING_SERVER, PARENT, rest, startTestVertex, waitFor } from './support.js';
import type { TestVertex } from './support.js';

let current: TestVertex | undefined;
afterAll(async () => {
  await current?.stop();
});

describe('restart', () => {
  it('keeps models, endpoints and operations, restarts model servers and fails lost jobs', async () => {
    const first = await startTestVertex();
    current = first;
    const [upload] = await first.clients.models.uploadModel({ parent: PARENT, modelId: 'doubler', model: { displayName: 'doubler', containerSpec: { imageUri: 'python:3.11', command: ['python3', '-c', DOUBLING_SERVER] } } });
    await upload.promise();
    const [create] = await first.clients.endpoints.createEndpoint({ parent: PARENT, endpointId: 'kept', endpoint: { displayName: 'kept' } });
    const [endpoint] = await create.promise();
    const [deploy] = await first.clients.endpoints.deployModel({ endpoint: endpoint.name!, deployedModel: { model: `${PARENT}/models/doubler`, dedicatedResources: { machineSpec: { machineType: 'n1-standard-2' }, minReplicaCount: 1 } } });
    await deploy.promise();

    const pidFile = join(first.storageRoot, 'pid');
    const [job] = await first.clients.jobs.createCustomJob({
      parent: PARENT,
      customJob: { displayName: 'long', jobSpec: { workerPoolSpecs: [{ machineSpec: { machineType: 'n1-standard-4' }, replicaCount: 1, containerSpec: { imageUri: 'alpine', command: ['sh', '-c', 'echo $$ > /gcs/pid; sleep 60'] } }] } },
    });
    await waitFor(() => Promise.resolve(existsSync(pidFile)), Boolean);
    await first.stop({ keepData: true });
    // close() stopped the replica's process group.
    expect(() => process.kill(Number(readFileSync(pidFile, 'utf8')), 0)).toThrow();

    const second = await first.restart();
    current = second;
    const [model] = await second.clients.models.getModel({ name: `${PARENT}/models/doubler` });
    expect(model.versionId).toBe('1');
    expect(model.deployedModels).toHaveLength(1);
    const [again] = await second.clients.endpoints.getEndpoint({ name: endpoint.name! });
    expect(again.deployedModels).toHaveLength(1);
    const [lost] = await second.clients.jobs.getCustomJob({ name: job.name! });
    expect(lost.state).toBe('JOB_STATE_FAILED');
    expect(lost.error?.message).toMatch(/emulator stopped while this CustomJob was JOB_STATE_RUNNING; its processes were lost/);
    const operation = await rest(second.emulator, 'GET', `/ui/${upload.name}`);
    expect(operation.json.done).toBe(true);
    // The deployed model's server comes back in the background.
    const predictions = await waitFor(
      async () => second.clients.predictions.predict({ endpoint: endpoint.name!, instances: [{ numberValue: 21 }] }).then(([r]) => r.predictions?.map((p) => p.numberValue)).catch(() => undefined),
      (p) => p !== undefined,
    );
    expect(predictions).toEqual([42]);
  });
});
