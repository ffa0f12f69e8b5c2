// Builds the job's PipelineJobDetail as tasks progress and hands a snapshot to the listener on
// every task state change.
import { randomInt } from 'node:crypto';
import { emulatorLog } from '../../kit/log.js';
import type { JsonObject, JsonValue } from '../../../pipelines/ir/index.js';
import type { RuntimeArtifact } from './runtime.js';
import type {
  ArtifactList,
  ContextDetail,
  ExecutionState,
  PipelineJobDetail,
  PipelineState,
  PipelineTaskDetail,
  RpcStatus,
  TaskState,
} from './types.js';

export interface JobDetailOptions {
  /** `projects/P/locations/L`: metadata resources are named under it. */
  parent: string;
  jobId: string;
  pipelineName: string;
  createTime: string;
  onUpdate?: (state: PipelineState, detail: PipelineJobDetail) => void;
}

export type ExecutionSchema = 'system.ContainerExecution' | 'system.ImporterExecution' | 'system.DAGExecution';

const EXECUTION_STATE: Partial<Record<TaskState, ExecutionState>> = {
  RUNNING: 'RUNNING',
  SUCCEEDED: 'COMPLETE',
  SKIPPED: 'CACHED',
  FAILED: 'FAILED',
  CANCELLED: 'CANCELLED',
};

const now = () => new Date().toISOString();

export class JobDetailRecorder {
  private readonly detail: PipelineJobDetail;
  /** int64 ids: a time-based base keeps them distinct across runs, like Vertex's large ids. */
  private nextId = BigInt(Date.now()) * 1000n + BigInt(randomInt(1000)) * 1_000_000_000n;

  constructor(private readonly options: JobDetailOptions) {
    const store = `${options.parent}/metadataStores/default`;
    const context = (id: string, schemaTitle: ContextDetail['schemaTitle']): ContextDetail => ({
      name: `${store}/contexts/${id}`,
      displayName: id,
      schemaTitle,
      schemaVersion: '0.0.1',
      createTime: options.createTime,
      updateTime: options.createTime,
    });
    const pipelineContext = context(options.pipelineName, 'system.Pipeline');
    this.detail = {
      pipelineContext,
      // As in ML Metadata (metadata/pipeline-lineage.ts records it), the run is a child of its pipeline.
      pipelineRunContext: { ...context(options.jobId, 'system.PipelineRun'), parentContexts: [pipelineContext.name] },
      taskDetails: [],
    };
  }

  newId(): string {
    return String(++this.nextId);
  }

  /** A metadata artifact resource name for a newly produced artifact. */
  newArtifactName(): string {
    return `${this.options.parent}/metadataStores/default/artifacts/${this.newId()}`;
  }

  createTask(taskName: string, uniqueName: string, parent?: TaskRecord): TaskRecord {
    const time = now();
    const detail: PipelineTaskDetail = {
      taskId: this.newId(),
      ...(parent ? { parentTaskId: parent.taskId } : {}),
      taskName,
      taskUniqueName: uniqueName,
      createTime: time,
      state: 'PENDING',
      pipelineTaskStatus: [{ updateTime: time, state: 'PENDING' }],
    };
    this.detail.taskDetails.push(detail);
    this.changed();
    return new TaskRecord(detail, this.options.parent, () => this.changed());
  }

  snapshot(): PipelineJobDetail {
    return structuredClone(this.detail);
  }

  /** The last update, with the job's final state. */
  finish(state: PipelineState): void {
    this.emit(state);
  }

  private changed(): void {
    this.detail.pipelineRunContext.updateTime = now();
    this.emit('PIPELINE_STATE_RUNNING');
  }

  private emit(state: PipelineState): void {
    if (!this.options.onUpdate) return;
    try {
      this.options.onUpdate(state, this.snapshot());
    } catch (err) {
      // A listener's bug must not break the run it is watching.
      emulatorLog('ERROR', 'pipeline job update listener threw', { job: this.options.jobId, error: err instanceof Error ? err.message : String(err) });
    }
  }
}

