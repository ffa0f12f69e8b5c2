// onPipelineRunEvent's decision: a finished training PipelineJob becomes a decision record and,
// when approved, a registered model version (and, for the first model ever, a deployment). A
// finished evaluation PipelineJob (an evaluation request) becomes a decision record only: the
// evaluation pipeline names its tasks as the training pipeline does, so it is read alike. One
// delivery at a time holds the run's lease; every step is idempotent, so a redelivery after a crash
// finishes what the first one started, and a duplicate after completion changes nothing.
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { EvaluationMetricsInput } from '../../vertex/requests/import-model-evaluation.js';
import type { IPipelineJob } from '../../vertex/shared/proto-types.js';
import { TRAINING_PIPELINE_TASKS } from '../../pipelines/definitions/training-tasks.js';
import { AUTOMATIC_TRIGGERS } from './automatic-retrain.js';
import { Comparison, decide, Gate } from '../evaluation/decision.js';
import type { DecisionRecord } from '../evaluation/decision.js';
import { publishDecision } from '../evaluation/publish-decision.js';
import { failedTask, readOutputJson, taskOutputArtifactUri, taskOutputParameters } from '../evaluation/run-outputs.js';
import { ControlPlaneError, notFound, RetryLater } from '../errors.js';
import { startRollout } from '../rollouts/start-rollout.js';
import { deployFirstChampion } from '../registry/first-deployment.js';
import type { FirstDeployment } from '../registry/first-deployment.js';
import { registerVersion } from '../registry/register-version.js';
import type { ControlPlaneContext } from '../runtime/context.js';
import { vertexModelName } from '../runtime/context.js';
import type { TrainingRunRecord } from '../state/training-runs.js';
import type { ResolvedModelSpec } from '../config/load-model-specs.js';
import { TERMINAL_RUN_STATES, trainingRunId, withoutLease } from '../state/training-runs.js';
import type { PipelineRunEvent } from './messages.js';
import { samePipelineJob } from './pipeline-job-name.js';
import { auditCompletion, runCostEstimate, writeModelCardIfPossible } from '../governance/training-governance.js';
import type { ModelCardUris } from '../governance/training-governance.js';
import type { LeaseScope } from '../state/completion-lease.js';
import { acquireCompletionLease, renewCompletionLease } from '../state/completion-lease.js';
import { trackTrainingCompleted } from '../tracking/record.js';

const leaseScope = (ctx: ControlPlaneContext): LeaseScope<TrainingRunRecord> => ({ store: ctx.runs, kind: 'training run', terminalStates: TERMINAL_RUN_STATES, now: ctx.now() });

/** The model type a run trained: its override, else the spec's, else the pipeline's default. */
function runModelType(spec: ResolvedModelSpec, run: TrainingRunRecord): string {
  const chosen = run.parameterOverrides?.model_type ?? spec.pipeline.parameters.model_type;
  return typeof chosen === 'string' ? chosen : 'random_forest';
}

export interface CompletionResult {
  readonly run: TrainingRunRecord;
  readonly decision?: DecisionRecord;
  readonly deployment?: FirstDeployment;
  /** True when the run had already been completed (a duplicate delivery). */
  readonly duplicate: boolean;
}

/** The test metrics in Vertex's schema, from the evaluate step's JSON (`vertex_model_evaluation`). */
const EvaluationFile = z.object({
  metrics: z.record(z.string(), z.unknown()).optional(),
  vertex_model_evaluation: z.object({ metrics: z.record(z.string(), z.unknown()) }).optional(),
}).loose();

/** The metrics in Vertex's schema for ImportModelEvaluation, by task (the request builder checks each value). */
function vertexEvaluation(task: string, file: z.infer<typeof EvaluationFile> | undefined): EvaluationMetricsInput | undefined {
  const metrics = file?.vertex_model_evaluation?.metrics;
  if (!metrics) return undefined;
  return task === 'classification' ? { kind: 'classification', metrics } : { kind: 'regression', metrics };
}

