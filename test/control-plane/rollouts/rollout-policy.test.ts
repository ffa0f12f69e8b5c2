// The rollout policy's semantics, decision by decision: the verdict of one measurement (slack,
// minimum evidence, quality judged on its interval), and the state machine's answers to
// Inconclusive, failure limits, measurement errors, pauses and approvals, in the simulated world.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ControlPlaneError } from '../../../control-plane/errors.js';
import { approveRollout, promoteRollout, retryRollout } from '../../../control-plane/rollouts/commands.js';
import { reconcileRollout } from '../../../control-plane/rollouts/reconcile.js';
import type { Criteria, Measurement, RolloutRecord } from '../../../control-plane/rollouts/rollout-record.js';
import { rolloutPath } from '../../../control-plane/rollouts/rollout-record.js';
import { startRollout } from '../../../control-plane/rollouts/start-rollout.js';
import type { Evidence } from '../../../control-plane/rollouts/verdict.js';
import { judge } from '../../../control-plane/rollouts/verdict.js';
import { MODEL, SimulatedWorld, STABLE_ID } from './simulated-world.js';

const CRITERIA: Criteria = {
  minRequests: 100, maxErrorRateRatio: 2, errorRateSlack: 0.01, maxLatencyP95Ratio: 1.5, latencyP95SlackMs: 10,
  maxQualityDegradation: 0.05, minQualitySamples: 50, failureLimit: 0, consecutiveErrorLimit: 4,
};
const serving = (requests: number, errorRate: number, p95: number) => ({ requestCount: requests, predictionCount: requests, errorCount: Math.round(requests * errorRate), errorRate, latencyP50Ms: p95 / 2, latencyP95Ms: p95 });

describe('judge: one measurement against the criteria', () => {
  const healthy: Evidence = { stable: serving(2000, 0.001, 20), canary: serving(200, 0.002, 25), qualityExpected: false };

  it('passes a canary within the limits only once the window has closed', () => {
    expect(judge(healthy, CRITERIA, false).result).toBe('Pending');
    expect(judge(healthy, CRITERIA, true).result).toBe('Successful');
  });

  it('too few canary requests: no verdict while the window is open, Inconclusive after', () => {
    const thin = { ...healthy, canary: serving(40, 0, 20) };
    expect(judge(thin, CRITERIA, false).result).toBe('Pending');
    const closed = judge(thin, CRITERIA, true);
    expect(closed.result).toBe('Inconclusive');
    expect(closed.checks.find((c) => c.name === 'requests')).toMatchObject({ value: 40, limit: 100, outcome: 'insufficient' });
  });

  it('error rate: above max(2 × stable, stable + 1%) fails, even before the window closes', () => {
    expect(judge({ ...healthy, canary: serving(200, 0.0105, 25) }, CRITERIA, false).result).toBe('Pending');
    const failing = judge({ ...healthy, canary: serving(200, 0.05, 25) }, CRITERIA, false);
    expect(failing.result).toBe('Failed');
    expect(failing.checks.find((c) => c.name === 'error_rate')).toMatchObject({ outcome: 'fail', value: 0.05, limit: 0.011 });
  });

  it('p95 latency: the slack covers small absolute differences, the ratio large ones', () => {
    // 3 ms vs 2 ms is 1.5x but within the 10 ms slack; 31 ms vs 20 ms exceeds both 1.5 × 20 and 20 + 10.
    expect(judge({ stable: serving(2000, 0, 2), canary: serving(200, 0, 3), qualityExpected: false }, CRITERIA, true).result).toBe('Successful');
    const slow = judge({ stable: serving(2000, 0, 20), canary: serving(200, 0, 31), qualityExpected: false }, CRITERIA, true);
    expect(slow.result).toBe('Failed');
    expect(slow.checks.find((c) => c.name === 'latency_p95')).toMatchObject({ outcome: 'fail', limit: 30 });
  });

  it('quality fails only when the whole interval is beyond the allowed degradation', () => {
    const quality = (estimate: number, ci: [number, number], n = 100): Evidence['quality'] => ({
      metric: 'rmse',
      stable: { n, value: 10 },
      canary: { n, value: 10 * (1 + estimate) },
      relativeChange: { estimate, ci },
    });
    expect(judge({ ...healthy, qualityExpected: true, quality: quality(0.08, [0.01, 0.15]) }, CRITERIA, true).result).toBe('Successful');
    expect(judge({ ...healthy, qualityExpected: true, quality: quality(0.2, [0.06, 0.34]) }, CRITERIA, true).result).toBe('Failed');
    // Ground truth configured but too few joined actuals: insufficient evidence, not a pass.
    expect(judge({ ...healthy, qualityExpected: true, quality: quality(0, [-0.1, 0.1], 10) }, CRITERIA, true).result).toBe('Inconclusive');
    expect(judge({ ...healthy, qualityExpected: true }, CRITERIA, true).result).toBe('Inconclusive');
  });

  it('the prediction shift is reported only, unless the criteria set a limit', () => {
    const shifted = { ...healthy, predictions: { stableCount: 2000, canaryCount: 200, ksStatistic: 0.4, pValue: 1e-9 } };
    expect(judge(shifted, CRITERIA, true).result).toBe('Successful');
    expect(judge(shifted, { ...CRITERIA, maxPredictionShift: 0.3 }, true).result).toBe('Failed');
  });
});

