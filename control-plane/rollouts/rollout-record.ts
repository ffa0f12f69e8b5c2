// A rollout: one JSON document per rollout in the state bucket (`rollouts/{id}.json`), the whole
// truth about releasing one challenger version on its model's endpoint. The document says what the
// endpoint should look like (desired traffic, which deployments exist); the reconciler makes the
// endpoint so and records what it saw. Every change is a compare-and-swap on the generation.
import { z } from 'zod';

export const ROLLOUT_PHASES = [
  /** Waiting for `:approve` by a listed approver before the first step (prod). */
  'AWAITING_APPROVAL',
  /** Working through the steps (`stepIndex`). */
  'PROGRESSING',
  /** Held at `stepIndex` for a person (`pause`): an indefinite pause step, an Inconclusive analysis, a manual traffic change. */
  'PAUSED',
  /** All traffic to the canary; aliases move; then the stable version is scaled down. */
  'PROMOTING',
  /** Done: the canary is the champion (the old version is undeployed once the scale-down delay passes). */
  'PROMOTED',
  /** Traffic back to stable, canary undeployed, the version labelled. */
  'ABORTING',
  /** Rolled back (Argo's Degraded-after-abort): `:retry` starts again from the first step. */
  'ABORTED',
  /** The endpoint cannot be brought to any safe state by the reconciler (e.g. the stable version vanished): a person must look. */
  'DEGRADED',
] as const;
export type RolloutPhase = (typeof ROLLOUT_PHASES)[number];

/** Phases the reconciler no longer acts on (except flushing the outbox). */
export function isFinished(rollout: Pick<RolloutRecord, 'phase' | 'stableUndeployed'>): boolean {
  return rollout.phase === 'ABORTED' || rollout.phase === 'DEGRADED' || (rollout.phase === 'PROMOTED' && rollout.stableUndeployed === true);
}

export const PAUSE_REASONS = ['PAUSE_STEP', 'INCONCLUSIVE', 'MANUAL_TRAFFIC_CHANGE'] as const;
export const VERDICTS = ['Successful', 'Failed', 'Inconclusive'] as const;
export type Verdict = (typeof VERDICTS)[number];

/** deployed model id → percent, as Vertex's trafficSplit; ids at 0% are left out. */
export const Traffic = z.record(z.string(), z.number().int().min(0).max(100));
export type Traffic = z.infer<typeof Traffic>;

const ServingNumbers = z.object({
  requestCount: z.number(),
  predictionCount: z.number(),
  errorCount: z.number(),
  errorRate: z.number().optional(),
  latencyP50Ms: z.number().optional(),
  latencyP95Ms: z.number().optional(),
});

export const Check = z.object({
  name: z.enum(['requests', 'error_rate', 'latency_p95', 'quality', 'prediction_shift']),
  /** What was measured (the canary's), and the limit it was held to. */
  value: z.number().optional(),
  limit: z.number().optional(),
  outcome: z.enum(['pass', 'fail', 'insufficient', 'skipped']),
  detail: z.string(),
});
export type Check = z.infer<typeof Check>;

export const Measurement = z.object({
  at: z.string(),
  windowStart: z.string(),
  windowEnd: z.string(),
  stable: ServingNumbers.optional(),
  canary: ServingNumbers.optional(),
  predictions: z.object({ stableCount: z.number(), canaryCount: z.number(), ksStatistic: z.number().optional(), pValue: z.number().optional() }).optional(),
  quality: z
    .object({
      metric: z.string(),
      stable: z.object({ n: z.number(), value: z.number().optional(), ci: z.tuple([z.number(), z.number()]).optional() }),
      canary: z.object({ n: z.number(), value: z.number().optional(), ci: z.tuple([z.number(), z.number()]).optional() }),
      relativeChange: z.object({ estimate: z.number(), ci: z.tuple([z.number(), z.number()]) }).optional(),
    })
    .optional(),
  checks: z.array(Check),
  /** `Pending`: not enough evidence yet and the window is still open. `Error`: the measurement could not be taken. */
  result: z.enum([...VERDICTS, 'Pending', 'Error']),
  error: z.string().optional(),
});
export type Measurement = z.infer<typeof Measurement>;

export const StepRecord = z.object({
  index: z.number().int(),
  startedAt: z.string().optional(),
  finishedAt: z.string().optional(),
  verdict: z.enum(VERDICTS).optional(),
  failures: z.number().int().default(0),
  consecutiveErrors: z.number().int().default(0),
  measurements: z.array(Measurement).default([]),
});
export type StepRecord = z.infer<typeof StepRecord>;

