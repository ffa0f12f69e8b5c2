// What a person can tell a rollout (Argo's verbs): promote (skip the current pause or analysis;
// `full` skips every remaining step), abort (roll back now), retry (an aborted rollout starts
// again), approve (the first step may begin). Each is one compare-and-swap transition of the
// record; the reconciler then brings the endpoint along. Refusals name the phase.
import { ControlPlaneError } from '../errors.js';
import type { ControlPlaneContext } from '../runtime/context.js';
import { approversOf } from './approvers.js';
import type { RolloutRecord } from './rollout-record.js';
import { isFinished } from './rollout-record.js';
import { observeEndpoint, soleServing } from './endpoint-effects.js';
import { decide, enterStep, finishStep, restart, startAbort, startPromotion, touch } from './transitions.js';

function refuse(r: RolloutRecord, verb: string, why: string): never {
  throw new ControlPlaneError('FAILED_PRECONDITION', `cannot ${verb} rollout ${r.id}: it is ${r.phase}${r.pauseReason ? ` (${r.pauseReason})` : ''}; ${why}`);
}

export async function promoteRollout(ctx: ControlPlaneContext, id: string, options: { full: boolean; actor: string; step?: number }): Promise<RolloutRecord> {
  return ctx.rollouts.update(id, (r) => {
    const now = ctx.now();
    if (r.phase !== 'PROGRESSING' && r.phase !== 'PAUSED') refuse(r, 'promote', 'only a progressing or paused rollout can be promoted');
    // The caller saw another step: the rollout moved on meanwhile, and skipping this one was not asked.
    if (options.step !== undefined && options.step !== r.stepIndex + 1) refuse(r, 'promote', `it is at step ${r.stepIndex + 1} now, not step ${options.step}`);
    if (r.phase === 'PROGRESSING' && r.traffic.syncedAt === undefined) refuse(r, 'promote', "the canary does not serve its step's traffic yet; promote once it does");
    if (options.full) {
      const done = finishStep(r, now, r.steps.find((s) => s.index === r.stepIndex)?.verdict);
      return startPromotion(done, now, options.actor, `promoted in full by ${options.actor}: the remaining steps are skipped`);
    }
    if (r.phase === 'PAUSED' && r.pauseReason === 'MANUAL_TRAFFIC_CHANGE') {
      // Re-apply the rollout's traffic over the person's change: it now counts as pending.
      let next = touch(r, now);
      // Back to what was interrupted: progressing, or the pause step / Inconclusive pause it was in.
      if (next.pausedBefore) next.pauseReason = next.pausedBefore;
      else {
        next.phase = 'PROGRESSING';
        delete next.pauseReason;
      }
      delete next.pausedBefore;
      next.traffic = { desired: next.traffic.desired, previous: next.manualTraffic ?? next.traffic.previous, unsynced: [] };
      delete next.manualTraffic;
      next = decide(next, now, 'RESUMED', options.actor, `resumed by ${options.actor}: the rollout's traffic ${JSON.stringify(next.traffic.desired)} is applied again`);
      return next;
    }
    const step = r.policy.steps[r.stepIndex];
    const kind = step ? Object.keys(step)[0] : 'end';
    let next = finishStep(r, now, r.pauseReason === 'INCONCLUSIVE' ? 'Inconclusive' : 'Successful');
    next = decide(next, now, 'PROMOTED_STEP', options.actor, `step ${r.stepIndex + 1} (${kind}) skipped by ${options.actor}`);
    return enterStep(next, r.stepIndex + 1, now, options.actor);
  });
}

export async function abortRollout(ctx: ControlPlaneContext, id: string, options: { actor: string; reason?: string }): Promise<RolloutRecord> {
  return ctx.rollouts.update(id, (r) => {
    if (r.phase === 'ABORTING' || r.phase === 'ABORTED') return undefined;
    // Until the aliases move, a promotion is still only traffic: it can be undone.
    if ((r.phase === 'PROMOTING' && r.aliasesMoved) || r.phase === 'PROMOTED' || isFinished(r)) refuse(r, 'abort', 'the canary is already promoted');
    const now = ctx.now();
    return startAbort(r, now, options.actor, `aborted by ${options.actor}${options.reason ? `: ${options.reason}` : ''}`);
  });
}

export async function retryRollout(ctx: ControlPlaneContext, id: string, options: { actor: string }): Promise<RolloutRecord> {
  const current = (await ctx.rollouts.require(id)).value;
  if (current.phase !== 'ABORTED' && current.phase !== 'DEGRADED') refuse(current, 'retry', 'only an aborted or degraded rollout can be retried');
  const spec = ctx.models.require(current.model);
  // The stable version is what serves the endpoint now (another release may have happened since).
  const observed = await observeEndpoint(ctx, current.endpoint);
  const stable = soleServing(observed, current.stable.version.split('@')[0]!);
  if (!stable || stable.deployedModelId === current.canary.deployedModelId || observed.view.deployed.has(current.canary.deployedModelId)) {
    refuse(current, 'retry', `a retry starts from one other deployed model serving 100% of ${current.endpoint} and the canary undeployed; it serves ${JSON.stringify(observed.view.traffic)}`);
  }
  const now = ctx.now();
  const lock = await ctx.rollouts.acquire(current.model, id, now);
  if (!lock.acquired) throw new ControlPlaneError('FAILED_PRECONDITION', `rollout ${lock.holder} is in progress on ${current.endpoint}; it must finish first`);
  return ctx.rollouts.update(id, (r) => (r.phase === 'ABORTED' || r.phase === 'DEGRADED' ? restart(r, ctx.now(), options.actor, stable, spec.approvals.deployment === 'required') : undefined));
}

/**
 * Approves the first step. `approver` is the caller's verified identity; one not listed in the
 * spec's approvers is refused (403) and the refusal is recorded like an approval.
 */
export async function approveRollout(ctx: ControlPlaneContext, id: string, approver: { email: string }): Promise<RolloutRecord> {
  const current = (await ctx.rollouts.require(id)).value;
  const spec = ctx.models.require(current.model);
  const approvers = approversOf(ctx, spec);
  const allowed = approvers.map((a) => a.toLowerCase()).includes(approver.email.toLowerCase());
  const updated = await ctx.rollouts.update(id, (r) => {
    const now = ctx.now();
    if (!allowed) {
      let next = touch(r, now);
      const reason = `${approver.email} is not an approver of ${r.model} in ${spec.environment} (approvers: ${approvers.join(', ') || 'none'})`;
      next.approvals = [...next.approvals, { email: approver.email, at: now.toISOString(), granted: false, reason }];
      next = decide(next, now, 'APPROVAL_DENIED', approver.email, reason);
      return next;
    }
    if (r.phase !== 'AWAITING_APPROVAL') {
      if (r.approvals.some((a) => a.granted)) return undefined;
      refuse(r, 'approve', 'only a rollout awaiting approval can be approved');
    }
    let next = touch(r, now);
    next.approvals = [...next.approvals, { email: approver.email, at: now.toISOString(), granted: true, reason: 'listed approver' }];
    next = decide(next, now, 'APPROVAL_GRANTED', approver.email, `approved by ${approver.email}`);
    return enterStep(next, 0, now, approver.email);
  });
  if (!allowed) throw new ControlPlaneError('PERMISSION_DENIED', `${approver.email} may not approve rollouts of ${current.model} in ${spec.environment}`);
  return updated;
}