const modelsDir = mkdtempSync(join(tmpdir(), 'rollout-policy-'));
writeFileSync(join(modelsDir, 'flight-delay.yaml'), readFileSync(new URL('../../../models/flight-delay.yaml', import.meta.url), 'utf8'));
const prodDir = mkdtempSync(join(tmpdir(), 'rollout-policy-prod-'));
afterAll(() => {
  rmSync(modelsDir, { recursive: true, force: true });
  rmSync(prodDir, { recursive: true, force: true });
});

/** A world whose measurements follow `script` (by measurement number); the last entry repeats. */
function scripted(world: SimulatedWorld, script: ('good' | 'bad' | 'thin' | 'error')[]) {
  let n = 0;
  const base = world.ports();
  return {
    ...base,
    measure: async (ctx: Parameters<typeof base.measure>[0], r: RolloutRecord, now: Date): Promise<Measurement> => {
      const kind = script[Math.min(n++, script.length - 1)]!;
      if (kind === 'error') return { at: now.toISOString(), windowStart: now.toISOString(), windowEnd: now.toISOString(), checks: [], result: 'Error', error: 'BigQuery: 503' };
      world.canaryHealth = kind === 'bad' ? 'bad' : 'good';
      const m = await base.measure(ctx, r, now);
      if (kind !== 'thin') return m;
      const step = r.steps.find((s) => s.index === r.stepIndex)!;
      const closed = (now.getTime() - Date.parse(step.startedAt!)) / 1000 >= r.policy.analysisWindowSeconds;
      return { ...m, checks: [{ name: 'requests', value: 3, limit: 40, outcome: 'insufficient', detail: '3 canary requests (need 40)' }], result: closed ? 'Inconclusive' : 'Pending' };
    },
  };
}

async function drive(world: SimulatedWorld, ports: ReturnType<typeof scripted>, clock: { now: Date }, ctx: ReturnType<SimulatedWorld['context']>, id: string, until: (r: RolloutRecord) => boolean): Promise<RolloutRecord> {
  for (let pass = 0; pass < 100; pass++) {
    clock.now = new Date(clock.now.getTime() + 1000);
    await reconcileRollout(ctx, id, ports);
    const r = JSON.parse(world.objects.get(rolloutPath(id))!.value) as RolloutRecord;
    if (until(r)) return r;
  }
  const last = JSON.parse(world.objects.get(rolloutPath(id))!.value) as RolloutRecord;
  throw new Error(`the condition was never reached: ${last.phase} at step ${last.stepIndex}, ${last.history.map((d) => d.kind).join(' ')}`);
}

