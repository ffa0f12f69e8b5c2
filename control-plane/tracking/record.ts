// The call lines the handlers make to record their work in Vertex ML Metadata. Each runs before its
// handler marks the work done, so a crash or a transient metadata failure is recorded by the
// redelivery; a permanent one is logged and never changes the run's outcome (store.ts). The
// recording modules are imported on first use: a function that records nothing loads none of them.
import type { ResolvedModelSpec } from '../config/load-model-specs.js';
import type { DecisionRecord } from '../evaluation/decision.js';
import type { FirstDeployment } from '../registry/first-deployment.js';
import type { RolloutRecord } from '../rollouts/rollout-record.js';
import type { ControlPlaneContext } from '../runtime/context.js';
import type { TrainingRunRecord } from '../state/training-runs.js';
import type { TuningRunRecord } from '../state/tuning-runs.js';
import type { TuningResult } from '../tuning/tuning-result.js';
import { recordSafely } from './store.js';

/** What the control plane reads of a PipelineJob: its pipeline run context, once Vertex made it. */
export interface PipelineJobView {
  readonly jobDetail?: { readonly pipelineRunContext?: { readonly name?: string | null } | null } | null;
}

const runContextOf = (job: PipelineJobView | undefined) => job?.jobDetail?.pipelineRunContext?.name ?? undefined;

/** submitTrainingRun, once its PipelineJob exists: the run's experiment run, RUNNING, with its params and snapshot. */
export async function trackTrainingSubmitted(ctx: ControlPlaneContext, spec: ResolvedModelSpec, run: TrainingRunRecord, pipelineJob: string): Promise<void> {
  await recordSafely(`experiment run of training run ${run.id}`, async () => {
    const { recordTrainingRun } = await import('./experiments.js');
    await recordTrainingRun(ctx, { spec, run, pipelineJob, state: 'RUNNING' });
  });
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
  await recordSafely(`experiment run of training run ${t.run.id}`, async () => {
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
  await recordSafely(`registration of ${version}`, async () => {
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
    await recordSafely(`deployment of ${version}`, async () => {
      const { recordFirstDeployment } = await import('./lineage.js');
      await recordFirstDeployment(ctx, t.spec, t.run.id, version, deployment);
    });
  }
}

/** The tuning completion, before the run is marked done: every finished trial as an experiment run. */
export async function trackTuningTrials(ctx: ControlPlaneContext, spec: ResolvedModelSpec, run: TuningRunRecord, result: TuningResult, job?: PipelineJobView): Promise<void> {
  await recordSafely(`trials of tuning run ${run.id}`, async () => {
    const { recordTuningTrials } = await import('./experiments.js');
    await recordTuningTrials(ctx, spec, run, result, runContextOf(job));
  });
}

/** The reconciler, before a rollout's decisions leave its outbox: the attempt's execution and outcome. */
export async function trackRolloutDecisions(ctx: ControlPlaneContext, rollout: RolloutRecord, decisions: readonly { kind: string }[]): Promise<void> {
  const { ROLLOUT_LINEAGE_DECISIONS } = await import('./lineage.js');
  if (!decisions.some((d) => ROLLOUT_LINEAGE_DECISIONS.includes(d.kind))) return;
  await recordSafely(`rollout ${rollout.id}`, async () => {
    const { recordRollout } = await import('./lineage.js');
    await recordRollout(ctx, rollout, decisions);
  });
}
