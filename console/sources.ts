// Where every view reads from, and how it links to the others: the console links pages by path,
// the static report links sections of one file by anchor; the views are the same.
import type { ApiClient } from './api-client.js';
import type { GoogleSources } from './google-sources.js';

export interface Sources {
  readonly api: ApiClient;
  readonly google: GoogleSources;
}

export interface Links {
  models(): string;
  model(model: string): string;
  experiments(model: string): string;
  rollouts(model: string): string;
  /** The detail links are undefined where there is no such page or section (the report details only the newest). */
  rollout(model: string, id: string): string | undefined;
  drift(model: string): string;
  pipelineRuns(model: string): string;
  pipelineRun(model: string, id: string): string | undefined;
  tuningRuns(model: string): string;
  tuningRun(model: string, id: string): string | undefined;
  lineage(model: string, version: string): string | undefined;
  decisions(model: string): string;
  /** Where the console serves a version's model card; the static report has no server, so none. */
  modelCard?(model: string, version: string): string;
}

const e = encodeURIComponent;

/** The console's URLs. */
export const pageLinks: Links = {
  models: () => '/',
  model: (m) => `/models/${e(m)}`,
  experiments: (m) => `/models/${e(m)}/experiments`,
  rollouts: (m) => `/models/${e(m)}/rollouts`,
  rollout: (m, id) => `/models/${e(m)}/rollouts/${e(id)}`,
  drift: (m) => `/models/${e(m)}/drift`,
  pipelineRuns: (m) => `/models/${e(m)}/pipelineRuns`,
  pipelineRun: (m, id) => `/models/${e(m)}/pipelineRuns/${e(id)}`,
  tuningRuns: (m) => `/models/${e(m)}/tuningRuns`,
  tuningRun: (m, id) => `/models/${e(m)}/tuningRuns/${e(id)}`,
  lineage: (m, v) => `/models/${e(m)}/versions/${e(v)}/lineage`,
  decisions: (m) => `/models/${e(m)}/decisions`,
  modelCard: (m, v) => `/models/${e(m)}/versions/${e(v)}/modelCard`,
};

/** Anchors inside the one-model report. */
export const reportLinks: Links = {
  models: () => '#model',
  model: () => '#model',
  experiments: () => '#experiments',
  rollouts: () => '#rollouts',
  rollout: (_m, id) => `#rollout-${e(id)}`,
  drift: () => '#drift',
  pipelineRuns: () => '#pipeline-runs',
  pipelineRun: (_m, id) => `#pipeline-run-${e(id)}`,
  tuningRuns: () => '#tuning-runs',
  tuningRun: (_m, id) => `#tuning-run-${e(id)}`,
  lineage: (_m, v) => `#lineage-${e(v)}`,
  decisions: () => '#decisions',
};

/** The short model name from `models/<name>` (the API's resource name) or the name itself. */
export function modelId(name: string): string {
  return name.replace(/^models\//, '');
}
