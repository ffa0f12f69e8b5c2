// A model's experiment runs side by side: one row per run with its parameters and metrics, the best
// value of each metric marked and the best run by the primary metric highlighted, plus that
// metric as a bar chart. Read from mlopsApi (GET /v1/models/{m}/experimentRuns, newest first,
// page after page up to a cap, saying so when older runs are left out).
import { apiPath } from '../api-client.js';
import type { ExperimentRun } from '../api-schemas.js';
import { ExperimentRunList } from '../api-schemas.js';
import type { SafeHtml } from '../html.js';
import { badge, html, num, time, trusted } from '../html.js';
import { renderSvg, runMetricSpec } from '../plots.js';
import type { Sources } from '../sources.js';

export interface ExperimentsData {
  readonly runs: readonly ExperimentRun[];
  /** Where the runs came from, as a person checks it. */
  readonly source: string;
  readonly plot?: string;
  /** Older runs exist beyond the newest MAX_EXPERIMENT_RUNS shown. */
  readonly truncated?: boolean;
}

/** The most runs a page compares (newest first); the API serves at most 100 a page. */
export const MAX_EXPERIMENT_RUNS = 500;
const PAGE_SIZE = 100;

/** Error-like metrics are better low; the rest (accuracy, r2, auc) better high. */
export function lowerIsBetter(metric: string): boolean {
  return /(rmse|mse|mae|mape|loss|error|latency|logloss|brier)/i.test(metric);
}

/** A run's metric when it is a number (a string metric is shown, not compared). */
export function metricValue(run: ExperimentRun, metric: string): number | undefined {
  const v = run.metrics[metric];
  return typeof v === 'number' ? v : undefined;
}

/** The metric the runs are ranked by: one every run has, error-like ones first (rmse before the rest). */
export function primaryMetric(runs: readonly ExperimentRun[]): string | undefined {
  const common = Object.keys(runs[0]?.metrics ?? {}).filter((m) => runs.every((r) => metricValue(r, m) !== undefined)).sort();
  return common.find((m) => /rmse/i.test(m)) ?? common.find(lowerIsBetter) ?? common[0];
}

export function bestRun(runs: readonly ExperimentRun[], metric: string): ExperimentRun | undefined {
  const sign = lowerIsBetter(metric) ? 1 : -1;
  let best: { run: ExperimentRun; value: number } | undefined;
  for (const run of runs) {
    const value = metricValue(run, metric);
    if (value !== undefined && (best === undefined || sign * value < sign * best.value)) best = { run, value };
  }
  return best?.run;
}

const runLabel = (r: ExperimentRun) => r.displayName || r.runId || r.name.split('/').pop() || r.name;

/** The model's runs (the newest MAX_EXPERIMENT_RUNS), or why not: an unknown model is the API's 404. */
export async function loadExperiments(sources: Sources, model: string): Promise<ExperimentsData | string> {
  const runs: ExperimentRun[] = [];
  const path = apiPath('v1', 'models', model, 'experimentRuns');
  let token: string | undefined;
  do {
    const page = await sources.api.get(ExperimentRunList, `${path}?pageSize=${PAGE_SIZE}${token ? `&pageToken=${encodeURIComponent(token)}` : ''}`);
    if (!page.ok) return page.status === 404 && !/not found/i.test(page.message) ? `${page.message} (404 not found)` : page.message;
    runs.push(...page.value.experimentRuns);
    token = page.value.nextPageToken || undefined;
  } while (token !== undefined && runs.length < MAX_EXPERIMENT_RUNS);
  const truncated = token !== undefined || runs.length > MAX_EXPERIMENT_RUNS;
  runs.splice(MAX_EXPERIMENT_RUNS);
  const source = `GET /v1/models/${model}/experimentRuns`;
  const more = truncated ? { truncated } : {};
  runs.sort((a, b) => (a.createTime ?? '').localeCompare(b.createTime ?? ''));
  const metric = primaryMetric(runs);
  if (!metric) return { runs, source, ...more };
  const best = bestRun(runs, metric);
  const plot = await renderSvg(runMetricSpec(metric, runs.flatMap((r) => {
    const value = metricValue(r, metric);
    return value === undefined ? [] : [{ run: runLabel(r), value, best: r === best }];
  })));
  return { runs, source, plot, ...more };
}

export function experimentsBody(data: ExperimentsData): SafeHtml {
  const { runs } = data;
  if (runs.length === 0) return html`<p class="na">No experiment runs yet (${data.source}).</p>`;
  const truncated = data.truncated ? html`<p class="na">The newest ${runs.length} runs; older runs not shown.</p>` : '';
  const params = [...new Set(runs.flatMap((r) => Object.keys(r.params)))].sort();
  const metrics = [...new Set(runs.flatMap((r) => Object.keys(r.metrics)))].sort();
  const primary = primaryMetric(runs);
  const best = primary ? bestRun(runs, primary) : undefined;
  const bestOf = new Map(metrics.map((m) => [m, bestRun(runs, m)]));
  return html`${truncated}<p>${runs.length} runs from ${data.source}${primary && best ? html`; best by <b>${primary}</b> (${lowerIsBetter(primary) ? 'lower' : 'higher'} is better): <b>${runLabel(best)}</b>` : ''}</p>
<table class="experiment-runs"><thead><tr><th>run</th><th>kind</th><th>state</th><th>created</th>${params.map((p) => html`<th>${p}</th>`)}${metrics.map((m) => html`<th>${m}</th>`)}</tr></thead><tbody>
${runs.map((r) => html`<tr class="${r === best ? 'best' : ''}"><td>${runLabel(r)}</td><td>${r.kind ?? ''}</td><td>${r.state ? badge(r.state) : ''}</td><td>${time(r.createTime)}</td>${params.map((p) => html`<td>${r.params[p] === undefined ? '' : typeof r.params[p] === 'number' ? num(r.params[p]) : String(r.params[p])}</td>`)}${metrics.map((m) => html`<td class="num${bestOf.get(m) === r ? ' best-value' : ''}">${typeof r.metrics[m] === 'string' ? r.metrics[m] : num(r.metrics[m])}${bestOf.get(m) === r ? ' ★' : ''}</td>`)}</tr>`)}
</tbody></table>
${data.plot ? html`<div class="plot">${trusted(data.plot)}</div>` : ''}`;
}

