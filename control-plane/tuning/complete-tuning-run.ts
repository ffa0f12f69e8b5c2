// onPipelineRunEvent for a tuning run: a finished tuning PipelineJob becomes the run's result (every
// trial, the best overall and per model type, parameter importance), stored with its plots, and,
// when asked, a training request for the best trial on the same snapshot. From there the training
// path judges it against the champion as any other run. One delivery at a time holds the run's
// lease; every step is idempotent, so a redelivery after a crash finishes what the first started and
// a duplicate after completion changes nothing.
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { TUNING_PIPELINE_TASKS } from '../../pipelines/definitions/tuning-tasks.js';
import { publishRetrainingRequest } from '../api/training-runs.js';
import { appendDecisions } from '../audit/decision-log.js';
import { failedTask, readOutputJson, taskOutputArtifactUri } from '../evaluation/run-outputs.js';
import { RetryLater, failedPrecondition, notFound } from '../errors.js';
import { RetrainingRequest, TUNED_REQUEST_PREFIX } from '../retraining/messages.js';
import type { PipelineRunEvent } from '../retraining/messages.js';
import { newTrainingRun } from '../retraining/submit-training-run.js';
import type { ControlPlaneContext } from '../runtime/context.js';
import type { TuningRunRecord } from '../state/tuning-runs.js';
import { TERMINAL_TUNING_STATES, publicTuningRun, tuningRunId } from '../state/tuning-runs.js';
import type { LeaseScope } from '../state/completion-lease.js';
import { acquireCompletionLease, renewCompletionLease } from '../state/completion-lease.js';
import { trackTuningTrials } from '../tracking/record.js';
import { writeTuningResults } from './results.js';
import { tuningRuns } from './submit-tuning-run.js';
import { findTuningJob } from './tuning-job.js';
import type { TuningResult, TuningTrial } from './tuning-result.js';
import { bestTrial, tuningResult } from './trials.js';

const leaseScope = (ctx: ControlPlaneContext): LeaseScope<TuningRunRecord> => ({ store: tuningRuns(ctx), kind: 'tuning run', terminalStates: TERMINAL_TUNING_STATES, now: ctx.now() });

export interface TuningCompletion {
  readonly run: Omit<TuningRunRecord, 'lease' | 'auditPending'>;
  readonly result?: TuningResult;
  /** The training request for the best trial, when one was made. */
  readonly trainingRequest?: RetrainingRequest;
  /** True when the run had already been completed (a duplicate delivery). */
  readonly duplicate: boolean;
}

/** The tuning pipeline summary's `parameter_importance` artifact. */
const ImportanceFile = z.object({
  parameterImportance: z.array(z.object({ parameter: z.string(), importance: z.number().min(0).max(1) })),
}).loose();

async function readImportance(ctx: ControlPlaneContext, uri: string | undefined): Promise<TuningResult['parameterImportance']> {
  const file = await readOutputJson(ctx, uri, ImportanceFile, { article: 'a', noun: 'parameter importance' });
  return (file?.parameterImportance ?? []).map(({ parameter, importance }) => ({ parameter, importance }));
}

/** The training request of a tuning run's best trial: its id derives from the run's, so it is made once. */
export function tunedTrainingRequest(run: TuningRunRecord, best: TuningTrial, now: Date): RetrainingRequest {
  return RetrainingRequest.parse({
    requestId: `${TUNED_REQUEST_PREFIX}${run.id}`,
    model: run.model,
    trigger: 'tuning',
    reason: `the best trial (${best.id}) of tuning run ${run.id}: ${best.modelType} with ${run.study.metric.id} ${best.value ?? '?'} on validation`.slice(0, 1024),
    ...(run.requestedBy ? { requestedBy: run.requestedBy } : {}),
    parameterOverrides: { model_type: best.modelType, hyperparameters: best.hyperparameters },
    tuningRun: run.id,
    requestTime: now.toISOString(),
  });
}

/** Ends the run with `change` applied and the lease released, if this invocation still holds it. */
async function finish(ctx: ControlPlaneContext, runId: string, owner: string, change: (run: TuningRunRecord) => TuningRunRecord): Promise<TuningRunRecord> {
  let lost = false;
  const run = await tuningRuns(ctx).update(runId, (current) => {
    lost = current.lease?.owner !== owner;
    if (lost) return undefined;
    const next = change(current);
    delete next.lease;
    return next;
  });
  if (lost) throw new RetryLater(`tuning run ${runId}: this delivery's lease was taken over`);
  return run;
}

