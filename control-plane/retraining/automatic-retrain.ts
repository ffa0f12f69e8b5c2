// Retrains the control plane asks for itself (a drift alert, the performance and model-age checks),
// debounced per model: at most one per `durations.retrainCooldown`. The cooldown is a document in
// the state bucket (`retrain-cooldowns/{model}.json`) claimed by compare-and-swap, and it carries
// the request it was claimed for: whoever finds it (a redelivery after a crash, or a later trigger
// that is debounced) makes sure that request's run exists and is published, so a crash between the
// claim and the publish never strands a retrain. Request ids derive from the trigger, so every
// repeat has the effect of one.
import { z } from 'zod';
import { publishRetrainingRequest } from '../api/training-runs.js';
import { appendDecisions } from '../audit/decision-log.js';
import { RetryLater } from '../errors.js';
import type { ControlPlaneContext } from '../runtime/context.js';
import type { TrainingRunRecord } from '../state/training-runs.js';
import { trainingRunId } from '../state/training-runs.js';
import { RetrainingRequest } from './messages.js';
import { newTrainingRun } from './submit-training-run.js';

export const AUTOMATIC_TRIGGERS = ['drift', 'performance', 'age'] as const;
export type AutomaticTrigger = (typeof AUTOMATIC_TRIGGERS)[number];

export interface AutomaticRetrainInput {
  readonly model: string;
  readonly trigger: AutomaticTrigger;
  /** Derived from what triggered it (the incident id, the champion version and period). */
  readonly requestId: string;
  readonly reason: string;
  readonly driftedFeatures?: readonly string[];
  /** What the audit row is about: an incident id or a check id. */
  readonly subject: string;
  readonly version?: string;
  /** The numbers behind the trigger, for the audit trail. */
  readonly details: Readonly<Record<string, unknown>>;
}

export type AutomaticRetrainOutcome =
  /** `repeated`: this request had claimed the cooldown before (a redelivery): nothing new was started. */
  | { readonly action: 'TRIGGERED'; readonly run: TrainingRunRecord; readonly repeated: boolean }
  | { readonly action: 'DEBOUNCED'; readonly until: string; readonly by: string }
  /** This request's run exists already (asked for before, its claim long gone): the cooldown is left alone. */
  | { readonly action: 'ALREADY_REQUESTED'; readonly run: TrainingRunRecord };

const Cooldown = z.object({
  model: z.string(),
  requestId: z.string(),
  trigger: z.string(),
  at: z.string(),
  until: z.string(),
  request: RetrainingRequest,
});
type Cooldown = z.infer<typeof Cooldown>;

export const cooldownPath = (model: string) => `retrain-cooldowns/${model}.json`;
const ATTEMPTS = 8;

/** The request the trigger publishes: the spec's drift.retrain settings, the reason and the drifted features. */
function retrainingRequest(ctx: ControlPlaneContext, input: AutomaticRetrainInput, now: Date): RetrainingRequest {
  const retrain = ctx.models.require(input.model).drift?.retrain;
  const sourceParameters = retrain?.sourceParameters ?? {};
  const parameterOverrides = retrain?.parameterOverrides ?? {};
  return RetrainingRequest.parse({
    requestId: input.requestId,
    model: input.model,
    trigger: input.trigger,
    reason: input.reason.slice(0, 1024),
    requestedBy: `${input.trigger}-check`,
    ...(Object.keys(parameterOverrides).length > 0 ? { parameterOverrides } : {}),
    ...(Object.keys(sourceParameters).length > 0 ? { sourceParameters } : {}),
    ...(input.driftedFeatures?.length ? { driftedFeatures: [...input.driftedFeatures] } : {}),
    requestTime: now.toISOString(),
  });
}

/** The run for a claimed request, created and published (both idempotent). */
async function ensurePublished(ctx: ControlPlaneContext, request: RetrainingRequest, now: Date): Promise<TrainingRunRecord> {
  const { run } = await ctx.runs.createOrGet(newTrainingRun(request, now));
  if (run.state === 'QUEUED') await publishRetrainingRequest(ctx, { ...request, requestId: run.requestId });
  return run;
}

/** The claimed request's run published and the decision recorded (the audit row's insertId makes a repeat a no-op). */
async function triggered(ctx: ControlPlaneContext, input: AutomaticRetrainInput, claim: Cooldown, repeated: boolean): Promise<AutomaticRetrainOutcome> {
  const run = await ensurePublished(ctx, claim.request, new Date(claim.at));
  await appendDecisions(ctx, [{
    id: `retrain-${input.requestId}`, at: claim.at, model: input.model, subject: input.subject, area: 'retraining',
    kind: 'RETRAIN_TRIGGERED', actor: `${input.trigger}-check`, reason: input.reason, ...(input.version ? { version: input.version } : {}),
    details: { ...input.details, trainingRun: run.id, cooldownUntil: claim.until },
  }]);
  return { action: 'TRIGGERED', run, repeated };
}

export async function requestAutomaticRetrain(ctx: ControlPlaneContext, input: AutomaticRetrainInput): Promise<AutomaticRetrainOutcome> {
  const spec = ctx.models.require(input.model);
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const now = ctx.now();
    const current = await ctx.state.read(cooldownPath(input.model), Cooldown);
    // This trigger's own claim (a redelivery, perhaps after a crash): finish what it started.
    if (current && current.value.requestId === input.requestId) return triggered(ctx, input, current.value, true);
    // Asked for before, and its claim has since been replaced: a repeat must not take the cooldown
    // (an hourly check repeating the same request would block real triggers behind a run that is done).
    const existing = await ctx.runs.get(trainingRunId(input.model, input.requestId));
    if (existing) return { action: 'ALREADY_REQUESTED', run: existing.value };
    if (current && now.getTime() < Date.parse(current.value.until)) {
      await ensurePublished(ctx, current.value.request, now);
      await appendDecisions(ctx, [{
        id: `debounced-${input.requestId}`, at: now.toISOString(), model: input.model, subject: input.subject, area: 'retraining',
        kind: 'RETRAIN_DEBOUNCED', actor: `${input.trigger}-check`, ...(input.version ? { version: input.version } : {}),
        reason: `${input.reason}; debounced: ${current.value.trigger} retrain ${current.value.requestId} at ${current.value.at}, cooldown until ${current.value.until}`,
        details: input.details,
      }]);
      return { action: 'DEBOUNCED', until: current.value.until, by: current.value.requestId };
    }
    // An expired claim's request may never have been published (a crash, retries spent): publish it first.
    if (current) await ensurePublished(ctx, current.value.request, now);
    const request = retrainingRequest(ctx, input, now);
    const claim: Cooldown = {
      model: input.model, requestId: input.requestId, trigger: input.trigger, at: now.toISOString(),
      until: new Date(now.getTime() + spec.durations.retrainCooldown * 1000).toISOString(), request,
    };
    const written = current
      ? await ctx.state.replace(cooldownPath(input.model), claim, current.generation)
      : await ctx.state.create(cooldownPath(input.model), claim);
    if (written === undefined) continue; // another trigger claimed it first: look again
    return triggered(ctx, input, claim, false);
  }
  throw new RetryLater(`models/${input.model}: the retrain cooldown changed ${ATTEMPTS} times while claiming it`);
}
