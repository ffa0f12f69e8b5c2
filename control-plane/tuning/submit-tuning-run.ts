// A tuning request becomes a run record, a snapshot and a PipelineJob of the tuning pipeline, in the
// API call itself (decide and submit; the pipeline's exit handler reports the end). Every step is
// idempotent: the record is created once per (model, request id), the snapshot's export job and the
// PipelineJob have ids derived from it, and the record changes by compare-and-swap. The snapshot is
// recorded before the job is created, so a retried call after a crash builds the very same job.
import { RpcCode, grpcCode, isTransient } from '../errors.js';
import type { ResolvedModelSpec } from '../config/load-model-specs.js';
import { snapshotSource } from '../retraining/submit-training-run.js';
import { exportSnapshot } from '../retraining/snapshot.js';
import type { ControlPlaneContext } from '../runtime/context.js';
import type { TuningRunRecord, TuningStudy } from '../state/tuning-runs.js';
import { TERMINAL_TUNING_STATES, TuningRuns, tuningRunId } from '../state/tuning-runs.js';
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

/** Records the run (or finds it) and submits its snapshot and PipelineJob; the run is returned RUNNING. */
export async function submitTuningRun(ctx: ControlPlaneContext, request: TuningRequest): Promise<TuningRunRecord> {
  const spec = ctx.models.require(request.model);
  const runs = tuningRuns(ctx);
  const { run } = await runs.createOrGet(newTuningRun(request, ctx.now()));
  if (run.pipelineJob !== undefined || TERMINAL_TUNING_STATES.includes(run.state)) return run;
  try {
    const prepared = await prepareSnapshot(ctx, spec, run);
    const jobRequest = buildTuningPipelineJob(spec, prepared, ctx.settings);
    const jobName = `${jobRequest.parent}/pipelineJobs/${jobRequest.pipelineJobId}`;
    try {
      await (await ctx.clients.pipelines()).createPipelineJob(jobRequest);
    } catch (err) {
      // An earlier call submitted it: the job exists, which is what this step is for.
      if (grpcCode(err) !== ALREADY_EXISTS) throw err;
    }
    return await runs.update(run.id, (current) =>
      current.pipelineJob !== undefined ? undefined : { ...current, state: current.state === 'QUEUED' ? 'RUNNING' : current.state, pipelineJob: jobName },
    );
  } catch (err) {
    // A refusal (a bad source parameter, a job Vertex rejects) can never succeed: the run says why.
    // A transient failure leaves it QUEUED for the caller's retry with the same request id.
    if (!isTransient(err)) await failSubmission(ctx, run.id, err);
    throw err;
  }
}

async function failSubmission(ctx: ControlPlaneContext, runId: string, err: unknown): Promise<void> {
  const message = String((err as Error)?.message ?? err).slice(0, 2000);
  await tuningRuns(ctx).update(runId, (current) =>
    TERMINAL_TUNING_STATES.includes(current.state) || current.pipelineJob !== undefined ? undefined : { ...current, state: 'FAILED', error: { task: 'submit', message } },
  );
}
