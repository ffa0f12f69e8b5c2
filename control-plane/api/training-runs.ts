// POST /v1/models/{model}/trainingRuns and GET /v1/trainingRuns/{id}: a request to retrain is
// recorded (QUEUED) and published to retraining-requests, and the run is returned at once;
// submitTrainingRun does the work. Reading a run joins its record with the live PipelineJob.
import { randomUUID } from 'node:crypto';
import { pipelineParameterProblems } from '../config/pipeline-parameters.js';
import type { ResolvedModelSpec } from '../config/load-model-specs.js';
import { TOPICS } from '../config/topics.js';
import type { DecisionRecord } from '../evaluation/decision.js';
import { ControlPlaneError, RpcCode, grpcCode, invalidArgument, notFound } from '../errors.js';
import type { RetrainingRequest } from '../retraining/messages.js';
import { TUNED_REQUEST_PREFIX } from '../retraining/messages.js';
import { newTrainingRun } from '../retraining/submit-training-run.js';
import type { ControlPlaneContext } from '../runtime/context.js';
import type { TrainingRunRecord } from '../state/training-runs.js';
import { publicRun } from '../state/training-runs.js';
import type { Caller } from './caller.js';
import type { CreateTrainingRunBody } from './requests.js';

const { NOT_FOUND } = RpcCode;

/** Refuses a caller's request id in the tuning completion's reserved range: its run would pass for a tuning run's best trial. */
export function checkRequestId(requestId: string | undefined): void {
  if (requestId?.startsWith(TUNED_REQUEST_PREFIX)) throw invalidArgument('requestId', `${TUNED_REQUEST_PREFIX}... is reserved for the training runs of tuning runs' best trials; choose another requestId`);
}

/** The request id: the caller's, else one per Scheduler firing, else a new one. */
function requestIdFor(body: { requestId?: string | undefined }, caller: Caller, prefix: string): string {
  checkRequestId(body.requestId);
  if (body.requestId) return body.requestId;
  if (caller.schedule) return `schedule-${caller.schedule.job.replace(/[^A-Za-z0-9._:-]/g, '-').slice(-60)}-${caller.schedule.time}`.slice(0, 128);
  return `${prefix}-${randomUUID()}`;
}

export function checkOverrides(spec: ResolvedModelSpec, overrides: Readonly<Record<string, unknown>>): void {
  const problems = pipelineParameterProblems(spec.pipeline.name, { ...spec.pipeline.parameters, ...(overrides as Record<string, never>) })
    .filter((p) => p.path[0] !== undefined && Object.hasOwn(overrides, p.path[0]));
  if (problems.length > 0) {
    const violations = problems.map((p) => ({ field: `parameterOverrides.${p.path.join('.')}`, description: p.message }));
    throw new ControlPlaneError('INVALID_ARGUMENT', violations.map((v) => `${v.field}: ${v.description}`).join('; '), violations);
  }
}

/** Publishes the request; the message id is returned. Publishing twice is harmless (submit is idempotent). */
export async function publishRetrainingRequest(ctx: ControlPlaneContext, request: RetrainingRequest): Promise<string> {
  const pubsub = await ctx.clients.pubsub();
  return pubsub.topic(TOPICS.retrainingRequests).publishMessage({
    json: request,
    attributes: { model: request.model, requestId: request.requestId, trigger: request.trigger },
  });
}

export async function createTrainingRun(ctx: ControlPlaneContext, model: string, body: CreateTrainingRunBody, caller: Caller): Promise<TrainingRunView> {
  const spec = ctx.models.require(model);
  if (body.parameterOverrides) checkOverrides(spec, body.parameterOverrides);
  const request: RetrainingRequest = {
    requestId: requestIdFor(body, caller, 'api'),
    model: spec.name,
    trigger: caller.schedule ? 'schedule' : 'api',
    reason: body.reason ?? (caller.schedule ? `scheduled by ${caller.schedule.job} for ${caller.schedule.time}` : 'requested through the API'),
    ...(caller.email ? { requestedBy: caller.email } : {}),
    ...(body.parameterOverrides ? { parameterOverrides: body.parameterOverrides } : {}),
    ...(body.enableCaching === undefined ? {} : { enableCaching: body.enableCaching }),
    requestTime: ctx.now().toISOString(),
  };
  const { run } = await ctx.runs.createOrGet(newTrainingRun(request, ctx.now()));
  // Publish even for an existing QUEUED run: a crash after the create must not strand it.
  if (run.state === 'QUEUED') await publishRetrainingRequest(ctx, { ...request, requestId: run.requestId });
  return publicRun(run);
}

export interface TaskView {
  readonly name: string;
  readonly state: string;
  readonly startTime?: string;
  readonly endTime?: string;
  readonly error?: string;
}

export interface TrainingRunView extends Omit<TrainingRunRecord, 'lease' | 'decision'> {
  readonly pipelineJobState?: string;
  readonly tasks?: readonly TaskView[];
  readonly decision?: DecisionRecord;
}

const timestamp = (t: { seconds?: unknown; nanos?: unknown } | null | undefined) =>
  t && t.seconds !== undefined && t.seconds !== null ? new Date(Number(t.seconds) * 1000 + Math.floor(Number(t.nanos ?? 0) / 1e6)).toISOString() : undefined;

export async function getTrainingRun(ctx: ControlPlaneContext, id: string): Promise<TrainingRunView> {
  if (!/^[a-z][a-z0-9-]{0,62}$/.test(id)) throw invalidArgument('id', `is not a training run id: ${JSON.stringify(id.slice(0, 80))}`);
  const stored = await ctx.runs.get(id);
  if (!stored) throw notFound(`trainingRuns/${id} not found`);
  const decisionName = stored.value.decision;
  const run = publicRun(stored.value);
  const view: { -readonly [K in keyof TrainingRunView]: TrainingRunView[K] } = { ...run };
  if (decisionName) {
    const decision = await ctx.decisions.get(id);
    if (decision) view.decision = decision;
  }
  if (run.pipelineJob) {
    try {
      const [job] = await (await ctx.clients.pipelines()).getPipelineJob({ name: run.pipelineJob });
      view.pipelineJobState = String(job.state);
      view.tasks = (job.jobDetail?.taskDetails ?? [])
        .filter((t) => t.parentTaskId !== undefined && t.parentTaskId !== null && String(t.parentTaskId) !== '0')
        .map((t) => {
          const start = timestamp(t.startTime);
          const end = timestamp(t.endTime);
          return { name: t.taskName ?? String(t.taskId), state: String(t.state), ...(start ? { startTime: start } : {}), ...(end ? { endTime: end } : {}), ...(t.error?.message ? { error: t.error.message } : {}) };
        });
    } catch (err) {
      if (grpcCode(err) !== NOT_FOUND) throw err;
    }
  }
  return view;
}
