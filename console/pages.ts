// Every console page by path: which view loads it and what its title and breadcrumbs are. The
// server only matches a path here and writes the page; the report composes the same views.
import type { Crumb, SafeHtml } from './html.js';
import { html, notAvailable } from './html.js';
import type { Sources } from './sources.js';
import { pageLinks as links } from './sources.js';
import { driftBody, loadDrift } from './views/drift.js';
import { experimentsBody, loadExperiments } from './views/experiments.js';
import { loadModel, loadModelCard, loadModelsList, modelBody } from './views/models.js';
import { loadPipelineRun, loadPipelineRuns, pipelineRunBody, pipelineRunsBody } from './views/pipelines.js';
import { decisionsBody, lineageBody, loadDecisions, loadLineage } from './views/records.js';
import { loadRollout, loadRollouts, rolloutBody, rolloutsListBody } from './views/rollouts.js';
import { loadTuningRun, loadTuningRuns, tuningRunBody, tuningRunsBody } from './views/tuning.js';

export interface Page {
  readonly status: number;
  readonly title: string;
  readonly crumbs: readonly Crumb[];
  readonly body: SafeHtml;
  /** A whole document served as it is instead of a console page (a model card's own HTML). */
  readonly document?: string;
}

type Loader = (sources: Sources, params: string[]) => Promise<Page>;

const modelCrumb = (m: string): Crumb => ({ label: m, href: links.model(m) });
const ok = (title: string, crumbs: Crumb[], body: SafeHtml): Page => ({ status: 200, title, crumbs, body });
/** A page whose main resource could not be read: 404 when the API said so, 502 otherwise. */
const failed = (title: string, crumbs: Crumb[], what: string, why: string, status = /not found|404/i.test(why) ? 404 : 502): Page => ({ status, title, crumbs, body: notAvailable(what, why) });

const S = '([^/]+)';
const ROUTES: readonly [RegExp, Loader][] = [
  [/^\/$/, async (s) => ok('Models', [], await loadModelsList(s, links))],
  [new RegExp(`^/models/${S}$`), async (s, [m]) => {
    const data = await loadModel(s, m!);
    return typeof data === 'string' ? failed(`Model ${m}`, [], 'The model', data) : ok(`Model ${m}`, [], modelBody(data, links));
  }],
  [new RegExp(`^/models/${S}/experiments$`), async (s, [m]) => {
    const data = await loadExperiments(s, m!);
    const crumbs = [modelCrumb(m!), { label: 'experiment runs' }];
    return typeof data === 'string' ? failed(`Experiment runs of ${m}`, crumbs, 'Experiment runs', data) : ok(`Experiment runs of ${m}`, crumbs, experimentsBody(data));
  }],
  [new RegExp(`^/models/${S}/rollouts$`), async (s, [m]) => {
    const data = await loadRollouts(s, m!);
    const crumbs = [modelCrumb(m!), { label: 'rollouts' }];
    return typeof data === 'string' ? failed(`Rollouts of ${m}`, crumbs, 'Rollouts', data) : ok(`Rollouts of ${m}`, crumbs, rolloutsListBody(m!, data, links));
  }],
  [new RegExp(`^/models/${S}/rollouts/${S}$`), async (s, [m, id]) => {
    const data = await loadRollout(s, m!, id!);
    const crumbs = [modelCrumb(m!), { label: 'rollouts', href: links.rollouts(m!) }, { label: id! }];
    return typeof data === 'string' ? failed(`Rollout ${id}`, crumbs, 'The rollout', data) : ok(`Rollout ${id}`, crumbs, rolloutBody(data));
  }],
  [new RegExp(`^/models/${S}/drift$`), async (s, [m]) => ok(`Drift of ${m}`, [modelCrumb(m!), { label: 'drift' }], driftBody(await loadDrift(s, m!)))],
  [new RegExp(`^/models/${S}/pipelineRuns$`), async (s, [m]) => {
    const data = await loadPipelineRuns(s, m!);
    const crumbs = [modelCrumb(m!), { label: 'pipeline runs' }];
    return typeof data === 'string' ? failed(`Pipeline runs of ${m}`, crumbs, 'Pipeline runs', data) : ok(`Pipeline runs of ${m}`, crumbs, pipelineRunsBody(m!, data, links));
  }],
  [new RegExp(`^/models/${S}/pipelineRuns/${S}$`), async (s, [m, id]) => {
    const data = await loadPipelineRun(s, m!, id!);
    const crumbs = [modelCrumb(m!), { label: 'pipeline runs', href: links.pipelineRuns(m!) }, { label: id! }];
    return typeof data === 'string' ? failed(`Pipeline run ${id}`, crumbs, 'The pipeline run', data) : ok(`Pipeline run ${id}`, crumbs, pipelineRunBody(data));
  }],
  [new RegExp(`^/models/${S}/tuningRuns$`), async (s, [m]) => {
    const data = await loadTuningRuns(s, m!);
    const crumbs = [modelCrumb(m!), { label: 'tuning runs' }];
    return typeof data === 'string' ? failed(`Tuning runs of ${m}`, crumbs, 'Tuning runs', data) : ok(`Tuning runs of ${m}`, crumbs, tuningRunsBody(m!, data, links));
  }],
  [new RegExp(`^/models/${S}/tuningRuns/${S}$`), async (s, [m, id]) => {
    const data = await loadTuningRun(s, m!, id!);
    const crumbs = [modelCrumb(m!), { label: 'tuning runs', href: links.tuningRuns(m!) }, { label: id! }];
    return typeof data === 'string' ? failed(`Tuning run ${id}`, crumbs, 'The tuning run', data) : ok(`Tuning run ${id}`, crumbs, tuningRunBody(data));
  }],
  [new RegExp(`^/models/${S}/versions/${S}/lineage$`), async (s, [m, v]) => ok(`Lineage of ${m} version ${v}`, [modelCrumb(m!), { label: `version ${v} lineage` }], lineageBody(await loadLineage(s, m!, v!)))],
  [new RegExp(`^/models/${S}/versions/${S}/modelCard$`), async (s, [m, v]) => {
    const card = await loadModelCard(s, m!, v!);
    const crumbs = [modelCrumb(m!), { label: `version ${v} model card` }];
    return typeof card === 'string' ? failed(`Model card of ${m} version ${v}`, crumbs, 'The model card', card) : { ...ok(`Model card of ${m} version ${v}`, crumbs, html``), document: card.html };
  }],
  [new RegExp(`^/models/${S}/decisions$`), async (s, [m]) => ok(`Decisions about ${m}`, [modelCrumb(m!), { label: 'decisions' }], decisionsBody(await loadDecisions(s, m!)))],
];

/** The page at `path`, or a 404 page. */
export async function pageFor(sources: Sources, path: string): Promise<Page> {
  for (const [pattern, load] of ROUTES) {
    const match = pattern.exec(path);
    if (!match) continue;
    let params: string[];
    try {
      params = match.slice(1).map((p) => decodeURIComponent(p));
    } catch {
      return { status: 400, title: 'Bad path', crumbs: [], body: html`<p>The path is not valid percent-encoding.</p>` };
    }
    return load(sources, params);
  }
  return { status: 404, title: 'Not found', crumbs: [], body: html`<p>No console page at <code>${path}</code>.</p>` };
}
