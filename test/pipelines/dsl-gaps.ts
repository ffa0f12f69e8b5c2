// Typed work-arounds for gaps in the pipeline DSL's TypeScript types (pipelines/dsl/), kept in
// one place so they can be deleted when the DSL is fixed. Each is a pure type cast: the runtime
// values are exactly what the DSL would accept.
import type { IOSpecMap, PipelineDefinition, PipelineTask } from '../../pipelines/dsl/index.js';
import type { PipelineOutputs } from '../../pipelines/dsl/pipeline-definition.js';

/**
 * DSL gap: `PipelineDefinition.body` is a function-typed property, so under strictFunctionTypes a
 * definition with declared inputs (`PipelineDefinition<{ msg: ParameterSpec }, R>`) is not
 * assignable to `PipelineDefinition` (= `<IOSpecMap, PipelineOutputs>`), which is what
 * `PipelineBuilder.task()` (via `AnyComponent`) and `compilePipeline()` take. Declaring `body`
 * with method syntax, or making those signatures generic in `I`, would remove the need for this.
 */
export function withErasedInputs<I extends IOSpecMap, R extends PipelineOutputs>(
  definition: PipelineDefinition<I, R>,
): PipelineDefinition<IOSpecMap, R> {
  return definition as unknown as PipelineDefinition<IOSpecMap, R>;
}

/**
 * DSL gap: `PipelineBuilder.exitHandler(exitTask: PipelineTask<unknown>, ...)` accepts no task that
 * `p.task()` returns (`PipelineTask<TaskOutputs<...>>` is not assignable to `PipelineTask<unknown>`
 * because `Outputs` is used in `output: Outputs[keyof Outputs]`). Making `exitHandler` generic
 * (`<O>(exitTask: PipelineTask<O>, ...)`) would remove the need for this.
 */
export function asExitTask<O>(task: PipelineTask<O>): PipelineTask<unknown> {
  return task as unknown as PipelineTask<unknown>;
}
