// KFP's PipelineSpec (protobuf JSON form): the one definition the compiler writes, the request
// builders send and the pipeline engine executes, as a zod schema with its inferred types. Unknown
// fields are dropped rather than rejected: KFP's Python compiler writes more than we read.
import { z } from 'zod';
import type { JsonValue } from './json.js';

const jsonValue: z.ZodType<JsonValue> = z.json();

export const parameterTypeSchema = z.enum([
  'PARAMETER_TYPE_ENUM_UNSPECIFIED',
  'STRING',
  'NUMBER_INTEGER',
  'NUMBER_DOUBLE',
  'BOOLEAN',
  'LIST',
  'STRUCT',
  'TASK_FINAL_STATUS',
  'TASK_CONFIG',
]);
export type ParameterType = z.infer<typeof parameterTypeSchema>;

const artifactType = z.object({ schemaTitle: z.string().default('system.Artifact'), schemaVersion: z.string().default('0.0.1') });

const parameterDefinition = z.object({
  parameterType: parameterTypeSchema,
  defaultValue: jsonValue.optional(),
  isOptional: z.boolean().optional(),
  description: z.string().optional(),
});
const artifactDefinition = z.object({
  artifactType,
  isArtifactList: z.boolean().optional(),
  isOptional: z.boolean().optional(),
  description: z.string().optional(),
});
const ioDefinitions = z.object({
  parameters: z.record(z.string(), parameterDefinition).optional(),
  artifacts: z.record(z.string(), artifactDefinition).optional(),
});
export type IODefinitions = z.infer<typeof ioDefinitions>;

const producer = z.object({ producerTask: z.string() });

const parameterInput = z.object({
  componentInputParameter: z.string().optional(),
  taskOutputParameter: producer.extend({ outputParameterKey: z.string() }).optional(),
  runtimeValue: z.object({ constant: jsonValue }).optional(),
  taskFinalStatus: producer.optional(),
  parameterExpressionSelector: z.string().optional(),
});
export type ParameterInputSpec = z.infer<typeof parameterInput>;

const artifactInput = z.object({
  componentInputArtifact: z.string().optional(),
  taskOutputArtifact: producer.extend({ outputArtifactKey: z.string() }).optional(),
});
export type ArtifactInputSpec = z.infer<typeof artifactInput>;

const taskSpec = z.object({
  taskInfo: z.object({ name: z.string().min(1) }),
  componentRef: z.object({ name: z.string().min(1) }),
  cachingOptions: z.object({ enableCache: z.boolean().optional(), cacheKey: z.string().optional() }).optional(),
  dependentTasks: z.array(z.string()).optional(),
  inputs: z.object({ parameters: z.record(z.string(), parameterInput).optional(), artifacts: z.record(z.string(), artifactInput).optional() }).optional(),
  triggerPolicy: z
    .object({
      condition: z.string().optional(),
      strategy: z.enum(['TRIGGER_STRATEGY_UNSPECIFIED', 'ALL_UPSTREAM_TASKS_SUCCEEDED', 'ALL_UPSTREAM_TASKS_COMPLETED']).optional(),
    })
    .optional(),
  parameterIterator: z.object({ items: z.object({ raw: z.string().optional(), inputParameter: z.string().optional() }), itemInput: z.string() }).optional(),
  artifactIterator: z.object({ items: z.object({ inputArtifact: z.string() }), itemInput: z.string() }).optional(),
  iteratorPolicy: z.object({ parallelismLimit: z.number().int().nonnegative().optional() }).optional(),
  retryPolicy: z
    .object({
      maxRetryCount: z.number().int().nonnegative().optional(),
      backoffDuration: z.string().optional(),
      backoffFactor: z.number().optional(),
      backoffMaxDuration: z.string().optional(),
    })
    .optional(),
});
export type TaskSpec = z.infer<typeof taskSpec>;

const selector = z.object({ producerSubtask: z.string(), outputParameterKey: z.string() });
const dagOutputs = z.object({
  parameters: z
    .record(z.string(), z.object({ valueFromParameter: selector.optional(), valueFromOneof: z.object({ parameterSelectors: z.array(selector) }).optional() }))
    .optional(),
  artifacts: z
    .record(z.string(), z.object({ artifactSelectors: z.array(z.object({ producerSubtask: z.string(), outputArtifactKey: z.string() })) }))
    .optional(),
});
export type DagOutputsSpec = z.infer<typeof dagOutputs>;

const componentSpec = z.object({
  executorLabel: z.string().optional(),
  dag: z.object({ tasks: z.record(z.string(), taskSpec).default({}), outputs: dagOutputs.optional() }).optional(),
  inputDefinitions: ioDefinitions.optional(),
  outputDefinitions: ioDefinitions.optional(),
});
export type ComponentSpec = z.infer<typeof componentSpec>;

const containerSpec = z.object({
  image: z.string().min(1),
  command: z.array(z.string()).optional(),
  args: z.array(z.string()).optional(),
  env: z.array(z.object({ name: z.string(), value: z.string().default('') })).optional(),
  // The CPU limit decides how many cores the task's process gets locally; the other sizes are not enforced.
  resources: z
    .object({
      cpuLimit: z.number().optional(),
      cpuRequest: z.number().optional(),
      memoryLimit: z.number().optional(),
      memoryRequest: z.number().optional(),
      resourceCpuLimit: z.string().optional(),
      resourceCpuRequest: z.string().optional(),
      resourceMemoryLimit: z.string().optional(),
      resourceMemoryRequest: z.string().optional(),
      accelerator: z
        .object({ type: z.string().optional(), count: z.string().optional(), resourceType: z.string().optional(), resourceCount: z.string().optional() })
        .optional(),
    })
    .optional(),
});
export type ContainerSpec = z.infer<typeof containerSpec>;
export type ContainerResources = NonNullable<ContainerSpec['resources']>;

const importerSpec = z.object({
  artifactUri: z.object({ constant: jsonValue.optional(), runtimeParameter: z.string().optional() }),
  typeSchema: artifactType,
  metadata: z.record(z.string(), jsonValue).optional(),
  reimport: z.boolean().optional(),
});
export type ImporterSpec = z.infer<typeof importerSpec>;

const executorSpec = z.object({
  container: containerSpec.optional(),
  importer: importerSpec.optional(),
  resolver: jsonValue.optional(),
  customJob: jsonValue.optional(),
});
export type ExecutorSpec = z.infer<typeof executorSpec>;

export const pipelineSpecSchema = z.object({
  pipelineInfo: z.object({ name: z.string().min(1), displayName: z.string().optional(), description: z.string().optional() }),
  root: componentSpec,
  components: z.record(z.string(), componentSpec).default({}),
  deploymentSpec: z.object({ executors: z.record(z.string(), executorSpec).default({}) }).default({ executors: {} }),
  schemaVersion: z.string().optional(),
  sdkVersion: z.string().optional(),
  defaultPipelineRoot: z.string().optional(),
});
export type PipelineSpec = z.infer<typeof pipelineSpecSchema>;