/** One PipelineTaskDetail; only state changes notify the listener. */
export class TaskRecord {
  constructor(
    private readonly detail: PipelineTaskDetail,
    private readonly parent: string,
    private readonly changed: () => void,
  ) {}

  get taskId(): string {
    return this.detail.taskId;
  }

  get taskName(): string {
    return this.detail.taskName;
  }

  get uniqueName(): string {
    return this.detail.taskUniqueName;
  }

  get state(): TaskState {
    return this.detail.state;
  }

  /** RUNNING, with an execution of the given schema (created on the first start only). */
  start(schema: ExecutionSchema, parameters: ReadonlyMap<string, JsonValue>): void {
    this.detail.startTime ??= now();
    this.ensureExecution(schema, parameters, 'RUNNING');
    this.setState('RUNNING');
  }

  /** A cache hit never runs: its execution is created CACHED; `finish('SKIPPED')` follows. */
  markCached(parameters: ReadonlyMap<string, JsonValue>): void {
    this.ensureExecution('system.ContainerExecution', parameters, 'CACHED');
  }

  private ensureExecution(schema: ExecutionSchema, parameters: ReadonlyMap<string, JsonValue>, state: ExecutionState): void {
    const time = now();
    this.detail.execution ??= {
      name: `${this.parent}/metadataStores/default/executions/${this.detail.taskId}`,
      displayName: this.detail.taskName,
      state,
      schemaTitle: schema,
      schemaVersion: '0.0.1',
      createTime: time,
      updateTime: time,
      metadata: prefixed('input', parameters),
    };
  }

  setInputArtifacts(artifacts: ReadonlyMap<string, RuntimeArtifact[]>): void {
    const lists = artifactLists(artifacts);
    if (lists) this.detail.inputs = lists;
  }

  setOutputs(parameters: ReadonlyMap<string, JsonValue>, artifacts: ReadonlyMap<string, RuntimeArtifact[]>): void {
    const lists = artifactLists(artifacts);
    if (lists) this.detail.outputs = lists;
    if (this.detail.execution) Object.assign(this.detail.execution.metadata, prefixed('output', parameters));
  }

  /** A failed attempt that will be retried: kept in the status history, the task stays RUNNING. */
  recordRetry(error: RpcStatus): void {
    this.detail.pipelineTaskStatus.push({ updateTime: now(), state: 'RUNNING', error });
    this.changed();
  }

  /** Final state; a cache hit is `SKIPPED` (PipelineTaskDetail.State: "skipped due to cache hit"). */
  finish(state: Extract<TaskState, 'SUCCEEDED' | 'SKIPPED' | 'FAILED' | 'CANCELLED' | 'NOT_TRIGGERED'>, error?: RpcStatus): void {
    const time = now();
    if (state !== 'NOT_TRIGGERED') this.detail.startTime ??= time;
    this.detail.endTime = time;
    if (error) this.detail.error = error;
    const execState = EXECUTION_STATE[state];
    if (this.detail.execution && execState) {
      this.detail.execution.state = execState;
      this.detail.execution.updateTime = time;
    }
    this.setState(state, error);
  }

  private setState(state: TaskState, error?: RpcStatus): void {
    this.detail.state = state;
    this.detail.pipelineTaskStatus.push({ updateTime: now(), state, ...(error ? { error } : {}) });
    this.changed();
  }
}

function prefixed(prefix: 'input' | 'output', parameters: ReadonlyMap<string, JsonValue>): JsonObject {
  const out: JsonObject = {};
  for (const [k, v] of parameters) out[`${prefix}:${k}`] = structuredClone(v);
  return out;
}

function artifactLists(artifacts: ReadonlyMap<string, RuntimeArtifact[]>): Record<string, ArtifactList> | undefined {
  if (artifacts.size === 0) return undefined;
  const out: Record<string, ArtifactList> = {};
  for (const [key, list] of artifacts) {
    out[key] = {
      artifacts: list.map((a) => ({
        name: a.name,
        displayName: key,
        uri: a.uri,
        state: 'LIVE',
        schemaTitle: a.schemaTitle,
        schemaVersion: a.schemaVersion,
        metadata: structuredClone(a.metadata),
      })),
    };
  }
  return out;
}