function numbers(record: Record<string, unknown> | undefined): Record<string, number> {
  return Object.fromEntries(Object.entries(record ?? {}).filter((e): e is [string, number] => typeof e[1] === 'number' && Number.isFinite(e[1])));
}

/**
 * Gives the lease back after a failure this invocation saw, so that the redelivery need not wait for
 * it to expire. Best effort: when it cannot be written, the lease expires (as a crashed one does).
 */
async function releaseLease(ctx: ControlPlaneContext, runId: string, owner: string): Promise<void> {
  try {
    await ctx.runs.update(runId, (current) => (current.lease?.owner === owner ? withoutLease(current) : undefined));
  } catch {
    // Expires after COMPLETION_LEASE_SECONDS (state/completion-lease.ts).
  }
}

export async function completeTrainingRun(ctx: ControlPlaneContext, event: PipelineRunEvent, deliveryId: string = randomUUID()): Promise<CompletionResult> {
  const spec = ctx.models.require(event.model);
  const runId = trainingRunId(event.model, event.requestId);
  if (!(await ctx.runs.get(runId))) throw notFound(`no training run ${runId} for model ${event.model} and request ${event.requestId}`);
  // Per invocation, not per message: Pub/Sub may deliver one message twice at the same time.
  const owner = `${deliveryId}/${randomUUID()}`;
  const run = await acquireCompletionLease(leaseScope(ctx), runId, owner);
  if (TERMINAL_RUN_STATES.includes(run.state)) {
    const decision = run.decision ? await ctx.decisions.get(runId) : undefined;
    return { run, ...(decision ? { decision } : {}), duplicate: true };
  }
  // The submission records its job after creating it: an event that overtook that record waits.
  if (!samePipelineJob(run.pipelineJob, event.pipelineJob)) {
    await releaseLease(ctx, runId, owner);
    // An event about another job than the run's changes nothing of the run.
    if (run.pipelineJob !== undefined) return { run: withoutLease(run), duplicate: true };
    // A job Vertex does not know fails here (permanent, NOT_FOUND); one it knows waits for its record.
    await (await ctx.clients.pipelines()).getPipelineJob({ name: event.pipelineJob });
    throw new RetryLater(`training run ${runId} has not recorded its PipelineJob yet`);
  }
  try {
    return await completeLeasedRun(ctx, spec, runId, run, event, owner);
  } catch (err) {
    await releaseLease(ctx, runId, owner);
    throw err;
  }
}

/**
 * The challenger's rollout; a rollout that cannot start now (another is in progress, the endpoint
 * serves something else) is noted on the run, not retried: `POST .../rollouts` starts it later.
 */
async function startChallengerRollout(ctx: ControlPlaneContext, spec: ResolvedModelSpec, runId: string, version: string, reasons: readonly string[]): Promise<TrainingRunRecord['rollout']> {
  try {
    const started = await startRollout(ctx, spec.name, { version, requestedBy: 'onPipelineRunEvent', reason: `training run ${runId}: ${reasons.join('; ')}` });
    return { id: started.id };
  } catch (err) {
    if (err instanceof ControlPlaneError && err.status === 'FAILED_PRECONDITION') return { skipped: err.message };
    throw err;
  }
}

