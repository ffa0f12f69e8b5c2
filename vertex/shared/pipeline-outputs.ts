// A finished PipelineJob's results, where Vertex shows them: each task's detail carries its
// execution's parameters in `execution.metadata` (`output:<name>`, beside `input:<name>`) and its
// output artifacts in `outputs[<name>].artifacts[].uri`. A pipeline whose tasks run inside an exit
// handler cannot return outputs of its own (KFP forbids outputs from inside control-flow groups),
// so its results are read from the tasks that produced them.
import type { IPipelineJob } from './proto-types.js';
import type { JsonValue } from './struct.js';
import { fromStruct } from './struct.js';

const OUTPUT_PREFIX = 'output:';

export interface TaskOutputs {
  /** PipelineTaskDetail.State: SUCCEEDED, or SKIPPED for a cache hit (which has the cached outputs). */
  readonly state: string;
  readonly parameters: Readonly<Record<string, JsonValue>>;
  /** Output artifact URIs by output name (a list: an output may be a list of artifacts). */
  readonly artifactUris: Readonly<Record<string, readonly string[]>>;
}

/** The outputs of the task named `taskName` (its `taskName` in the job detail); undefined if it never ran. */
export function pipelineTaskOutputs(job: IPipelineJob, taskName: string): TaskOutputs | undefined {
  const task = job.jobDetail?.taskDetails?.find((t) => t.taskName === taskName);
  if (!task) return undefined;
  const parameters: Record<string, JsonValue> = {};
  for (const [key, value] of Object.entries(fromStruct(task.execution?.metadata))) {
    if (key.startsWith(OUTPUT_PREFIX)) parameters[key.slice(OUTPUT_PREFIX.length)] = value;
  }
  const artifactUris: Record<string, string[]> = {};
  for (const [key, list] of Object.entries(task.outputs ?? {})) {
    artifactUris[key] = (list.artifacts ?? []).flatMap((a) => (a.uri ? [a.uri] : []));
  }
  return { state: String(task.state ?? 'STATE_UNSPECIFIED'), parameters, artifactUris };
}