describe('the state machine answers each verdict as the policy says', () => {
  const STEPS = [{ setWeight: 10 }, { analysis: {} }, { setWeight: 50 }, { analysis: {} }];

  it('Inconclusive pauses for a person; promote accepts the step and goes on', async () => {
    const world = new SimulatedWorld();
    const clock = { now: new Date('2026-12-01T00:00:00Z') };
    const ctx = world.context(clock, modelsDir);
    const ports = scripted(world, ['thin', 'thin', 'thin', 'thin', 'thin', 'thin', 'thin', 'good']);
    const { id } = await startRollout(ctx, MODEL, { version: '2', requestedBy: 'test', reason: 'test', policy: { steps: STEPS } });
    let r = await drive(world, ports, clock, ctx, id, (x) => x.phase === 'PAUSED');
    expect(r.pauseReason).toBe('INCONCLUSIVE');
    expect(r.steps.find((s) => s.index === 1)!.verdict).toBe('Inconclusive');
    expect(world.traffic[STABLE_ID]).toBe(90);
    r = await drive(world, ports, clock, ctx, id, () => true);
    expect(r.phase).toBe('PAUSED');
    await promoteRollout(ctx, id, { full: false, actor: 'alice@example.com' });
    r = await drive(world, ports, clock, ctx, id, (x) => x.phase === 'PROMOTED' && x.stableUndeployed === true);
    expect(r.history.map((d) => d.kind)).toEqual(expect.arrayContaining(['ANALYSIS_INCONCLUSIVE', 'PAUSED', 'PROMOTED_STEP', 'ANALYSIS_SUCCESSFUL', 'PROMOTED']));
  });

  it('failureLimit 1 tolerates one failed measurement; the second aborts', async () => {
    const world = new SimulatedWorld();
    const clock = { now: new Date('2026-12-01T00:00:00Z') };
    const ctx = world.context(clock, modelsDir);
    const tolerant = scripted(world, ['bad', 'good']);
    const { id } = await startRollout(ctx, MODEL, { version: '2', requestedBy: 'test', reason: 'test', policy: { steps: STEPS, analysis: { failureLimit: 1 } } });
    const r = await drive(world, tolerant, clock, ctx, id, (x) => x.phase === 'PROMOTED' && x.stableUndeployed === true);
    expect(r.steps.find((s) => s.index === 1)!.failures).toBe(1);

    const world2 = new SimulatedWorld();
    const ctx2 = world2.context(clock, modelsDir);
    const twice = scripted(world2, ['bad', 'bad']);
    const second = await startRollout(ctx2, MODEL, { version: '2', requestedBy: 'test', reason: 'test', policy: { steps: STEPS, analysis: { failureLimit: 1 } } });
    const aborted = await drive(world2, twice, clock, ctx2, second.id, (x) => x.phase === 'ABORTED');
    expect(aborted.steps.find((s) => s.index === 1)!.failures).toBe(2);
  });

  it('measurements that cannot be taken: more than consecutiveErrorLimit in a row aborts; fewer do not', async () => {
    const world = new SimulatedWorld();
    const clock = { now: new Date('2026-12-01T00:00:00Z') };
    const ctx = world.context(clock, modelsDir);
    const flaky = scripted(world, ['error', 'error', 'good']);
    const { id } = await startRollout(ctx, MODEL, { version: '2', requestedBy: 'test', reason: 'test', policy: { steps: STEPS, analysis: { consecutiveErrorLimit: 2 } } });
    expect((await drive(world, flaky, clock, ctx, id, (x) => x.phase === 'PROMOTED')).phase).toBe('PROMOTED');

    const world2 = new SimulatedWorld();
    const ctx2 = world2.context(clock, modelsDir);
    const broken = scripted(world2, ['error']);
    const second = await startRollout(ctx2, MODEL, { version: '2', requestedBy: 'test', reason: 'test', policy: { steps: STEPS, analysis: { consecutiveErrorLimit: 2 } } });
    const aborted = await drive(world2, broken, clock, ctx2, second.id, (x) => x.phase === 'ABORTED');
    expect(aborted.abortReason).toMatch(/3 measurements in a row could not be taken \(limit 2\): BigQuery: 503/);
    // An aborted rollout can be retried: the same rollout, its next attempt, from the first step.
    await retryRollout(ctx2, second.id, { actor: 'alice@example.com' });
    const retried = await drive(world2, scripted(world2, ['good']), clock, ctx2, second.id, (x) => x.phase === 'PROMOTED');
    expect(retried.attempt).toBe(2);
  });

  it('a pause step with a duration waits that long; without one, until promoted', async () => {
    const world = new SimulatedWorld();
    const clock = { now: new Date('2026-12-01T00:00:00Z') };
    const ctx = world.context(clock, modelsDir);
    const ports = scripted(world, ['good']);
    const { id } = await startRollout(ctx, MODEL, { version: '2', requestedBy: 'test', reason: 'test', policy: { steps: [{ setWeight: 10 }, { pause: { duration: 5 } }, { setWeight: 30 }, { pause: {} }] } });
    const waited = await drive(world, ports, clock, ctx, id, (x) => x.stepIndex >= 2);
    const pause = waited.steps.find((s) => s.index === 1)!;
    expect((Date.parse(pause.finishedAt!) - Date.parse(pause.startedAt!)) / 1000).toBeGreaterThanOrEqual(5);
    const held = await drive(world, ports, clock, ctx, id, (x) => x.phase === 'PAUSED');
    expect(held.pauseReason).toBe('PAUSE_STEP');
    expect(world.traffic[STABLE_ID]).toBe(70);
    await promoteRollout(ctx, id, { full: true, actor: 'alice@example.com' });
    expect((await drive(world, ports, clock, ctx, id, (x) => x.phase === 'PROMOTED')).phase).toBe('PROMOTED');
  });

  it('prod waits for an approval by a listed approver; anyone else is refused (403) and the refusal recorded', async () => {
    const spec = readFileSync(join(modelsDir, 'flight-delay.yaml'), 'utf8');
    writeFileSync(join(prodDir, 'flight-delay.yaml'), spec);
    const world = new SimulatedWorld();
    const clock = { now: new Date('2026-12-01T00:00:00Z') };
    const local = world.context(clock, prodDir);
    // The same world read as the prod environment (approvals required there).
    const ctx = { ...local, models: (await import('../../../control-plane/config/load-model-specs.js')).ModelCatalog.load('prod', prodDir) } as typeof local;
    const ports = scripted(world, ['good']);
    const { id, phase } = await startRollout(ctx, MODEL, { version: '2', requestedBy: 'test', reason: 'test', policy: { steps: STEPS } });
    expect(phase).toBe('AWAITING_APPROVAL');
    let r = await drive(world, ports, clock, ctx, id, () => true);
    expect(r.phase).toBe('AWAITING_APPROVAL');
    expect(world.deployCalls).toBe(0);
    const refused = await approveRollout(ctx, id, { email: 'intern@example.com' }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ControlPlaneError);
    expect((refused as ControlPlaneError).status).toBe('PERMISSION_DENIED');
    await approveRollout(ctx, id, { email: 'ML-Lead@example.com' });
    r = await drive(world, ports, clock, ctx, id, (x) => x.phase === 'PROGRESSING' && x.stepIndex === 1);
    expect(r.approvals.map((a) => [a.email, a.granted])).toEqual([['intern@example.com', false], ['ML-Lead@example.com', true]]);
    expect(r.history.map((d) => d.kind)).toEqual(expect.arrayContaining(['AWAITING_APPROVAL', 'APPROVAL_DENIED', 'APPROVAL_GRANTED']));
    expect([...world.audit.values()].map((d) => d.kind)).toContain('APPROVAL_DENIED');
  });
});

