// What a training PipelineJob produced, read from its tasks' details (vertex/shared/pipeline-outputs).
// The completion event arrives from the pipeline's exit handler while the job is still finishing,
// so the tasks that produced the results are read, whatever the job's own state says yet.
import { pipelineTaskOutputs } from '../../vertex/shared/pipeline-outputs.js';
import type { IPipelineJob } from '../../vertex/shared/proto-types.js';
import type { JsonValue } from '../../vertex/shared/struct.js';

/** The task's output parameters by name; empty when the task did not run. */
export function taskOutputParameters(job: IPipelineJob, taskName: string): Readonly<Record<string, JsonValue>> {
  return pipelineTaskOutputs(job, taskName)?.parameters ?? {};
}

/** The URI of a task's output artifact, if it produced one. */
export function taskOutputArtifactUri(job: IPipelineJob, taskName: string, output: string): string | undefined {
  return pipelineTaskOutputs(job, taskName)?.artifactUris[output]?.[0];
}

const isChild = (parent: number | string | { toString(): string } | null | undefined) => parent !== undefined && parent !== null && parent.toString() !== '0';

/** The failed task deepest in the DAG (a failed group's message only repeats its child's), with its error. */
export function failedTask(job: IPipelineJob): { task: string; message: string } | undefined {
  const failed = (job.jobDetail?.taskDetails ?? []).filter((t) => String(t.state) === 'FAILED' && isChild(t.parentTaskId));
  const parents = new Set(failed.map((t) => String(t.parentTaskId)));
  const leaf = failed.find((t) => !parents.has(String(t.taskId))) ?? failed[0];
  if (!leaf) return undefined;
  return { task: leaf.taskName ?? String(leaf.taskId), message: leaf.error?.message ?? 'failed without a message' };
}