/** A decision waiting to be appended to the audit table and published (the outbox), then kept in `history`. */
export const RolloutDecision = z.object({
  id: z.string(),
  kind: z.string(),
  at: z.string(),
  actor: z.string(),
  reason: z.string(),
  stepIndex: z.number().int().optional(),
  details: z.record(z.string(), z.unknown()).default({}),
});
export type RolloutDecision = z.infer<typeof RolloutDecision>;

/** The analysis criteria (control-plane/config/model-spec.ts) as stored in a rollout. */
export const Criteria = z.object({
  minRequests: z.number(),
  maxErrorRateRatio: z.number(),
  errorRateSlack: z.number(),
  maxLatencyP95Ratio: z.number(),
  latencyP95SlackMs: z.number(),
  maxQualityDegradation: z.number(),
  minQualitySamples: z.number(),
  maxPredictionShift: z.number().optional(),
  failureLimit: z.number(),
  consecutiveErrorLimit: z.number(),
});
export type Criteria = z.infer<typeof Criteria>;

export const Step = z.union([
  z.object({ setWeight: z.number() }),
  z.object({ pause: z.object({ duration: z.number().optional() }) }),
  z.object({ analysis: Criteria.partial() }),
]);
export type Step = z.infer<typeof Step>;

export const GroundTruthRecord = z.object({
  table: z.object({ projectId: z.string().optional(), datasetId: z.string(), tableId: z.string() }),
  idField: z.string(),
  labelColumn: z.string(),
  metric: z.string(),
  confidence: z.number(),
});

const Deployment = z.object({ version: z.string(), deployedModelId: z.string() });

export const RolloutRecord = z.object({
  id: z.string(),
  name: z.string(),
  model: z.string(),
  endpoint: z.string(),
  /** Serving now, kept at 100 − canary weight until promotion completes. */
  stable: Deployment,
  canary: Deployment,
  /** The policy as resolved when the rollout started (a spec change does not alter a running rollout). */
  policy: z.object({
    steps: z.array(Step),
    analysis: Criteria,
    groundTruth: GroundTruthRecord.optional(),
    onManualTrafficChange: z.enum(['pause', 'abort']),
    analysisWindowSeconds: z.number(),
    analysisIntervalSeconds: z.number(),
    scaleDownDelaySeconds: z.number(),
    deployTimeoutSeconds: z.number(),
    /** The endpoint's request-response log table (`project.dataset.table`). */
    requestLogTable: z.object({ projectId: z.string(), datasetId: z.string(), tableId: z.string() }).optional(),
  }),
  phase: z.enum(ROLLOUT_PHASES),
  pauseReason: z.enum(PAUSE_REASONS).optional(),
  /** The pause a manual traffic change interrupted, restored when the rollout's traffic is re-applied. */
  pausedBefore: z.enum(PAUSE_REASONS).optional(),
  /** Why the rollout aborted or degraded. */
  abortReason: z.string().optional(),
  stepIndex: z.number().int(),
  attempt: z.number().int(),
  steps: z.array(StepRecord),
  /** Desired traffic, and the traffic before the last change (an endpoint still there is not yet updated, not changed by hand). */
  traffic: z.object({
    desired: Traffic,
    previous: Traffic,
    /** Earlier desired splits written since the endpoint was last seen in sync (updates that may still land). */
    unsynced: z.array(Traffic).default([]),
    syncedAt: z.string().optional(),
  }),
  /** The traffic seen on the endpoint that the rollout did not set (a person's change). */
  manualTraffic: Traffic.optional(),
  canaryDeployRequestedAt: z.string().optional(),
  canaryDeployOperation: z.string().optional(),
  canaryUndeployed: z.boolean().optional(),
  aliasesMoved: z.boolean().optional(),
  versionLabelled: z.boolean().optional(),
  promotedAt: z.string().optional(),
  stableUndeployed: z.boolean().optional(),
  approvals: z.array(z.object({ email: z.string(), at: z.string(), granted: z.boolean(), reason: z.string() })).default([]),
  history: z.array(RolloutDecision).default([]),
  outbox: z.array(RolloutDecision).default([]),
  requestedBy: z.string(),
  createTime: z.string(),
  updateTime: z.string(),
});
export type RolloutRecord = z.infer<typeof RolloutRecord>;

export function rolloutPath(id: string): string {
  return `rollouts/${id}.json`;
}

/** `flight-delay-v7`: one rollout per version (a retry is the same rollout's next attempt). */
export function rolloutIdFor(model: string, versionId: string): string {
  return `${model}-v${versionId}`;
}

/** The per-model lock: which rollout owns the model's endpoint now. */
export const ActiveRollout = z.object({ rolloutId: z.string().nullable(), updateTime: z.string() });
export type ActiveRollout = z.infer<typeof ActiveRollout>;

export function activeRolloutPath(model: string): string {
  return `rollouts-active/${model}.json`;
}
