// Compiles a pipeline definition to KFP v2 IR (PipelineSpec, schemaVersion 2.1.0) as plain JSON.
import type { PipelineDefinition } from '../dsl/pipeline-definition.js';

export type PipelineSpec = Record<string, unknown>;

export function compilePipeline(definition: PipelineDefinition): PipelineSpec {
  throw new Error(`compiler not written yet: ${definition.name}`);
}
