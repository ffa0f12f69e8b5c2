// How the Vertex AI SDK (google-cloud-aiplatform, aiplatform.metadata) lays experiments out in ML
// Metadata, so that the SDK, the console's Experiments page and this control plane read the same
// records: an experiment is a `system.Experiment` context in the `default` store; each run a
// `system.ExperimentRun` context with id `{experiment}-{run}`, a child of the experiment, whose
// metadata holds `_params`, `_metrics` and `_state` (an Execution.State name); a PipelineJob's
// `system.PipelineRun` context is a child of the run that launched it. Artifacts of Google types
// (`google.VertexModel`, `google.VertexEndpoint`) name their resource in `metadata.resourceName`.
// Everything here is pure: ids and metadata from the control plane's records.
import { deterministicId, slugify } from '../../vertex/shared/ids.js';
import type { JsonObject, JsonValue } from '../../vertex/shared/struct.js';

export const SCHEMA = {
  experiment: 'system.Experiment',
  experimentRun: 'system.ExperimentRun',
  pipelineRun: 'system.PipelineRun',
  metrics: 'system.Metrics',
  dataset: 'system.Dataset',
  containerExecution: 'system.ContainerExecution',
  vertexModel: 'google.VertexModel',
  vertexEndpoint: 'google.VertexEndpoint',
} as const;
export const SCHEMA_VERSION = '0.0.1';

/** The SDK's metadata keys of an experiment run context. */
export const PARAMS_KEY = '_params';
export const METRICS_KEY = '_metrics';
export const STATE_KEY = '_state';
/** What the SDK marks every experiment with (the console filters on it). */
export const EXPERIMENT_METADATA = { experiment_deleted: false } as const;
/** Where Google artifact types name their resource. */
export const RESOURCE_NAME_KEY = 'resourceName';

/** The control plane's own keys on a run (the SDK ignores keys it does not know). */
export const RUN_KIND_KEY = 'mlops_kind';
export type RunKind = 'training' | 'tuning-trial';

/** Context and artifact ids: 4-128 characters of `[a-z0-9-]`, starting with a letter. */
const ID_LENGTH = 128;
/** The SDK keeps run ids short enough for its `-tb-run` suffix. */
const RUN_ID_LENGTH = 121;

/** The model's experiment: its name when that is a valid id, else a readable id with a hash. */
export function experimentId(model: string): string {
  return /^[a-z][a-z0-9-]{3,63}$/.test(model) ? model : deterministicId(model, ['experiment', model], 64, 8);
}

/** The SDK's run context id: `{experiment}-{run}`. */
export function experimentRunContextId(experiment: string, run: string): string {
  const id = `${experiment}-${run}`;
  return id.length <= RUN_ID_LENGTH && /^[a-z][a-z0-9-]*$/.test(id) ? id : deterministicId(id, [experiment, run], RUN_ID_LENGTH, 12);
}

/** A tuning trial's run name: the tuning run's id and the trial's. */
export function trialRunName(tuningRunId: string, trialId: string): string {
  return `${tuningRunId}-trial-${slugify(trialId)}`;
}

/** The snapshot's Dataset artifact: one per exported folder (a tuning run and its best trial's training share it). */
export function datasetArtifactId(snapshotUri: string): string {
  return deterministicId(`dataset-${snapshotUri.replace(/^gs:\/\/[^/]+\/snapshots\//, '')}`, ['dataset', snapshotUri], ID_LENGTH, 16);
}

/** A model version's `google.VertexModel` artifact (`projects/.../models/m@3`). */
export function modelArtifactId(versionName: string): string {
  const model = versionName.slice(versionName.lastIndexOf('/') + 1);
  return deterministicId(`model-${model.replace('@', '-v')}`, ['model', versionName], ID_LENGTH, 16);
}

export function endpointArtifactId(endpointName: string): string {
  return deterministicId(`endpoint-${endpointName.slice(endpointName.lastIndexOf('/') + 1)}`, ['endpoint', endpointName], ID_LENGTH, 16);
}

