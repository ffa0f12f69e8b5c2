// The reconciler's brain, pure: given a rollout, what its endpoint looks like now, and (when one
// was due) a fresh measurement, what is the next record and the one side effect to apply. The loop
// in reconcile.ts writes the record with a generation precondition and applies the effect:
//   `intent` effects (traffic) are applied after the record that wants them is written, so a
//     crash in between leaves an endpoint whose traffic still equals `traffic.previous`: pending,
//     not a person's change, and the next pass applies it;
//   `record` effects (deploy, undeploy, aliases, labels) are applied before their outcome is
//     written; each is idempotent, so a crash in between repeats it harmlessly.
import type { Measurement, RolloutRecord, Traffic } from './rollout-record.js';
import { criteriaAt, decide, degrade, enterStep, finishStep, pause, sameTraffic, startAbort, touch } from './transitions.js';

export interface EndpointView {
  readonly exists: boolean;
  /** Deployed model ids on the endpoint. */
  readonly deployed: ReadonlySet<string>;
  /** Non-zero traffic. */
  readonly traffic: Traffic;
}

export interface DeployOperationView {
  readonly done: boolean;
  readonly error?: string;
}

export type Effect =
  | { readonly kind: 'deploy-canary' }
  | { readonly kind: 'set-traffic'; readonly traffic: Traffic }
  | { readonly kind: 'undeploy'; readonly deployedModelId: string; readonly remaining: Traffic }
  | { readonly kind: 'move-aliases' }
  | { readonly kind: 'label-rolled-back' };

export type Plan =
  /** Write `next` (when it differs), then apply `effect`. */
  | { readonly kind: 'intent'; readonly next: RolloutRecord; readonly effect?: Effect }
  /** Apply `effect`, then write `next`. */
  | { readonly kind: 'record'; readonly effect: Effect; readonly next?: RolloutRecord }
  /** An analysis is due: measure, then plan again with it. */
  | { readonly kind: 'measure' }
  /** Nothing to do until time passes or a person acts. */
  | { readonly kind: 'wait'; readonly why: string };

export interface PlanInput {
  readonly rollout: RolloutRecord;
  readonly endpoint: EndpointView;
  readonly now: Date;
  /** The recorded canary deployment operation's state, when one is recorded. */
  readonly deployOperation?: DeployOperationView;
  readonly measurement?: Measurement;
}

const seconds = (from: string, to: Date) => (to.getTime() - Date.parse(from)) / 1000;

function intent(next: RolloutRecord, effect?: Effect): Plan {
  return effect ? { kind: 'intent', next, effect } : { kind: 'intent', next };
}

