// What a training run leaves for governance, called from its submission and its completion:
// the cost estimate (once), the registered version's model card beside its artifacts, and the audit
// rows of the submission (with its trigger), the decision and the registration. Every row has a
// deterministic id (the BigQuery insertId, and the key the reader de-duplicates on) and is built
// only from stored records, so a redelivery appends the very same rows.
import type { IPipelineJob } from '../../vertex/shared/proto-types.js';
import { parseGcsUri } from '../../vertex/shared/storage-uris.js';
import type { AuditedDecision } from '../audit/decision-log.js';
import { appendDecisions } from '../audit/decision-log.js';
import type { ResolvedModelSpec } from '../config/load-model-specs.js';
import type { DecisionRecord } from '../evaluation/decision.js';
import type { ControlPlaneContext } from '../runtime/context.js';
import type { TrainingRunRecord } from '../state/training-runs.js';
import { TuningRuns } from '../state/tuning-runs.js';
import type { CostEstimate, TrialTimes } from './cost-estimate.js';
import { describeCost, estimatePipelineJobCost, estimateTrialsCost, tuningTasks } from './cost-estimate.js';
import { readOutputJson } from '../evaluation/run-outputs.js';
import { TuningResult } from '../tuning/tuning-result.js';
import { isTransient } from '../errors.js';
import { log } from '../../logging/log.js';
import { renderHtml, renderMarkdown } from './model-card.js';
import { modelCardUris } from './model-card-link.js';

export interface ModelCardUris {
  readonly markdownUri: string;
  readonly htmlUri: string;
}


/**
 * The PipelineJob's estimate with its tuning tasks' trials, read from their HyperparameterTuningJobs
 * (which run outside the PipelineJob); a job that cannot be read for good leaves its trials unpriced
 * (named in `unpriced`), a transient failure throws for the redelivery.
 */
export async function estimateRunCost(ctx: ControlPlaneContext, job: IPipelineJob): Promise<CostEstimate> {
  const trials = new Map<string, TrialTimes[]>();
  for (const { task, tuningJob } of tuningTasks(job)) {
    if (tuningJob === undefined) continue;
    try {
      const [read] = await (await ctx.clients.jobs()).getHyperparameterTuningJob({ name: tuningJob });
      trials.set(task, (read.trials ?? []).map((t) => ({ id: String(t.id ?? ''), startTime: t.startTime, endTime: t.endTime })));
    } catch (err) {
      if (isTransient(err)) throw err;
    }
  }
  return estimatePipelineJobCost(job, trials);
}

/** The run's estimate: the stored one, else one made now from the PipelineJob (the caller stores it). */
export async function runCostEstimate(ctx: ControlPlaneContext, run: TrainingRunRecord, job: IPipelineJob): Promise<CostEstimate> {
  return run.costEstimate ?? estimateRunCost(ctx, job);
}

export interface CardContext {
  readonly spec: ResolvedModelSpec;
  readonly run: TrainingRunRecord;
  readonly decision: DecisionRecord;
  readonly artifactUri: string;
  readonly modelType: string;
  readonly alias: 'champion' | 'challenger';
}

/** The tuning run's results for its trials' cost; one that cannot be read for good only leaves that line out of the card. */
async function tuningResult(ctx: ControlPlaneContext, uri: string): Promise<TuningResult | undefined> {
  try {
    return await readOutputJson(ctx, uri, TuningResult, { article: 'a', noun: 'tuning result' });
  } catch (err) {
    if (isTransient(err)) throw err;
    return undefined;
  }
}

/**
 * Writes the card (Markdown and HTML) beside the artifacts, before the version is registered: a
 * crash after it leaves a card the redelivery overwrites with the same bytes.
 */
