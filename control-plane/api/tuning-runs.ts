// POST /v1/models/{model}/tuningRuns, GET /v1/tuningRuns/{id} and GET /v1/models/{model}/tuningRuns:
// a tuning request is recorded (QUEUED; idempotent by its request id) and published to
// tuning-requests, and the run is returned at once; submitTuningRun exports its snapshot and
// submits its PipelineJob. Reading a run joins its record with the live HyperparameterTuningJob (every
// finished trial, the best overall and per model type, the trials still going) or, once the run
// has ended, with its stored result.
import { randomUUID } from 'node:crypto';
import type { ResolvedModelSpec } from '../config/load-model-specs.js';
import { pipelineDefinition } from '../config/pipeline-parameters.js';
import { TOPICS } from '../config/topics.js';
import { RpcCode, grpcCode, httpStatus, invalidArgument, notFound } from '../errors.js';
import { snapshotSource } from '../retraining/submit-training-run.js';
import type { ControlPlaneContext } from '../runtime/context.js';
import type { TuningRunRecord } from '../state/tuning-runs.js';
import { TERMINAL_TUNING_STATES, publicTuningRun } from '../state/tuning-runs.js';
import { resolveStudy } from '../tuning/study.js';
import type { TuningRequestMessage } from '../tuning/messages.js';
import { recordTuningRun, tuningRuns } from '../tuning/submit-tuning-run.js';
import { findTuningJob } from '../tuning/tuning-job.js';
import type { LiveTrial } from '../tuning/trials.js';
import { liveTrials, tuningResult } from '../tuning/trials.js';
import { TuningResult } from '../tuning/tuning-result.js';
import { parseGcsUri } from '../../vertex/shared/storage-uris.js';
import type { Caller } from './caller.js';
import type { CreateTuningRunBody } from './requests.js';

const { NOT_FOUND } = RpcCode;

export interface TuningRunView extends Omit<TuningRunRecord, 'lease'> {
  readonly pipelineJobState?: string;
  readonly tuningJobState?: string;
  /** Finished trials and the best ones: live while the run goes on, the stored result once it succeeded. */
  readonly result?: TuningResult;
  /** Trials still going, with their latest measurement. */
  readonly activeTrials?: readonly LiveTrial[];
}

/** Training the best trial sets its hyperparameters: the spec's pipeline must take them. */
function checkTrainable(spec: ResolvedModelSpec): void {
  const inputs = pipelineDefinition(spec.pipeline.name).inputs;
  if (!('hyperparameters' in inputs) || !('model_type' in inputs)) {
    throw invalidArgument('train', `models/${spec.name} trains with ${spec.pipeline.name}, which takes no model_type and hyperparameters to train the best trial with; set train: false`);
  }
}

export async function createTuningRun(ctx: ControlPlaneContext, model: string, body: CreateTuningRunBody, caller: Caller): Promise<TuningRunView> {
  const spec = ctx.models.require(model);
  // Refused before anything is recorded: a request that can never run leaves no run behind.
  if (body.sourceParameters) snapshotSource(spec, ctx.settings.projectId, body.sourceParameters);
  if (body.train) checkTrainable(spec);
  const study = resolveStudy(spec, body);
  const run = await recordTuningRun(ctx, {
    model: spec.name,
    requestId: body.requestId ?? `tuning-${randomUUID()}`,
    reason: body.reason ?? 'requested through the API',
    ...(caller.email ? { requestedBy: caller.email } : {}),
    study,
    ...(body.sourceParameters ? { sourceParameters: body.sourceParameters } : {}),
    train: body.train,
  });
  // Publish even for an existing QUEUED run: a crash after the record must not strand it.
  if (run.state === 'QUEUED') await publishTuningRequest(ctx, { model: run.model, requestId: run.requestId, requestTime: ctx.now().toISOString() });
  return publicTuningRun(run);
}

/** Publishes the request; the message id is returned. Publishing twice is harmless (submit is idempotent). */
export async function publishTuningRequest(ctx: ControlPlaneContext, message: TuningRequestMessage): Promise<string> {
  const pubsub = await ctx.clients.pubsub();
  return pubsub.topic(TOPICS.tuningRequests).publishMessage({ json: message, attributes: { model: message.model, requestId: message.requestId } });
}

/** The stored result of a finished run, or undefined when it cannot be read (the live job stands in). */
async function storedResult(ctx: ControlPlaneContext, uri: string): Promise<TuningResult | undefined> {
  const location = parseGcsUri(uri);
  if (!location?.object) return undefined;
  const { downloadObject } = await import('../../google-clients/download-object.js');
  try {
    const bytes = await downloadObject(location.bucket, location.object, { ce: ctx.ce, storage: await ctx.clients.mediaStorage() });
    const parsed = TuningResult.safeParse(JSON.parse(bytes.toString('utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch (err) {
    if (httpStatus(err) === 404) return undefined;
    throw err;
  }
}

async function view(ctx: ControlPlaneContext, record: TuningRunRecord): Promise<TuningRunView> {
  const run = publicTuningRun(record);
  const out: { -readonly [K in keyof TuningRunView]: TuningRunView[K] } = { ...run };
  const stored = run.state === 'SUCCEEDED' && run.results ? await storedResult(ctx, run.results.uri) : undefined;
  if (stored) {
    out.result = stored;
    return out;
  }
  const [pipelineJob, tuningJob] = await Promise.all([
    run.pipelineJob && !TERMINAL_TUNING_STATES.includes(run.state)
      ? (async () => (await ctx.clients.pipelines()).getPipelineJob({ name: run.pipelineJob! }).then(([job]) => job, (err: unknown) => {
          if (grpcCode(err) === NOT_FOUND) return undefined;
          throw err;
        }))()
      : Promise.resolve(undefined),
    run.pipelineJob ? findTuningJob(ctx, run.id) : Promise.resolve(undefined),
  ]);
  if (pipelineJob) out.pipelineJobState = String(pipelineJob.state);
  if (tuningJob) {
    out.tuningJobState = String(tuningJob.state);
    out.result = tuningResult(tuningJob, run.study.metric);
    const active = liveTrials(tuningJob, run.study.metric);
    if (active.length > 0) out.activeTrials = active;
  }
  return out;
}

export async function getTuningRun(ctx: ControlPlaneContext, id: string): Promise<TuningRunView> {
  if (!/^[a-z][a-z0-9-]{0,62}$/.test(id)) throw invalidArgument('id', `is not a tuning run id: ${JSON.stringify(id.slice(0, 80))}`);
  const stored = await tuningRuns(ctx).get(id);
  if (!stored) throw notFound(`tuningRuns/${id} not found`);
  return view(ctx, stored.value);
}

/** The model's tuning runs, newest first; those still going with their live trials. */
export async function listModelTuningRuns(ctx: ControlPlaneContext, model: string): Promise<{ tuningRuns: TuningRunView[] }> {
  const spec = ctx.models.require(model);
  const runs = await tuningRuns(ctx).listForModel(spec.name);
  return { tuningRuns: await Promise.all(runs.map(async (run) => (TERMINAL_TUNING_STATES.includes(run.state) ? publicTuningRun(run) : view(ctx, run)))) };
}
