// Reads the training pipeline's verdict on its candidate from a finished PipelineJob: the gate's
// decision and the champion/challenger comparison, from the task details of the tasks that made
// them (the pipeline's body runs inside an exit handler, so it has no outputs of its own), and
// where its evaluation and serving artifacts are. No artifact files to open.
import { z } from 'zod';
import { TRAINING_PIPELINE_TASKS } from '../../pipelines/definitions/training-tasks.js';
import type { TaskOutputs } from './pipeline-outputs.js';
import { pipelineTaskOutputs } from './pipeline-outputs.js';
import type { IPipelineJob } from './proto-types.js';

export interface GateDecision {
  readonly decision: 'approved' | 'rejected';
  /** One line from the gate, e.g. `rejected: r2: 0.41 is below the minimum 0.6`. */
  readonly reason: string;
}

export type ComparisonVerdict = 'better' | 'not_better' | 'no_champion' | 'champion_unusable';

/** The paired comparison of the challenger with the champion on the same test rows (compare_champion). */
export interface ChampionComparison {
  readonly metric: string;
  /** Which way the metric improves. */
  readonly direction: 'lower' | 'higher';
  /** The metric on the test rows; null where undefined (or, for the champion, not measured). */
  readonly challenger: number | null;
  readonly champion: number | null;
  /** challenger − champion. */
  readonly difference: number | null;
  /** The bootstrap confidence interval of the difference at `confidence`. */
  readonly ciLow: number | null;
  readonly ciHigh: number | null;
  readonly confidence: number;
  readonly nRows: number;
  readonly bootstrapSamples: number;
  readonly minImprovement: number;
  /** The champion's serving directory as the run was given it ('' when there was none). */
  readonly championModelUri: string;
  readonly verdict: ComparisonVerdict;
  /** One line: the numbers and why the verdict, e.g. why the champion was unusable. */
  readonly reason: string;
}

export interface TrainingArtifacts {
  /** The evaluation JSON (metrics, and `vertex_model_evaluation` ready for ImportModelEvaluation). */
  readonly evaluationUri: string;
  /** The serving directory (the Model's artifactUri); absent when the gate rejected the candidate. */
  readonly servingModelUri?: string;
}

const GateOutputs = z.object({ approved: z.boolean(), reason: z.string() });

const finite = z.number().nullable();
const ComparisonOutput = z
  .object({
    metric: z.string(),
    direction: z.enum(['lower', 'higher']),
    challenger: finite,
    champion: finite,
    difference: finite,
    ci_low: finite,
    ci_high: finite,
    confidence: z.number(),
    n_rows: z.number().int(),
    bootstrap_samples: z.number().int(),
    min_improvement: z.number(),
    champion_model_uri: z.string(),
    verdict: z.enum(['better', 'not_better', 'no_champion', 'champion_unusable']),
    reason: z.string(),
  })
  .transform((c): ChampionComparison => ({
    metric: c.metric,
    direction: c.direction,
    challenger: c.challenger,
    champion: c.champion,
    difference: c.difference,
    ciLow: c.ci_low,
    ciHigh: c.ci_high,
    confidence: c.confidence,
    nRows: c.n_rows,
    bootstrapSamples: c.bootstrap_samples,
    minImprovement: c.min_improvement,
    championModelUri: c.champion_model_uri,
    verdict: c.verdict,
    reason: c.reason,
  }));

const succeeded = (job: IPipelineJob): boolean => String(job.state) === 'PIPELINE_STATE_SUCCEEDED';

/** A succeeded training run's task outputs; throws when the task is missing: not a training pipeline. */
function requiredTask(job: IPipelineJob, taskName: string): TaskOutputs {
  const outputs = pipelineTaskOutputs(job, taskName);
  if (!outputs) throw new Error(`PipelineJob ${job.name ?? '(unnamed)'} has no task '${taskName}': not a training pipeline run`);
  return outputs;
}

function parsed<T>(schema: z.ZodType<T>, value: unknown, job: IPipelineJob, what: string): T {
  const result = schema.safeParse(value);
  if (!result.success) {
    throw new Error(`PipelineJob ${job.name ?? '(unnamed)'}: ${what}: ${result.error.issues.map((i) => `${i.path.join('.') || '(value)'}: ${i.message}`).join('; ')}`);
  }
  return result.data;
}

/**
 * The gate's decision (task `gate-model`, `output:approved` and `output:reason`); undefined while
 * the run has not succeeded (a failed run never reached a decision: its `error` says why).
 */
export function readGateDecision(job: IPipelineJob): GateDecision | undefined {
  if (!succeeded(job)) return undefined;
  const gate = parsed(GateOutputs, requiredTask(job, TRAINING_PIPELINE_TASKS.gate).parameters, job, `task '${TRAINING_PIPELINE_TASKS.gate}' outputs`);
  return { decision: gate.approved ? 'approved' : 'rejected', reason: gate.reason };
}

/** The champion comparison (task `compare-with-champion`, `output:comparison`); undefined while the run has not succeeded. */
export function readChampionComparison(job: IPipelineJob): ChampionComparison | undefined {
  if (!succeeded(job)) return undefined;
  const task = requiredTask(job, TRAINING_PIPELINE_TASKS.comparison);
  return parsed(ComparisonOutput, task.parameters.comparison, job, `task '${TRAINING_PIPELINE_TASKS.comparison}' output 'comparison'`);
}

/** Where the evaluation and (when approved) the serving model are; undefined while the run has not succeeded. */
export function readTrainingArtifacts(job: IPipelineJob): TrainingArtifacts | undefined {
  if (!succeeded(job)) return undefined;
  const evaluationUri = requiredTask(job, TRAINING_PIPELINE_TASKS.evaluation).artifactUris.evaluation?.[0];
  if (!evaluationUri) throw new Error(`PipelineJob ${job.name ?? '(unnamed)'}: task '${TRAINING_PIPELINE_TASKS.evaluation}' has no 'evaluation' artifact`);
  const servingModelUri = pipelineTaskOutputs(job, TRAINING_PIPELINE_TASKS.export)?.artifactUris.serving_model?.[0];
  return { evaluationUri, ...(servingModelUri ? { servingModelUri } : {}) };
}
