// The TypeScript re-creation of every KFP golden (shared/reference/kfp-ir/), by golden name
// (the file name without `.yaml`); goldens.test.ts checks this covers every golden file.
import type { PipelineDefinition } from '../../pipelines/dsl/index.js';
import artifactsSimple from './goldens/artifacts_simple.js';
import containerComponentWithNoInputs from './goldens/container_component_with_no_inputs.js';
import containerWithIfPlaceholder from './goldens/container_with_if_placeholder.js';
import ifElifElseWithOneofParameters from './goldens/if_elif_else_with_oneof_parameters.js';
import parametersSimple from './goldens/parameters_simple.js';
import pipelineInPipeline from './goldens/pipeline_in_pipeline.js';
import pipelineWithAfter from './goldens/pipeline_with_after.js';
import pipelineWithConcatPlaceholder from './goldens/pipeline_with_concat_placeholder.js';
import pipelineWithCondition from './goldens/pipeline_with_condition.js';
import pipelineWithEnv from './goldens/pipeline_with_env.js';
import pipelineWithExitHandler from './goldens/pipeline_with_exit_handler.js';
import pipelineWithIfPlaceholder from './goldens/pipeline_with_if_placeholder.js';
import pipelineWithImporter from './goldens/pipeline_with_importer.js';
import pipelineWithLoops from './goldens/pipeline_with_loops.js';
import pipelineWithMetricsOutputs from './goldens/pipeline_with_metrics_outputs.js';
import pipelineWithNestedConditions from './goldens/pipeline_with_nested_conditions.js';
import pipelineWithNestedLoops from './goldens/pipeline_with_nested_loops.js';
import pipelineWithOutputs from './goldens/pipeline_with_outputs.js';
import pipelineWithParallelforParallelism from './goldens/pipeline_with_parallelfor_parallelism.js';
import pipelineWithPlaceholders from './goldens/pipeline_with_placeholders.js';
import pipelineWithResourceSpec from './goldens/pipeline_with_resource_spec.js';
import pipelineWithRetry from './goldens/pipeline_with_retry.js';
import pipelineWithStringMachineFieldsTaskOutput from './goldens/pipeline_with_string_machine_fields_task_output.js';
import pipelineWithTaskFinalStatusYaml from './goldens/pipeline_with_task_final_status_yaml.js';
import pipelineWithTaskUsingIgnoreUpstreamFailure from './goldens/pipeline_with_task_using_ignore_upstream_failure.js';
import pipelineWithVariousIoTypes from './goldens/pipeline_with_various_io_types.js';
import twoStepPipelineContainerized from './goldens/two_step_pipeline_containerized.js';

export const goldenDefinitions: Readonly<Record<string, PipelineDefinition>> = {
  artifacts_simple: artifactsSimple,
  container_component_with_no_inputs: containerComponentWithNoInputs,
  container_with_if_placeholder: containerWithIfPlaceholder,
  if_elif_else_with_oneof_parameters: ifElifElseWithOneofParameters,
  parameters_simple: parametersSimple,
  pipeline_in_pipeline: pipelineInPipeline,
  pipeline_with_after: pipelineWithAfter,
  pipeline_with_concat_placeholder: pipelineWithConcatPlaceholder,
  pipeline_with_condition: pipelineWithCondition,
  pipeline_with_env: pipelineWithEnv,
  pipeline_with_exit_handler: pipelineWithExitHandler,
  pipeline_with_if_placeholder: pipelineWithIfPlaceholder,
  pipeline_with_importer: pipelineWithImporter,
  pipeline_with_loops: pipelineWithLoops,
  pipeline_with_metrics_outputs: pipelineWithMetricsOutputs,
  pipeline_with_nested_conditions: pipelineWithNestedConditions,
  pipeline_with_nested_loops: pipelineWithNestedLoops,
  pipeline_with_outputs: pipelineWithOutputs,
  pipeline_with_parallelfor_parallelism: pipelineWithParallelforParallelism,
  pipeline_with_placeholders: pipelineWithPlaceholders,
  pipeline_with_resource_spec: pipelineWithResourceSpec,
  pipeline_with_retry: pipelineWithRetry,
  pipeline_with_string_machine_fields_task_output: pipelineWithStringMachineFieldsTaskOutput,
  pipeline_with_task_final_status_yaml: pipelineWithTaskFinalStatusYaml,
  pipeline_with_task_using_ignore_upstream_failure: pipelineWithTaskUsingIgnoreUpstreamFailure,
  pipeline_with_various_io_types: pipelineWithVariousIoTypes,
  two_step_pipeline_containerized: twoStepPipelineContainerized,
};
