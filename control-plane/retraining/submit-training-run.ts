// submitTrainingRun's decision: a retraining request becomes a snapshot and a PipelineJob (the
// training pipeline, or for an evaluation request the evaluation pipeline over the evaluated
// version's artifacts). Every step is idempotent (deterministic BigQuery job id and PipelineJob id; the run record changes by
// compare-and-swap), so duplicate and concurrent deliveries have the effect of one.
import { failedPrecondition, invalidArgument, RpcCode, grpcCode, notFound } from '../errors.js';
import type { ControlPlaneContext } from '../runtime/context.js';
import { vertexModelName } from '../runtime/context.js';
import { tableReferenceText } from '../config/bigquery-source.js';
import type { ResolvedModelSpec } from '../config/load-model-specs.js';
import { queryValueProblem } from '../config/model-spec.js';
import type { SnapshotRecord, TrainingRunRecord } from '../state/training-runs.js';
import { TuningRuns } from '../state/tuning-runs.js';
import { TERMINAL_RUN_STATES, trainingRunId } from '../state/training-runs.js';
import type { RetrainingRequest } from './messages.js';
import type { PipelineRunInput } from './pipeline-run.js';
import { buildEvaluationPipelineJob, buildTrainingPipelineJob } from './pipeline-run.js';
import type { SnapshotSource } from './snapshot.js';
import { exportSnapshot } from './snapshot.js';
import { trackTrainingSubmitted } from '../tracking/record.js';
import { auditSubmission } from '../governance/training-governance.js';

const { NOT_FOUND, ALREADY_EXISTS } = RpcCode;

/**
 * The snapshot's source: the spec's, with a run's values for declared query parameters. A value
 * for a parameter the query does not declare, or of the wrong type, can never succeed: refused.
 */
export function snapshotSource(spec: ResolvedModelSpec, project: string, overrides: Readonly<Record<string, string | number | boolean>> = {}): SnapshotSource {
  const s = spec.source;
  const columns = { target: s.target, features: s.features };
  const names = Object.keys(overrides);
  if (s.kind === 'table') {
    if (names.length > 0) throw invalidArgument('sourceParameters', `models/${spec.name} reads a table, which has no query parameters (got ${names.join(', ')})`);
    return { ...columns, table: tableReferenceText(s.table, project), ...(s.sampleFraction === undefined ? {} : { sampleFraction: s.sampleFraction }) };
  }
  const parameters = { ...s.parameters };
  for (const [name, value] of Object.entries(overrides)) {
    const declared = s.parameters[name];
    const problem = declared === undefined ? `the source query declares no @${name}` : queryValueProblem(declared.type, value);
    if (problem !== undefined) throw invalidArgument(`sourceParameters.${name}`, problem);
    parameters[name] = { type: declared!.type, value };
  }
  return { ...columns, query: s.query, parameters };
}

/** The run record a request creates (QUEUED), the same for every delivery of the request. */
export function newTrainingRun(request: RetrainingRequest, now: Date): TrainingRunRecord {
  const id = trainingRunId(request.model, request.requestId);
  const time = now.toISOString();
  return {
    name: `trainingRuns/${id}`,
    id,
    model: request.model,
    requestId: request.requestId,
    trigger: request.trigger,
    reason: request.reason,
    ...(request.requestedBy ? { requestedBy: request.requestedBy } : {}),
    ...(request.parameterOverrides ? { parameterOverrides: request.parameterOverrides } : {}),
    ...(request.sourceParameters ? { sourceParameters: request.sourceParameters } : {}),
    ...(request.driftedFeatures ? { driftedFeatures: request.driftedFeatures } : {}),
    ...(request.enableCaching === undefined ? {} : { enableCaching: request.enableCaching }),
    ...(request.evaluatedVersion ? { evaluatedVersion: request.evaluatedVersion } : {}),
    ...(request.tuningRun ? { tuningRun: request.tuningRun } : {}),
    state: 'QUEUED',
    createTime: time,
    updateTime: time,
  };
}

/** The champion version (its name, id, artifacts, creation time), or undefined before the model's first release. */
export async function currentChampion(ctx: ControlPlaneContext, model: string): Promise<{ name: string; versionId: string; artifactUri: string; createTime: string } | undefined> {
  const models = await ctx.clients.models();
  try {
    const [version] = await models.getModel({ name: `${vertexModelName(ctx.settings, model)}@champion` });
    const seconds = Number(version.versionCreateTime?.seconds ?? version.createTime?.seconds ?? 0);
    return { name: `${version.name}@${version.versionId}`, versionId: String(version.versionId ?? ''), artifactUri: version.artifactUri ?? '', createTime: new Date(seconds * 1000).toISOString() };
  } catch (err) {
    if (grpcCode(err) === NOT_FOUND) return undefined;
    throw err;
  }
}

/**
 * The version an evaluation run evaluates (`run.evaluatedVersion`, a version id) and its serving
 * artifacts. A version that is gone, or has no artifacts, is a permanent failure of the request.
 */