export function plan(input: PlanInput): Plan {
  const { rollout: r, endpoint, now } = input;
  if (r.phase === 'ABORTED' || r.phase === 'DEGRADED') return { kind: 'wait', why: `the rollout is ${r.phase}` };
  if (!endpoint.exists) return intent(degrade(r, now, `the endpoint ${r.endpoint} no longer exists`));

  const stableDeployed = endpoint.deployed.has(r.stable.deployedModelId);
  const canaryDeployed = endpoint.deployed.has(r.canary.deployedModelId);
  const synced = sameTraffic(endpoint.traffic, r.traffic.desired);
  // Any split the record wanted since the endpoint was last seen in sync may still be there (an
  // update not applied yet): pending, not a person's change.
  const pending = !synced && [r.traffic.previous, ...r.traffic.unsynced].some((t) => sameTraffic(endpoint.traffic, t));

  switch (r.phase) {
    case 'PROMOTED':
      return planScaleDown(r, now, { stableDeployed, canaryDeployed, synced, traffic: endpoint.traffic });
    case 'PROMOTING':
      if (!canaryDeployed) {
        if (deployMayLand(r, input, now)) return { kind: 'wait', why: 'the canary is being deployed' };
        return intent(degrade(r, now, 'the canary was undeployed during its promotion'));
      }
      if (!synced) return intent(r, { kind: 'set-traffic', traffic: r.traffic.desired });
      if (!r.aliasesMoved) return { kind: 'record', effect: { kind: 'move-aliases' }, next: { ...touch(r, now), aliasesMoved: true } };
      return intent(decide({ ...touch(r, now), phase: 'PROMOTED', promotedAt: now.toISOString() }, now, 'PROMOTED', 'reconciler', 'the canary serves 100% and holds the champion and default aliases'));
    case 'ABORTING':
      return planRollback(r, now, { stableDeployed, canaryDeployed, synced, deployPending: !canaryDeployed && deployMayLand(r, input, now) });
    default:
      break;
  }

  // AWAITING_APPROVAL, PROGRESSING, PAUSED: the stable version must keep serving.
  if (!stableDeployed) return intent(degrade(r, now, `the stable deployed model ${r.stable.deployedModelId} is no longer on the endpoint`));
  if (r.phase === 'AWAITING_APPROVAL') return { kind: 'wait', why: 'waiting for an approval' };

  // The canary must be serving before any traffic goes to it.
  if (!canaryDeployed) {
    if (r.canaryDeployRequestedAt && seconds(r.canaryDeployRequestedAt, now) > r.policy.deployTimeoutSeconds) {
      return intent(startAbort(r, now, 'reconciler', `the canary was not serving ${r.policy.deployTimeoutSeconds} s after its deployment started`));
    }
    // Requested, not yet issued (or issued by a pass that crashed before recording its operation).
    if (r.canaryDeployRequestedAt && r.canaryDeployOperation === undefined) return { kind: 'record', effect: { kind: 'deploy-canary' } };
    if (input.deployOperation?.done && input.deployOperation.error !== undefined) {
      return intent(startAbort(r, now, 'reconciler', `the canary's deployment failed: ${input.deployOperation.error}`));
    }
    if (input.deployOperation?.done && !input.deployOperation.error && r.canaryDeployOperation) {
      return intent(startAbort(r, now, 'reconciler', 'the canary was undeployed from the endpoint by someone else'));
    }
    if (!r.canaryDeployRequestedAt) return { kind: 'intent', next: { ...touch(r, now), canaryDeployRequestedAt: now.toISOString() } };
    return { kind: 'wait', why: 'the canary is being deployed' };
  }

  // Someone else changed the traffic: report it and follow the policy, never overwrite silently.
  const pausedByHand = r.phase === 'PAUSED' && r.pauseReason === 'MANUAL_TRAFFIC_CHANGE';
  if (pausedByHand && (synced || pending || sameTraffic(endpoint.traffic, r.manualTraffic ?? {}))) {
    return { kind: 'wait', why: 'paused after a manual traffic change: promote to re-apply the rollout\'s traffic, or abort' };
  }
  if (!synced && !pending) {
    const details = { observed: endpoint.traffic, desired: r.traffic.desired };
    const message = `the endpoint's traffic ${JSON.stringify(endpoint.traffic)} was changed outside the rollout (it should be ${JSON.stringify(r.traffic.desired)})`;
    const reported = { ...touch(r, now), manualTraffic: endpoint.traffic };
    if (r.policy.onManualTrafficChange === 'abort') return intent(startAbort(reported, now, 'reconciler', message, details));
    return intent(pause(reported, now, 'MANUAL_TRAFFIC_CHANGE', 'reconciler', `${message}; paused: promote to re-apply the rollout's traffic, or abort`, details));
  }
  if (pending) return intent(r, { kind: 'set-traffic', traffic: r.traffic.desired });
  if (r.traffic.syncedAt === undefined) {
    const next = touch(r, now);
    next.traffic = { ...next.traffic, unsynced: [], syncedAt: now.toISOString() };
    return intent(next);
  }
  if (r.phase === 'PAUSED') return { kind: 'wait', why: `paused (${r.pauseReason ?? 'by a person'})` };
  return planStep(input);
}

function planStep(input: PlanInput): Plan {
  const { rollout: r, now } = input;
  const step = r.policy.steps[r.stepIndex];
  const record = r.steps.find((s) => s.index === r.stepIndex);
  if (!step || !record?.startedAt) return intent(enterStep(r, r.stepIndex, now));
  if ('setWeight' in step) return intent(enterStep(finishStep(r, now, 'Successful'), r.stepIndex + 1, now));
  if ('pause' in step) {
    const duration = step.pause.duration ?? 0;
    if (seconds(record.startedAt, now) >= duration) return intent(enterStep(finishStep(r, now, 'Successful'), r.stepIndex + 1, now));
    return { kind: 'wait', why: `pausing ${duration} s` };
  }

  // An analysis step: measure every interval and at the window's end.
  const elapsed = seconds(record.startedAt, now);
  const windowClosed = elapsed >= r.policy.analysisWindowSeconds;
  const last = record.measurements.at(-1);
  const sinceLast = last ? seconds(last.at, now) : elapsed;
  // After a measurement that could not be taken, wait an interval even past the window's end:
  // a short outage must not burn through consecutiveErrorLimit within one pass.
  const due = last?.result === 'Error' ? sinceLast >= r.policy.analysisIntervalSeconds : windowClosed || sinceLast >= r.policy.analysisIntervalSeconds;
  if (!due) return { kind: 'wait', why: 'analysis: next measurement not due' };
  const m = input.measurement;
  if (!m) return { kind: 'measure' };

  const criteria = criteriaAt(r, r.stepIndex);
  let next = touch(r, now);
  const updated = { ...record, measurements: [...record.measurements, m] };
  if (m.result === 'Error') updated.consecutiveErrors += 1;
  else updated.consecutiveErrors = 0;
  if (m.result === 'Failed') updated.failures += 1;
  next.steps = next.steps.map((s) => (s.index === r.stepIndex ? updated : s));
  const numbers = { checks: m.checks, windowStart: m.windowStart, windowEnd: m.windowEnd };

  if (updated.consecutiveErrors > criteria.consecutiveErrorLimit) {
    next = finishStep(next, now, 'Failed');
    return intent(startAbort(next, now, 'analysis', `step ${r.stepIndex + 1}: ${updated.consecutiveErrors} measurements in a row could not be taken (limit ${criteria.consecutiveErrorLimit}): ${m.error ?? ''}`, numbers));
  }
  if (updated.failures > criteria.failureLimit) {
    next = finishStep(next, now, 'Failed');
    const failed = m.checks.filter((c) => c.outcome === 'fail').map((c) => c.detail).join('; ');
    next = decide(next, now, 'ANALYSIS_FAILED', 'analysis', `step ${r.stepIndex + 1}: ${failed}`, numbers);
    return intent(startAbort(next, now, 'analysis', `analysis failed at step ${r.stepIndex + 1}: ${failed}`, numbers));
  }
  if (!windowClosed || m.result === 'Error') return intent(next);
  if (m.result === 'Inconclusive') {
    next = finishStep(next, now, 'Inconclusive');
    const missing = m.checks.filter((c) => c.outcome === 'insufficient').map((c) => c.detail).join('; ');
    next = decide(next, now, 'ANALYSIS_INCONCLUSIVE', 'analysis', `step ${r.stepIndex + 1}: ${missing}`, numbers);
    return intent(pause(next, now, 'INCONCLUSIVE', 'analysis', `step ${r.stepIndex + 1} is inconclusive (${missing}); paused for a person: promote to go on, abort to roll back`));
  }
  // Successful, or Failed within the failure limit at the window's end (Argo: the analysis succeeds).
  next = finishStep(next, now, 'Successful');
  next = decide(next, now, 'ANALYSIS_SUCCESSFUL', 'analysis', `step ${r.stepIndex + 1}: ${m.checks.filter((c) => c.outcome === 'pass').map((c) => c.detail).join('; ')}`, numbers);
  return intent(enterStep(next, r.stepIndex + 1, now));
}

