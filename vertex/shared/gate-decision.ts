// Reads the training pipeline's verdict on its candidate from a finished PipelineJob: approved or
// rejected, and why, from the run's output parameters (no artifact files to open).
import { z } from 'zod';
import { pipelineJobOutputs } from './pipeline-outputs.js';
import type { IPipelineJob } from './proto-types.js';

export interface GateDecision {
  readonly decision: 'approved' | 'rejected';
  /** One line from the gate, e.g. `rejected: r2: 0.41 is below the minimum 0.6`. */
  readonly reason: string;
}

/** The outputs `trainingPipeline` and `trainingPipelineWithTuning` declare. */
const TrainingOutputs = z.object({ approved: z.boolean(), gate_reason: z.string() });

/**
 * The gate's decision; undefined while the run has not succeeded (a failed run never reached a
 * decision: its `error` says why). Throws if a succeeded run lacks the outputs: not a training pipeline.
 */
export function readGateDecision(job: IPipelineJob): GateDecision | undefined {
  if (String(job.state) !== 'PIPELINE_STATE_SUCCEEDED') return undefined;
  const parsed = TrainingOutputs.safeParse(pipelineJobOutputs(job));
  if (!parsed.success) {
    throw new Error(`PipelineJob ${job.name ?? '(unnamed)'} has no gate decision among its outputs: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  return { decision: parsed.data.approved ? 'approved' : 'rejected', reason: parsed.data.gate_reason };
}
