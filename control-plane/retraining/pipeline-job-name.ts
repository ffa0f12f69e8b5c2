// Whether two PipelineJob resource names are one job. The control plane builds names with the
// project ID, while Vertex (and so the pipeline's exit handler, reading its own job's name) may use
// the project NUMBER: the location and the job id decide, as one project's ids are unique per location.
const PIPELINE_JOB = /^projects\/[^/]+\/locations\/([^/]+)\/pipelineJobs\/([^/]+)$/;

/** `{location}/{id}` of a PipelineJob name, or undefined when it is not one. */
function pipelineJobKey(name: string): string | undefined {
  const match = PIPELINE_JOB.exec(name);
  return match ? `${match[1]}/${match[2]}` : undefined;
}

/** True when both name the same PipelineJob, whether with the project ID or number. */
export function samePipelineJob(a: string | undefined, b: string | undefined): boolean {
  if (a === undefined || b === undefined) return false;
  if (a === b) return true;
  const keyA = pipelineJobKey(a);
  return keyA !== undefined && keyA === pipelineJobKey(b);
}
