// CustomJobs through the official Node client: every replica a local process with Vertex's
// CLUSTER_SPEC / TF_CONFIG / AIP_* environment; cancel, timeout, failures, restarts and delete.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { protos } from '@google-cloud/aiplatform';
import { PARENT, callError, rest, startTestVertex, waitFor } from './support.js';
import type { TestVertex } from './support.js';

type ICustomJob = protos.google.cloud.aiplatform.v1.ICustomJob;

let t: TestVertex;
beforeAll(async () => {
  t = await startTestVertex();
});
afterAll(async () => {
  await t.stop();
});

const machine = { machineType: 'n1-standard-4' };
const TERMINAL = ['JOB_STATE_SUCCEEDED', 'JOB_STATE_FAILED', 'JOB_STATE_CANCELLED'];

function shPool(script: string, replicaCount = 1) {
  return { machineSpec: machine, replicaCount, containerSpec: { imageUri: 'alpine:3.20', command: ['sh', '-c', script] } };
}

async function create(jobSpec: ICustomJob['jobSpec'], displayName = 'job'): Promise<ICustomJob> {
  const [job] = await t.clients.jobs.createCustomJob({ parent: PARENT, customJob: { displayName, jobSpec } });
  return job;
}

async function finished(name: string, states = TERMINAL): Promise<ICustomJob> {
  return waitFor(async () => (await t.clients.jobs.getCustomJob({ name }))[0], (j) => states.includes(String(j.state)));
}

