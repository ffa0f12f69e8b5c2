// A tuning request becomes a run record (the API: QUEUED, then a message on tuning-requests) and,
// in submitTuningRun (the function on that topic), a snapshot and a PipelineJob of the tuning
// pipeline (decide and submit; the pipeline's exit handler reports the end). Every step is
// idempotent: the record is created once per (model, request id), the snapshot's export job and the
// PipelineJob have ids derived from it, and the record changes by compare-and-swap. The snapshot is
// recorded before the job is created, so a redelivery after a crash builds the very same job.
import { isDeepStrictEqual } from 'node:util';
import { ControlPlaneError, RpcCode, grpcCode, notFound } from '../errors.js';
import type { ResolvedModelSpec } from '../config/load-model-specs.js';
import { snapshotSource } from '../retraining/submit-training-run.js';
import { exportSnapshot } from '../retraining/snapshot.js';
import type { ControlPlaneContext } from '../runtime/context.js';
import type { TuningRunRecord, TuningStudy } from '../state/tuning-runs.js';
import { TERMINAL_TUNING_STATES, TuningRuns, tuningRunId } from '../state/tuning-runs.js';
import type { TuningRequestMessage } from './messages.js';
import { buildTuningPipelineJob } from './pipeline-job.js';

const { ALREADY_EXISTS } = RpcCode;

export interface TuningRequest {
  readonly model: string;
  readonly requestId: string;
  readonly reason: string;
  readonly requestedBy?: string | undefined;
  readonly study: TuningStudy;
  readonly sourceParameters?: Readonly<Record<string, string | number | boolean>> | undefined;
  readonly train: boolean;
}

/** The tuning runs of the state bucket (a view over the context's store: no state of its own). */
export function tuningRuns(ctx: ControlPlaneContext): TuningRuns {
  return new TuningRuns(ctx.state);
}

/** The snapshot's key: a path and an export job apart from a training request's of the same id ('/' is in no request id). */
export function tuningSnapshotKey(requestId: string): string {
  return `tuning/${requestId}`;
}

/** The run a request creates (QUEUED), the same for every call with that request id. */
export function newTuningRun(request: TuningRequest, now: Date): TuningRunRecord {
  const id = tuningRunId(request.model, request.requestId);
  const time = now.toISOString();
  return {
    name: `tuningRuns/${id}`,
    id,
    model: request.model,
    requestId: request.requestId,
    reason: request.reason,
    ...(request.requestedBy ? { requestedBy: request.requestedBy } : {}),
    state: 'QUEUED',
    study: request.study,
    ...(request.sourceParameters && Object.keys(request.sourceParameters).length > 0 ? { sourceParameters: { ...request.sourceParameters } } : {}),
    train: request.train,
    createTime: time,
    updateTime: time,
  };
}

/** The snapshot the trials train on, recorded on the run before its job is created; the first call to record it wins. */
async function prepareSnapshot(ctx: ControlPlaneContext, spec: ResolvedModelSpec, run: TuningRunRecord): Promise<TuningRunRecord> {
  if (run.snapshot) return run;
  const snapshot = await exportSnapshot(await ctx.clients.bigquery(), {
    model: spec.name,
    requestId: tuningSnapshotKey(run.requestId),
    bucket: ctx.settings.pipelineBucket,
    source: snapshotSource(spec, ctx.settings.projectId, run.sourceParameters),
  }, ctx.now());
  return tuningRuns(ctx).update(run.id, (current) => (current.snapshot ? undefined : { ...current, snapshot }));
}

/** What a request fixes about its run: a second request with the same id must ask for the same. */
const REQUEST_FIELDS = ['study', 'sourceParameters', 'train'] as const;

/**
 * Records the run (QUEUED), or finds the one of the same request id: the same request again is that
 * run (idempotent); a different one under a used id is ALREADY_EXISTS, naming what differs.
 */
export async function recordTuningRun(ctx: ControlPlaneContext, request: TuningRequest): Promise<TuningRunRecord> {
  const wanted = newTuningRun(request, ctx.now());
  const { run, created } = await tuningRuns(ctx).createOrGet(wanted);
  if (created) return run;
  const differing = REQUEST_FIELDS.filter((field) => !isDeepStrictEqual(run[field] ?? {}, wanted[field] ?? {}));
  if (differing.length > 0) {
    throw new ControlPlaneError('ALREADY_EXISTS', `requestId ${request.requestId} is tuning run ${run.id}, which was asked with a different ${differing.join(', ')}: use a new requestId for a different request`);
  }
  return run;
}

/**
 * The tuning-requests message's work: the recorded run's snapshot and PipelineJob; the run is
 * returned RUNNING. Failures throw: transient ones are redelivered, permanent ones end the run
 * (failTuningRun) through the function's dead-letter handling.
 */
export async function submitTuningRun(ctx: ControlPlaneContext, message: TuningRequestMessage): Promise<TuningRunRecord> {
  const spec = ctx.models.require(message.model);
  const runs = tuningRuns(ctx);
  const id = tuningRunId(spec.name, message.requestId);
  const run = (await runs.get(id))?.value;
  if (!run) throw notFound(`no tuning run ${id} for model ${message.model} and request ${message.requestId}: POST /v1/models/${message.model}/tuningRuns records it`);
  if (run.pipelineJob !== undefined || TERMINAL_TUNING_STATES.includes(run.state)) return run;
  const prepared = await prepareSnapshot(ctx, spec, run);
  const jobRequest = buildTuningPipelineJob(spec, prepared, ctx.settings);
  const jobName = `${jobRequest.parent}/pipelineJobs/${jobRequest.pipelineJobId}`;
  try {
    await (await ctx.clients.pipelines()).createPipelineJob(jobRequest);
  } catch (err) {
    // An earlier delivery submitted it: the job exists, which is what this step is for.
    if (grpcCode(err) !== ALREADY_EXISTS) throw err;
  }
  return runs.update(run.id, (current) =>
    current.pipelineJob !== undefined ? undefined : { ...current, state: current.state === 'QUEUED' ? 'RUNNING' : current.state, pipelineJob: jobName },
  );
}

/** A request that can never be submitted (a bad source parameter, a job Vertex refuses): its run ends FAILED with why. */
export async function failTuningRun(ctx: ControlPlaneContext, message: TuningRequestMessage, err: unknown): Promise<void> {
  if (ctx.models.get(message.model) === undefined) return;
  const id = tuningRunId(message.model, message.requestId);
  if (!(await tuningRuns(ctx).get(id))) return;
  const error = String((err as Error)?.message ?? err).slice(0, 2000);
  await tuningRuns(ctx).update(id, (current) =>
    TERMINAL_TUNING_STATES.includes(current.state) || current.pipelineJob !== undefined ? undefined : { ...current, state: 'FAILED', error: { task: 'submit', message: error } },
  );
}