describe('edge cases found in review', () => {
  const STEPS = [{ setWeight: 10 }, { analysis: {} }, { setWeight: 50 }, { analysis: {} }];
  const start = async (world: SimulatedWorld, dir = modelsDir) => {
    const clock = { now: new Date('2026-12-01T00:00:00Z') };
    const ctx = world.context(clock, dir);
    const { id } = await startRollout(ctx, MODEL, { version: '2', requestedBy: 'test', reason: 'test', policy: { steps: STEPS } });
    return { clock, ctx, id };
  };

  it('an abort while the canary is still being deployed waits for it to land, then undeploys it', async () => {
    const world = new SimulatedWorld();
    world.deployDelay = 6;
    const { clock, ctx, id } = await start(world);
    const ports = scripted(world, ['good']);
    await drive(world, ports, clock, ctx, id, (x) => x.canaryDeployOperation !== undefined);
    await (await import('../../../control-plane/rollouts/commands.js')).abortRollout(ctx, id, { actor: 'alice@example.com' });
    const r = await drive(world, ports, clock, ctx, id, (x) => x.phase === 'ABORTED');
    expect(world.deployed.map((d) => d.id)).toEqual([STABLE_ID]);
    expect(world.traffic).toEqual({ [STABLE_ID]: 100 });
    expect(r.canaryUndeployed).toBe(true);
  });

  it('a permanent refusal of the canary deployment rolls back instead of retrying forever', async () => {
    const world = new SimulatedWorld();
    world.failing.set('deployModel', 8);
    const { clock, ctx, id } = await start(world);
    const r = await drive(world, scripted(world, ['good']), clock, ctx, id, (x) => x.phase === 'ABORTED');
    expect(r.abortReason).toMatch(/deployment was refused/);
  });

  it('an audit outage does not hold up a rollback; the decisions are recorded once it is back', async () => {
    const world = new SimulatedWorld();
    const { clock, ctx, id } = await start(world);
    const ports = scripted(world, ['bad']);
    await drive(world, ports, clock, ctx, id, (x) => x.phase === 'ABORTING');
    world.failing.set('appendDecisions', 14);
    let r = await drive(world, ports, clock, ctx, id, (x) => x.phase === 'ABORTED');
    expect(world.traffic).toEqual({ [STABLE_ID]: 100 });
    expect(r.outbox.length).toBeGreaterThan(0);
    world.failing.delete('appendDecisions');
    r = await drive(world, ports, clock, ctx, id, (x) => x.outbox.length === 0);
    expect(world.audit.size).toBe(r.history.length);
  });

  it('measurement errors at the window end wait an interval each: one pass does not exhaust the error limit', async () => {
    const world = new SimulatedWorld();
    const clock = { now: new Date('2026-12-01T00:00:00Z') };
    const ctx = world.context(clock, modelsDir);
    const { id } = await startRollout(ctx, MODEL, { version: '2', requestedBy: 'test', reason: 'test', policy: { steps: STEPS, analysis: { consecutiveErrorLimit: 2 } } });
    const ports = scripted(world, ['error']);
    await drive(world, ports, clock, ctx, id, (x) => x.stepIndex === 1);
    // Past the window's end: one pass, one measurement.
    clock.now = new Date(clock.now.getTime() + 60_000);
    await reconcileRollout(ctx, id, ports);
    const r = JSON.parse(world.objects.get(rolloutPath(id))!.value) as RolloutRecord;
    expect(r.steps.find((s) => s.index === 1)!.consecutiveErrors).toBe(1);
    expect(r.phase).toBe('PROGRESSING');
  });

  it('promote is refused while the canary does not serve its step yet, and when the caller saw another step', async () => {
    const world = new SimulatedWorld();
    world.deployDelay = 6;
    const { clock, ctx, id } = await start(world);
    const ports = scripted(world, ['thin']);
    await drive(world, ports, clock, ctx, id, (x) => x.canaryDeployOperation !== undefined);
    await expect(promoteRollout(ctx, id, { full: true, actor: 'alice@example.com' })).rejects.toThrow(/does not serve its step's traffic yet/);
    await drive(world, ports, clock, ctx, id, (x) => x.stepIndex === 1);
    await expect(promoteRollout(ctx, id, { full: false, actor: 'alice@example.com', step: 1 })).rejects.toThrow(/at step 2 now, not step 1/);
    const r = await promoteRollout(ctx, id, { full: false, actor: 'alice@example.com', step: 2 });
    expect(r.stepIndex).toBe(2);
  });

  it('a manual return to the old version during the scale-down delay is never undone: DEGRADED, both versions kept', async () => {
    const world = new SimulatedWorld();
    const { clock, ctx, id } = await start(world);
    const ports = scripted(world, ['good']);
    const promoted = await drive(world, ports, clock, ctx, id, (x) => x.phase === 'PROMOTED');
    world.setTrafficByHand({ [STABLE_ID]: 100, [promoted.canary.deployedModelId]: 0 });
    const r = await drive(world, ports, clock, ctx, id, (x) => x.phase === 'DEGRADED');
    expect(r.abortReason).toMatch(/changed after the promotion/);
    expect(world.deployed.map((d) => d.id).sort()).toEqual([STABLE_ID, promoted.canary.deployedModelId].sort());
    expect(world.traffic[STABLE_ID]).toBe(100);
  });

  it('a retried rollout in prod waits for a new approval', async () => {
    writeFileSync(join(prodDir, 'flight-delay.yaml'), readFileSync(join(modelsDir, 'flight-delay.yaml'), 'utf8'));
    const world = new SimulatedWorld();
    const clock = { now: new Date('2026-12-01T00:00:00Z') };
    const local = world.context(clock, prodDir);
    const ctx = { ...local, models: (await import('../../../control-plane/config/load-model-specs.js')).ModelCatalog.load('prod', prodDir) } as typeof local;
    const { id } = await startRollout(ctx, MODEL, { version: '2', requestedBy: 'test', reason: 'test', policy: { steps: STEPS } });
    const { abortRollout } = await import('../../../control-plane/rollouts/commands.js');
    await abortRollout(ctx, id, { actor: 'someone@example.com' });
    await drive(world, scripted(world, ['good']), clock, ctx, id, (x) => x.phase === 'ABORTED');
    const retried = await retryRollout(ctx, id, { actor: 'someone@example.com' });
    expect(retried.phase).toBe('AWAITING_APPROVAL');
    expect(world.deployCalls).toBe(0);
  });
});

describe('the per-model lock', () => {
  it('a lock taken by a start that has not written its rollout yet is kept; an old orphan is let go', async () => {
    const { reconcileRollouts } = await import('../../../control-plane/rollouts/reconcile.js');
    const world = new SimulatedWorld();
    const clock = { now: new Date('2026-12-01T00:00:00Z') };
    const ctx = world.context(clock, modelsDir);
    // A start between taking the lock and writing its rollout, while a scheduled pass runs.
    await ctx.rollouts.acquire(MODEL, 'flight-delay-v2', clock.now);
    await reconcileRollouts(ctx, world.ports());
    expect((await ctx.rollouts.activeFor(MODEL))?.value.rolloutId).toBe('flight-delay-v2');
    // Nobody ever wrote it: ten minutes later the lock is let go.
    clock.now = new Date(clock.now.getTime() + 11 * 60_000);
    await reconcileRollouts(ctx, world.ports());
    expect((await ctx.rollouts.activeFor(MODEL))?.value.rolloutId).toBeNull();
  });
});
