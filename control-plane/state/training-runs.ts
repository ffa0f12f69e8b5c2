// Training runs: one JSON document per run in the state bucket (`training-runs/{id}.json`), the
// control plane's record of a retraining request from its arrival to its decision. Every change is
// a compare-and-swap on the document's generation, retried over fresh reads.
import { z } from 'zod';
import { deterministicId } from '../../vertex/shared/ids.js';
import { RetryLater } from '../errors.js';
import { CostEstimate } from '../governance/cost-estimate.js';
import type { JsonObjectStore, Versioned } from './json-object-store.js';

/** What asked for a run; `tuning`: a tuning run's best trial, trained on the tuning run's snapshot. */
export const TRIGGERS = ['schedule', 'api', 'drift', 'performance', 'age', 'evaluation', 'tuning'] as const;
export type Trigger = (typeof TRIGGERS)[number];

export const RUN_STATES = ['QUEUED', 'RUNNING', 'SUCCEEDED', 'REJECTED', 'FAILED'] as const;
export type RunState = (typeof RUN_STATES)[number];
export const TERMINAL_RUN_STATES: readonly RunState[] = ['SUCCEEDED', 'REJECTED', 'FAILED'];

const JsonValue: z.ZodType<unknown> = z.unknown();

export const SnapshotRecord = z.object({
  uri: z.string(),
  bigqueryJob: z.string(),
  rowCount: z.number().int().nonnegative(),
  schema: z.array(z.object({ name: z.string(), type: z.string(), mode: z.string().optional() })),
  createTime: z.string(),
});
export type SnapshotRecord = z.infer<typeof SnapshotRecord>;

export const TrainingRunRecord = z.object({
  name: z.string(),
  id: z.string(),
  model: z.string(),
  requestId: z.string(),
  trigger: z.enum(TRIGGERS),
  reason: z.string(),
  requestedBy: z.string().optional(),
  parameterOverrides: z.record(z.string(), JsonValue).optional(),
  sourceParameters: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
  /** For drift-triggered runs: the features whose drift triggered it. */
  driftedFeatures: z.array(z.string()).optional(),
  enableCaching: z.boolean().optional(),
  /** For evaluation runs: the version evaluated against the champion. */
  evaluatedVersion: z.string().optional(),
  /** For runs of a tuning run's best trial: that tuning run (its id), whose snapshot the run trains on. */
  tuningRun: z.string().optional(),
  state: z.enum(RUN_STATES),
  createTime: z.string(),
  updateTime: z.string(),
  snapshot: SnapshotRecord.optional(),
  pipelineJob: z.string().optional(),
  /** The champion version the run is compared against (`projects/.../models/m@3`), if any. */
  champion: z.string().optional(),
  /** The champion's artifacts given to the pipeline, recorded before the job is created; '' = no champion. */
  championModelUri: z.string().optional(),
  decision: z.string().optional(),
  modelVersion: z.string().optional(),
  error: z.object({ task: z.string().optional(), message: z.string() }).optional(),
  /** The first champion's deployment, started when the run completed (rollouts take over in part 2). */
  deployment: z.object({ endpoint: z.string(), deployedModelId: z.string().optional(), operation: z.string().optional(), skipped: z.string().optional() }).optional(),
  /** The challenger's rollout (its id), or why none started. */
  rollout: z.object({ id: z.string().optional(), skipped: z.string().optional() }).optional(),
  /** What the PipelineJob cost at list prices (governance/cost-estimate.ts), estimated once at completion. */
  costEstimate: CostEstimate.optional(),
  /** The registered version's model card, beside its artifacts (governance/model-card.ts). */
  modelCard: z.object({ markdownUri: z.string(), htmlUri: z.string() }).optional(),
  /** Who is processing the run's completion now, and until when (a lease against duplicate deliveries). */
  lease: z.object({ owner: z.string(), expireTime: z.string() }).optional(),
});
export type TrainingRunRecord = z.infer<typeof TrainingRunRecord>;

/** The run id for (model, request id): readable, unique, valid in a URL path and a GCS object name. */
export function trainingRunId(model: string, requestId: string): string {
  return deterministicId(`${model}-${requestId}`, [model, requestId], 63, 10);
}

const pathOf = (id: string) => `training-runs/${id}.json`;
const ATTEMPTS = 8;

export class TrainingRuns {
  constructor(private readonly store: JsonObjectStore) {}

  async get(id: string): Promise<Versioned<TrainingRunRecord> | undefined> {
    return this.store.read(pathOf(id), TrainingRunRecord);
  }

  /** Creates the run, or returns the one that exists for the same id (an idempotent create). */
  async createOrGet(run: TrainingRunRecord): Promise<{ run: TrainingRunRecord; created: boolean }> {
    for (let i = 0; i < ATTEMPTS; i++) {
      if ((await this.store.create(pathOf(run.id), run)) !== undefined) return { run, created: true };
      const existing = await this.get(run.id);
      if (existing) return { run: existing.value, created: false };
    }
    throw new RetryLater(`training run ${run.id}: could not create or read it`);
  }

  /**
   * Applies `change` to the current document until the write wins; `change` returns the new document,
   * or undefined to leave it as it is. Returns what is stored afterwards.
   */
  async update(id: string, change: (run: TrainingRunRecord) => TrainingRunRecord | undefined): Promise<TrainingRunRecord> {
    for (let i = 0; i < ATTEMPTS; i++) {
      const current = await this.get(id);
      if (!current) throw new Error(`training run ${id} does not exist`);
      const next = change(current.value);
      if (next === undefined) return current.value;
      const written = { ...next, updateTime: new Date().toISOString() };
      if ((await this.store.replace(pathOf(id), written, current.generation)) !== undefined) return written;
    }
    throw new RetryLater(`training run ${id}: too many concurrent changes`);
  }

  /** Runs of one model, newest first. */
  async listForModel(model: string, limit = 20): Promise<TrainingRunRecord[]> {
    // Only the newest documents are read (ids are prefixed by the model; another model's may share the prefix).
    const paths = await this.store.list(`training-runs/${model.slice(0, 40)}`, limit * 2);
    const runs = await Promise.all(paths.map((p) => this.store.read(p, TrainingRunRecord)));
    return runs
      .flatMap((r) => (r && r.value.model === model ? [r.value] : []))
      .sort((a, b) => b.createTime.localeCompare(a.createTime))
      .slice(0, limit);
  }
}

/** The record without its lease (internal bookkeeping of the completing delivery). */
export function withoutLease(run: TrainingRunRecord): Omit<TrainingRunRecord, 'lease'> {
  const copy = { ...run };
  delete copy.lease;
  return copy;
}

/** The record as the API shows it: no lease, and the decision expanded by the caller if wanted. */
export function publicRun(run: TrainingRunRecord): Omit<TrainingRunRecord, 'lease' | 'decision'> {
  const copy = withoutLease(run) as TrainingRunRecord;
  delete copy.decision;
  return copy;
}
