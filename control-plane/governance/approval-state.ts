// Where a rollout stands with its approval, read from its decisions: whether its environment
// required one for the current attempt (the `AWAITING_APPROVAL` decision the policy made), who
// granted it and when, and who was refused. Pure, so the API shows it without another read.
import type { RolloutRecord } from '../rollouts/rollout-record.js';

export interface ApprovalState {
  /** Whether the environment's policy made the current attempt wait for an approval. */
  readonly required: boolean;
  /** NOT_REQUIRED; PENDING (waiting now); GRANTED; NOT_GRANTED (the rollout ended while waiting). */
  readonly state: 'NOT_REQUIRED' | 'PENDING' | 'GRANTED' | 'NOT_GRANTED';
  /** The policy's words: which environment, and who may approve. */
  readonly policy?: string;
  readonly grantedBy?: string;
  readonly grantTime?: string;
  /** Callers refused since the wait began (not listed approvers), with why. */
  readonly refusals: readonly { readonly email: string; readonly time: string; readonly reason: string }[];
}

export function approvalState(r: Pick<RolloutRecord, 'phase' | 'history' | 'outbox'>): ApprovalState {
  const decisions = [...r.history, ...r.outbox];
  let waitStart = -1;
  decisions.forEach((d, i) => {
    if (d.kind === 'AWAITING_APPROVAL') waitStart = i;
  });
  if (waitStart < 0) return { required: false, state: 'NOT_REQUIRED', refusals: [] };
  const since = decisions.slice(waitStart + 1);
  const granted = since.find((d) => d.kind === 'APPROVAL_GRANTED');
  const refusals = since.filter((d) => d.kind === 'APPROVAL_DENIED').map((d) => ({ email: d.actor, time: d.at, reason: d.reason }));
  const policy = decisions[waitStart]!.reason;
  if (granted) return { required: true, state: 'GRANTED', policy, grantedBy: granted.actor, grantTime: granted.at, refusals };
  return { required: true, state: r.phase === 'AWAITING_APPROVAL' ? 'PENDING' : 'NOT_GRANTED', policy, refusals };
}
