// The subset of KFP's PipelineSpec (protobuf JSON form) that the compiler writes.
import type { JsonValue, ParameterType } from '../dsl/types.js';

export interface ArtifactTypeSchema {
  schemaTitle: string;
  schemaVersion: string;
}

export interface ParameterDefinition {
  parameterType: ParameterType;
  defaultValue?: JsonValue;
  isOptional?: boolean;
  description?: string;
}

export interface ArtifactDefinition {
  artifactType: ArtifactTypeSchema;
  isArtifactList?: boolean;
  isOptional?: boolean;
  description?: string;
}

export interface IODefinitions {
  parameters?: Record<string, ParameterDefinition>;
  artifacts?: Record<string, ArtifactDefinition>;
}

export interface ParameterInputSpec {
  componentInputParameter?: string;
  taskOutputParameter?: { producerTask: string; outputParameterKey: string };
  runtimeValue?: { constant: JsonValue };
  taskFinalStatus?: { producerTask: string };
  parameterExpressionSelector?: string;
}

export interface ArtifactInputSpec {
  componentInputArtifact?: string;
  taskOutputArtifact?: { producerTask: string; outputArtifactKey: string };
}

export interface TaskSpec {
  taskInfo: { name: string };
  componentRef: { name: string };
  cachingOptions?: { enableCache?: boolean; cacheKey?: string };
  dependentTasks?: string[];
  inputs?: { parameters?: Record<string, ParameterInputSpec>; artifacts?: Record<string, ArtifactInputSpec> };
  triggerPolicy?: { condition?: string; strategy?: 'ALL_UPSTREAM_TASKS_COMPLETED' | 'ALL_UPSTREAM_TASKS_SUCCEEDED' };
  parameterIterator?: { items: { raw?: string; inputParameter?: string }; itemInput: string };
  iteratorPolicy?: { parallelismLimit: number };
  retryPolicy?: { maxRetryCount: number; backoffDuration: string; backoffFactor: number; backoffMaxDuration: string };
}

export interface DagOutputs {
  parameters?: Record<
    string,
    {
      valueFromParameter?: { producerSubtask: string; outputParameterKey: string };
      valueFromOneof?: { parameterSelectors: { producerSubtask: string; outputParameterKey: string }[] };
    }
  >;
  artifacts?: Record<string, { artifactSelectors: { producerSubtask: string; outputArtifactKey: string }[] }>;
}

export interface ComponentSpec {
  executorLabel?: string;
  dag?: { tasks: Record<string, TaskSpec>; outputs?: DagOutputs };
  inputDefinitions?: IODefinitions;
  outputDefinitions?: IODefinitions;
}

export interface ContainerResources {
  cpuLimit?: number;
  cpuRequest?: number;
  memoryLimit?: number;
  memoryRequest?: number;
  resourceCpuLimit?: string;
  resourceCpuRequest?: string;
  resourceMemoryLimit?: string;
  resourceMemoryRequest?: string;
  accelerator?: { type?: string; count?: string; resourceType?: string; resourceCount?: string };
}

export interface ContainerExecutor {
  image: string;
  command?: string[];
  args?: string[];
  env?: { name: string; value: string }[];
  resources?: ContainerResources;
}

export interface ImporterExecutor {
  artifactUri: { constant?: string; runtimeParameter?: string };
  typeSchema: ArtifactTypeSchema;
  metadata?: Record<string, JsonValue>;
  reimport?: boolean;
}

export interface ExecutorSpec {
  container?: ContainerExecutor;
  importer?: ImporterExecutor;
}

export interface PipelineSpec {
  pipelineInfo: { name: string; displayName?: string; description?: string };
  root: ComponentSpec;
  components: Record<string, ComponentSpec>;
  deploymentSpec: { executors: Record<string, ExecutorSpec> };
  schemaVersion: '2.1.0';
  sdkVersion: string;
  defaultPipelineRoot?: string;
}
