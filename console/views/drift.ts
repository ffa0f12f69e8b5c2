// Drift per feature: the latest check's table (from mlopsApi) and each feature's score over time
// (Cloud Monitoring's series, as checkDrift wrote them) drawn against its threshold.
import { apiPath } from '../api-client.js';
import type { DriftCheck } from '../api-schemas.js';
import { DriftCheck as DriftCheckSchema } from '../api-schemas.js';
import type { FeatureSeries } from '../google-sources.js';
import type { SafeHtml } from '../html.js';
import { badge, html, notAvailable, num, time, trusted } from '../html.js';
import { driftSpec, renderSvg } from '../plots.js';
import type { Sources } from '../sources.js';

export interface DriftData {
  readonly check: DriftCheck | string;
  readonly series: readonly FeatureSeries[] | string;
  /** feature → metric → SVG of its series. */
  readonly plots: readonly { feature: string; metric: string; svg: string }[];
}

/** The most points a series is drawn with: a week of checks every minute would be 10,080. */
export const MAX_SERIES_POINTS = 500;

/**
 * A series (in time order) cut to at most `max` points: consecutive buckets, each kept as its
 * highest score (a drift spike is never averaged away) and its last one (where it ended).
 */
export function downsample<P extends { at: string; value: number }>(points: readonly P[], max = MAX_SERIES_POINTS): P[] {
  if (points.length <= max) return [...points];
  const buckets = Math.max(1, Math.floor(max / 2));
  const size = Math.ceil(points.length / buckets);
  const out: P[] = [];
  for (let start = 0; start < points.length; start += size) {
    const bucket = points.slice(start, start + size);
    const last = bucket[bucket.length - 1]!;
    const peak = bucket.reduce((a, b) => (b.value > a.value ? b : a));
    if (peak !== last) out.push(peak);
    out.push(last);
  }
  return out;
}

/** The distance metrics a threshold applies to (PSI and KS are shown, not thresholded here). */
const THRESHOLDED = new Set(['jensen_shannon', 'l_infinity']);

export async function loadDrift(sources: Sources, model: string): Promise<DriftData> {
  const [check, series] = await Promise.all([sources.api.get(DriftCheckSchema, apiPath('v1', 'models', model, 'drift')), sources.google.driftSeries(model)]);
  const thresholds = new Map<string, number>();
  if (check.ok) for (const v of check.value.versions) for (const f of v.features) thresholds.set(f.feature, f.threshold);
  const plots: { feature: string; metric: string; svg: string }[] = [];
  if (series.ok) {
    const groups = new Map<string, { feature: string; metric: string; points: { at: string; value: number; version: string }[] }>();
    for (const s of series.value) {
      const feature = s.labels.feature ?? '?';
      const metric = s.labels.metric ?? '?';
      const key = `${feature}\u0000${metric}`;
      const g = groups.get(key) ?? { feature, metric, points: [] };
      g.points.push(...downsample(s.points).map((p) => ({ ...p, version: s.labels.version ?? '?' })));
      groups.set(key, g);
    }
    const ordered = [...groups.values()].sort((a, b) => a.feature.localeCompare(b.feature) || a.metric.localeCompare(b.metric));
    for (const g of ordered) {
      const threshold = THRESHOLDED.has(g.metric) ? thresholds.get(g.feature) : undefined;
      plots.push({ feature: g.feature, metric: g.metric, svg: await renderSvg(driftSpec(g.feature, g.metric, g.points, threshold)) });
    }
  }
  return { check: check.ok ? check.value : check.message, series: series.ok ? series.value : series.message, plots };
}

export function driftBody(data: DriftData): SafeHtml {
  const table = typeof data.check === 'string'
    ? notAvailable('The latest drift check', data.check)
    : html`<p>checked ${time(data.check.checkedAt)}${data.check.window ? html` over ${time(data.check.window.start)} – ${time(data.check.window.end)}` : ''}</p>
${data.check.versions.map((v) => html`<h3>version ${v.versionId}${v.trafficPercent === undefined ? '' : ` (${v.trafficPercent}% of traffic)`}</h3>
${v.insufficient ? html`<p class="na">${v.insufficient}</p>` : ''}
<table class="drift"><thead><tr><th>feature</th><th>metric</th><th>distance</th><th>threshold</th><th>PSI</th><th>KS</th><th>drifted</th></tr></thead><tbody>
${v.features.map((f) => html`<tr class="${f.drifted ? 'drifted' : ''}"><td>${f.feature}</td><td>${f.distance.metric}</td><td class="num">${num(f.distance.value)}</td><td class="num">${num(f.threshold)}</td><td class="num">${num(f.psi)}${f.psiTier ? ` (${f.psiTier})` : ''}</td><td class="num">${num(f.ks)}</td><td>${f.drifted ? badge('DRIFTED (FAILED)') : badge('ok')}</td></tr>`)}
</tbody></table>`)}`;
  const plots = typeof data.series === 'string'
    ? notAvailable('Drift time series', data.series)
    : data.plots.length === 0
      ? html`<p class="na">No drift scores in Cloud Monitoring for this model yet.</p>`
      : data.plots.map((p) => html`<figure class="plot" data-feature="${p.feature}" data-metric="${p.metric}">${trusted(p.svg)}</figure>`);
  return html`<h2>Latest check</h2>${table}<h2>Scores over time</h2>${plots}`;
}