async function releaseLease(ctx: ControlPlaneContext, runId: string, owner: string): Promise<void> {
  try {
    await tuningRuns(ctx).update(runId, (current) => {
      if (current.lease?.owner !== owner) return undefined;
      const next = { ...current };
      delete next.lease;
      return next;
    });
  } catch {
    // Expires after COMPLETION_LEASE_SECONDS (state/completion-lease.ts).
  }
}

export async function completeTuningRun(ctx: ControlPlaneContext, event: PipelineRunEvent, deliveryId: string = randomUUID()): Promise<TuningCompletion> {
  ctx.models.require(event.model);
  const runId = tuningRunId(event.model, event.requestId);
  if (!(await tuningRuns(ctx).get(runId))) throw notFound(`no tuning run ${runId} for model ${event.model} and request ${event.requestId}`);
  // Per invocation, not per message: Pub/Sub may deliver one message twice at the same time.
  const owner = `${deliveryId}/${randomUUID()}`;
  const run = await acquireCompletionLease(leaseScope(ctx), runId, owner);
  // Ended by a delivery that crashed before its audit row was appended: this one appends it.
  if (TERMINAL_TUNING_STATES.includes(run.state)) return { run: publicTuningRun(run.auditPending ? await settleAudit(ctx, run) : run), duplicate: true };
  try {
    return await completeLeasedRun(ctx, run, event, owner);
  } catch (err) {
    await releaseLease(ctx, runId, owner);
    throw err;
  }
}

type TuningAudit = NonNullable<TuningRunRecord['auditPending']>;

/** The outcome's audit row (its id is the BigQuery insertId: one row per run). */
function auditOf(ctx: ControlPlaneContext, run: TuningRunRecord, kind: 'TUNING_SUCCEEDED' | 'TUNING_FAILED', reason: string, details: Record<string, unknown>): TuningAudit {
  // Through JSON: the row is stored on the run and must read back the same.
  const json = JSON.parse(JSON.stringify({ tuningRun: run.name, pipelineJob: run.pipelineJob, ...details })) as TuningAudit['details'];
  return { id: `tuning-${run.id}`, at: ctx.now().toISOString(), kind, reason, details: json };
}

/** Appends the run's pending audit row, then clears it; the row is the stored one, so a repeat appends the same. */
async function settleAudit(ctx: ControlPlaneContext, run: TuningRunRecord): Promise<TuningRunRecord> {
  const pending = run.auditPending;
  if (!pending) return run;
  await appendDecisions(ctx, [{ ...pending, model: run.model, subject: run.id, area: 'retraining', actor: 'onPipelineRunEvent' }]);
  return tuningRuns(ctx).update(run.id, (current) => {
    if (current.auditPending?.id !== pending.id) return undefined;
    const next = { ...current };
    delete next.auditPending;
    return next;
  });
}

/**
 * Ends the run and audits it, exactly once whatever crashes: the final state is recorded with the
 * audit row pending, the row appended, then the flag cleared (a redelivery finishes a pending one).
 */
async function finishAudited(ctx: ControlPlaneContext, run: TuningRunRecord, owner: string, audit: TuningAudit, change: (run: TuningRunRecord) => TuningRunRecord): Promise<TuningRunRecord> {
  const ended = await finish(ctx, run.id, owner, (current) => ({ ...change(current), auditPending: audit }));
  return settleAudit(ctx, ended);
}

