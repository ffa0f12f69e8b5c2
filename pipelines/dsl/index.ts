// The pipeline DSL: define components and pipelines in TypeScript, compile them to KFP v2 IR.
export { artifact, param } from './types.js';
export type { ArtifactSpec, ClosedSet, IOSpec, IOSpecMap, JsonValue, ParameterSpec, ParameterType } from './types.js';
export { concat, ifPresent, system } from './placeholders.js';
export type { CommandItem } from './placeholders.js';
export { containerComponent } from './component.js';
export type { ContainerComponent } from './component.js';
export { definePipeline } from './pipeline-definition.js';
export type { PipelineDefinition } from './pipeline-definition.js';
export { collected, PipelineBuilder } from './builder.js';
export { eq, ge, gt, le, lt, ne } from './groups.js';
export type { PipelineTask, RetryPolicy } from './task.js';
export type { ArtifactChannel, LoopArgument, ParameterChannel, PipelineChannel } from './channels.js';
