// Values flowing between tasks while a job runs.
import type { JsonObject, JsonValue } from '../../../pipelines/ir/index.js';
import type { RpcStatus } from './types.js';

/** An artifact as tasks exchange it (KFP's RuntimeArtifact plus its metadata resource name). */
export interface RuntimeArtifact {
  /** `projects/P/locations/L/metadataStores/default/artifacts/ID`. */
  name: string;
  uri: string;
  schemaTitle: string;
  schemaVersion: string;
  metadata: JsonObject;
}

export interface IOValues {
  parameters: Map<string, JsonValue>;
  artifacts: Map<string, RuntimeArtifact[]>;
}

export function emptyIO(): IOValues {
  return { parameters: new Map(), artifacts: new Map() };
}

/** How a task ended, as its siblings and its DAG see it. */
export type OutcomeState = 'SUCCEEDED' | 'SKIPPED' | 'FAILED' | 'CANCELLED' | 'NOT_TRIGGERED';

export interface TaskOutcome {
  /** taskInfo.name, as reported in the job detail. */
  taskName: string;
  state: OutcomeState;
  error?: RpcStatus;
  outputs: IOValues;
}

/** Upstream outcomes that let a default (ALL_UPSTREAM_TASKS_SUCCEEDED) task run. */
export function isSuccessLike(state: OutcomeState): boolean {
  return state === 'SUCCEEDED' || state === 'SKIPPED' || state === 'NOT_TRIGGERED';
}