/** The completion proper, under this invocation's lease. */
async function completeLeasedRun(ctx: ControlPlaneContext, spec: ResolvedModelSpec, runId: string, run: TrainingRunRecord, event: PipelineRunEvent, owner: string): Promise<CompletionResult> {
  const [job] = await (await ctx.clients.pipelines()).getPipelineJob({ name: event.pipelineJob });
  const evaluationFile = event.state === 'SUCCEEDED' ? await readOutputJson(ctx, taskOutputArtifactUri(job, TRAINING_PIPELINE_TASKS.evaluation, 'evaluation'), EvaluationFile, { article: 'an', noun: 'evaluation' }) : undefined;
  const decision = await recordDecision(ctx, run, event, job, evaluationFile);
  // Estimated once and stored: the model card and the audit row read the same numbers on a redelivery.
  const estimate = await runCostEstimate(ctx, run, job);
  const costed = await renewCompletionLease(leaseScope(ctx), runId, owner, (current) => ({ ...current, costEstimate: current.costEstimate ?? estimate }));

  let modelVersion: string | undefined;
  /** The registered version's artifacts (the export step's serving model). */
  let artifactUri: string | undefined;
  let modelCard: ModelCardUris | undefined;
  let modelCardError: string | undefined;
  let deployment: FirstDeployment | undefined;
  let rollout: TrainingRunRecord['rollout'];
  // Only a training run's outcomes register; an evaluation's (EVALUATED_*) never upload anything.
  if (decision.kind === 'training' && (decision.outcome === 'REGISTER_AS_CHAMPION' || decision.outcome === 'REGISTER_AS_CHALLENGER')) {
    artifactUri = taskOutputArtifactUri(job, TRAINING_PIPELINE_TASKS.export, 'serving_model');
    if (!artifactUri) throw new Error(`PipelineJob ${event.pipelineJob} approved a model but has no ${TRAINING_PIPELINE_TASKS.export} output`);
    const evaluation = vertexEvaluation(spec.task, evaluationFile);
    await renewCompletionLease(leaseScope(ctx), runId, owner);
    // A card that cannot be written for good never blocks the registration (it is audited instead).
    ({ card: modelCard, error: modelCardError } = await writeModelCardIfPossible(ctx, { spec, run: costed, decision, artifactUri, modelType: runModelType(spec, run), alias: decision.outcome === 'REGISTER_AS_CHAMPION' ? 'champion' : 'challenger' }));
    modelVersion = await registerVersion(ctx, {
      spec,
      runId,
      requestId: run.requestId,
      pipelineJob: event.pipelineJob,
      artifactUri,
      alias: decision.outcome === 'REGISTER_AS_CHAMPION' ? 'champion' : 'challenger',
      ...(evaluation ? { evaluation } : {}),
      description: decision.reasons.join('; '),
      modelType: runModelType(spec, run),
      modelCard,
    });
    // Recorded at once: a later failure must not leave a registered version unmentioned.
    const registered = modelVersion;
    const card = modelCard;
    await renewCompletionLease(leaseScope(ctx), runId, owner, (current) => ({ ...current, modelVersion: registered, modelCard: card }));
    // The first champion has nothing to be compared with online: it is released at 100%. A
    // challenger is released by a canary rollout (which may wait for an approval).
    if (decision.outcome === 'REGISTER_AS_CHAMPION') deployment = await deployFirstChampion(ctx, spec, modelVersion);
    else rollout = await startChallengerRollout(ctx, spec, runId, modelVersion, decision.reasons);
  }

  // Before the run is marked done: a failed publish is retried by the redelivery (at least once).
  await publishDecision(ctx, decision, modelVersion);
  await auditCompletion(ctx, { run: costed, decision, ...(modelVersion ? { modelVersion } : {}), ...(costed.costEstimate ? { costEstimate: costed.costEstimate } : {}), ...(modelCard ? { modelCard } : {}), ...(modelCardError !== undefined ? { modelCardError } : {}), ...(deployment ? { deployment } : {}), ...(rollout ? { rollout } : {}) });
  // The experiment run, registration and deployment in ML Metadata, also before the run is marked done.
  await trackTrainingCompleted(ctx, { spec, run, pipelineJob: event.pipelineJob, job, decision, ...(modelVersion ? { modelVersion } : {}), ...(modelVersion && artifactUri ? { artifactUri } : {}), ...(deployment ? { deployment } : {}) });
  // An evaluation that ran to the end SUCCEEDED, whatever it found: its outcome says what.
  const state: TrainingRunRecord['state'] = decision.outcome === 'FAILED' ? 'FAILED' : decision.outcome === 'REJECT' ? 'REJECTED' : 'SUCCEEDED';
  const done = await renewCompletionLease(leaseScope(ctx), runId, owner, (current) => ({
    ...current,
    state,
    decision: decision.name,
    ...(modelVersion ? { modelVersion } : {}),
    ...(decision.failure ? { error: decision.failure } : {}),
    ...(deployment ? { deployment } : {}),
    ...(rollout ? { rollout } : {}),
  }));
  await releaseLease(ctx, runId, owner);
  const finished = withoutLease(done) as TrainingRunRecord;
  return { run: finished, decision, ...(deployment ? { deployment } : {}), duplicate: false };
}