export async function writeModelCard(ctx: ControlPlaneContext, card: CardContext): Promise<ModelCardUris> {
  const tuningRun = card.run.tuningRun !== undefined ? (await new TuningRuns(ctx.state).get(card.run.tuningRun))?.value : undefined;
  const result = tuningRun?.results ? await tuningResult(ctx, tuningRun.results.uri) : undefined;
  const input = {
    ...card,
    ...(card.run.costEstimate ? { costEstimate: card.run.costEstimate } : {}),
    ...(tuningRun ? { tuningRun } : {}),
    ...(result ? { tuningCost: estimateTrialsCost(result.trials) } : {}),
  };
  const uris = modelCardUris(card.artifactUri);
  const storage = await ctx.clients.storage();
  const save = async (uri: string, text: string, contentType: string) => {
    const location = parseGcsUri(uri);
    if (!location?.object) throw new Error(`the model card's place ${uri} is not a gs:// object`);
    await storage.bucket(location.bucket).file(location.object).save(text, { contentType, resumable: false });
  };
  await Promise.all([save(uris.markdownUri, renderMarkdown(input), 'text/markdown; charset=utf-8'), save(uris.htmlUri, renderHtml(input), 'text/html; charset=utf-8')]);
  return uris;
}

/** The card's URIs, or why it could not be written for good. */
export type ModelCardOutcome = { readonly card: ModelCardUris; readonly error?: undefined } | { readonly card?: undefined; readonly error: string };

/**
 * The card, when it can be written: a card that cannot be written for good (a 403, a bad place) must
 * never cost the approved version its registration, so the version registers without it (no label,
 * no link) and the audit trail says why. A transient failure throws: the redelivery writes it.
 */
export async function writeModelCardIfPossible(ctx: ControlPlaneContext, card: CardContext): Promise<ModelCardOutcome> {
  try {
    return { card: await writeModelCard(ctx, card) };
  } catch (err) {
    if (isTransient(err)) throw err;
    const error = (err instanceof Error ? err.message : String(err)).slice(0, 2000);
    log('WARNING', 'model card not written; the version registers without it', { trainingRun: card.run.id, artifactUri: card.artifactUri, error });
    return { error };
  }
}

/** The submission's row: the run was accepted and its PipelineJob created, with what triggered it. */
export function submissionDecision(run: TrainingRunRecord, pipelineJob: string): AuditedDecision {
  return {
    id: `submitted-${run.id}`,
    // When the request was accepted: the same on every delivery.
    at: run.createTime,
    model: run.model,
    subject: run.id,
    area: 'retraining',
    kind: 'TRAINING_RUN_SUBMITTED',
    actor: run.requestedBy ?? run.trigger,
    reason: run.reason,
    details: {
      trainingRun: run.name,
      trigger: run.trigger,
      pipelineJob,
      ...(run.snapshot ? { snapshot: { uri: run.snapshot.uri, rowCount: run.snapshot.rowCount } } : {}),
      ...(run.champion ? { champion: run.champion } : {}),
      ...(run.parameterOverrides ? { parameterOverrides: run.parameterOverrides } : {}),
      ...(run.sourceParameters ? { sourceParameters: run.sourceParameters } : {}),
      ...(run.driftedFeatures ? { driftedFeatures: run.driftedFeatures } : {}),
      ...(run.tuningRun ? { tuningRun: run.tuningRun } : {}),
      ...(run.evaluatedVersion ? { evaluatedVersion: run.evaluatedVersion } : {}),
    },
  };
}

export async function auditSubmission(ctx: ControlPlaneContext, run: TrainingRunRecord, pipelineJob: string): Promise<void> {
  await appendDecisions(ctx, [submissionDecision(run, pipelineJob)]);
}

export interface CompletionAudit {
  readonly run: TrainingRunRecord;
  readonly decision: DecisionRecord;
  readonly modelVersion?: string;
  readonly costEstimate?: CostEstimate;
  readonly modelCard?: ModelCardUris;
  /** Why the approved version's card could not be written (it registered without one). */
  readonly modelCardError?: string;
  /** The first champion's deployment (its operation left out: a redelivery does not start one). */
  readonly deployment?: { readonly endpoint: string; readonly deployedModelId?: string; readonly skipped?: string };
  /** The challenger's rollout (its own decisions are audited by the rollout), or why none started. */
  readonly rollout?: { readonly id?: string; readonly skipped?: string };
}

