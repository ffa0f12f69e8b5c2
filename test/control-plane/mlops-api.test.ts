// mlopsApi as users reach it: the real bundle served by the functions framework on the local
// cloud, called over HTTP. Resource names, Google's error shape, field violations, did-you-mean,
// and a distributed CustomJob from a preset that really runs on the local Vertex.
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findPubSubEmulatorJar } from '../../emulators/pubsub/emulator-process.js';
import { vertexClients } from '../../google-clients/vertex.js';
import type { TestCloud } from '../support/local-cloud.js';
import { startTestCloud } from '../support/local-cloud.js';

const python = spawnSync('/usr/bin/python3', ['-c', 'import torch, sklearn'], { encoding: 'utf8' });
const skip = findPubSubEmulatorJar() === undefined ? 'the Pub/Sub emulator is not installed' : python.status !== 0 ? '/usr/bin/python3 lacks torch/sklearn' : undefined;

interface ErrorBody {
  error: { code: number; message: string; status: string; details?: { fieldViolations?: { field: string; description: string }[] }[] };
}

describe.skipIf(skip !== undefined)('mlopsApi over HTTP', () => {
  let cloud: TestCloud;
  let api: string;
  const call = async (method: string, path: string, body?: unknown, contentType = 'application/json') => {
    const response = await fetch(`${api}${path}`, { method, ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body), headers: { 'Content-Type': contentType } }) });
    const answer: unknown = await response.json().catch(() => undefined);
    return { status: response.status, body: answer };
  };

  beforeAll(async () => {
    cloud = await startTestCloud({ vertex: true, pubsub: true, functions: { extraEnv: { MLOPS_ENVIRONMENT: 'local' } } });
    api = cloud.env.MLOPS_API_URL!;
  }, 120_000);
  afterAll(async () => cloud?.teardown());

  it('lists the managed models by resource name', async () => {
    const { status, body } = await call('GET', '/v1/models');
    expect(status).toBe(200);
    expect((body as { models: { name: string; vertexModel: string }[] }).models).toContainEqual(
      expect.objectContaining({ name: 'models/flight-delay', vertexModel: 'projects/local-project/locations/us-central1/models/flight-delay' }),
    );
  });

  it('a model with no versions yet shows its spec and no champion', async () => {
    const { status, body } = await call('GET', '/v1/models/flight-delay');
    expect(status).toBe(200);
    expect(body).toMatchObject({ name: 'models/flight-delay', versions: [], latestRuns: [] });
    expect(body).not.toHaveProperty('champion');
  });

  it('an unknown model is 404 with a did-you-mean', async () => {
    const { status, body } = await call('POST', '/v1/models/flight-dealy/trainingRuns', {});
    expect(status).toBe(404);
    expect((body as ErrorBody).error).toMatchObject({ code: 404, status: 'NOT_FOUND' });
    expect((body as ErrorBody).error.message).toContain("did you mean 'flight-delay'");
  });

  it('bad bodies are 400 naming the field, never 5xx', async () => {
    const cases: [unknown, string][] = [
      [{ reason: 7 }, 'reason'],
      [{ requestId: '../../etc' }, 'requestId'],
      [{ enableCaching: 'yes' }, 'enableCaching'],
      [{ reasn: 'typo' }, 'reasn'],
      [{ parameterOverrides: { model_type: 'random_forrest' } }, 'parameterOverrides.model_type'],
      [{ parameterOverrides: { training_data_uri: 'gs://x/y' } }, 'parameterOverrides.training_data_uri'],
      [[1, 2], '(body)'],
    ];
    for (const [input, field] of cases) {
      const { status, body } = await call('POST', '/v1/models/flight-delay/trainingRuns', input);
      expect(status, JSON.stringify(input)).toBe(400);
      const violations = (body as ErrorBody).error.details?.[0]?.fieldViolations ?? [];
      expect(violations.map((v) => v.field), JSON.stringify(body)).toContain(field);
    }
    const typo = await call('POST', '/v1/models/flight-delay/trainingRuns', { parameterOverrides: { model_type: 'random_forrest' } });
    expect((typo.body as ErrorBody).error.message).toContain('random_forest');
  });

  it('unknown routes are 404 and wrong methods 405, in Google’s error shape', async () => {
    const missing = await call('GET', '/v1/nothing');
    expect(missing.status).toBe(404);
    expect((missing.body as ErrorBody).error.status).toBe('NOT_FOUND');
    const method = await call('DELETE', '/v1/models/flight-delay');
    expect(method.status).toBe(405);
    expect((await call('GET', '/v1/trainingRuns/NOT_AN_ID')).status).toBe(400);
    expect((await call('GET', '/v1/trainingRuns/flight-delay-none')).status).toBe(404);
  });

  it('a training run request returns at once, QUEUED, and the same requestId returns the same run', async () => {
    const first = await call('POST', '/v1/models/flight-delay/trainingRuns', { requestId: 'api-test-1', reason: 'test' });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ model: 'flight-delay', requestId: 'api-test-1', trigger: 'api', state: 'QUEUED' });
    const again = await call('POST', '/v1/models/flight-delay/trainingRuns', { requestId: 'api-test-1', reason: 'other' });
    expect((again.body as { name: string }).name).toBe((first.body as { name: string }).name);
    const read = await call('GET', `/v1/${(first.body as { name: string }).name}`);
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ name: (first.body as { name: string }).name, reason: 'test' });
  });

  it('Cloud Scheduler firing twice for one scheduled time makes one run (the scheduled time is the request id)', async () => {
    const fire = () =>
      fetch(`${api}/v1/models/flight-delay/trainingRuns`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-CloudScheduler': 'true', 'X-CloudScheduler-JobName': 'retrain-flight-delay', 'X-CloudScheduler-ScheduleTime': '2026-12-07T03:00:00Z' },
        body: JSON.stringify({ reason: 'schedule' }),
      }).then(async (r) => (await r.json()) as { name: string; trigger: string; requestId: string });
    const [a, b] = await Promise.all([fire(), fire()]);
    expect(a.name).toBe(b.name);
    expect(a).toMatchObject({ trigger: 'schedule', requestId: 'schedule-retrain-flight-delay-2026-12-07T03:00:00.000Z' });
    const later = await fetch(`${api}/v1/models/flight-delay/trainingRuns`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-CloudScheduler-JobName': 'retrain-flight-delay', 'X-CloudScheduler-ScheduleTime': '2026-12-14T03:00:00Z' },
      body: '{}',
    }).then(async (r) => (await r.json()) as { name: string });
    expect(later.name).not.toBe(a.name);
  });

  it('a distributed CustomJob from a preset runs on the local Vertex; a requestId makes it idempotent', async () => {
    const body = { preset: 'multi-worker-gpu', workerCount: 1, requestId: 'ddp-1', args: ['--epochs', '1', '--synthetic-rows', '64', '--backend', 'gloo', '--init-timeout-seconds', '60'] };
    const created = await call('POST', '/v1/models/flight-delay/customJobs', body);
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    const job = created.body as { name: string; state: string; preset: string };
    expect(job.name).toMatch(/^projects\/local-project\/locations\/us-central1\/customJobs\/\d+$/);
    const again = await call('POST', '/v1/models/flight-delay/customJobs', body);
    expect((again.body as { name: string }).name).toBe(job.name);
    const vertex = vertexClients('us-central1', { projectId: cloud.projectId, env: cloud.env });
    try {
      const [spec] = await vertex.jobs.getCustomJob({ name: job.name });
      expect(spec.jobSpec?.workerPoolSpecs?.map((p) => p.replicaCount ? Number(p.replicaCount) : 0)).toEqual([1, 1]);
      expect(spec.jobSpec?.workerPoolSpecs?.[0]?.machineSpec?.acceleratorType).toBe('NVIDIA_TESLA_T4');
      let state = '';
      for (let i = 0; i < 120 && !['JOB_STATE_SUCCEEDED', 'JOB_STATE_FAILED'].includes(state); i++) {
        await new Promise((r) => setTimeout(r, 1000));
        state = String((await vertex.jobs.getCustomJob({ name: job.name }))[0].state);
      }
      expect(state).toBe('JOB_STATE_SUCCEEDED');
    } finally {
      await Promise.all(Object.values(vertex).map((c) => c.close()));
    }
    const bad = await call('POST', '/v1/models/flight-delay/customJobs', { preset: 'quantum' });
    expect(bad.status).toBe(400);
  }, 180_000);

  it('rollout routes: bodies validated naming the field, unknown rollouts 404, commands are POST', async () => {
    const bad: [unknown, string][] = [
      [{}, 'version'],
      [{ version: 'seven' }, 'version'],
      [{ version: '1', policy: { steps: [{ setWeight: 50 }, { setWeight: 10 }] } }, 'policy.steps[1].setWeight'],
      [{ version: '1', policy: { analysis: { maxErrorRateRatio: 0.5 } } }, 'policy.analysis.maxErrorRateRatio'],
      [{ version: '1', policy: { stepz: [] } }, 'policy.stepz'],
    ];
    for (const [body, field] of bad) {
      const { status, body: answer } = await call('POST', '/v1/models/flight-delay/rollouts', body);
      expect(status, JSON.stringify(body)).toBe(400);
      const violations = (answer as ErrorBody).error.details?.flatMap((d) => d.fieldViolations ?? []) ?? [];
      expect(violations.map((v) => v.field).join(' '), JSON.stringify(answer)).toContain(field);
    }
    // A version the model does not have.
    const missing = await call('POST', '/v1/models/flight-delay/rollouts', { version: '99' });
    expect(missing.status).toBe(404);
    expect((missing.body as ErrorBody).error.message).toContain('flight-delay@99');
    expect((await call('GET', '/v1/rollouts/flight-delay-v99')).status).toBe(404);
    expect((await call('POST', '/v1/rollouts/flight-delay-v99:promote', { full: true })).status).toBe(404);
    expect((await call('POST', '/v1/rollouts/flight-delay-v99:promote', { fulll: true })).status).toBe(400);
    expect((await call('POST', '/v1/rollouts/flight-delay-v99:abort', { reason: 'stop' })).status).toBe(404);
    expect((await call('GET', '/v1/rollouts/flight-delay-v99:abort')).status).toBe(405);
    expect((await call('POST', '/v1/rollouts/flight-delay-v99:frobnicate')).status).toBe(404);
    // Ids that are no rollout's (found by the fuzz: a NUL once reached Cloud Storage as an object name).
    for (const id of ['%00', 'flight-delay-v0', '..', 'FLIGHT-v1', '%2Fetc']) expect((await call('POST', `/v1/rollouts/${id}:promote`)).status, id).toBe(404);
    expect(await call('GET', '/v1/models/flight-delay/rollouts')).toEqual({ status: 200, body: { rollouts: [] } });
  });

  it(':approve takes the approver from a verified ID token only: none or a forged one is 401', async () => {
    const approve = (headers: Record<string, string>) => fetch(`${api}/v1/rollouts/flight-delay-v99:approve`, { method: 'POST', headers });
    const none = await approve({});
    expect(none.status).toBe(401);
    expect(((await none.json()) as ErrorBody).error.status).toBe('UNAUTHENTICATED');
    // A token the local issuer signed for this API: verified, so the request reaches the rollout (absent: 404).
    const minted = await fetch(`http://${cloud.env.IAM_CREDENTIALS_EMULATOR_HOST}/v1/projects/-/serviceAccounts/ml-lead@example.com:generateIdToken`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ audience: api, includeEmail: true }),
    });
    const { token } = (await minted.json()) as { token: string };
    expect((await approve({ Authorization: `Bearer ${token}` })).status).toBe(404);
    // The same claims with the signature of another token: refused.
    const [header, payload] = token.split('.');
    const forged = `${header}.${payload}.${'A'.repeat(342)}`;
    expect((await approve({ Authorization: `Bearer ${forged}` })).status).toBe(401);
    const wrongAudience = await fetch(`http://${cloud.env.IAM_CREDENTIALS_EMULATOR_HOST}/v1/projects/-/serviceAccounts/ml-lead@example.com:generateIdToken`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ audience: 'https://another-service.example.com', includeEmail: true }),
    });
    expect((await approve({ Authorization: `Bearer ${((await wrongAudience.json()) as { token: string }).token}` })).status).toBe(401);
  });
});
