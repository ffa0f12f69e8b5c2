// Rollouts against the real emulators (the simulated world is rollout-crash-safety.test.ts): a tiny
// sklearn model's versions served by the local Vertex, the serving metrics it writes to the local
// Monitoring, records in the local Cloud Storage, the audit table in the local BigQuery, decisions
// on Google's Pub/Sub emulator. Each scenario has its own model and endpoint (fixtures/models):
// a healthy canary promoted, a failing one rolled back, a rollout reconciled through injected 503s
// and 429s with the invariants checked after every pass, and an approval through mlopsApi.
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { getTestServer } from '@google-cloud/functions-framework/testing';
import { Impersonated, OAuth2Client } from 'google-auth-library';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import '../../../functions/index.js';
import type { RolloutView } from '../../../control-plane/api/rollouts.js';
import { appendDecisions } from '../../../control-plane/audit/decision-log.js';
import type { RolloutPorts } from '../../../control-plane/rollouts/reconcile.js';
import { CLOUD_PORTS, reconcileRollout } from '../../../control-plane/rollouts/reconcile.js';
import type { RolloutRecord } from '../../../control-plane/rollouts/rollout-record.js';
import { isFinished } from '../../../control-plane/rollouts/rollout-record.js';
import { startRollout } from '../../../control-plane/rollouts/start-rollout.js';
import type { ControlPlaneContext } from '../../../control-plane/runtime/context.js';
import type { FaultRule } from '../../../emulators/kit/faults.js';
import { FaultInjector } from '../../../emulators/kit/faults.js';
import { seededRandom } from '../../emulators/vertex-serving/support.js';
import type { TestCloud } from '../../support/local-cloud.js';
import { startTestCloud } from '../../support/local-cloud.js';
import { fastFailingClients, missingPrerequisite } from '../reliability/support.js';
import {
  aliasesOf,
  auditedDecisions,
  deployChampion,
  expectInvariants,
  readEndpoint,
  REGION,
  rolloutClientEnvironment,
  rolloutControlPlane,
  rolloutEnv,
  Traffic,
  trafficOf,
  trainTinyModel,
  uploadVersion,
} from './local-cloud-rollouts.js';

const skip = missingPrerequisite({ python: true, pubsub: true });

/** Each scenario's model (fixtures/models/<name>.yaml): its own endpoint, versions 1 (champion) and 2. */
const SCENARIOS = {
  good: { model: 'rollout-good', canaryEnv: {} },
  bad: { model: 'rollout-bad', canaryEnv: { MODEL_SERVER_ERROR_RATE: '0.5', MODEL_SERVER_FAULT_SEED: '3' } },
  faults: { model: 'rollout-faults', canaryEnv: {} },
  approval: { model: 'rollout-approval', canaryEnv: {} },
} as const;
type Scenario = keyof typeof SCENARIOS;