export async function evaluatedVersion(ctx: ControlPlaneContext, run: TrainingRunRecord): Promise<{ name: string; versionId: string; artifactUri: string }> {
  if (run.evaluatedVersion === undefined) throw failedPrecondition(`training run ${run.id} is an evaluation but names no evaluatedVersion`);
  const models = await ctx.clients.models();
  const name = `${vertexModelName(ctx.settings, run.model)}@${run.evaluatedVersion}`;
  const [version] = await models.getModel({ name }).catch((err: unknown) => {
    throw grpcCode(err) === NOT_FOUND ? notFound(`models/${run.model} has no version ${run.evaluatedVersion} to evaluate`) : err;
  });
  if (!version.artifactUri) throw failedPrecondition(`${name} has no artifactUri: there is nothing to evaluate`);
  return { name: `${version.name}@${version.versionId}`, versionId: String(version.versionId), artifactUri: version.artifactUri };
}

export async function submitTrainingRun(ctx: ControlPlaneContext, request: RetrainingRequest): Promise<TrainingRunRecord> {
  const spec = ctx.models.require(request.model);
  const { run } = await ctx.runs.createOrGet(newTrainingRun(request, ctx.now()));
  if (run.pipelineJob !== undefined || TERMINAL_RUN_STATES.includes(run.state)) return run;

  // Before the export: an evaluation of a version that is gone fails without exporting anything.
  const candidate = run.trigger === 'evaluation' ? await evaluatedVersion(ctx, run) : undefined;
  const prepared = await prepareSubmission(ctx, spec, run);
  const input: PipelineRunInput = { spec, run: prepared, settings: ctx.settings, trainingDataUri: prepared.snapshot!.uri, championModelUri: prepared.championModelUri ?? '' };
  const request_ = candidate
    ? buildEvaluationPipelineJob({ ...input, candidateModelUri: candidate.artifactUri, candidateVersionId: candidate.versionId })
    : buildTrainingPipelineJob(input);
  const pipelines = await ctx.clients.pipelines();
  const jobName = `${request_.parent}/pipelineJobs/${request_.pipelineJobId}`;
  try {
    await pipelines.createPipelineJob(request_);
  } catch (err) {
    // Another delivery submitted it first: the job exists, which is what this step is for.
    if (grpcCode(err) !== ALREADY_EXISTS) throw err;
  }
  // Before the job is recorded on the run: a redelivery records what a crash here left out.
  await trackTrainingSubmitted(ctx, spec, prepared, jobName);
  await auditSubmission(ctx, prepared, jobName);
  return ctx.runs.update(run.id, (current) =>
    current.pipelineJob !== undefined ? undefined : { ...current, state: current.state === 'QUEUED' ? 'RUNNING' : current.state, pipelineJob: jobName },
  );
}

/**
 * The snapshot and the champion the job is built from, recorded on the run BEFORE the job is
 * created: a redelivery after a crash builds the very same job, and the completion knows which
 * champion the run was compared with. The first delivery to record them wins; the others use its.
 */
async function prepareSubmission(ctx: ControlPlaneContext, spec: ResolvedModelSpec, run: TrainingRunRecord): Promise<TrainingRunRecord> {
  if (run.snapshot && run.championModelUri !== undefined) return run;
  // A tuning run's best trial trains on the data its trials saw; any other run on a new export.
  const snapshot = run.snapshot ?? (run.tuningRun !== undefined ? await tuningRunSnapshot(ctx, run) : await exportSnapshot(await ctx.clients.bigquery(), {
    model: spec.name,
    requestId: run.requestId,
    bucket: ctx.settings.pipelineBucket,
    source: snapshotSource(spec, ctx.settings.projectId, run.sourceParameters),
  }, ctx.now()));
  const champion = await currentChampion(ctx, spec.name);
  return ctx.runs.update(run.id, (current) =>
    current.snapshot && current.championModelUri !== undefined
      ? undefined
      : { ...current, snapshot: current.snapshot ?? snapshot, championModelUri: champion?.artifactUri ?? '', ...(champion ? { champion: champion.name } : {}) },
  );
}

/** The snapshot a tuning run's trials trained on; a tuning run that is gone, has none, or is another model's can never be trained from. */
async function tuningRunSnapshot(ctx: ControlPlaneContext, run: TrainingRunRecord): Promise<SnapshotRecord> {
  const tuningRun = run.tuningRun!;
  const stored = await new TuningRuns(ctx.state).get(tuningRun);
  if (stored && stored.value.model !== run.model) throw failedPrecondition(`tuning run ${tuningRun} tuned models/${stored.value.model}, not models/${run.model}: training run ${run.id} cannot train on its snapshot`);
  if (!stored?.value.snapshot) throw failedPrecondition(`tuning run ${tuningRun} ${stored ? 'has no snapshot' : 'does not exist'}: its best trial cannot be trained on the same data`);
  return stored.value.snapshot;
}

/** A request that can never be submitted (unknown model, a refused PipelineJob): its run ends FAILED with why. */
export async function failTrainingRun(ctx: ControlPlaneContext, request: RetrainingRequest, err: unknown): Promise<void> {
  if (ctx.models.get(request.model) === undefined) return;
  const message = String((err as Error)?.message ?? err).slice(0, 2000);
  const { run } = await ctx.runs.createOrGet(newTrainingRun(request, ctx.now()));
  if (TERMINAL_RUN_STATES.includes(run.state) || run.pipelineJob !== undefined) return;
  await ctx.runs.update(run.id, (current) =>
    TERMINAL_RUN_STATES.includes(current.state) || current.pipelineJob !== undefined ? undefined : { ...current, state: 'FAILED', error: { task: 'submit', message } },
  );
}
