// The rollout's transitions as pure functions over its record: entering a step, pausing, aborting,
// promoting, and the decisions each one records. The reconciler (plan.ts) and the API's commands
// (commands.ts) both change a rollout only through these, so every path records the same way.
import { definedOnly } from '../config/load-model-specs.js';
import type { Criteria, RolloutDecision, RolloutRecord, Step, StepRecord, Traffic } from './rollout-record.js';

/** A copy with `updateTime` set: transitions never mutate the record they were given. */
function touched(r: RolloutRecord, now: Date): RolloutRecord {
  return { ...structuredClone(r), updateTime: now.toISOString() };
}

/** Appends a decision to the outbox; its id follows from the record, so a recomputed transition repeats it. */
export function decide(r: RolloutRecord, now: Date, kind: string, actor: string, reason: string, details: Record<string, unknown> = {}): RolloutRecord {
  const decision: RolloutDecision = {
    id: `${r.id}.${r.attempt}.${r.history.length + r.outbox.length + 1}`,
    kind,
    at: now.toISOString(),
    actor,
    reason,
    stepIndex: r.stepIndex,
    details,
  };
  return { ...r, outbox: [...r.outbox, decision] };
}

/** The canary's weight at `index`: the last setWeight at or before it. */
export function weightAt(steps: readonly Step[], index: number): number {
  let weight = 0;
  for (let i = 0; i <= Math.min(index, steps.length - 1); i++) {
    const step = steps[i]!;
    if ('setWeight' in step) weight = step.setWeight;
  }
  return weight;
}

export function splitFor(r: Pick<RolloutRecord, 'stable' | 'canary'>, canaryWeight: number): Traffic {
  const split: Traffic = {};
  if (canaryWeight < 100) split[r.stable.deployedModelId] = 100 - canaryWeight;
  if (canaryWeight > 0) split[r.canary.deployedModelId] = canaryWeight;
  return split;
}

export function sameTraffic(a: Traffic, b: Traffic): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)].filter((k) => (a[k] ?? 0) > 0 || (b[k] ?? 0) > 0));
  for (const k of keys) if ((a[k] ?? 0) !== (b[k] ?? 0)) return false;
  return true;
}

function withDesiredTraffic(r: RolloutRecord, desired: Traffic): RolloutRecord {
  if (sameTraffic(desired, r.traffic.desired)) return r;
  // Not seen in sync since the last change: that change's split, and the one before, may still land.
  const unsynced = r.traffic.syncedAt === undefined ? [...r.traffic.unsynced, r.traffic.previous].slice(-8) : [];
  return { ...r, traffic: { desired, previous: r.traffic.desired, unsynced } };
}

/** The criteria of an analysis step: the policy's, with the step's own fields over them. */
export function criteriaAt(r: RolloutRecord, index: number): Criteria {
  const step = r.policy.steps[index];
  const own = step && 'analysis' in step ? step.analysis : {};
  return { ...r.policy.analysis, ...definedOnly(own) };
}

function stepRecord(index: number, now: Date): StepRecord {
  return { index, startedAt: now.toISOString(), failures: 0, consecutiveErrors: 0, measurements: [] };
}

/** Moves to step `index` (or to promotion after the last), setting the traffic that step wants. */
export function enterStep(r0: RolloutRecord, index: number, now: Date, actor = 'reconciler'): RolloutRecord {
  let r = touched(r0, now);
  if (index >= r.policy.steps.length) return startPromotion(r, now, actor, 'every step succeeded');
  r.stepIndex = index;
  r.phase = 'PROGRESSING';
  delete r.pauseReason;
  r.steps = [...r.steps.filter((s) => s.index !== index), stepRecord(index, now)];
  const step = r.policy.steps[index]!;
  if ('setWeight' in step) {
    r = withDesiredTraffic(r, splitFor(r, step.setWeight));
    r = decide(r, now, 'STEP_SET_WEIGHT', actor, `step ${index + 1}: ${step.setWeight}% of traffic to the canary`, { weight: step.setWeight });
  } else if ('pause' in step && step.pause.duration === undefined) {
    r.phase = 'PAUSED';
    r.pauseReason = 'PAUSE_STEP';
    r = decide(r, now, 'PAUSED', actor, `step ${index + 1}: paused until promoted`);
  }
  return r;
}

