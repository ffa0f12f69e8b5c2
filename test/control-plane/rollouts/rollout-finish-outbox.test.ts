// A rollout that finishes while the audit trail is down keeps its model's lock: the lock is what
// lists it for the next pass, which flushes its last decisions (PROMOTED, SCALED_DOWN, ...) and
// only then lets go.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { reconcileRollouts } from '../../../control-plane/rollouts/reconcile.js';
import type { RolloutRecord } from '../../../control-plane/rollouts/rollout-record.js';
import { isFinished, rolloutPath } from '../../../control-plane/rollouts/rollout-record.js';
import { startRollout } from '../../../control-plane/rollouts/start-rollout.js';
import { MODEL, SimulatedWorld } from './simulated-world.js';

const modelsDir = mkdtempSync(join(tmpdir(), 'rollout-outbox-'));
writeFileSync(join(modelsDir, 'flight-delay.yaml'), readFileSync(new URL('../../../models/flight-delay.yaml', import.meta.url), 'utf8'));
afterAll(() => rmSync(modelsDir, { recursive: true, force: true }));

const STEPS = [{ setWeight: 10 }, { analysis: {} }];

describe('a rollout finishing while its decisions cannot be recorded', () => {
  it('keeps the lock until a later pass has flushed the outbox, then releases it', async () => {
    const world = new SimulatedWorld();
    const clock = { now: new Date('2026-12-01T00:00:00Z') };
    const ctx = world.context(clock, modelsDir);
    const working = world.ports();
    let auditDown = false;
    const ports = { ...working, appendDecisions: async (...args: Parameters<typeof working.appendDecisions>) => {
      if (auditDown) throw new Error('BigQuery unavailable');
      return working.appendDecisions(...args);
    } };
    const { id } = await startRollout(ctx, MODEL, { version: '2', requestedBy: 'test', reason: 'test', policy: { steps: STEPS } });
    const current = () => JSON.parse(world.objects.get(rolloutPath(id))!.value) as RolloutRecord;

    let finishingPass: Awaited<ReturnType<typeof reconcileRollouts>> | undefined;
    for (let pass = 0; pass < 200 && !finishingPass; pass++) {
      clock.now = new Date(clock.now.getTime() + 1000);
      // The audit trail fails from the pass that promotes onwards.
      auditDown = current().phase === 'PROMOTING' || current().stepIndex >= STEPS.length - 1;
      const result = await reconcileRollouts(ctx, ports);
      if (isFinished(current())) finishingPass = result;
    }
    expect(finishingPass, 'the rollout finished').toBeDefined();
    const finished = current();
    expect(finished.outbox.map((d) => d.kind)).toContain('PROMOTED');
    expect(finishingPass!.rollouts[0]!.waiting).toBe('finished; decisions not yet recorded');
    // Still listed: the next pass comes back to it.
    expect((await ctx.rollouts.activeIds()).map((a) => a.rolloutId)).toEqual([id]);

    auditDown = false;
    clock.now = new Date(clock.now.getTime() + 1000);
    const next = await reconcileRollouts(ctx, ports);
    expect(next.rollouts.map((r) => r.id)).toEqual([id]);
    expect(current().outbox).toEqual([]);
    expect(current().history.map((d) => d.kind)).toContain('PROMOTED');
    for (const d of current().history) expect(world.audit.has(d.id), `${d.kind} audited`).toBe(true);
    expect(await ctx.rollouts.activeIds()).toEqual([]);
  });
});
