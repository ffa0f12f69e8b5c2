// The call lines the handlers make to record their work in Vertex ML Metadata. The completions run
// before their handler marks the work done, so a crash or a transient metadata failure is recorded
// by the redelivery, but only for a while: once the pipeline ended longer ago than the retry budget,
// a metadata outage is logged and the completion goes on (the run's outcome must never wait for its
// record, nor be dead-lettered for it). A permanent failure is logged at once (store.ts). The
// submission records best-effort: its PipelineJob exists, and the completion rebuilds the whole run.
// The recording modules are imported on first use: a function that records nothing loads none of them.
import { log } from '../../logging/log.js';
import type { ResolvedModelSpec } from '../config/load-model-specs.js';
import type { DecisionRecord } from '../evaluation/decision.js';
import type { FirstDeployment } from '../registry/first-deployment.js';
import type { RolloutRecord } from '../rollouts/rollout-record.js';
import type { RolloutLineageDecision } from './lineage.js';
import type { ControlPlaneContext } from '../runtime/context.js';
import type { TrainingRunRecord } from '../state/training-runs.js';
import type { TuningRunRecord } from '../state/tuning-runs.js';
import type { TuningResult } from '../tuning/tuning-result.js';
import { ROLLOUT_LINEAGE_DECISIONS } from './conventions.js';
import { recordSafely } from './store.js';

type Timestamp = string | { readonly seconds?: number | string | { toString(): string } | null; readonly nanos?: number | null } | null | undefined;

/** What the control plane reads of a PipelineJob: its pipeline run context, once Vertex made it, and its end. */
export interface PipelineJobView {
  readonly jobDetail?: { readonly pipelineRunContext?: { readonly name?: string | null } | null } | null;
  readonly endTime?: Timestamp;
}

const runContextOf = (job: PipelineJobView | undefined) => job?.jobDetail?.pipelineRunContext?.name ?? undefined;

/**
 * How long after the pipeline's end a completion still fails for a metadata outage. The
 * pipeline-run-events subscription backs off 10, 20, 40, 80, 160, 320 s over its 7 attempts: after
 * 5 minutes, the last attempts complete the run without its record instead of dead-lettering it.
 */
export const METADATA_RETRY_BUDGET_MS = 5 * 60_000;

function millis(t: Timestamp): number | undefined {
  if (t === null || t === undefined) return undefined;
  if (typeof t === 'string') return Number.isNaN(Date.parse(t)) ? undefined : Date.parse(t);
  if (t.seconds === null || t.seconds === undefined) return undefined;
  return Number(t.seconds.toString()) * 1000 + Math.floor((t.nanos ?? 0) / 1e6);
}

/** recordSafely, whose transient failures are rethrown only within the budget after the job's end. */
async function recordWithinBudget(ctx: ControlPlaneContext, job: PipelineJobView | undefined, what: string, record: () => Promise<void>): Promise<void> {
  try {
    await recordSafely(what, record);
  } catch (err) {
    const ended = millis(job?.endTime);
    // Without the job's end there is no telling how long this has been retried: the redelivery decides.
    if (ended === undefined || ctx.now().getTime() - ended < METADATA_RETRY_BUDGET_MS) throw err;
    log('WARNING', `ML Metadata: ${what} not recorded; the pipeline ended over ${METADATA_RETRY_BUDGET_MS / 60_000} minutes ago, the completion goes on without it`, {
      error: String((err as Error)?.message ?? err).slice(0, 2000),
    });
  }
}

/**
 * submitTrainingRun, once its PipelineJob exists: the run's experiment run, RUNNING, with its params
 * and snapshot. Best-effort: a failure here must not fail (and, in a long outage, dead-letter) a
 * submission whose job already runs; the completion records the whole run.
 */
