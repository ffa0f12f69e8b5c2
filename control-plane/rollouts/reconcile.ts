// reconcileRollouts: for every unfinished rollout, compare what its record wants with what the
// endpoint is, and take it one safe step at a time (plan.ts decides; this file reads, writes with
// generation preconditions and applies side effects). Any pass may crash anywhere: the next one
// heals from the record and the endpoint. Concurrent passes are safe: each transition is a
// compare-and-swap, and a pass that loses one re-reads instead of acting on a stale record.
import { log } from '../../logging/log.js';
import { appendDecisions } from '../audit/decision-log.js';
import type { ControlPlaneContext } from '../runtime/context.js';
import { applyEffect, deployOperationState, observeEndpoint } from './endpoint-effects.js';
import { measure } from './measure.js';
import type { Plan } from './plan.js';
import { plan } from './plan.js';
import { startAbort } from './transitions.js';
import type { RolloutRecord } from './rollout-record.js';
import { isFinished } from './rollout-record.js';
import { trackRolloutDecisions } from '../tracking/record.js';

/** What a pass does to the world; tests give an in-memory world (and crash it anywhere). */
export interface RolloutPorts {
  observeEndpoint: typeof observeEndpoint;
  deployOperationState: typeof deployOperationState;
  applyEffect: typeof applyEffect;
  measure: typeof measure;
  appendDecisions: typeof appendDecisions;
}

export const CLOUD_PORTS: RolloutPorts = { observeEndpoint, deployOperationState, applyEffect, measure, appendDecisions };

/** A start takes the lock, then writes its rollout within a second: a lock held this long by no rollout is orphaned. */
const ORPHAN_LOCK_MS = 10 * 60_000;

/** Transitions per rollout per pass: enough to go from one wait to the next, bounded against loops. */
const MAX_TRANSITIONS = 24;

export interface RolloutPassResult {
  readonly id: string;
  readonly phase: RolloutRecord['phase'];
  readonly stepIndex: number;
  readonly transitions: number;
  /** Why the pass stopped: what the rollout waits for. */
  readonly waiting: string;
}

export interface ReconcileResult {
  readonly rollouts: RolloutPassResult[];
  readonly errors: { id: string; error: string }[];
  readonly durationMs: number;
}

/** Moves the outbox into the audit table, Pub/Sub and the history; true when something was flushed. */
async function flushOutbox(ctx: ControlPlaneContext, ports: RolloutPorts, r: RolloutRecord, generation: string): Promise<boolean> {
  if (r.outbox.length === 0) return false;
  await ports.appendDecisions(
    ctx,
    r.outbox.map((d) => ({ ...d, model: r.model, version: r.canary.version, subject: r.id })),
  );
  // The attempt's execution in ML Metadata (lineage of the version), before the decisions leave the outbox.
  await trackRolloutDecisions(ctx, r, r.outbox);
  const flushed = new Set(r.outbox.map((d) => d.id));
  const next: RolloutRecord = { ...r, history: [...r.history, ...r.outbox], outbox: r.outbox.filter((d) => !flushed.has(d.id)) };
  // Lost to another writer: the decisions stay in its outbox and are appended again (same insertId).
  await ctx.rollouts.replace(next, generation);
  return true;
}