interface Prepared {
  readonly stable: string;
  readonly canary: string;
  readonly endpoint: string;
  readonly stableDeployedModelId: string;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function recordOf(ctx: ControlPlaneContext, id: string): Promise<RolloutRecord> {
  return (await ctx.rollouts.require(id)).value;
}

/**
 * Reconcile passes, as the Scheduler makes them (an error is retried by the next pass), until the
 * rollout is finished with its decisions flushed; after each pass `check` looks at the world.
 * `pass` replaces the plain pass (e.g. one through faults); the record is read with `ctx`.
 */
async function reconcileToEnd(
  ctx: ControlPlaneContext,
  id: string,
  options: { timeoutMs: number; check?: (r: RolloutRecord) => Promise<void>; pass?: () => Promise<unknown>; pauseMs?: number },
): Promise<{ record: RolloutRecord; passes: number; errors: string[] }> {
  const deadline = Date.now() + options.timeoutMs;
  const errors: string[] = [];
  const pass = options.pass ?? (() => reconcileRollout(ctx, id));
  for (let passes = 1; ; passes++) {
    try {
      await pass();
    } catch (err) {
      errors.push(err instanceof Error ? err.message : String(err));
    }
    const record = await recordOf(ctx, id);
    await options.check?.(record);
    if (isFinished(record) && record.outbox.length === 0) return { record, passes, errors };
    if (Date.now() > deadline) throw new Error(`rollout ${id} still ${record.phase} (step ${record.stepIndex}) after ${options.timeoutMs} ms; last errors: ${errors.slice(-3).join(' | ')}`);
    await sleep(options.pauseMs ?? 300);
  }
}

/**
 * Counts the undeployModel requests each reconcile pass sends: an undeployment takes minutes on
 * Vertex and the endpoint lists the model until it is done, so a pass must not send it again and again.
 */
async function undeployRequestsPerPass(ctx: ControlPlaneContext): Promise<{ afterPass(): void; perPass: number[]; restore(): void }> {
  const spy = vi.spyOn(await ctx.clients.endpoints(), 'undeployModel');
  const perPass: number[] = [];
  let seen = 0;
  return {
    perPass,
    afterPass: () => {
      perPass.push(spy.mock.calls.length - seen);
      seen = spy.mock.calls.length;
    },
    restore: () => spy.mockRestore(),
  };
}

/** Every decision of the history is in the audit table exactly once (insertId de-duplication included). */
async function expectAuditedOnce(ctx: ControlPlaneContext, r: RolloutRecord): Promise<void> {
  const audited = await auditedDecisions(await ctx.clients.bigquery(), r.id);
  expect([...audited.keys()].sort()).toEqual(r.history.map((d) => d.id).sort());
  for (const d of r.history) expect(audited.get(d.id), `${d.id} (${d.kind})`).toEqual({ rows: 1, kind: d.kind });
}

describe.skipIf(skip !== undefined)('rollouts on the local cloud', () => {
  let cloud: TestCloud;
  let ctx: ControlPlaneContext;
  const prepared = {} as Record<Scenario, Prepared>;

  beforeAll(async () => {
    // Seeded: which calls the fault rules (rates) hit repeats from run to run, as far as timing allows.
    cloud = await startTestCloud({ vertex: true, pubsub: true, faults: new FaultInjector(seededRandom(20260105)) });
    ctx = await rolloutControlPlane(cloud);
    trainTinyModel(cloud);
    // Every scenario's champion (v1) serving and challenger (v2) registered, all at once.
    await Promise.all(
      Object.entries(SCENARIOS).map(async ([scenario, { model, canaryEnv }]) => {
        const stable = await uploadVersion(ctx, model, 'champion');
        const canary = await uploadVersion(ctx, model, 'challenger', canaryEnv);
        const { endpoint, deployedModelId } = await deployChampion(ctx, model, stable);
        prepared[scenario as Scenario] = { stable, canary, endpoint, stableDeployedModelId: deployedModelId };
      }),
    );
  }, 90_000);

  afterAll(async () => {
    await ctx?.clients.close();
    await cloud?.teardown();
  });

  it('promotes a healthy canary: 50% with an analysis of both versions\' serving metrics, then 100%, aliases moved, the old version undeployed', async () => {
    const { model } = SCENARIOS.good;
    const { stable, canary, endpoint, stableDeployedModelId } = prepared.good;
    const traffic = new Traffic(rolloutClientEnvironment(cloud), endpoint).start();
    try {
      const started = await startRollout(ctx, model, { version: '2', requestedBy: 'test@example.com', reason: 'promotion test' });
      expect(started).toMatchObject({ id: 'rollout-good-v2', phase: 'PROGRESSING', stable: { version: stable, deployedModelId: stableDeployedModelId }, canary: { version: canary } });
      const undeploys = await undeployRequestsPerPass(ctx);
      const { record } = await reconcileToEnd(ctx, started.id, {
        timeoutMs: 40_000,
        check: async (r) => {
          undeploys.afterPass();
          expectInvariants(await readEndpoint(ctx, endpoint), r);
        },
      }).finally(() => undeploys.restore());
      // The old version's undeployment: requested once, never twice in a pass.
      expect(undeploys.perPass.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(1);
      expect(Math.max(...undeploys.perPass), `undeployModel requests per pass: ${undeploys.perPass.join(',')}`).toBe(1);

      expect(record).toMatchObject({ phase: 'PROMOTED', stableUndeployed: true, aliasesMoved: true });
      const served = await readEndpoint(ctx, endpoint);
      expect(trafficOf(served)).toEqual({ [record.canary.deployedModelId]: 100 });
      expect(served.deployedModels?.map((d) => `${String(d.model)}@${String(d.modelVersionId)}`)).toEqual([canary]);
      // champion and default moved to version 2, which is no longer the challenger.
      expect(await aliasesOf(ctx, model)).toEqual({ '1': [], '2': ['champion', 'default'] });

      const analysis = record.steps.find((s) => s.index === 1)!;
      expect(analysis.verdict).toBe('Successful');
      const last = analysis.measurements.at(-1)!;
      expect(last.result).toBe('Successful');
      expect(last.canary?.requestCount).toBeGreaterThanOrEqual(5);
      expect(last.stable?.requestCount).toBeGreaterThan(0);
      expect(last.canary?.errorCount).toBe(0);
      expect(last.checks.map((c) => [c.name, c.outcome])).toEqual([['requests', 'pass'], ['error_rate', 'pass'], ['latency_p95', 'pass']]);
      expect(record.history.map((d) => d.kind)).toEqual(['ROLLOUT_STARTED', 'STEP_SET_WEIGHT', 'ANALYSIS_SUCCESSFUL', 'PROMOTION_STARTED', 'PROMOTED', 'SCALED_DOWN']);
      await expectAuditedOnce(ctx, record);
      // The callers were served by both versions and never failed.
      expect(traffic.answered[stableDeployedModelId]).toBeGreaterThan(0);
      expect(traffic.answered[record.canary.deployedModelId]).toBeGreaterThan(0);
      expect(traffic.failed).toBe(0);
    } finally {
      await traffic.stop();
    }
  }, 60_000);

  it('rolls back a canary that fails half its requests: 100% stable again, canary undeployed and labelled, aliases untouched', async () => {
    const { model } = SCENARIOS.bad;
    const { stable, canary, endpoint, stableDeployedModelId } = prepared.bad;
    const traffic = new Traffic(rolloutClientEnvironment(cloud), endpoint).start();
    try {
      const started = await startRollout(ctx, model, { version: canary, requestedBy: 'test@example.com', reason: 'rollback test' });
      const undeploys = await undeployRequestsPerPass(ctx);
      const { record } = await reconcileToEnd(ctx, started.id, {
        timeoutMs: 40_000,
        check: async (r) => {
          undeploys.afterPass();
          expectInvariants(await readEndpoint(ctx, endpoint), r);
        },
      }).finally(() => undeploys.restore());
      expect(Math.max(...undeploys.perPass), `undeployModel requests per pass: ${undeploys.perPass.join(',')}`).toBe(1);

      expect(record).toMatchObject({ phase: 'ABORTED', canaryUndeployed: true, versionLabelled: true });
      expect(record.abortReason).toMatch(/^analysis failed at step 2: canary \d+\.\d+% vs stable 0\.00%/);
      const served = await readEndpoint(ctx, endpoint);
      expect(trafficOf(served)).toEqual({ [stableDeployedModelId]: 100 });
      expect(served.deployedModels?.map((d) => `${String(d.model)}@${String(d.modelVersionId)}`)).toEqual([stable]);
      const [version] = await (await ctx.clients.models()).getModel({ name: canary });
      expect(version.labels).toMatchObject({ rollout: 'rolled-back', rollout_id: 'rollout-bad-v2' });
      expect(await aliasesOf(ctx, model)).toEqual({ '1': ['champion', 'default'], '2': ['challenger'] });

      const analysis = record.steps.find((s) => s.index === 1)!;
      expect(analysis.verdict).toBe('Failed');
      const failed = analysis.measurements.at(-1)!;
      expect(failed.result).toBe('Failed');
      expect(failed.canary?.errorRate).toBeGreaterThan(0.05);
      expect(failed.stable?.errorCount).toBe(0);
      expect(failed.checks.find((c) => c.name === 'error_rate')?.outcome).toBe('fail');
      expect(record.history.map((d) => d.kind)).toEqual(['ROLLOUT_STARTED', 'STEP_SET_WEIGHT', 'ANALYSIS_FAILED', 'ABORTED', 'ROLLED_BACK']);
      await expectAuditedOnce(ctx, record);
      expect(traffic.failed).toBeGreaterThan(0);
    } finally {
      await traffic.stop();
    }
  }, 60_000);

  it('ends PROMOTED through failing Vertex, Storage and BigQuery calls, keeping the invariants after every pass and auditing each decision once', async () => {
    const { model } = SCENARIOS.faults;
    const { canary, endpoint, stableDeployedModelId } = prepared.faults;
    // Only the control plane's calls fail: the rollout's Vertex resources and operations (not
    // predictions), the state bucket, the audit table. One attempt per call, as the reliability tests do.
    const rules: FaultRule[] = [
      { service: 'vertex', path: `/(endpoints|models)/${model}((@|%40)[0-9]+)?((:|%3A)(deployModel|undeployModel|mergeVersionAliases))?$`, fault: 503, rate: 0.25 },
      { service: 'vertex', path: '/operations/', fault: 503, rate: 0.25 },
      { service: 'storage', path: `/b/${ctx.settings.stateBucket}/`, fault: 503, rate: 0.2 },
      { service: 'bigquery', path: '/datasets/mlops_audit/', fault: 429, rate: 0.4 },
    ];
    const faulty = await rolloutControlPlane(cloud, fastFailingClients(rolloutClientEnvironment(cloud), REGION, 10_000));
    // Every decision is appended at least twice: the record write after an append holding a new
    // decision fails, so a later pass appends the same decisions again (the same insertIds).
    const appended: string[] = [];
    let auditFailures = 0;
    const ports: RolloutPorts = {
      ...CLOUD_PORTS,
      appendDecisions: async (c, decisions) => {
        try {
          await appendDecisions(c, decisions);
        } catch (err) {
          auditFailures += 1;
          throw err;
        }
        const first = decisions.some((d) => !appended.includes(d.id));
        appended.push(...decisions.map((d) => d.id));
        if (first) cloud.faults.add({ service: 'storage', method: 'POST', path: `/upload/storage/v1/b/${ctx.settings.stateBucket}/o`, fault: 503, count: 1 });
      },
    };
    const traffic = new Traffic(rolloutClientEnvironment(cloud), endpoint).start();
    const withFaults = async <T>(action: () => Promise<T>): Promise<T> => {
      for (const rule of rules) cloud.faults.add(rule);
      try {
        return await action();
      } finally {
        cloud.faults.clear();
      }
    };
    try {
      // The start too is retried until it lands (it is idempotent).
      let id: string | undefined;
      for (let attempt = 0; id === undefined; attempt++) {
        try {
          id = (await withFaults(() => startRollout(faulty, model, { version: '2', requestedBy: 'test@example.com', reason: 'faults test' }))).id;
        } catch (err) {
          if (attempt > 20) throw err;
        }
      }
      const rolloutId = id;
      const { record, errors } = await reconcileToEnd(ctx, rolloutId, {
        timeoutMs: 60_000,
        pauseMs: 150,
        pass: () => withFaults(() => reconcileRollout(faulty, rolloutId, ports)),
        // Faults only during the passes: the checks read the world through clean calls.
        check: async (r) => expectInvariants(await readEndpoint(ctx, endpoint), r),
      });
      // Each service's faults bit: Vertex and Storage ones failed passes (the next pass carried on);
      // BigQuery ones failed appends, whose decisions waited in the outbox for a later pass.
      for (const hit of [/on (GET|PATCH|POST) \/v1\/projects\//, /\/storage\/v1\/b\//]) expect(errors.some((e) => hit.test(e)), `a pass failed on ${hit.source}`).toBe(true);
      expect(auditFailures, 'audit appends failed').toBeGreaterThan(0);
      expect(record).toMatchObject({ phase: 'PROMOTED', stableUndeployed: true });
      expect(trafficOf(await readEndpoint(ctx, endpoint))).toEqual({ [record.canary.deployedModelId]: 100 });
      expect(await aliasesOf(ctx, model)).toEqual({ '1': [], '2': ['champion', 'default'] });
      expect(record.canary.version).toBe(canary);
      for (const d of record.history) expect(appended.filter((id) => id === d.id).length, `${d.id} (${d.kind}) appended`).toBeGreaterThanOrEqual(2);
      await expectAuditedOnce(ctx, record);
      expect(traffic.answered[stableDeployedModelId]).toBeGreaterThan(0);
      expect(traffic.failed).toBe(0);
    } finally {
      cloud.faults.clear();
      await traffic.stop();
      await faulty.clients.close();
    }
  }, 90_000);

  describe('through mlopsApi (the functions framework in-process, tokens from the local identity issuer)', () => {
    let server: Server;
    let api = '';
    const savedEnv: Record<string, string | undefined> = {};
    const tokenFor = async (email: string): Promise<string> => {
      // The issuer asks for no credentials; the client wants an access token to send.
      const source = new OAuth2Client();
      source.setCredentials({ access_token: 'local-cloud', expiry_date: Date.now() + 3_600_000 });
      const client = new Impersonated({ sourceClient: source, targetPrincipal: email, targetScopes: [], endpoint: `http://${cloud.env.IAM_CREDENTIALS_EMULATOR_HOST!}` });
      return client.fetchIdToken(api, { includeEmail: true });
    };
    const call = async (method: 'GET' | 'POST', path: string, options: { body?: unknown; token?: string } = {}) => {
      const response = await fetch(`${api}${path}`, {
        method,
        headers: { ...(options.body === undefined ? {} : { 'Content-Type': 'application/json' }), ...(options.token ? { Authorization: `Bearer ${options.token}` } : {}) },
        ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
      });
      return { status: response.status, body: (await response.json()) as RolloutView & { error?: { code: number; status: string; message: string } } };
    };

    beforeAll(async () => {
      server = getTestServer('mlopsApi');
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      api = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      // What --set-env-vars gives the deployed function; its audience is its own URL.
      const env = rolloutEnv(cloud, { MLOPS_API_URL: api });
      for (const name of Object.keys(env)) savedEnv[name] = process.env[name];
      Object.assign(process.env, env);
    });
    afterAll(async () => {
      for (const [name, value] of Object.entries(savedEnv)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
      await new Promise((resolve) => server?.close(resolve));
    });

    it('a rollout waits for an approval: 401 without a token, 403 (recorded) for a non-approver, 200 for a listed approver', async () => {
      const { model } = SCENARIOS.approval;
      const { endpoint, stableDeployedModelId } = prepared.approval;
      const created = await call('POST', `/v1/models/${model}/rollouts`, { body: { version: '2', reason: 'approval test' }, token: await tokenFor('requester@example.com') });
      expect(created.status, JSON.stringify(created.body)).toBe(200);
      expect(created.body).toMatchObject({ id: 'rollout-approval-v2', name: 'rollouts/rollout-approval-v2', phase: 'AWAITING_APPROVAL', requestedBy: 'requester@example.com', pendingDecisions: 0, canaryWeight: 50 });
      const id = created.body.id;

      expect((await call('POST', `/v1/rollouts/${id}:approve`, { body: {} })).status).toBe(401);
      const denied = await call('POST', `/v1/rollouts/${id}:approve`, { body: {}, token: await tokenFor('intruder@example.com') });
      expect(denied.status).toBe(403);
      expect(denied.body.error).toMatchObject({ code: 403, status: 'PERMISSION_DENIED' });

      const waiting = await call('GET', `/v1/rollouts/${id}`);
      expect(waiting.status).toBe(200);
      expect(waiting.body).toMatchObject({ phase: 'AWAITING_APPROVAL', approvals: [{ email: 'intruder@example.com', granted: false }], pendingDecisions: 0 });
      expect(waiting.body.history.map((d) => [d.kind, d.actor])).toEqual([
        ['ROLLOUT_STARTED', 'requester@example.com'],
        ['AWAITING_APPROVAL', 'policy'],
        ['APPROVAL_DENIED', 'intruder@example.com'],
      ]);
      // Nothing happened to the endpoint before the approval.
      expect(trafficOf(await readEndpoint(ctx, endpoint))).toEqual({ [stableDeployedModelId]: 100 });

      const approved = await call('POST', `/v1/rollouts/${id}:approve`, { body: {}, token: await tokenFor('ML-Lead@example.com') });
      expect(approved.status, JSON.stringify(approved.body)).toBe(200);
      expect(approved.body).toMatchObject({ phase: 'PROGRESSING', stepIndex: 0, approvals: [{ granted: false }, { email: 'ML-Lead@example.com', granted: true }] });
      expect(approved.body.history.map((d) => d.kind)).toEqual(['ROLLOUT_STARTED', 'AWAITING_APPROVAL', 'APPROVAL_DENIED', 'APPROVAL_GRANTED', 'STEP_SET_WEIGHT']);
      // The approval's own pass started the canary's deployment.
      expect(approved.body.canaryDeployRequestedAt).toBeDefined();
      await expectAuditedOnce(ctx, (await ctx.rollouts.require(id)).value);

      const aborted = await call('POST', `/v1/rollouts/${id}:abort`, { body: { reason: 'test over' }, token: await tokenFor('ml-lead@example.com') });
      expect(aborted.status).toBe(200);
      expect(aborted.body.phase).toMatch(/^ABORT(ING|ED)$/);
    }, 30_000);
  });
});
