// The lease one delivery of a completion event holds on its run record (training or tuning), so
// that duplicate deliveries wait and a crashed one is taken over once its lease expires. Longer
// than the function's timeout (120 s): a live delivery keeps its lease, renewing it before each
// side effect; a crashed one's expires before the event's last redelivery.
import { RetryLater } from '../errors.js';

export const COMPLETION_LEASE_SECONDS = 180;

/** A run record that completions lease. */
export interface LeasedRun {
  readonly state: string;
  readonly lease?: { readonly owner: string; readonly expireTime: string } | undefined;
}

/** The record's store, changed by compare-and-swap (TrainingRuns, TuningRuns). */
export interface LeasedRunStore<R extends LeasedRun> {
  update(id: string, change: (run: R) => R | undefined): Promise<R>;
}

export interface LeaseScope<R extends LeasedRun> {
  readonly store: LeasedRunStore<R>;
  /** `training run` or `tuning run`, for the messages. */
  readonly kind: string;
  readonly terminalStates: readonly string[];
  readonly now: Date;
}

const until = (now: Date) => new Date(now.getTime() + COMPLETION_LEASE_SECONDS * 1000).toISOString();

/** Takes the lease (or keeps this owner's); a finished run is returned as it is, another live owner means retry later. */
export async function acquireCompletionLease<R extends LeasedRun>(scope: LeaseScope<R>, runId: string, owner: string): Promise<R> {
  let held: string | undefined;
  const run = await scope.store.update(runId, (current) => {
    held = undefined;
    if (scope.terminalStates.includes(current.state)) return undefined;
    if (current.lease && current.lease.owner !== owner && Date.parse(current.lease.expireTime) > scope.now.getTime()) {
      held = current.lease.owner;
      return undefined;
    }
    return { ...current, lease: { owner, expireTime: until(scope.now) } };
  });
  if (held !== undefined) throw new RetryLater(`${scope.kind} ${runId} is being completed by another delivery (${held})`);
  return run;
}

/**
 * Checks that this delivery still holds the lease and extends it (applying `change`), before a side
 * effect that must not happen twice; a lease taken over (this delivery outlived it) stops the work.
 */
export async function renewCompletionLease<R extends LeasedRun>(scope: LeaseScope<R>, runId: string, owner: string, change: (run: R) => R = (r) => r): Promise<R> {
  let lost = false;
  const run = await scope.store.update(runId, (current) => {
    lost = current.lease?.owner !== owner;
    if (lost) return undefined;
    return { ...change(current), lease: { owner, expireTime: until(scope.now) } };
  });
  if (lost) throw new RetryLater(`${scope.kind} ${runId}: this delivery's lease was taken over`);
  return run;
}
