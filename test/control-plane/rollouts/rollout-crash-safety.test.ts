// Crash safety of the rollout reconciler, at every point: a whole rollout (promotion, and an
// analysis failure's rollback) is run once to count its mutation points (Vertex calls, state
// writes, audit appends); then, for each point, again with a crash just before and just after
// that point, followed by passes of a fresh process until the rollout ends. After every pass the
// invariants hold: traffic sums to 100; the stable version serves until the promotion completes;
// no version is deployed twice; every decision is in the audit table once and only once.
import { mkdtempSync, writeFileSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { abortRollout, promoteRollout } from '../../../control-plane/rollouts/commands.js';
import { reconcileRollout } from '../../../control-plane/rollouts/reconcile.js';
import type { RolloutRecord } from '../../../control-plane/rollouts/rollout-record.js';
import { isFinished, rolloutPath } from '../../../control-plane/rollouts/rollout-record.js';
import { startRollout } from '../../../control-plane/rollouts/start-rollout.js';
import { Crash, MODEL, SimulatedWorld, STABLE_ID } from './simulated-world.js';

// The shipped spec with a short policy: two steps of analysis, seconds-long windows.
const modelsDir = mkdtempSync(join(tmpdir(), 'rollout-sim-'));
const spec = readFileSync(new URL('../../../models/flight-delay.yaml', import.meta.url), 'utf8');
writeFileSync(join(modelsDir, 'flight-delay.yaml'), spec);
afterAll(() => rmSync(modelsDir, { recursive: true, force: true }));

const STEPS = [{ setWeight: 10 }, { analysis: {} }, { setWeight: 50 }, { analysis: {} }];

function current(world: SimulatedWorld, id: string): RolloutRecord {
  const found = world.objects.get(rolloutPath(id));
  return JSON.parse(found!.value) as RolloutRecord;
}

function checkInvariants(world: SimulatedWorld, r: RolloutRecord): void {
  const total = Object.values(world.traffic).reduce((a, b) => a + b, 0);
  expect(total, `traffic ${JSON.stringify(world.traffic)}`).toBe(100);
  // Until the promotion completes (PROMOTED), the stable version stays deployed.
  if (r.phase !== 'PROMOTED') expect(world.deployed.some((d) => d.id === STABLE_ID), 'the stable version stays deployed').toBe(true);
  if (r.phase !== 'PROMOTING' && r.phase !== 'PROMOTED') expect(world.traffic[STABLE_ID] ?? 0, 'the stable version serves').toBeGreaterThan(0);
  const versions = world.deployed.map((d) => d.modelVersionId);
  expect(new Set(versions).size, `deployed ${versions.join(',')}`).toBe(versions.length);
  const ids = [...r.history, ...r.outbox].map((d) => d.id);
  expect(new Set(ids).size, 'decision ids are unique').toBe(ids.length);
  for (const d of r.history) expect(world.audit.has(d.id), `decision ${d.id} (${d.kind}) is audited`).toBe(true);
}

interface Scenario {
  readonly health: 'good' | 'bad';
  readonly end: RolloutRecord['phase'];
}

/** Runs a rollout to its end; with `crashAt`, crashes there and continues with fresh passes. */
async function run(scenario: Scenario, crash?: { at: number; mode: 'before' | 'after' }): Promise<{ world: SimulatedWorld; rollout: RolloutRecord }> {
  const world = new SimulatedWorld();
  world.canaryHealth = scenario.health;
  if (crash) {
    world.crashAt = crash.at;
    world.crashMode = crash.mode;
  }
  const clock = { now: new Date('2026-12-01T00:00:00Z') };
  const ctx = world.context(clock, modelsDir);
  const ports = world.ports();
  let id = 'flight-delay-v2';
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      id = (await startRollout(ctx, MODEL, { version: '2', requestedBy: 'test', reason: 'test', policy: { steps: STEPS } })).id;
      break;
    } catch (err) {
      if (!(err instanceof Crash)) throw err;
    }
  }
  for (let pass = 0; pass < 200; pass++) {
    clock.now = new Date(clock.now.getTime() + 1000);
    try {
      await reconcileRollout(ctx, id, ports);
    } catch (err) {
      if (!(err instanceof Crash)) throw err;
    }
    const r = current(world, id);
    checkInvariants(world, r);
    if (isFinished(r) && r.outbox.length === 0) return { world, rollout: r };
  }
  throw new Error(`the rollout did not finish: ${JSON.stringify(current(world, id).phase)}; trail ${world.trail.slice(-8).join(' | ')}`);
}