export function registrationExecutionId(trainingRunId: string): string {
  return deterministicId(`register-${trainingRunId}`, ['register', trainingRunId], ID_LENGTH, 16);
}

/** The first champion's deployment at 100%, one per version. */
export function deploymentExecutionId(versionName: string): string {
  return deterministicId(`deploy-${versionName.slice(versionName.lastIndexOf('/') + 1).replace('@', '-v')}`, ['deploy', versionName], ID_LENGTH, 16);
}

/** Decisions after which a rollout's execution changes (started, a new attempt, ended). */
export const ROLLOUT_LINEAGE_DECISIONS: readonly string[] = ['ROLLOUT_STARTED', 'RETRIED', 'PROMOTION_STARTED', 'PROMOTED', 'ROLLED_BACK', 'ABORTED', 'DEGRADED'];

/** One execution per attempt of a rollout (a retried rollout is a new attempt). */
export function rolloutExecutionId(rolloutId: string, attempt: number): string {
  return deterministicId(`rollout-${rolloutId}-attempt-${attempt}`, ['rollout', rolloutId, String(attempt)], ID_LENGTH, 16);
}

export function metricsArtifactId(runContextId: string): string {
  return deterministicId(`${runContextId}-metrics`, ['metrics', runContextId], ID_LENGTH, 16);
}

/** `https://{region}-aiplatform.googleapis.com/v1/{name}`: how Google's artifact types point at a Vertex resource. */
export function vertexResourceUri(region: string, resourceName: string): string {
  return `https://${region}-aiplatform.googleapis.com/v1/${resourceName}`;
}

/** A value the SDK accepts as a parameter or metric (float, int or str). */
export type ScalarValue = number | string;

/**
 * Parameters as the SDK logs them: scalars only. Nested objects (the pipeline's `hyperparameters`)
 * are flattened into their own keys; booleans become strings; arrays are JSON text; nulls dropped.
 */
export function scalarParams(values: Readonly<Record<string, JsonValue | undefined>>, prefix = ''): Record<string, ScalarValue> {
  const out: Record<string, ScalarValue> = {};
  for (const [key, value] of Object.entries(values)) {
    const name = `${prefix}${key}`;
    if (value === null || value === undefined) continue;
    if (typeof value === 'number') {
      if (Number.isFinite(value)) out[name] = value;
    } else if (typeof value === 'string') out[name] = value;
    else if (typeof value === 'boolean') out[name] = String(value);
    else if (Array.isArray(value)) out[name] = JSON.stringify(value);
    else Object.assign(out, scalarParams(value, `${name}.`));
  }
  return out;
}

/** An experiment run's context metadata as the SDK writes it, with the control plane's links. */
export function experimentRunMetadata(input: {
  kind: RunKind;
  state: 'RUNNING' | 'COMPLETE' | 'FAILED' | 'CANCELLED';
  params: Record<string, ScalarValue>;
  metrics?: Record<string, ScalarValue>;
  links: Record<string, string | undefined>;
}): JsonObject {
  const links = Object.fromEntries(Object.entries(input.links).filter((e): e is [string, string] => e[1] !== undefined && e[1] !== ''));
  return {
    [PARAMS_KEY]: input.params,
    [METRICS_KEY]: input.metrics ?? {},
    [STATE_KEY]: input.state,
    [RUN_KIND_KEY]: input.kind,
    ...links,
  };
}

/** A terminal run state never goes back to RUNNING (a late duplicate of the submission). */
export function keepTerminalState(stored: JsonObject, next: JsonObject): JsonObject {
  const before = stored[STATE_KEY];
  if ((before === 'COMPLETE' || before === 'FAILED' || before === 'CANCELLED') && next[STATE_KEY] === 'RUNNING') return { ...next, [STATE_KEY]: before };
  return next;
}
