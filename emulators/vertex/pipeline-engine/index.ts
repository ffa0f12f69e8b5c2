// The local Vertex AI Pipelines engine: runs a PipelineJob's KFP IR with local containers.
export { runPipelineJob } from './run-pipeline-job.js';
export { validatePipelineJob } from './validate.js';
export type { ValidatedJob } from './validate.js';
export { InvalidPipelineJobError } from './errors.js';
export type * from './types.js';