describe('rollout reconciler in a simulated world', () => {
  it('promotes a healthy canary: 10% → 50% → 100%, aliases moved, the old version scaled down', async () => {
    const { world, rollout } = await run({ health: 'good', end: 'PROMOTED' });
    expect(rollout.phase).toBe('PROMOTED');
    expect(world.traffic).toEqual({ [rollout.canary.deployedModelId]: 100 });
    expect(world.deployed.map((d) => d.modelVersionId)).toEqual(['2']);
    expect([...world.aliases.get('2')!].sort()).toEqual(['champion', 'default']);
    expect([...world.aliases.get('1')!]).toEqual([]);
    const kinds = rollout.history.map((d) => d.kind);
    expect(kinds.filter((k) => k === 'STEP_SET_WEIGHT')).toHaveLength(2);
    expect(kinds.filter((k) => k === 'ANALYSIS_SUCCESSFUL')).toHaveLength(2);
    expect(kinds).toContain('PROMOTED');
    expect(kinds.at(-1)).toBe('SCALED_DOWN');
    expect(world.audit.size).toBe(rollout.history.length);
  });

  it('rolls a failing canary back at its first analysis: 100% stable, canary undeployed and labelled, aliases untouched', async () => {
    const { world, rollout } = await run({ health: 'bad', end: 'ABORTED' });
    expect(rollout.phase).toBe('ABORTED');
    expect(world.traffic).toEqual({ [STABLE_ID]: 100 });
    expect(world.deployed.map((d) => d.id)).toEqual([STABLE_ID]);
    expect(world.labels.get('2')).toMatchObject({ rollout: 'rolled-back' });
    expect([...world.aliases.get('1')!].sort()).toEqual(['champion', 'default']);
    expect(rollout.history.map((d) => d.kind)).toEqual(expect.arrayContaining(['ANALYSIS_FAILED', 'ABORTED', 'ROLLED_BACK']));
    const failed = rollout.steps.find((s) => s.verdict === 'Failed')!;
    expect(failed.measurements.at(-1)!.checks.find((c) => c.name === 'error_rate')!.outcome).toBe('fail');
  });

  for (const scenario of [{ health: 'good', end: 'PROMOTED' }, { health: 'bad', end: 'ABORTED' }] as const) {
    it(`a crash before or after any of its mutation points still ends ${scenario.end}, with the invariants after every pass`, async () => {
      const clean = await run(scenario);
      const points = clean.world.points;
      expect(points).toBeGreaterThan(10);
      for (let at = 1; at <= points; at++) {
        for (const mode of ['before', 'after'] as const) {
          const { world, rollout } = await run(scenario, { at, mode });
          expect(rollout.phase, `crash ${mode} point ${at}`).toBe(scenario.end);
          // One audit row per decision, and every decision once.
          expect(world.audit.size, `crash ${mode} point ${at}`).toBe(rollout.history.length);
          expect(rollout.history.map((d) => d.kind)).toEqual(clean.rollout.history.map((d) => d.kind));
        }
      }
    });
  }

  it('concurrent passes (two Scheduler deliveries at once) do not double-step', async () => {
    const world = new SimulatedWorld();
    const clock = { now: new Date('2026-12-01T00:00:00Z') };
    const ctx = world.context(clock, modelsDir);
    const { id } = await startRollout(ctx, MODEL, { version: '2', requestedBy: 'test', reason: 'test', policy: { steps: STEPS } });
    for (let pass = 0; pass < 100; pass++) {
      clock.now = new Date(clock.now.getTime() + 1000);
      await Promise.all([reconcileRollout(ctx, id, world.ports()), reconcileRollout(ctx, id, world.ports()), reconcileRollout(ctx, id, world.ports())]);
      checkInvariants(world, current(world, id));
      if (isFinished(current(world, id))) break;
    }
    const r = current(world, id);
    expect(r.phase, JSON.stringify(r.history.map((d) => d.reason))).toBe('PROMOTED');
    const kinds = r.history.map((d) => d.kind);
    expect(kinds.filter((k) => k === 'STEP_SET_WEIGHT')).toHaveLength(2);
    expect(kinds.filter((k) => k === 'ANALYSIS_SUCCESSFUL')).toHaveLength(2);
    expect(kinds.filter((k) => k === 'PROMOTED')).toHaveLength(1);
    expect(world.deployCalls).toBeLessThanOrEqual(3);
  });

  it('a manual traffic change pauses the rollout and is reported; promote re-applies the rollout traffic', async () => {
    const world = new SimulatedWorld();
    const clock = { now: new Date('2026-12-01T00:00:00Z') };
    const ctx = world.context(clock, modelsDir);
    const { id } = await startRollout(ctx, MODEL, { version: '2', requestedBy: 'test', reason: 'test', policy: { steps: STEPS } });
    const pass = async () => {
      clock.now = new Date(clock.now.getTime() + 1000);
      await reconcileRollout(ctx, id, world.ports());
      return current(world, id);
    };
    let r = await pass();
    while (!(r.phase === 'PROGRESSING' && r.stepIndex === 1)) r = await pass();
    const canary = r.canary.deployedModelId;
    world.setTrafficByHand({ [STABLE_ID]: 70, [canary]: 30 });
    r = await pass();
    expect(r.phase).toBe('PAUSED');
    expect(r.pauseReason).toBe('MANUAL_TRAFFIC_CHANGE');
    expect(r.history.at(-1)!.kind).toBe('PAUSED');
    expect(r.history.at(-1)!.details).toMatchObject({ observed: { [STABLE_ID]: 70, [canary]: 30 } });
    // Left alone while paused: the person's traffic stays.
    expect((await pass()).phase).toBe('PAUSED');
    expect(world.traffic).toEqual({ [STABLE_ID]: 70, [canary]: 30 });
    await promoteRollout(ctx, id, { full: false, actor: 'alice@example.com' });
    r = await pass();
    expect(world.traffic).toEqual({ [STABLE_ID]: 90, [canary]: 10 });
    expect(r.phase).toBe('PROGRESSING');
    await abortRollout(ctx, id, { actor: 'alice@example.com', reason: 'enough' });
    for (let i = 0; i < 10 && r.phase !== 'ABORTED'; i++) r = await pass();
    expect(r.phase).toBe('ABORTED');
    expect(world.traffic).toEqual({ [STABLE_ID]: 100 });
    expect(r.history.find((d) => d.kind === 'ABORTED')!.actor).toBe('alice@example.com');
  });
});