/** The completion's rows: the champion/challenger decision (gate, comparison, metrics, cost) and the registration. */
export function completionDecisions({ run, decision, modelVersion, costEstimate, modelCard, modelCardError, deployment, rollout }: CompletionAudit): AuditedDecision[] {
  const rows: AuditedDecision[] = [{
    id: `decision-${decision.id}`,
    at: decision.createTime,
    model: decision.model,
    ...(modelVersion ? { version: modelVersion } : {}),
    subject: run.id,
    area: 'retraining',
    kind: decision.outcome,
    actor: 'onPipelineRunEvent',
    reason: [...decision.reasons, ...(costEstimate ? [`cost ${describeCost(costEstimate)}`] : [])].join('; '),
    details: {
      decision: decision.name,
      trainingRun: decision.trainingRun,
      pipelineJob: decision.pipelineJob,
      kind: decision.kind,
      trigger: run.trigger,
      ...(decision.gate ? { gate: decision.gate } : {}),
      ...(decision.comparison ? { comparison: decision.comparison } : {}),
      metrics: decision.metrics,
      ...(decision.champion ? { champion: decision.champion } : {}),
      ...(decision.evaluatedVersion ? { evaluatedVersion: decision.evaluatedVersion } : {}),
      ...(decision.failure ? { failure: decision.failure } : {}),
      ...(costEstimate ? { costEstimate } : {}),
    },
  }];
  if (modelVersion) {
    rows.push({
      id: `registered-${run.id}`,
      at: decision.createTime,
      model: decision.model,
      version: modelVersion,
      subject: run.id,
      area: 'retraining',
      kind: 'VERSION_REGISTERED',
      actor: 'onPipelineRunEvent',
      reason: `${modelVersion} registered as ${decision.outcome === 'REGISTER_AS_CHAMPION' ? 'champion' : 'challenger'} from training run ${run.id}`,
      details: { trainingRun: run.name, pipelineJob: decision.pipelineJob, alias: decision.outcome === 'REGISTER_AS_CHAMPION' ? 'champion' : 'challenger', ...(modelCard ? { modelCard } : {}) },
    });
  }
  const common = { at: decision.createTime, model: decision.model, ...(modelVersion ? { version: modelVersion } : {}), subject: run.id, area: 'retraining' as const, actor: 'onPipelineRunEvent' };
  if (modelCardError !== undefined) {
    rows.push({ ...common, id: `model-card-${run.id}`, kind: 'MODEL_CARD_NOT_WRITTEN', reason: `the model card could not be written; ${modelVersion ?? 'the version'} registered without it: ${modelCardError}`, details: { trainingRun: run.name, error: modelCardError } });
  }
  if (deployment) {
    rows.push(deployment.skipped === undefined
      ? { ...common, id: `deployed-${run.id}`, kind: 'FIRST_CHAMPION_DEPLOYED', reason: `the first champion ${modelVersion ?? ''} deployed to ${deployment.endpoint} at 100%: nothing to compare it with online`, details: { endpoint: deployment.endpoint, ...(deployment.deployedModelId ? { deployedModelId: deployment.deployedModelId } : {}) } }
      : { ...common, id: `deployed-${run.id}`, kind: 'FIRST_CHAMPION_NOT_DEPLOYED', reason: deployment.skipped, details: { endpoint: deployment.endpoint } });
  }
  if (rollout?.skipped !== undefined) rows.push({ ...common, id: `rollout-${run.id}`, kind: 'ROLLOUT_NOT_STARTED', reason: rollout.skipped, details: {} });
  return rows;
}

export async function auditCompletion(ctx: ControlPlaneContext, audit: CompletionAudit): Promise<void> {
  await appendDecisions(ctx, completionDecisions(audit));
}
