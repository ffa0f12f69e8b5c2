// Public types of the pipeline engine: the job it is given, what it needs, and what it reports.
// Reported shapes follow google.cloud.aiplatform.v1 (PipelineJobDetail, PipelineTaskDetail,
// Execution, Artifact, Context) in their JSON form: lowerCamelCase, enums by name, int64 as strings,
// timestamps RFC 3339, empty maps and unset fields omitted.
import type { JsonObject } from '../../../pipelines/ir/index.js';
import type { PipelineFailurePolicy } from '../../../vertex/requests/pipeline-job.js';
import type { ContainerLauncher } from '../containers/launcher.js';

export type { PipelineFailurePolicy } from '../../../vertex/requests/pipeline-job.js';

/**
 * The parts of a stored v1 PipelineJob the engine reads: pipelineSpec and parameterValues as the
 * client sent them, validated by the engine (validate.ts) before anything runs.
 */
export interface PipelineJobToRun {
  /** `projects/P/locations/L/pipelineJobs/ID`. */
  name: string;
  uid?: string;
  /** RFC 3339. */
  createTime: string;
  pipelineSpec: unknown;
  runtimeConfig: {
    /** `gs://...`; falls back to the spec's `defaultPipelineRoot`. */
    gcsOutputDirectory?: string;
    parameterValues?: Record<string, unknown>;
    failurePolicy?: PipelineFailurePolicy;
  };
}

export type PipelineState = 'PIPELINE_STATE_RUNNING' | 'PIPELINE_STATE_SUCCEEDED' | 'PIPELINE_STATE_FAILED' | 'PIPELINE_STATE_CANCELLED';
export type FinalPipelineState = Exclude<PipelineState, 'PIPELINE_STATE_RUNNING'>;

export interface PipelineJobUpdate {
  /** RUNNING until the last update, which carries the final state. */
  state: PipelineState;
  jobDetail: PipelineJobDetail;
}

export interface RunDeps {
  /** Storage emulator root: `gs://b/p` is the file `<storageRoot>/b/p`. */
  storageRoot: string;
  launcher: ContainerLauncher;
  /** Execution cache records, shared by every job that should share cache hits. */
  cacheDir: string;
  /** Task logs go to `<logDir>/<job id>/<task>.log`. */
  logDir: string;
  /** Containers running at once; default: the number of CPU cores. */
  maxParallel?: number;
  /** Working directories of running containers; default: a folder under the OS temp dir. */
  workRoot?: string;
  /** Called on every task state change with a snapshot (safe to keep or mutate). */
  onUpdate?: (update: PipelineJobUpdate) => void;
}

export interface RunResult {
  state: FinalPipelineState;
  error?: RpcStatus;
  jobDetail: PipelineJobDetail;
}

/** google.rpc.Status without details. */
export interface RpcStatus {
  code: number;
  message: string;
}

/** PipelineTaskDetail.State names. */
export type TaskState = 'PENDING' | 'RUNNING' | 'SUCCEEDED' | 'CANCEL_PENDING' | 'CANCELLING' | 'CANCELLED' | 'FAILED' | 'SKIPPED' | 'NOT_TRIGGERED';

/** Execution.State names. */
export type ExecutionState = 'NEW' | 'RUNNING' | 'COMPLETE' | 'FAILED' | 'CACHED' | 'CANCELLED';

export interface ArtifactDetail {
  /** `projects/P/locations/L/metadataStores/default/artifacts/ID`. */
  name: string;
  displayName: string;
  uri: string;
  state: 'LIVE';
  schemaTitle: string;
  schemaVersion: string;
  metadata: JsonObject;
}

export interface ArtifactList {
  artifacts: ArtifactDetail[];
}

export interface ExecutionDetail {
  /** `projects/P/locations/L/metadataStores/default/executions/ID`. */
  name: string;
  displayName: string;
  state: ExecutionState;
  /** `system.ContainerExecution`, `system.ImporterExecution` or `system.DAGExecution`. */
  schemaTitle: string;
  schemaVersion: string;
  createTime: string;
  updateTime: string;
  /** `input:<name>` / `output:<name>` for parameters, as Vertex records them. */
  metadata: JsonObject;
}

export interface PipelineTaskStatus {
  updateTime: string;
  state: TaskState;
  error?: RpcStatus;
}

export interface PipelineTaskDetail {
  /** int64 as a decimal string. */
  taskId: string;
  /** Absent on the root task. */
  parentTaskId?: string;
  taskName: string;
  /** Parent task names and this one joined by `.` (the root excluded). */
  taskUniqueName: string;
  createTime: string;
  startTime?: string;
  endTime?: string;
  state: TaskState;
  error?: RpcStatus;
  execution?: ExecutionDetail;
  inputs?: Record<string, ArtifactList>;
  outputs?: Record<string, ArtifactList>;
  pipelineTaskStatus: PipelineTaskStatus[];
}

export interface ContextDetail {
  name: string;
  displayName: string;
  schemaTitle: 'system.Pipeline' | 'system.PipelineRun';
  schemaVersion: string;
  createTime: string;
  updateTime: string;
  /** The run context's parent: the pipeline context. */
  parentContexts?: string[];
}

export interface PipelineJobDetail {
  pipelineContext: ContextDetail;
  pipelineRunContext: ContextDetail;
  taskDetails: PipelineTaskDetail[];
}