function automaticMargin(ctx: ControlPlaneContext, model: string): { automaticRetrainMaxDegradation?: number } {
  const share = ctx.models.get(model)?.evaluation.championChallenger.automaticRetrainMaxDegradation;
  return share === undefined ? {} : { automaticRetrainMaxDegradation: share };
}

async function recordDecision(ctx: ControlPlaneContext, run: TrainingRunRecord, event: PipelineRunEvent, job: IPipelineJob, evaluationFile: z.infer<typeof EvaluationFile> | undefined): Promise<DecisionRecord> {
  const recorded = await ctx.decisions.get(run.id);
  if (recorded) return recorded;
  const gateOutputs = taskOutputParameters(job, TRAINING_PIPELINE_TASKS.gate);
  const gate = Gate.safeParse({ approved: gateOutputs.approved, reason: gateOutputs.reason });
  const comparison = Comparison.safeParse(taskOutputParameters(job, TRAINING_PIPELINE_TASKS.comparison).comparison);
  const failure = event.state === 'SUCCEEDED' ? undefined : (failedTask(job) ?? { task: '(none)', message: job.error?.message ?? `the pipeline ended ${event.state}` });
  const metrics = numbers(evaluationFile?.metrics);
  const kind = run.trigger === 'evaluation' ? 'evaluation' : 'training';
  const { outcome, reasons } = decide({
    kind,
    state: event.state,
    ...(gate.success ? { gate: gate.data } : {}),
    ...(comparison.success ? { comparison: comparison.data } : {}),
    ...(failure ? { failure } : {}),
    // What the job was given (recorded before it was created), not what the registry says now.
    championExists: run.championModelUri !== undefined ? run.championModelUri !== '' : run.champion !== undefined,
    ...((AUTOMATIC_TRIGGERS as readonly string[]).includes(run.trigger) ? automaticMargin(ctx, run.model) : {}),
  });
  const record: DecisionRecord = {
    name: `decisions/${run.id}`,
    id: run.id,
    model: run.model,
    trainingRun: run.name,
    pipelineJob: event.pipelineJob,
    kind,
    outcome,
    reasons,
    ...(gate.success ? { gate: gate.data } : {}),
    ...(comparison.success ? { comparison: comparison.data } : {}),
    metrics,
    ...(run.champion ? { champion: run.champion } : {}),
    ...(kind === 'evaluation' && run.evaluatedVersion ? { evaluatedVersion: `${vertexModelName(ctx.settings, run.model)}@${run.evaluatedVersion}` } : {}),
    ...(failure ? { failure } : {}),
    createTime: ctx.now().toISOString(),
  };
  return (await ctx.decisions.recordOnce(record)).record;
}

/** A completion that can never succeed (e.g. the PipelineJob is gone): the run ends FAILED with why. */
export async function recordCompletionFailure(ctx: ControlPlaneContext, event: PipelineRunEvent, err: unknown): Promise<void> {
  const runId = trainingRunId(event.model, event.requestId);
  if (ctx.models.get(event.model) === undefined || !(await ctx.runs.get(runId))) return;
  const message = String((err as Error)?.message ?? err).slice(0, 2000);
  const now = ctx.now().getTime();
  await ctx.runs.update(runId, (current) => {
    if (TERMINAL_RUN_STATES.includes(current.state)) return undefined;
    // Another delivery is completing it (this one released its lease when it failed): leave it be.
    if (current.lease && Date.parse(current.lease.expireTime) > now) return undefined;
    return { ...withoutLease(current), state: 'FAILED', error: { task: 'complete', message } };
  });
}
