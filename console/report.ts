// One model as ONE static HTML file: the console's views for the model, its experiment runs,
// rollouts, drift, pipeline runs, tuning runs, lineage and decisions, one after the other, linked
// by anchors, every plot inlined as SVG (or a data: image), no script and nothing fetched.
import type { SafeHtml } from './html.js';
import { html, notAvailable, page } from './html.js';
import type { Links, Sources } from './sources.js';
import { reportLinks } from './sources.js';
import { driftBody, loadDrift } from './views/drift.js';
import { experimentsBody, loadExperiments } from './views/experiments.js';
import { loadModel, modelBody } from './views/models.js';
import { loadPipelineRun, loadPipelineRuns, pipelineRunBody, pipelineRunsBody } from './views/pipelines.js';
import { decisionsBody, lineageBody, loadDecisions, loadLineage } from './views/records.js';
import { loadRollout, loadRollouts, rolloutBody, rolloutsListBody } from './views/rollouts.js';
import { loadTuningRun, loadTuningRuns, tuningRunBody, tuningRunsBody } from './views/tuning.js';

export interface ReportOptions {
  /** Each step as it starts (`reading rollouts`), for the terminal. */
  readonly progress?: (line: string) => void;
  /** The newest this many rollouts, pipeline runs, tuning runs and versions get a section of their own. */
  readonly detailLimit?: number;
  readonly now?: Date;
}

export class ModelNotFound extends Error {}

function section(id: string, title: string, body: SafeHtml, level = 2): SafeHtml {
  return level === 2 ? html`<section id="${id}"><h2>${title}</h2>${body}</section>` : html`<section id="${id}"><h3>${title}</h3>${body}</section>`;
}

/** The report's HTML; ModelNotFound when the API does not know the model. */
export async function buildReport(sources: Sources, model: string, options: ReportOptions = {}): Promise<string> {
  const say = options.progress ?? (() => {});
  const limit = options.detailLimit ?? 10;
  say(`reading models/${model} and its versions' evaluations`);
  const data = await loadModel(sources, model);
  if (typeof data === 'string') throw new ModelNotFound(data);
  // Only the newest `limit` of each get a section: a link to any other would point at nothing.
  const detailed = { rollouts: new Set<string>(), runs: new Set<string>(), tuning: new Set<string>(), versions: new Set(data.model.versions.slice(0, limit).map((v) => v.versionId)) };
  const links: Links = {
    ...reportLinks,
    rollout: (m, id) => (detailed.rollouts.has(id) ? reportLinks.rollout(m, id) : undefined),
    pipelineRun: (m, id) => (detailed.runs.has(id) ? reportLinks.pipelineRun(m, id) : undefined),
    tuningRun: (m, id) => (detailed.tuning.has(id) ? reportLinks.tuningRun(m, id) : undefined),
    lineage: (m, v) => (detailed.versions.has(v) ? reportLinks.lineage(m, v) : undefined),
  };
  const sections: SafeHtml[] = [];

  say('reading experiment runs');
  const experiments = await loadExperiments(sources, model);
  sections.push(section('experiments', 'Experiment runs', typeof experiments === 'string' ? notAvailable('Experiment runs', experiments) : experimentsBody(experiments)));

  say('reading rollouts');
  const rollouts = await loadRollouts(sources, model);
  const rolloutDetails: SafeHtml[] = [];
  if (typeof rollouts !== 'string') {
    for (const r of rollouts.slice(0, limit)) {
      say(`  rollout ${r.id}`);
      detailed.rollouts.add(r.id);
      const full = await loadRollout(sources, model, r.id);
      rolloutDetails.push(section(`rollout-${encodeURIComponent(r.id)}`, `Rollout ${r.id}`, typeof full === 'string' ? notAvailable('The rollout', full) : rolloutBody(full), 3));
    }
  }
  sections.push(section('rollouts', 'Rollouts', html`${typeof rollouts === 'string' ? notAvailable('Rollouts', rollouts) : rolloutsListBody(model, rollouts, links)}${rolloutDetails}`));

  say('reading drift (the latest check and the Cloud Monitoring series)');
  sections.push(section('drift', 'Drift', driftBody(await loadDrift(sources, model))));

  say('reading pipeline runs');
  const runs = await loadPipelineRuns(sources, model);
  const runDetails: SafeHtml[] = [];
  if (typeof runs !== 'string') {
    for (const r of runs.runs.slice(0, limit)) {
      say(`  pipeline run ${r.id}`);
      detailed.runs.add(r.id);
      const full = await loadPipelineRun(sources, model, r.id);
      runDetails.push(section(`pipeline-run-${encodeURIComponent(r.id)}`, `Pipeline run ${r.id}`, typeof full === 'string' ? notAvailable('The pipeline run', full) : pipelineRunBody(full), 3));
    }
  }
  sections.push(section('pipeline-runs', 'Pipeline runs', html`${typeof runs === 'string' ? notAvailable('Pipeline runs', runs) : pipelineRunsBody(model, runs, links)}${runDetails}`));

  say('reading tuning runs');
  const tuning = await loadTuningRuns(sources, model);
  const tuningDetails: SafeHtml[] = [];
  if (typeof tuning !== 'string') {
    for (const t of tuning.slice(0, limit)) {
      say(`  tuning run ${t.id} (plots)`);
      detailed.tuning.add(t.id);
      const full = await loadTuningRun(sources, model, t.id);
      tuningDetails.push(section(`tuning-run-${encodeURIComponent(t.id)}`, `Tuning run ${t.id}`, typeof full === 'string' ? notAvailable('The tuning run', full) : tuningRunBody(full), 3));
    }
  }
  sections.push(section('tuning-runs', 'Tuning runs', html`${typeof tuning === 'string' ? notAvailable('Tuning runs', tuning) : tuningRunsBody(model, tuning, links)}${tuningDetails}`));

  say('reading lineage');
  const lineage: SafeHtml[] = [];
  for (const v of data.model.versions.slice(0, limit)) lineage.push(section(`lineage-${encodeURIComponent(v.versionId)}`, `Version ${v.versionId}`, lineageBody(await loadLineage(sources, model, v.versionId)), 3));
  sections.push(section('lineage', 'Lineage', lineage.length ? html`${lineage}` : html`<p class="na">No versions.</p>`));

  say('reading decisions');
  sections.push(section('decisions', 'Decisions', decisionsBody(await loadDecisions(sources, model))));

  // The model section comes first but is drawn last, once it is known which runs have a section.
  sections.unshift(section('model', 'Model', modelBody(data, links, { sectionLinks: true })));
  const at = (options.now ?? new Date()).toISOString();
  // Opened from disk no server sends a CSP header: the file carries its own.
  return page(`Report: ${model}`, [{ label: `report generated ${at}` }], html`${sections}`, { home: '#model', csp: true });
}