/** Ends the current step with `verdict` (kept on its record). */
export function finishStep(r0: RolloutRecord, now: Date, verdict: StepRecord['verdict']): RolloutRecord {
  const r = touched(r0, now);
  r.steps = r.steps.map((s) => (s.index === r.stepIndex ? { ...s, finishedAt: now.toISOString(), ...(verdict ? { verdict } : {}) } : s));
  return r;
}

export function pause(r0: RolloutRecord, now: Date, reason: NonNullable<RolloutRecord['pauseReason']>, actor: string, message: string, details: Record<string, unknown> = {}): RolloutRecord {
  let r = touched(r0, now);
  // A manual change during a pause step or an Inconclusive pause: that pause comes back on resume.
  if (reason === 'MANUAL_TRAFFIC_CHANGE' && r.phase === 'PAUSED' && r.pauseReason !== undefined && r.pauseReason !== 'MANUAL_TRAFFIC_CHANGE') r.pausedBefore = r.pauseReason;
  r.phase = 'PAUSED';
  r.pauseReason = reason;
  r = decide(r, now, 'PAUSED', actor, message, { pauseReason: reason, ...details });
  return r;
}

/** Abort: traffic back to 100% stable; the reconciler then undeploys the canary and labels it. */
export function startAbort(r0: RolloutRecord, now: Date, actor: string, reason: string, details: Record<string, unknown> = {}): RolloutRecord {
  let r = touched(r0, now);
  r.phase = 'ABORTING';
  r.abortReason = reason;
  delete r.pauseReason;
  r = withDesiredTraffic(r, splitFor(r, 0));
  r = decide(r, now, 'ABORTED', actor, reason, details);
  return r;
}

export function startPromotion(r0: RolloutRecord, now: Date, actor: string, reason: string): RolloutRecord {
  let r = touched(r0, now);
  r.phase = 'PROMOTING';
  r.stepIndex = r.policy.steps.length;
  delete r.pauseReason;
  r = withDesiredTraffic(r, splitFor(r, 100));
  r = decide(r, now, 'PROMOTION_STARTED', actor, reason);
  return r;
}

export function degrade(r0: RolloutRecord, now: Date, reason: string): RolloutRecord {
  let r = touched(r0, now);
  r.phase = 'DEGRADED';
  r.abortReason = reason;
  r = decide(r, now, 'DEGRADED', 'reconciler', reason);
  return r;
}

/** A fresh attempt of an aborted rollout, from the first step. */
export function restart(r0: RolloutRecord, now: Date, actor: string, stable: RolloutRecord['stable'], needsApproval: boolean): RolloutRecord {
  let r = touched(r0, now);
  r.stable = stable;
  delete r.pausedBefore;
  r.attempt += 1;
  r.steps = [];
  delete r.abortReason;
  delete r.canaryDeployRequestedAt;
  delete r.canaryDeployOperation;
  delete r.canaryUndeployed;
  delete r.versionLabelled;
  delete r.manualTraffic;
  r.traffic = { desired: splitFor(r, 0), previous: splitFor(r, 0), unsynced: [] };
  r = decide(r, now, 'RETRIED', actor, `attempt ${r.attempt}: the rollout starts again from the first step`);
  if (needsApproval) {
    // Approved once is not approved again: a new attempt waits for its own approval.
    r.phase = 'AWAITING_APPROVAL';
    r.stepIndex = 0;
    delete r.pauseReason;
    return decide(r, now, 'AWAITING_APPROVAL', 'policy', 'the environment requires an approval before the first step of every attempt');
  }
  return enterStep(r, 0, now, actor);
}

export function touch(r: RolloutRecord, now: Date): RolloutRecord {
  return touched(r, now);
}