/** Whether a canary deployment requested by this attempt may still land on the endpoint. */
function deployMayLand(r: RolloutRecord, input: PlanInput, now: Date): boolean {
  if (!r.canaryDeployRequestedAt) return false;
  if (r.canaryDeployOperation !== undefined) return input.deployOperation !== undefined && !input.deployOperation.done;
  // Issued by a pass that crashed before recording its operation: it may land until the deploy timeout.
  return seconds(r.canaryDeployRequestedAt, now) <= r.policy.deployTimeoutSeconds;
}

function planRollback(r: RolloutRecord, now: Date, seen: { stableDeployed: boolean; canaryDeployed: boolean; synced: boolean; deployPending: boolean }): Plan {
  if (!seen.stableDeployed) return intent(degrade(r, now, `cannot roll back: the stable deployed model ${r.stable.deployedModelId} is no longer on the endpoint`));
  // The rollback overrides any other traffic: one update to 100% stable.
  if (!seen.synced) return intent(r, { kind: 'set-traffic', traffic: r.traffic.desired });
  // A canary deployment still under way lands later: wait for it, then undeploy it.
  if (seen.deployPending) return { kind: 'wait', why: 'waiting for the canary deployment under way to land, to undeploy it' };
  if (seen.canaryDeployed) return { kind: 'record', effect: { kind: 'undeploy', deployedModelId: r.canary.deployedModelId, remaining: r.traffic.desired } };
  if (!r.canaryUndeployed) return intent({ ...touch(r, now), canaryUndeployed: true });
  if (!r.versionLabelled) return { kind: 'record', effect: { kind: 'label-rolled-back' }, next: { ...touch(r, now), versionLabelled: true } };
  return intent(decide({ ...touch(r, now), phase: 'ABORTED' }, now, 'ROLLED_BACK', 'reconciler', `rolled back: 100% on ${r.stable.version}, ${r.canary.version} undeployed and labelled`));
}

function planScaleDown(r: RolloutRecord, now: Date, seen: { stableDeployed: boolean; canaryDeployed: boolean; synced: boolean; traffic: Traffic }): Plan {
  if (r.stableUndeployed) return { kind: 'wait', why: 'promoted' };
  if (!seen.stableDeployed) return intent(decide({ ...touch(r, now), stableUndeployed: true }, now, 'SCALED_DOWN', 'reconciler', `${r.stable.version} undeployed after the scale-down delay`));
  const since = r.promotedAt ? seconds(r.promotedAt, now) : 0;
  if (since < r.policy.scaleDownDelaySeconds) return { kind: 'wait', why: `keeping ${r.stable.version} deployed for the scale-down delay` };
  // Someone changed the endpoint after the promotion (a manual return to the old version, say):
  // never undeploy what may be serving; a person decides.
  if (!seen.canaryDeployed || !seen.synced) {
    return intent(degrade(r, now, `the endpoint changed after the promotion (traffic ${JSON.stringify(seen.traffic)}); ${r.stable.version} is left deployed`));
  }
  return { kind: 'record', effect: { kind: 'undeploy', deployedModelId: r.stable.deployedModelId, remaining: { [r.canary.deployedModelId]: 100 } } };
}
