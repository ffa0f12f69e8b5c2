// What every control-plane operation works with: the settings, the model specs (resolved for this
// environment), the Google clients (built lazily) and the state stores over Cloud Storage.
import type { ClientEnvironment } from '../../google-clients/environment.js';
import type { ModelCatalog } from '../config/load-model-specs.js';
import { DecisionRecords } from '../evaluation/decision.js';
import { JsonObjectStore } from '../state/json-object-store.js';
import { TrainingRuns } from '../state/training-runs.js';
import { Rollouts } from '../rollouts/rollout-store.js';
import type { ControlPlaneClients } from './clients.js';
import type { ControlPlaneSettings } from './settings.js';

export interface ControlPlaneContext {
  readonly settings: ControlPlaneSettings;
  /** The managed models, resolved for this environment; `require` throws ModelNotFoundError (404). */
  readonly models: ModelCatalog;
  readonly clients: ControlPlaneClients;
  readonly ce: ClientEnvironment;
  readonly state: JsonObjectStore;
  readonly runs: TrainingRuns;
  readonly decisions: DecisionRecords;
  readonly rollouts: Rollouts;
  /** The clock (tests move it). */
  now(): Date;
}

export function controlPlaneContext(settings: ControlPlaneSettings, models: ModelCatalog, clients: ControlPlaneClients, ce: ClientEnvironment): ControlPlaneContext {
  const state = new JsonObjectStore(() => clients.storage(), () => clients.mediaStorage(), ce, settings.stateBucket);
  return { settings, models, clients, ce, state, runs: new TrainingRuns(state), decisions: new DecisionRecords(state), rollouts: new Rollouts(state), now: () => new Date() };
}

/** `projects/{p}/locations/{l}`, the parent of the project's Vertex resources. */
export function vertexParent(settings: ControlPlaneSettings): string {
  return `projects/${settings.projectId}/locations/${settings.region}`;
}

/** The Vertex model a spec manages: its id is the spec's name. */
export function vertexModelName(settings: ControlPlaneSettings, model: string): string {
  return `${vertexParent(settings)}/models/${model}`;
}
