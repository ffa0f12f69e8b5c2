// The Pub/Sub messages of the retraining loop, validated strictly where they arrive: a request to
// retrain (retraining-requests) and a finished pipeline run (pipeline-run-events, published by the
// training pipeline's exit handler).
import { z } from 'zod';
import { TRIGGERS } from '../state/training-runs.js';

/** Caller-chosen ids: what Vertex and Pub/Sub accept in ids and labels, after slugging. */
export const REQUEST_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;
const MODEL_NAME = /^[a-z][a-z0-9-]{0,62}$/;

/** Request ids the tuning completion gives its best trial's training run (`tuned-<tuning run id>`): reserved, callers may not use them. */
export const TUNED_REQUEST_PREFIX = 'tuned-';

const JsonValue: z.ZodType<unknown> = z.json();

export const RetrainingRequest = z.strictObject({
  requestId: z.string().regex(REQUEST_ID, 'letters, digits and . _ : -, starting with a letter or digit, at most 128'),
  model: z.string().regex(MODEL_NAME, 'a model name: lowercase letters, digits and hyphens'),
  trigger: z.enum(TRIGGERS),
  reason: z.string().max(1024).default(''),
  requestedBy: z.string().max(320).optional(),
  parameterOverrides: z.record(z.string(), JsonValue).optional(),
  /** Values for the source query's declared parameters, this run only (a drift retrain's recent period). */
  sourceParameters: z.record(z.string().max(128), z.union([z.string().max(1024), z.number(), z.boolean()])).optional(),
  /** For drift-triggered runs: the features whose drift triggered it. */
  driftedFeatures: z.array(z.string().max(300)).max(200).optional(),
  enableCaching: z.boolean().optional(),
  /** Evaluation runs: the model version id to evaluate against the champion (an alias could move). */
  evaluatedVersion: z.string().regex(/^\d{1,9}$/, 'a version id (digits): the API resolves aliases before publishing').optional(),
  /** Tuning-triggered runs: the tuning run (its id) whose snapshot the run trains on, the data its trials saw. */
  tuningRun: z.string().regex(/^[a-z][a-z0-9-]{0,62}$/, 'a tuning run id').optional(),
  requestTime: z.iso.datetime({ offset: true }),
});
export type RetrainingRequest = z.infer<typeof RetrainingRequest>;

export const PIPELINE_FINAL_STATES = ['SUCCEEDED', 'FAILED', 'CANCELLED', 'SKIPPED', 'NOT_TRIGGERED'] as const;

export const PipelineRunEvent = z.strictObject({
  pipelineJob: z.string().regex(/^projects\/[^/]+\/locations\/[^/]+\/pipelineJobs\/[a-z0-9-]{1,128}$/, 'a PipelineJob resource name'),
  state: z.enum(PIPELINE_FINAL_STATES),
  model: z.string().regex(MODEL_NAME, 'a model name'),
  requestId: z.string().regex(REQUEST_ID, 'a request id'),
});
export type PipelineRunEvent = z.infer<typeof PipelineRunEvent>;
