// The API's rollouts: start one, read one (steps with each analysis's numbers, weights, history),
// list a model's, and the commands. A start or a command also runs one reconcile pass of that
// rollout at once, so its first effect does not wait for the next Scheduler tick.
import { log } from '../../logging/log.js';
import type { ApprovalState } from '../governance/approval-state.js';
import { approvalState } from '../governance/approval-state.js';
import { abortRollout, approveRollout, promoteRollout, retryRollout } from '../rollouts/commands.js';
import { reconcileRollout } from '../rollouts/reconcile.js';
import type { RolloutRecord } from '../rollouts/rollout-record.js';
import { weightAt } from '../rollouts/transitions.js';
import { startRollout } from '../rollouts/start-rollout.js';
import type { ControlPlaneContext } from '../runtime/context.js';
import type { Caller } from './caller.js';
import type { CreateRolloutBody } from './requests.js';

export interface RolloutView extends Omit<RolloutRecord, 'outbox'> {
  /** The canary's weight the current step asks for. */
  readonly canaryWeight: number;
  /** Decisions made but not yet in the audit table (they are, by the next reconcile). */
  readonly pendingDecisions: number;
  /** Whether the environment required an approval for this attempt, and who gave (or was refused) it. */
  readonly approval: ApprovalState;
}

export function rolloutView(r: RolloutRecord): RolloutView {
  const { outbox, ...rest } = r;
  const canaryWeight = r.phase === 'PROMOTING' || r.phase === 'PROMOTED' ? 100 : r.phase === 'ABORTING' || r.phase === 'ABORTED' ? 0 : weightAt(r.policy.steps, r.stepIndex);
  return { ...rest, history: [...r.history, ...outbox], canaryWeight, pendingDecisions: outbox.length, approval: approvalState(r) };
}

function actorOf(caller: Caller): string {
  return caller.email ?? (caller.schedule ? `scheduler:${caller.schedule.job}` : 'anonymous');
}

/** One reconcile pass now; its failure is only logged (the scheduled pass retries). */
async function nudge(ctx: ControlPlaneContext, id: string): Promise<RolloutRecord> {
  try {
    await reconcileRollout(ctx, id);
  } catch (err) {
    log('WARNING', 'rollout: the immediate reconcile failed; the next scheduled pass retries', { rollout: id, error: err instanceof Error ? err.message : String(err) });
  }
  return (await ctx.rollouts.require(id)).value;
}

export async function createRollout(ctx: ControlPlaneContext, model: string, body: CreateRolloutBody, caller: Caller): Promise<RolloutView> {
  const started = await startRollout(ctx, model, {
    version: body.version,
    requestedBy: actorOf(caller),
    reason: body.reason ?? 'requested through the API',
    ...(body.policy ? { policy: body.policy } : {}),
  });
  return rolloutView(await nudge(ctx, started.id));
}

export async function getRollout(ctx: ControlPlaneContext, id: string): Promise<RolloutView> {
  return rolloutView((await ctx.rollouts.require(id)).value);
}

export async function listModelRollouts(ctx: ControlPlaneContext, model: string): Promise<{ rollouts: RolloutView[] }> {
  ctx.models.require(model);
  const ids = (await ctx.rollouts.ids()).filter((id) => id.startsWith(`${model}-v`));
  const found = await Promise.all(ids.map((id) => ctx.rollouts.read(id)));
  const rollouts = found.flatMap((f) => (f && f.value.model === model ? [rolloutView(f.value)] : []));
  return { rollouts: rollouts.sort((a, b) => b.createTime.localeCompare(a.createTime)) };
}

export async function commandRollout(
  ctx: ControlPlaneContext,
  id: string,
  command: 'promote' | 'abort' | 'retry',
  options: { full?: boolean; reason?: string; step?: number | undefined },
  caller: Caller,
): Promise<RolloutView> {
  const actor = actorOf(caller);
  if (command === 'promote') await promoteRollout(ctx, id, { full: options.full ?? false, actor, ...(options.step !== undefined ? { step: options.step } : {}) });
  else if (command === 'abort') await abortRollout(ctx, id, { actor, ...(options.reason ? { reason: options.reason } : {}) });
  else await retryRollout(ctx, id, { actor });
  return rolloutView(await nudge(ctx, id));
}

/** `approver` is the caller's verified identity (the route verifies the token before calling). */
export async function approve(ctx: ControlPlaneContext, id: string, approver: { email: string }): Promise<RolloutView> {
  try {
    await approveRollout(ctx, id, approver);
  } finally {
    // Granted or refused, the decision goes to the audit table now.
    await nudge(ctx, id);
  }
  return rolloutView((await ctx.rollouts.require(id)).value);
}