describe('distributed custom jobs', () => {
  it('runs each replica of each pool with its role in CLUSTER_SPEC and TF_CONFIG', async () => {
    // Each replica writes what it sees to the bucket through the /gcs mount; the chief waits for the workers.
    const dump = 'mkdir -p /gcs/out/spec && printf %s "$CLUSTER_SPEC" > /gcs/out/spec/cluster-$RANK.json && printf %s "$TF_CONFIG" > /gcs/out/spec/tf-$RANK.json && echo "$AIP_MODEL_DIR $CLOUD_ML_JOB_ID" > /gcs/out/spec/env-$RANK.txt';
    const job = await create({
      workerPoolSpecs: [shPool(`${dump}; while [ ! -f /gcs/out/spec/cluster-2.json ]; do sleep 0.05; done`), shPool(`${dump}; sleep 30`, 2)],
      baseOutputDirectory: { outputUriPrefix: 'gs://out/base' },
    }, 'two-pools');
    expect(job.name).toMatch(/^projects\/local-project\/locations\/us-central1\/customJobs\/\d{19}$/);
    expect(job.state).toBe('JOB_STATE_QUEUED');
    const done = await finished(job.name!);
    expect(done.state).toBe('JOB_STATE_SUCCEEDED');
    expect(done.startTime).toBeTruthy();
    expect(done.endTime).toBeTruthy();
    const id = job.name!.split('/').pop()!;
    const read = (file: string) => readFileSync(join(t.storageRoot, 'out', 'spec', file), 'utf8');
    const specs = [0, 1, 2].map((rank) => JSON.parse(read(`cluster-${rank}.json`)) as { cluster: Record<string, string[]>; task: { type: string; index: number }; environment: string });
    const cluster = specs[0]!.cluster;
    expect(Object.keys(cluster)).toEqual(['workerpool0', 'workerpool1']);
    expect(cluster.workerpool0).toHaveLength(1);
    expect(cluster.workerpool1).toHaveLength(2);
    for (const address of [...cluster.workerpool0!, ...cluster.workerpool1!]) expect(address).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(new Set([...cluster.workerpool0!, ...cluster.workerpool1!]).size).toBe(3);
    expect(specs.map((s) => s.task)).toEqual([
      { type: 'workerpool0', index: 0 },
      { type: 'workerpool1', index: 0 },
      { type: 'workerpool1', index: 1 },
    ]);
    expect(specs.every((s) => s.environment === 'cloud' && JSON.stringify(s.cluster) === JSON.stringify(cluster))).toBe(true);
    const tf = JSON.parse(read('tf-2.json')) as { cluster: Record<string, string[]>; task: unknown };
    expect(tf.cluster).toEqual({ chief: cluster.workerpool0, worker: cluster.workerpool1 });
    expect(tf.task).toEqual({ type: 'worker', index: 1 });
    expect(read('env-0.txt').trim()).toBe(`gs://out/base/model/ ${id}`);
    // Replica logs are kept per replica.
    expect(existsSync(join(t.dataDir, 'logs', 'customJobs', id, 'workerpool1-1.log'))).toBe(true);
  });

  it('fails the job when a worker fails, naming the replica and its log', async () => {
    const job = await create({ workerPoolSpecs: [shPool('sleep 30'), shPool('echo boom >&2; exit 3')] });
    const done = await finished(job.name!);
    expect(done.state).toBe('JOB_STATE_FAILED');
    expect(done.error?.message).toMatch(/The replica workerpool1-0 exited with a non-zero status of 3.*workerpool1-0\.log/);
  });

  it('restarts every replica when restartJobOnWorkerRestart is set', async () => {
    const marker = `/gcs/out/restart-${Date.now()}`;
    const job = await create({
      workerPoolSpecs: [shPool('sleep 0.5; while [ ! -f ' + marker + ' ]; do sleep 0.05; done'), shPool(`if [ -f ${marker} ]; then exit 0; fi; mkdir -p /gcs/out; touch ${marker}; exit 1`)],
      scheduling: { restartJobOnWorkerRestart: true },
    });
    const done = await finished(job.name!);
    expect(done.state, JSON.stringify(done.error)).toBe('JOB_STATE_SUCCEEDED');
  });

  it('cancels a running job: CANCELLING, then CANCELLED with its processes gone', async () => {
    const pidFile = join(t.storageRoot, 'out', `cancel-${Date.now()}.pid`);
    const job = await create({ workerPoolSpecs: [shPool(`mkdir -p /gcs/out && echo $$ > /gcs/out/${pidFile.split('/').pop()!}; sleep 60`)] });
    await waitFor(() => Promise.resolve(existsSync(pidFile)), Boolean);
    const [running] = await t.clients.jobs.getCustomJob({ name: job.name! });
    expect(running.state).toBe('JOB_STATE_RUNNING');
    await t.clients.jobs.cancelCustomJob({ name: job.name! });
    const done = await finished(job.name!);
    expect(done.state).toBe('JOB_STATE_CANCELLED');
    expect(done.error?.code).toBe(1);
    const pid = Number(readFileSync(pidFile, 'utf8'));
    expect(() => process.kill(pid, 0)).toThrow();
    const again = await callError(t.clients.jobs.cancelCustomJob({ name: job.name! }));
    expect(again.code).toBe(9); // FAILED_PRECONDITION
  });

  it('fails a job that runs past scheduling.timeout', async () => {
    const job = await create({ workerPoolSpecs: [shPool('sleep 60')], scheduling: { timeout: { seconds: 1 } } });
    const done = await finished(job.name!);
    expect(done.state).toBe('JOB_STATE_FAILED');
    expect(done.error?.code).toBe(4);
    expect(done.error?.message).toMatch(/maximum run time of 1s \(scheduling\.timeout\)/);
  });

  it('runs a pythonPackageSpec module from a source distribution in the bucket', async () => {
    const { mkdirSync, writeFileSync } = await import('node:fs');
    const { execFileSync } = await import('node:child_process');
    const src = join(t.dataDir, 'pkgsrc', 'trainer-0.1');
    mkdirSync(join(src, 'trainer'), { recursive: true });
    writeFileSync(join(src, 'trainer', '__init__.py'), '');
    writeFileSync(join(src, 'trainer', 'task.py'), 'import sys, os\nopen(os.environ["AIP_MODEL_DIR"].replace("gs://", os.environ["LOCAL_GCS_ROOT"] + "/") + "args.txt", "w").write(" ".join(sys.argv[1:]))\n');
    mkdirSync(join(t.storageRoot, 'pkgs'), { recursive: true });
    execFileSync('tar', ['-czf', join(t.storageRoot, 'pkgs', 'trainer-0.1.tar.gz'), '-C', join(t.dataDir, 'pkgsrc'), 'trainer-0.1']);
    mkdirSync(join(t.storageRoot, 'out', 'py', 'model'), { recursive: true });
    const job = await create({
      workerPoolSpecs: [{
        machineSpec: machine,
        replicaCount: 1,
        pythonPackageSpec: { executorImageUri: 'us-docker.pkg.dev/vertex-ai/training/sklearn-cpu.1-0:latest', packageUris: ['gs://pkgs/trainer-0.1.tar.gz'], pythonModule: 'trainer.task', args: ['--epochs=2'] },
      }],
      baseOutputDirectory: { outputUriPrefix: 'gs://out/py' },
    });
    const done = await finished(job.name!);
    expect(done.state, JSON.stringify(done.error)).toBe('JOB_STATE_SUCCEEDED');
    expect(readFileSync(join(t.storageRoot, 'out', 'py', 'model', 'args.txt'), 'utf8')).toBe('--epochs=2');
  });

  it('fails a job whose image has no local mapping, saying which file to edit', async () => {
    const job = await create({ workerPoolSpecs: [{ machineSpec: machine, replicaCount: 1, containerSpec: { imageUri: 'gcr.io/acme/trainer:1' } }] });
    const done = await finished(job.name!);
    expect(done.state).toBe('JOB_STATE_FAILED');
    expect(done.error?.message).toMatch(/gcr\.io\/acme\/trainer:1.*image-map\.json/);
  });
});