export async function reconcileRollout(ctx: ControlPlaneContext, id: string, ports: RolloutPorts = CLOUD_PORTS): Promise<RolloutPassResult> {
  let transitions = 0;
  let waiting = `stopped after ${MAX_TRANSITIONS} transitions; the next pass goes on`;
  let last: RolloutRecord | undefined;
  let auditDown = false;
  let holdsLock: boolean | undefined;
  for (; transitions < MAX_TRANSITIONS; transitions++) {
    const found = await ctx.rollouts.require(id);
    const { value: r, generation } = found;
    last = r;
    // The audit trail must not hold up a rollback: when it fails, the decisions wait in the outbox.
    if (!auditDown) {
      try {
        if (await flushOutbox(ctx, ports, r, generation)) continue;
      } catch (err) {
        auditDown = true;
        log('WARNING', 'rollout decisions not yet recorded; the next pass retries', { rollout: id, error: err instanceof Error ? err.message : String(err) });
      }
    }
    if (isFinished(r)) {
      // The lock keeps it listed by activeIds(): released before its outbox is flushed, no pass
      // would ever look at it again and its last decisions would never be recorded.
      if (r.outbox.length > 0) {
        waiting = 'finished; decisions not yet recorded';
        break;
      }
      await ctx.rollouts.release(r.model, r.id, ctx.now());
      waiting = `finished (${r.phase})`;
      break;
    }
    // Only the rollout holding its model's lock acts on the endpoint (a retry and a new rollout racing for it cannot both).
    holdsLock ??= (await ctx.rollouts.activeFor(r.model))?.value.rolloutId === r.id;
    if (!holdsLock) {
      waiting = `another rollout holds ${r.model}'s endpoint`;
      break;
    }
    const spec = ctx.models.require(r.model);
    let observed = await ports.observeEndpoint(ctx, r.endpoint);
    const now = ctx.now();
    const deployOperation = r.canaryDeployOperation && !observed.view.deployed.has(r.canary.deployedModelId) ? await ports.deployOperationState(ctx, r.canaryDeployOperation) : undefined;
    // The deployment finished after the endpoint was read: read it again before concluding anything.
    if (deployOperation?.done && deployOperation.error === undefined) observed = await ports.observeEndpoint(ctx, r.endpoint);
    const input = { rollout: r, endpoint: observed.view, now, ...(deployOperation ? { deployOperation } : {}) };
    let decided: Plan = plan(input);
    if (decided.kind === 'measure') decided = plan({ ...input, measurement: await ports.measure(ctx, r, now) });
    if (decided.kind === 'measure') throw new Error('plan asked for a second measurement');
    if (decided.kind === 'wait') {
      waiting = decided.why;
      break;
    }
    if (decided.kind === 'intent') {
      if (decided.next !== r && (await ctx.rollouts.replace(decided.next, generation)) === undefined) continue;
      if (decided.effect) await ports.applyEffect(ctx, spec, decided.next, decided.effect, observed);
      continue;
    }
    const result = await ports.applyEffect(ctx, spec, r, decided.effect, observed);
    if (result.refused !== undefined) {
      // Vertex refused the canary's deployment for good (invalid, no quota, not allowed): roll back now.
      const aborted = startAbort(r, now, 'reconciler', `the canary's deployment was refused: ${result.refused}`);
      // Nothing was deployed and nothing will land: the rollback need not wait for it.
      delete aborted.canaryDeployRequestedAt;
      await ctx.rollouts.replace(aborted, generation);
      continue;
    }
    let next = decided.next;
    if (decided.effect.kind === 'deploy-canary' && !result.operation) {
      // ALREADY_EXISTS: a deployment of the canary is under way or done; the next pass looks.
      transitions += 1;
      waiting = 'the canary is being deployed';
      break;
    }
    if (decided.effect.kind === 'deploy-canary' && result.operation) {
      const operation = result.operation;
      next = { ...r, canaryDeployOperation: operation, updateTime: now.toISOString() };
      // Lost to another writer: the operation is still this rollout's to know about (a rollback waits for it).
      if ((await ctx.rollouts.replace(next, generation)) === undefined) await ctx.rollouts.update(id, (current) => (current.canaryDeployOperation ? undefined : { ...current, canaryDeployOperation: operation }));
      continue;
    }
    if (next) await ctx.rollouts.replace(next, generation);
    // The endpoint lists an undeploying model until the operation is done (minutes on Vertex):
    // the next pass looks, instead of this one asking again at every turn of the loop.
    if (decided.effect.kind === 'undeploy') {
      transitions += 1;
      waiting = `undeploying ${decided.effect.deployedModelId}`;
      break;
    }
  }
  const final = (await ctx.rollouts.read(id))?.value ?? last!;
  if (transitions > 0) log('INFO', 'rollout reconciled', { rollout: id, phase: final.phase, step: final.stepIndex, transitions, waiting });
  return { id, phase: final.phase, stepIndex: final.stepIndex, transitions, waiting };
}

/**
 * One pass over the rollouts holding their model's lock: every unfinished rollout does, and so does
 * a finished one until its outbox is flushed (only then does it let go), so a pass reads one
 * document per model, not every rollout ever made.
 */
export async function reconcileRollouts(ctx: ControlPlaneContext, ports: RolloutPorts = CLOUD_PORTS): Promise<ReconcileResult> {
  const started = performance.now();
  const results: RolloutPassResult[] = [];
  const errors: { id: string; error: string }[] = [];
  for (const { model, rolloutId: id, since } of await ctx.rollouts.activeIds()) {
    try {
      // A lock whose rollout was never written (a start that crashed in between) is let go, once
      // it is old enough that no start can still be writing the rollout.
      if (!(await ctx.rollouts.read(id))) {
        if (ctx.now().getTime() - Date.parse(since) > ORPHAN_LOCK_MS) await ctx.rollouts.release(model, id, ctx.now());
        continue;
      }
      results.push(await reconcileRollout(ctx, id, ports));
    } catch (err) {
      // One rollout's trouble must not hold up the others; the next pass retries it.
      errors.push({ id, error: err instanceof Error ? err.message : String(err) });
      log('WARNING', 'rollout reconcile failed', { rollout: id, error: err instanceof Error ? err.message : String(err) });
    }
  }
  return { rollouts: results, errors, durationMs: Math.round(performance.now() - started) };
}
