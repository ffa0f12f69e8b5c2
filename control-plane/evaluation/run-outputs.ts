// What a training PipelineJob produced, read from its tasks' details (vertex/shared/pipeline-outputs).
// The completion event arrives from the pipeline's exit handler while the job is still finishing,
// so the tasks that produced the results are read, whatever the job's own state says yet.
import type { z } from 'zod';
import { pipelineTaskOutputs } from '../../vertex/shared/pipeline-outputs.js';
import type { IPipelineJob } from '../../vertex/shared/proto-types.js';
import { parseGcsUri } from '../../vertex/shared/storage-uris.js';
import type { JsonValue } from '../../vertex/shared/struct.js';
import type { ControlPlaneContext } from '../runtime/context.js';

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

/**
 * A task's JSON output artifact read and checked with `schema`; undefined when the task wrote none.
 * A file that is not that JSON fails, naming the URI and what it should be (`what`: `{ article, noun }`).
 */
export async function readOutputJson<S extends z.ZodType>(ctx: ControlPlaneContext, uri: string | undefined, schema: S, what: { article: 'a' | 'an'; noun: string }): Promise<z.output<S> | undefined> {
  const location = uri ? parseGcsUri(uri) : undefined;
  if (!location?.object) return undefined;
  const { downloadObject } = await import('../../google-clients/download-object.js');
  const bytes = await downloadObject(location.bucket, location.object, { ce: ctx.ce, storage: await ctx.clients.mediaStorage() });
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new Error(`${uri}: the ${what.noun} is not JSON`);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw new Error(`${uri}: not ${what.article} ${what.noun}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return parsed.data;
}
