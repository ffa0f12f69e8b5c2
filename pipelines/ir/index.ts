// The one home of KFP's PipelineSpec: its types and zod schema, and the JSON types they are made of.
export type * from './json.js';
export type * from './pipeline-spec.js';
export { pipelineSpecSchema } from './pipeline-spec.js';
