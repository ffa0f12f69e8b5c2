// A finished PipelineJob's output parameters, where Vertex shows them: the execution metadata
// (`output:<name>`) of the root DAG's task detail, the one task without a parent.
import type { IPipelineJob } from './proto-types.js';
import type { JsonValue } from './struct.js';
import { fromStruct } from './struct.js';

const OUTPUT_PREFIX = 'output:';

/** The pipeline's output parameters by name; empty until the run has succeeded. */
export function pipelineJobOutputs(job: IPipelineJob): Record<string, JsonValue> {
  const root = job.jobDetail?.taskDetails?.find((t) => t.parentTaskId === undefined || t.parentTaskId === null || String(t.parentTaskId) === '0');
  const outputs: Record<string, JsonValue> = {};
  for (const [key, value] of Object.entries(fromStruct(root?.execution?.metadata))) {
    if (key.startsWith(OUTPUT_PREFIX)) outputs[key.slice(OUTPUT_PREFIX.length)] = value;
  }
  return outputs;
}
