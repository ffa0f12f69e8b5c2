// What every control-plane operation works with: the settings, the model specs (resolved for this
// environment), the Google clients (built lazily) and the state stores over Cloud Storage.
import type { ClientEnvironment } from '../../google-clients/environment.js';
import type { ModelSpec } from '../config/model-spec.js';
import { DecisionRecords } from '../evaluation/decision.js';
import { JsonObjectStore } from '../state/json-object-store.js';
import { TrainingRuns } from '../state/training-runs.js';
import type { ControlPlaneClients } from './clients.js';
import type { ControlPlaneSettings } from './settings.js';

/** The managed models, by name. */
export interface ModelSpecs {
  list(): readonly ModelSpec[];
  /** The spec, or a NOT_FOUND ControlPlaneError with a did-you-mean. */
  require(name: string): ModelSpec;
}

export interface ControlPlaneContext {
  readonly settings: ControlPlaneSettings;
  readonly models: ModelSpecs;
  readonly clients: ControlPlaneClients;
  readonly ce: ClientEnvironment;
  readonly state: JsonObjectStore;
  readonly runs: TrainingRuns;
  readonly decisions: DecisionRecords;
  /** The clock (tests move it). */
  now(): Date;
}

export function controlPlaneContext(settings: ControlPlaneSettings, models: ModelSpecs, clients: ControlPlaneClients, ce: ClientEnvironment): ControlPlaneContext {
  const state = new JsonObjectStore(() => clients.storage(), ce, settings.stateBucket);
  return { settings, models, clients, ce, state, runs: new TrainingRuns(state), decisions: new DecisionRecords(state), now: () => new Date() };
}

/** `projects/{p}/locations/{l}`, the parent of the project's Vertex resources. */
export function vertexParent(settings: ControlPlaneSettings): string {
  return `projects/${settings.projectId}/locations/${settings.region}`;
}

/** The Vertex model a spec manages: its id is the spec's name. */
export function vertexModelName(settings: ControlPlaneSettings, model: string): string {
  return `${vertexParent(settings)}/models/${model}`;
}
