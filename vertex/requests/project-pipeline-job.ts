// The CreatePipelineJobRequest for one of the project's pipelines: its compiled IR plus the closed
// sets its parameters declare, so a typo in model_type or a threshold is refused at submission
// (naming the parameter, suggesting the closest value) instead of failing deep inside a task.
import { compilePipeline } from '../../pipelines/compiler/index.js';
import type { PipelineDefinition } from '../../pipelines/dsl/pipeline-definition.js';
import { isParameterSpec } from '../../pipelines/dsl/types.js';
import type { ParameterChoices, PipelineJobInput } from './pipeline-job.js';
import { withCaching } from './pipeline-caching.js';
import { buildCreatePipelineJobRequest } from './pipeline-job.js';
import type { ICreatePipelineJobRequest } from '../shared/proto-types.js';

/** Each input parameter's closed set, by parameter name (KFP's IR cannot carry them). */
export function parameterChoices(definition: PipelineDefinition): Record<string, ParameterChoices> {
  const choices: Record<string, ParameterChoices> = {};
  for (const [name, spec] of Object.entries(definition.inputs)) {
    if (isParameterSpec(spec) && spec.closedSet) choices[name] = spec.closedSet;
  }
  return choices;
}

export type ProjectPipelineJobInput = Omit<PipelineJobInput, 'pipelineSpec' | 'parameterChoices'> & {
  /** Sets every task's caching (as the Python SDK's `enable_caching`); absent: as compiled. */
  readonly enableCaching?: boolean;
};

/** Compiles `definition` and builds the request, checking parameter values against its closed sets. */
export function projectPipelineJobRequest(definition: PipelineDefinition, input: ProjectPipelineJobInput): ICreatePipelineJobRequest {
  const { enableCaching, ...rest } = input;
  const compiled = compilePipeline(definition);
  const pipelineSpec = enableCaching === undefined ? compiled : withCaching(compiled, enableCaching);
  return buildCreatePipelineJobRequest({ ...rest, pipelineSpec, parameterChoices: parameterChoices(definition) });
}