async function completeLeasedRun(ctx: ControlPlaneContext, run: TuningRunRecord, event: PipelineRunEvent, owner: string): Promise<TuningCompletion> {
  const [job] = await (await ctx.clients.pipelines()).getPipelineJob({ name: event.pipelineJob });
  const tuningJob = await findTuningJob(ctx, run.id);
  const jobFields = { pipelineJob: event.pipelineJob, ...(tuningJob?.name ? { tuningJob: tuningJob.name } : {}) };

  if (event.state !== 'SUCCEEDED') {
    const error = failedTask(job) ?? { task: '(none)', message: job.error?.message ?? `the pipeline ended ${event.state}` };
    const audit = auditOf(ctx, run, 'TUNING_FAILED', `${error.task}: ${error.message}`.slice(0, 2000), { state: event.state });
    const failed = await finishAudited(ctx, run, owner, audit, (current) => ({ ...current, ...jobFields, state: 'FAILED', error }));
    return { run: publicTuningRun(failed), duplicate: false };
  }

  if (!tuningJob) throw new Error(`PipelineJob ${event.pipelineJob} succeeded, but no HyperparameterTuningJob is labelled tuning_run=${run.id}`);
  const importance = await readImportance(ctx, taskOutputArtifactUri(job, TUNING_PIPELINE_TASKS.summary, 'parameter_importance'));
  const result = tuningResult(tuningJob, run.study.metric, importance);
  const best = bestTrial(result);
  // Every trial as an experiment run, before the run is marked done (a redelivery records what is missing).
  await trackTuningTrials(ctx, ctx.models.require(run.model), run, result, job);
  await renewCompletionLease(leaseScope(ctx), run.id, owner);
  const results = await writeTuningResults(ctx, run, result);
  const summary = {
    ...jobFields,
    results,
    ...(best ? { bestTrial: best } : {}),
    bestPerModelType: result.bestPerModelType,
  };
  if (!best) {
    const error = { task: TUNING_PIPELINE_TASKS.tune, message: `none of the ${result.trials.length} trials reported ${run.study.metric.id}` };
    const audit = auditOf(ctx, run, 'TUNING_FAILED', error.message, { results: results.uri });
    const failed = await finishAudited(ctx, run, owner, audit, (current) => ({ ...current, ...summary, state: 'FAILED', error }));
    return { run: publicTuningRun(failed), result, duplicate: false };
  }

  let trainingRequest: RetrainingRequest | undefined;
  if (run.train) {
    trainingRequest = tunedTrainingRequest(run, best, ctx.now());
    await renewCompletionLease(leaseScope(ctx), run.id, owner, (current) => ({ ...current, ...summary }));
    // Created, then published (both idempotent): the run exists for the API at once, and a crash
    // between the two is healed by the redelivery, which publishes the still QUEUED run.
    const { run: training } = await ctx.runs.createOrGet(newTrainingRun(trainingRequest, ctx.now()));
    // The id is reserved for this run's best trial (the API refuses it): any other run there is a bug, never adopted.
    if (training.tuningRun !== run.id) {
      throw failedPrecondition(`training run ${training.id} (request ${training.requestId}) exists but is not tuning run ${run.id}'s best trial (its tuningRun: ${training.tuningRun ?? 'none'}): not adopting it`);
    }
    if (training.state === 'QUEUED') await publishRetrainingRequest(ctx, { ...trainingRequest, requestId: training.requestId });
    await renewCompletionLease(leaseScope(ctx), run.id, owner, (current) => ({ ...current, trainingRun: training.id }));
  }
  const reason = `best trial ${best.id}: ${best.modelType} ${JSON.stringify(best.hyperparameters)}, ${run.study.metric.id} ${best.value}`;
  const audit = auditOf(ctx, run, 'TUNING_SUCCEEDED', reason, { bestTrial: best, bestPerModelType: result.bestPerModelType, results: results.uri, ...(trainingRequest ? { trainingRequest: trainingRequest.requestId } : {}) });
  const done = await finishAudited(ctx, run, owner, audit, (current) => ({ ...current, ...summary, state: 'SUCCEEDED' }));
  return { run: publicTuningRun(done), result, ...(trainingRequest ? { trainingRequest } : {}), duplicate: false };
}

/** A completion that can never succeed (e.g. the PipelineJob is gone): the run ends FAILED with why. */
export async function recordTuningCompletionFailure(ctx: ControlPlaneContext, event: PipelineRunEvent, err: unknown): Promise<void> {
  const runId = tuningRunId(event.model, event.requestId);
  if (ctx.models.get(event.model) === undefined || !(await tuningRuns(ctx).get(runId))) return;
  const message = String((err as Error)?.message ?? err).slice(0, 2000);
  const now = ctx.now().getTime();
  await tuningRuns(ctx).update(runId, (current) => {
    if (TERMINAL_TUNING_STATES.includes(current.state)) return undefined;
    // Another delivery is completing it (this one released its lease when it failed): leave it be.
    if (current.lease && Date.parse(current.lease.expireTime) > now) return undefined;
    const next = { ...current, state: 'FAILED' as const, error: { task: 'complete', message } };
    delete next.lease;
    return next;
  });
}