describe('requests Vertex rejects', () => {
  it('names an unknown field the way Google does', async () => {
    // `workerPoolSpec` (singular): protobufjs drops it silently, so send the JSON as gcloud or curl would.
    const { status, json } = await rest(t.emulator, 'POST', `/v1/${PARENT}/customJobs`, { displayName: 'x', jobSpec: { workerPoolSpec: [shPool('true')] } });
    expect(status).toBe(400);
    const error = json.error as { message: string; status: string; details: { fieldViolations: { field: string }[] }[] };
    expect(error.status).toBe('INVALID_ARGUMENT');
    expect(error.message).toBe(`Invalid JSON payload received. Unknown name "workerPoolSpec" at 'custom_job.job_spec': Cannot find field.`);
    expect(error.details[0]?.fieldViolations[0]?.field).toBe('custom_job.job_spec');
  });

  it('rejects a missing required field, an OUTPUT_ONLY field and a chief pool of two', async () => {
    const missing = await callError(t.clients.jobs.createCustomJob({ parent: PARENT, customJob: { jobSpec: { workerPoolSpecs: [shPool('true')] } } }));
    expect(missing.code).toBe(3);
    expect(missing.message).toContain('custom_job.display_name');
    const outputOnly = await callError(t.clients.jobs.createCustomJob({ parent: PARENT, customJob: { displayName: 'x', state: 'JOB_STATE_SUCCEEDED', jobSpec: { workerPoolSpecs: [shPool('true')] } } }));
    expect(outputOnly.code).toBe(3);
    expect(outputOnly.message).toContain('custom_job.state');
    const chief = await callError(t.clients.jobs.createCustomJob({ parent: PARENT, customJob: { displayName: 'x', jobSpec: { workerPoolSpecs: [shPool('true', 2)] } } }));
    expect(chief.code).toBe(3);
    expect(chief.message).toMatch(/worker_pool_specs\[0\]\.replica_count must be 1/);
  });

  it('answers 404 for a job that does not exist and refuses to delete a running job', async () => {
    const missing = await callError(t.clients.jobs.getCustomJob({ name: `${PARENT}/customJobs/123` }));
    expect(missing.code).toBe(5);
    expect(missing.message).toMatch(/not found/);
    const job = await create({ workerPoolSpecs: [shPool('sleep 60')] });
    await finished(job.name!, ['JOB_STATE_RUNNING']);
    const refused = await callError(t.clients.jobs.deleteCustomJob({ name: job.name! }));
    expect(refused.code).toBe(9);
    await t.clients.jobs.cancelCustomJob({ name: job.name! });
    await finished(job.name!);
    const [operation] = await t.clients.jobs.deleteCustomJob({ name: job.name! });
    await operation.promise();
    expect((await callError(t.clients.jobs.getCustomJob({ name: job.name! }))).code).toBe(5);
  });

  it('lists jobs with filters and pages', async () => {
    const [all] = await t.clients.jobs.listCustomJobs({ parent: PARENT });
    expect(all.length).toBeGreaterThan(3);
    const [named] = await t.clients.jobs.listCustomJobs({ parent: PARENT, filter: 'display_name="two-pools" AND state=JOB_STATE_SUCCEEDED' });
    expect(named.map((j) => j.displayName)).toEqual(['two-pools']);
    const [page, , response] = await t.clients.jobs.listCustomJobs({ parent: PARENT, pageSize: 2 }, { autoPaginate: false });
    expect(page).toHaveLength(2);
    expect(response?.nextPageToken).toBeTruthy();
  });
});
