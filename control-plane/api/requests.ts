// The HTTP API's request bodies, validated strictly at the edge: an unknown or malformed field is a
// 400 that names it (the functions map a ZodError to google.rpc.BadRequest field violations).
import { z } from 'zod';
import { MODEL_TYPES } from '../../pipelines/components/closed-sets.js';
import { rolloutPolicyOverride, searchSpaceOverrides } from '../config/model-spec.js';
import { TUNING_ALGORITHM_NAMES } from '../config/tuning-space.js';
import { REQUEST_ID } from '../retraining/messages.js';

const requestId = z.string().regex(REQUEST_ID, 'letters, digits and . _ : -, starting with a letter or digit, at most 128');
const reason = z.string().max(1024);
const VERSION = /^(\d{1,9}|[a-z][a-zA-Z0-9-]{0,126}[a-z0-9])$/;

export const CreateTrainingRunBody = z.strictObject({
  /** Makes the call idempotent: the same id returns the same run. */
  requestId: requestId.optional(),
  reason: reason.optional(),
  /** Pipeline parameters for this run only, checked like the spec's. */
  parameterOverrides: z.record(z.string(), z.json()).optional(),
  enableCaching: z.boolean().optional(),
});
export type CreateTrainingRunBody = z.infer<typeof CreateTrainingRunBody>;

export const CreateEvaluationBody = z.strictObject({
  /** The version to evaluate against the champion: a version id or an alias. */
  version: z.string().regex(VERSION, 'a version id (digits) or an alias'),
  requestId: requestId.optional(),
  reason: reason.optional(),
});
export type CreateEvaluationBody = z.infer<typeof CreateEvaluationBody>;

export const CUSTOM_JOB_PRESETS = ['multi-worker-gpu', 'parameter-server', 'reduction-server', 'tpu', 'single-node'] as const;

export const CreateCustomJobBody = z.strictObject({
  preset: z.enum(CUSTOM_JOB_PRESETS),
  requestId: requestId.optional(),
  /** Workers besides the chief (multi-worker and reduction-server presets), or parameter servers' workers. */
  workerCount: z.int().min(1).max(64).default(1),
  parameterServerCount: z.int().min(1).max(16).default(1),
  reductionServerCount: z.int().min(1).max(16).default(1),
  machineType: z.string().max(64).optional(),
  acceleratorType: z.string().max(64).optional(),
  acceleratorCount: z.int().min(1).max(16).optional(),
  tpuTopology: z.string().max(16).optional(),
  schedulingStrategy: z.enum(['STANDARD', 'SPOT', 'FLEX_START']).default('STANDARD'),
  /** Arguments for the project's distributed trainer. */
  args: z.array(z.string().max(256)).max(64).default([]),
});
export type CreateCustomJobBody = z.infer<typeof CreateCustomJobBody>;

export const CreateRolloutBody = z.strictObject({
  /** The version to release: a version id, or its full name `projects/.../models/m@ID`. */
  version: z.string().min(1).max(300),
  reason: reason.optional(),
  /** Changes to the model spec's rollout policy for this rollout only (steps, analysis criteria). */
  policy: rolloutPolicyOverride.optional(),
});
export type CreateRolloutBody = z.infer<typeof CreateRolloutBody>;

export const PromoteRolloutBody = z.strictObject({
  /** Skip every remaining step (Argo's `promote --full`); default: only the current pause or analysis. */
  full: z.boolean().default(false),
  /** The step (1-based) the caller saw: refused if the rollout has moved on meanwhile. */
  step: z.int().min(1).optional(),
});

export const AbortRolloutBody = z.strictObject({ reason: reason.optional() });

export const CreateTuningRunBody = z.strictObject({
  /** Makes the call idempotent: the same id returns the same run (and submits one PipelineJob). */
  requestId: requestId.optional(),
  reason: reason.optional(),
  /** A subset of the spec's tuning.modelTypes. */
  modelTypes: z.array(z.enum(MODEL_TYPES)).min(1).optional(),
  maxTrialCount: z.int().min(1).max(1000).optional(),
  parallelTrialCount: z.int().min(1).max(100).optional(),
  maxFailedTrialCount: z.int().min(0).max(1000).optional(),
  algorithm: z.enum(TUNING_ALGORITHM_NAMES).optional(),
  /** Ranges over the spec's, in the spec's form: `{xgboost: {max_depth: {type: integer, min: 2, max: 6}}}`. */
  space: searchSpaceOverrides.optional(),
  /** Values for the source query's declared parameters, this run only. */
  sourceParameters: z.record(z.string().max(128), z.union([z.string().max(1024), z.number(), z.boolean()])).optional(),
  /** Train the best trial afterwards (a training run on the same snapshot, judged like any other). */
  train: z.boolean().default(true),
});
export type CreateTuningRunBody = z.infer<typeof CreateTuningRunBody>;
