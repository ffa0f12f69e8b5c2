// What a training PipelineJob produced, read from its task details: each task's output parameters
// (`execution.metadata["output:<name>"]`, as Vertex records them) and output artifact URIs. The
// completion event arrives from the pipeline's exit handler while the job is still finishing, so
// the tasks' own details are read, not the root's outputs (written only when the DAG completes).
import type { IPipelineJob, IPipelineTaskDetail } from '../../vertex/shared/proto-types.js';
import type { JsonValue } from '../../vertex/shared/struct.js';
import { fromStruct } from '../../vertex/shared/struct.js';

const OUTPUT_PREFIX = 'output:';

function task(job: IPipelineJob, taskName: string): IPipelineTaskDetail | undefined {
  return job.jobDetail?.taskDetails?.find((t) => t.taskName === taskName && t.parentTaskId !== undefined && t.parentTaskId !== null && String(t.parentTaskId) !== '0');
}

/** The task's output parameters by name; empty when the task did not run. */
export function taskOutputParameters(job: IPipelineJob, taskName: string): Record<string, JsonValue> {
  const outputs: Record<string, JsonValue> = {};
  for (const [key, value] of Object.entries(fromStruct(task(job, taskName)?.execution?.metadata))) {
    if (key.startsWith(OUTPUT_PREFIX)) outputs[key.slice(OUTPUT_PREFIX.length)] = value;
  }
  return outputs;
}

/** The URI of a task's output artifact, if it produced one. */
export function taskOutputArtifactUri(job: IPipelineJob, taskName: string, output: string): string | undefined {
  return task(job, taskName)?.outputs?.[output]?.artifacts?.[0]?.uri ?? undefined;
}

/** The first task that failed (not the DAGs above it), with its error. */
export function failedTask(job: IPipelineJob): { task: string; message: string } | undefined {
  const failed = (job.jobDetail?.taskDetails ?? []).filter((t) => String(t.state) === 'FAILED' && t.parentTaskId !== undefined && t.parentTaskId !== null && String(t.parentTaskId) !== '0');
  // A failed DAG's message repeats its child's: prefer a task no other failed task names as parent.
  const parents = new Set(failed.map((t) => String(t.parentTaskId)));
  const leaf = failed.find((t) => !parents.has(String(t.taskId))) ?? failed[0];
  if (!leaf) return undefined;
  return { task: leaf.taskName ?? String(leaf.taskId), message: leaf.error?.message ?? 'failed without a message' };
}
