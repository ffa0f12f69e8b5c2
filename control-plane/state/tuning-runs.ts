// Tuning runs: one JSON document per run in the state bucket (`tuning-runs/{id}.json`), the control
// plane's record of a tuning request from its arrival to its best trial (and the training run that
// trains it). Changed only by compare-and-swap on the document's generation, like training runs.
import { z } from 'zod';
import { deterministicId, slugify } from '../../vertex/shared/ids.js';
import { RetryLater } from '../errors.js';
import { TuningTrial } from '../tuning/tuning-result.js';
import type { JsonObjectStore, Versioned } from './json-object-store.js';
import { SnapshotRecord } from './training-runs.js';

export const TUNING_RUN_STATES = ['QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED'] as const;
export type TuningRunState = (typeof TUNING_RUN_STATES)[number];
export const TERMINAL_TUNING_STATES: readonly TuningRunState[] = ['SUCCEEDED', 'FAILED'];

/** The study as submitted: resolved from the spec and the request once, so that every delivery builds the same job. */
export const TuningStudy = z.object({
  modelTypes: z.array(z.string()).min(1),
  metric: z.object({ id: z.string(), goal: z.enum(['MAXIMIZE', 'MINIMIZE']) }),
  /** Vertex's StudySpec.Algorithm. */
  algorithm: z.enum(['ALGORITHM_UNSPECIFIED', 'RANDOM_SEARCH', 'GRID_SEARCH']),
  maxTrialCount: z.number().int().positive(),
  parallelTrialCount: z.number().int().positive(),
  maxFailedTrialCount: z.number().int().nonnegative(),
  earlyStopping: z.enum(['decay_curve', 'median', 'none']),
  /** StudySpec.ParameterSpec JSON: the `model_type` parameter with each type's prefixed parameters as its children. */
  parameters: z.array(z.json()),
});
export type TuningStudy = z.infer<typeof TuningStudy>;

export const PlotRecord = z.object({ name: z.string(), title: z.string(), svg: z.string(), spec: z.string() });

export const TuningRunRecord = z.object({
  name: z.string(),
  id: z.string(),
  model: z.string(),
  requestId: z.string(),
  reason: z.string(),
  requestedBy: z.string().optional(),
  state: z.enum(TUNING_RUN_STATES),
  study: TuningStudy,
  sourceParameters: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
  /** Train the best trial afterwards (a training run on the same snapshot). */
  train: z.boolean(),
  createTime: z.string(),
  updateTime: z.string(),
  /** The data every trial saw, and the best trial's training run sees. */
  snapshot: SnapshotRecord.optional(),
  pipelineJob: z.string().optional(),
  /** The HyperparameterTuningJob the pipeline ran (found by its `tuning_run` label). */
  tuningJob: z.string().optional(),
  bestTrial: TuningTrial.optional(),
  /** Model type → its best trial's id. */
  bestPerModelType: z.record(z.string(), z.string()).optional(),
  /** Where the results are: results.json (the TuningResult) and the plots, SVG and Vega-Lite spec. */
  results: z.object({ uri: z.string(), plots: z.array(PlotRecord), plotsError: z.string().optional() }).optional(),
  /** The training run of the best trial (its id). */
  trainingRun: z.string().optional(),
  error: z.object({ task: z.string().optional(), message: z.string() }).optional(),
  /**
   * The outcome's audit row, recorded with the final state and cleared once appended: a delivery
   * that crashed in between leaves it for the redelivery, which appends the very same row.
   */
  auditPending: z.object({ id: z.string(), at: z.string(), kind: z.string(), reason: z.string(), details: z.record(z.string(), z.json()) }).optional(),
  /** Who is processing the run's completion now, and until when (a lease against duplicate deliveries). */
  lease: z.object({ owner: z.string(), expireTime: z.string() }).optional(),
});
export type TuningRunRecord = z.infer<typeof TuningRunRecord>;

const RUN_ID_LENGTH = 63;
const RUN_ID_HASH = 10;

/** The run id for (model, request id): apart from the training run of the same request id. */
export function tuningRunId(model: string, requestId: string): string {
  return deterministicId(`${model}-tuning-${requestId}`, [model, 'tuning', requestId], RUN_ID_LENGTH, RUN_ID_HASH);
}

/**
 * What every run id of the model starts with (as tuningRunId truncates its readable part). Another
 * model's ids may share it (`m-tuning` vs `m`, or a long name cut short): the record's model decides.
 */
export function tuningRunIdPrefix(model: string): string {
  const room = RUN_ID_LENGTH - RUN_ID_HASH - 1;
  const prefix = `${slugify(model)}-tuning-`.slice(0, room);
  // At the limit the id's slug loses its trailing hyphens too.
  return prefix.length === room ? prefix.replace(/-+$/, '') : prefix;
}

const pathOf = (id: string) => `tuning-runs/${id}.json`;
const RECORD_PATH = /^tuning-runs\/[^/]+\.json$/;
const ATTEMPTS = 8;

export class TuningRuns {
  constructor(private readonly store: JsonObjectStore) {}

  async get(id: string): Promise<Versioned<TuningRunRecord> | undefined> {
    return this.store.read(pathOf(id), TuningRunRecord);
  }

  /** Creates the run, or returns the one that exists for the same id (an idempotent create). */
  async createOrGet(run: TuningRunRecord): Promise<{ run: TuningRunRecord; created: boolean }> {
    for (let i = 0; i < ATTEMPTS; i++) {
      if ((await this.store.create(pathOf(run.id), run)) !== undefined) return { run, created: true };
      const existing = await this.get(run.id);
      if (existing) return { run: existing.value, created: false };
    }
    throw new RetryLater(`tuning run ${run.id}: could not create or read it`);
  }

  /** Applies `change` until the write wins; `change` returns undefined to leave the run as it is. Returns what is stored. */
  async update(id: string, change: (run: TuningRunRecord) => TuningRunRecord | undefined): Promise<TuningRunRecord> {
    for (let i = 0; i < ATTEMPTS; i++) {
      const current = await this.get(id);
      if (!current) throw new Error(`tuning run ${id} does not exist`);
      const next = change(current.value);
      if (next === undefined) return current.value;
      const written = { ...next, updateTime: new Date().toISOString() };
      if ((await this.store.replace(pathOf(id), written, current.generation)) !== undefined) return written;
    }
    throw new RetryLater(`tuning run ${id}: too many concurrent changes`);
  }

  /** Runs of one model, newest first: every page of the model's id prefix, then the limit. */
  async listForModel(model: string, limit = 20): Promise<TuningRunRecord[]> {
    const paths = (await this.store.list(`tuning-runs/${tuningRunIdPrefix(model)}`)).filter((p) => RECORD_PATH.test(p));
    const runs = await Promise.all(paths.map((p) => this.store.read(p, TuningRunRecord)));
    return runs
      .flatMap((r) => (r && r.value.model === model ? [r.value] : []))
      .sort((a, b) => b.createTime.localeCompare(a.createTime) || b.id.localeCompare(a.id))
      .slice(0, limit);
  }
}

/** The record without its lease and pending audit (the completing delivery's bookkeeping). */
export function publicTuningRun(run: TuningRunRecord): Omit<TuningRunRecord, 'lease' | 'auditPending'> {
  const copy = { ...run };
  delete copy.lease;
  delete copy.auditPending;
  return copy;
}
