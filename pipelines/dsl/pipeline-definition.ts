// A pipeline definition: its interface plus a body that records tasks and groups when compiled.
// A definition is also a component: other pipelines can use it as a task (pipeline-in-pipeline).
import type { ArtifactChannel, ParameterChannel, PipelineChannel } from './channels.js';
import type { PipelineBuilder } from './builder.js';
import type { IOSpecMap } from './types.js';

export type InputChannels<I extends IOSpecMap> = {
  readonly [K in keyof I]: I[K] extends { kind: 'artifact' } ? ArtifactChannel : ParameterChannel;
};

export type PipelineOutputs = Record<string, PipelineChannel>;

export interface PipelineDefinition<I extends IOSpecMap = IOSpecMap, R extends PipelineOutputs = PipelineOutputs> {
  readonly kind: 'pipeline';
  /** `pipelineInfo.name`: must match `^[a-z0-9][a-z0-9-]{0,127}$`. */
  readonly name: string;
  readonly displayName?: string;
  readonly description?: string;
  readonly inputs: I;
  /** Default pipeline root written into the spec (`defaultPipelineRoot`). */
  readonly pipelineRoot?: string;
  /** Method syntax on purpose: a definition with specific inputs is usable where any definition is. */
  body(p: PipelineBuilder, inputs: InputChannels<I>): R | void;
}

export interface PipelineOptions<I extends IOSpecMap> {
  name: string;
  displayName?: string;
  description?: string;
  inputs?: I;
  pipelineRoot?: string;
}

export function definePipeline<I extends IOSpecMap = Record<never, never>, R extends PipelineOutputs = Record<never, never>>(
  options: PipelineOptions<I>,
  body: (p: PipelineBuilder, inputs: InputChannels<I>) => R | void,
): PipelineDefinition<I, R> {
  return {
    kind: 'pipeline',
    name: options.name,
    inputs: (options.inputs ?? {}) as I,
    body,
    ...(options.displayName !== undefined ? { displayName: options.displayName } : {}),
    ...(options.description !== undefined ? { description: options.description } : {}),
    ...(options.pipelineRoot !== undefined ? { pipelineRoot: options.pipelineRoot } : {}),
  };
}