export async function trackTrainingSubmitted(ctx: ControlPlaneContext, spec: ResolvedModelSpec, run: TrainingRunRecord, pipelineJob: string): Promise<void> {
  try {
    await recordSafely(`experiment run of training run ${run.id}`, async () => {
      const { recordTrainingRun } = await import('./experiments.js');
      await recordTrainingRun(ctx, { spec, run, pipelineJob, state: 'RUNNING' });
    });
  } catch (err) {
    log('WARNING', `ML Metadata: experiment run of training run ${run.id} not recorded at submission; its completion records it`, { error: String((err as Error)?.message ?? err).slice(0, 2000) });
  }
}

export interface TrainingCompletionTracking {
  readonly spec: ResolvedModelSpec;
  readonly run: TrainingRunRecord;
  readonly pipelineJob: string;
  readonly job?: PipelineJobView;
  readonly decision: DecisionRecord;
  readonly modelVersion?: string;
  /** The pipeline's exported model (registered runs). */
  readonly artifactUri?: string;
  readonly deployment?: FirstDeployment;
}

/** onPipelineRunEvent, before the run is marked done: the experiment run's end, the registration and first deployment. */
export async function trackTrainingCompleted(ctx: ControlPlaneContext, t: TrainingCompletionTracking): Promise<void> {
  const pipelineRunContext = runContextOf(t.job);
  await recordWithinBudget(ctx, t.job, `experiment run of training run ${t.run.id}`, async () => {
    const { recordTrainingRun } = await import('./experiments.js');
    await recordTrainingRun(ctx, {
      spec: t.spec,
      run: t.run,
      pipelineJob: t.pipelineJob,
      ...(pipelineRunContext ? { pipelineRunContext } : {}),
      state: t.decision.outcome === 'FAILED' ? 'FAILED' : 'COMPLETE',
      decision: t.decision,
      ...(t.modelVersion ? { modelVersion: t.modelVersion } : {}),
    });
  });
  if (t.modelVersion === undefined) return;
  const version = t.modelVersion;
  await recordWithinBudget(ctx, t.job, `registration of ${version}`, async () => {
    const { recordRegistration } = await import('./lineage.js');
    await recordRegistration(ctx, {
      spec: t.spec,
      run: t.run,
      pipelineJob: t.pipelineJob,
      artifactUri: t.artifactUri ?? '',
      modelVersion: version,
      alias: t.decision.outcome === 'REGISTER_AS_CHAMPION' ? 'champion' : 'challenger',
      decision: t.decision.name,
    });
  });
  const deployment = t.deployment;
  if (deployment) {
    await recordWithinBudget(ctx, t.job, `deployment of ${version}`, async () => {
      const { recordFirstDeployment } = await import('./lineage.js');
      await recordFirstDeployment(ctx, t.spec, t.run.id, version, deployment);
    });
  }
}

/** The tuning completion, before the run is marked done: every finished trial as an experiment run. */
export async function trackTuningTrials(ctx: ControlPlaneContext, spec: ResolvedModelSpec, run: TuningRunRecord, result: TuningResult, job?: PipelineJobView): Promise<void> {
  await recordWithinBudget(ctx, job, `trials of tuning run ${run.id}`, async () => {
    const { recordTuningTrials } = await import('./experiments.js');
    await recordTuningTrials(ctx, spec, run, result, runContextOf(job));
  });
}

/** The reconciler, before a rollout's decisions leave its outbox: the attempt's execution and outcome. */
export async function trackRolloutDecisions(ctx: ControlPlaneContext, rollout: RolloutRecord, decisions: readonly RolloutLineageDecision[]): Promise<void> {
  // Checked before importing: most flushes (weights, analyses) change no execution.
  if (!decisions.some((d) => ROLLOUT_LINEAGE_DECISIONS.includes(d.kind))) return;
  await recordSafely(`rollout ${rollout.id}`, async () => {
    const { recordRollout } = await import('./lineage.js');
    await recordRollout(ctx, rollout, decisions);
  });
}
