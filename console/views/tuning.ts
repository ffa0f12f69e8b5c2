// Tuning runs and one run: its study, trials (the best highlighted), parameter importance and the
// four plots: the SVG files the completion stored in Cloud Storage, or, before they exist, drawn
// here from the live result with the same Vega-Lite specs.
import { apiPath } from '../api-client.js';
import type { TuningRun } from '../api-schemas.js';
import { TuningRun as TuningRunSchema, TuningRunList } from '../api-schemas.js';
import type { SafeHtml } from '../html.js';
import { badge, html, link, notAvailable, num, time, trusted } from '../html.js';
import type { Links, Sources } from '../sources.js';
import { modelId } from '../sources.js';
import { renderTuningPlots } from '../../control-plane/tuning/plots/render-plots.js';
import { TuningResult } from '../../control-plane/tuning/tuning-result.js';

export function tuningRunsBody(model: string, runs: readonly TuningRun[], links: Links): SafeHtml {
  if (runs.length === 0) return html`<p class="na">No tuning runs of ${model} yet.</p>`;
  return html`<table class="tuning-runs"><thead><tr><th>tuning run</th><th>state</th><th>metric</th><th>model types</th><th>trials</th><th>best</th><th>created</th></tr></thead><tbody>
${runs.map((r) => {
  const best = r.result?.trials.find((t) => t.id === r.result?.bestTrialId);
  return html`<tr><td>${link(links.tuningRun(model, r.id), r.id)}</td><td>${badge(r.state)}</td><td>${r.study.metric.id} (${r.study.metric.goal.toLowerCase()})</td><td>${r.study.modelTypes.join(', ')}</td><td class="num">${r.result?.trials.length ?? 0}/${r.study.maxTrialCount ?? '?'}</td><td>${best ? `${best.modelType ?? ''} ${num(best.value)}` : '—'}</td><td>${time(r.createTime)}</td></tr>`;
})}
</tbody></table>`;
}

export async function loadTuningRuns(sources: Sources, model: string): Promise<TuningRun[] | string> {
  const list = await sources.api.get(TuningRunList, apiPath('v1', 'models', model, 'tuningRuns'));
  return list.ok ? list.value.tuningRuns : list.message;
}

export interface TuningRunData {
  readonly run: TuningRun;
  /** `stored`: read from Cloud Storage (shown as an image, so markup in the file cannot run); `drawn`: rendered here. */
  readonly plots: readonly { name: string; title: string; svg: string; source: string; origin: 'stored' | 'drawn' }[];
  readonly plotsProblem?: string;
}

/** Tuning run `id` of `model`: one of another model is "not found" here. */
export async function loadTuningRun(sources: Sources, model: string, id: string): Promise<TuningRunData | string> {
  const loaded = await sources.api.get(TuningRunSchema, apiPath('v1', 'tuningRuns', id));
  if (!loaded.ok) return loaded.message;
  if (loaded.value.model === undefined || modelId(loaded.value.model) !== model) return `tuningRuns/${id} not found for models/${model}`;
  const run = loaded.value;
  const stored = run.results?.plots ?? [];
  if (stored.length > 0) {
    const read = await Promise.all(stored.map(async (p) => ({ p, svg: await sources.google.readObject(p.svg) })));
    const problem = read.find((r) => !r.svg.ok);
    if (!problem) return { run, plots: read.map(({ p, svg }) => ({ name: p.name, title: p.title, svg: svg.ok ? svg.value : '', source: p.svg, origin: 'stored' as const })) };
    if (!run.result) return { run, plots: [], plotsProblem: problem.svg.ok ? '' : problem.svg.message };
  }
  if (!run.result) return { run, plots: [], plotsProblem: 'the run has no trials yet' };
  const result = TuningResult.safeParse(run.result);
  if (!result.success) return { run, plots: [], plotsProblem: `result field ${result.error.issues[0]!.path.join('.')}: ${result.error.issues[0]!.message}` };
  const rendered = await renderTuningPlots(result.data);
  return { run, plots: rendered.map((p) => ({ name: p.name, title: p.title, svg: p.svg, source: 'drawn from the live result', origin: 'drawn' as const })) };
}

export function tuningRunBody(data: TuningRunData): SafeHtml {
  const { run } = data;
  const trials = run.result?.trials ?? [];
  const params = [...new Set(trials.flatMap((t) => Object.keys(t.hyperparameters)))].sort();
  const table = trials.length === 0
    ? html`<p class="na">No finished trials yet.</p>`
    : html`<table class="trials"><thead><tr><th>trial</th><th>state</th><th>model type</th>${params.map((p) => html`<th>${p}</th>`)}<th>${run.study.metric.id}</th></tr></thead><tbody>
${trials.map((t) => html`<tr class="${t.id === run.result?.bestTrialId ? 'best' : ''}"><td>${t.id}${t.id === run.result?.bestTrialId ? ' (best)' : ''}</td><td>${badge(t.state)}</td><td>${t.modelType ?? ''}</td>${params.map((p) => html`<td class="num">${typeof t.hyperparameters[p] === 'number' ? num(t.hyperparameters[p]) : (t.hyperparameters[p] ?? '')}</td>`)}<td class="num">${num(t.value)}</td></tr>`)}
</tbody></table>`;
  const importance = run.result?.parameterImportance.length
    ? html`<table class="importance"><thead><tr><th>parameter</th><th>importance</th></tr></thead><tbody>${run.result.parameterImportance.map((p) => html`<tr><td>${p.parameter}</td><td class="num">${num(p.importance)}</td></tr>`)}</tbody></table>`
    : html`<p class="na">Not computed yet.</p>`;
  return html`<p>${badge(run.state)} metric ${run.study.metric.id} (${run.study.metric.goal.toLowerCase()}) · ${run.study.algorithm ?? ''} · model types ${run.study.modelTypes.join(', ')} · created ${time(run.createTime)}${run.trainingRun ? html` · best trial trained as run ${run.trainingRun}` : ''}</p>
${run.error ? html`<p class="error">error${run.error.task ? ` in ${run.error.task}` : ''}: ${run.error.message}</p>` : ''}
<h2>Plots</h2>
${data.plots.length ? data.plots.map((p) => html`<figure class="plot" data-plot="${p.name}">${p.origin === 'drawn' ? trusted(p.svg) : html`<img alt="${p.title}" src="data:image/svg+xml;base64,${Buffer.from(p.svg).toString('base64')}">`}<figcaption><code>${p.source}</code></figcaption></figure>`) : notAvailable('Plots', data.plotsProblem ?? 'none stored')}
<h2>Trials</h2>${table}
<h2>Parameter importance</h2>${importance}`;
}
