// A model's rollouts, and one rollout's timeline: each step's traffic, times and verdict, every
// analysis measurement behind it (the numbers, their confidence intervals, the limits held to),
// and the decisions taken, in order.
import { apiPath } from '../api-client.js';
import type { Measurement, Rollout } from '../api-schemas.js';
import { Rollout as RolloutSchema, RolloutList } from '../api-schemas.js';
import type { SafeHtml } from '../html.js';
import { badge, html, link, notAvailable, num, time, trusted } from '../html.js';
import { renderSvg, trafficSpec } from '../plots.js';
import type { Links, Sources } from '../sources.js';
import { modelId } from '../sources.js';

const versionId = (v: string) => v.split('@').pop() ?? v;

export function rolloutsListBody(model: string, rollouts: readonly Rollout[], links: Links): SafeHtml {
  if (rollouts.length === 0) return html`<p class="na">No rollouts of ${model} yet.</p>`;
  return html`<table class="rollouts"><thead><tr><th>rollout</th><th>phase</th><th>stable</th><th>canary</th><th>canary traffic</th><th>step</th><th>created</th></tr></thead><tbody>
${rollouts.map((r) => html`<tr><td>${link(links.rollout(model, r.id), r.id)}</td><td>${badge(r.phase)}</td><td>${versionId(r.stable.version)}</td><td>${versionId(r.canary.version)}</td><td class="num">${r.canaryWeight ?? '—'}%</td><td>${Math.min(r.stepIndex + 1, r.policy.steps.length)}/${r.policy.steps.length}</td><td>${time(r.createTime)}</td></tr>`)}
</tbody></table>`;
}

export async function loadRollouts(sources: Sources, model: string): Promise<Rollout[] | string> {
  const list = await sources.api.get(RolloutList, apiPath('v1', 'models', model, 'rollouts'));
  return list.ok ? list.value.rollouts : list.message;
}

export interface RolloutData {
  readonly rollout: Rollout;
  /** The canary's traffic over time as SVG, when at least one step started. */
  readonly trafficPlot?: string;
}

/** When the canary's traffic changed: each started step's weight, then 0 on an abort or 100 on promotion. */
export function trafficPoints(r: Rollout): { at: string; canaryPercent: number }[] {
  const w = weights(r.policy.steps);
  const points = r.steps.filter((s) => s.startedAt).map((s) => ({ at: s.startedAt!, canaryPercent: w[s.index] ?? 0 }));
  const end = [...r.history].reverse().find((d) => /ABORT|ROLLBACK|PROMOT/i.test(d.kind));
  if (end && (r.phase === 'ABORTED' || r.phase === 'ABORTING' || r.phase.startsWith('PROMOT'))) points.push({ at: end.at, canaryPercent: /PROMOT/i.test(end.kind) ? 100 : 0 });
  return points.sort((a, b) => a.at.localeCompare(b.at));
}

/** Rollout `id` of `model`: one of another model is "not found" here, as under another model's path. */
export async function loadRollout(sources: Sources, model: string, id: string): Promise<RolloutData | string> {
  const r = await sources.api.get(RolloutSchema, apiPath('v1', 'rollouts', id));
  if (!r.ok) return r.message;
  if (r.value.model === undefined || modelId(r.value.model) !== model) return `rollouts/${id} not found for models/${model}`;
  const points = trafficPoints(r.value);
  return { rollout: r.value, ...(points.length ? { trafficPlot: await renderSvg(trafficSpec(points)) } : {}) };
}

/** What a policy step does, in words. */
function stepText(step: Record<string, unknown>): string {
  if (typeof step.setWeight === 'number') return `set canary traffic to ${step.setWeight}%`;
  if (step.pause && typeof step.pause === 'object') {
    const d = (step.pause as { duration?: unknown }).duration;
    return typeof d === 'number' ? `pause ${d} s` : 'pause until a person resumes';
  }
  if (step.analysis) return 'analysis';
  return JSON.stringify(step);
}

/** Traffic to the canary after each step: the last setWeight so far. */
function weights(steps: readonly Record<string, unknown>[]): number[] {
  let w = 0;
  return steps.map((s) => (typeof s.setWeight === 'number' ? (w = s.setWeight) : w));
}

const ci = (c: readonly [number, number] | undefined) => (c ? `[${num(c[0])}, ${num(c[1])}]` : '');

function measurementBlock(m: Measurement): SafeHtml {
  const quality = m.quality
    ? html`<p>${m.quality.metric}: stable ${num(m.quality.stable.value)} ${ci(m.quality.stable.ci)} (n=${m.quality.stable.n}), canary ${num(m.quality.canary.value)} ${ci(m.quality.canary.ci)} (n=${m.quality.canary.n})${m.quality.relativeChange ? `, relative change ${num(m.quality.relativeChange.estimate)} CI ${ci(m.quality.relativeChange.ci)}` : ''}</p>`
    : '';
  const serving = m.stable || m.canary
    ? html`<p>requests stable ${num(m.stable?.requestCount)} / canary ${num(m.canary?.requestCount)}; error rate ${num(m.stable?.errorRate)} / ${num(m.canary?.errorRate)}; p95 latency ${num(m.stable?.latencyP95Ms)} ms / ${num(m.canary?.latencyP95Ms)} ms${m.predictions ? `; prediction KS ${num(m.predictions.ksStatistic)} (p=${num(m.predictions.pValue)})` : ''}</p>`
    : '';
  return html`<div class="measurement"><p>${time(m.at)} · window ${time(m.windowStart)} – ${time(m.windowEnd)} · result ${badge(m.result)}${m.error ? html` · ${m.error}` : ''}</p>
${serving}${quality}
${m.checks.length ? html`<table class="checks"><thead><tr><th>check</th><th>value</th><th>limit</th><th>outcome</th><th>detail</th></tr></thead><tbody>${m.checks.map((c) => html`<tr><td>${c.name}</td><td class="num">${num(c.value)}</td><td class="num">${num(c.limit)}</td><td>${badge(c.outcome === 'pass' ? 'PASS' : c.outcome === 'fail' ? 'FAILED' : c.outcome)}</td><td>${c.detail}</td></tr>`)}</tbody></table>` : ''}</div>`;
}

export function rolloutBody(data: RolloutData): SafeHtml {
  const r = data.rollout;
  const w = weights(r.policy.steps);
  const stepRecord = (i: number) => r.steps.find((s) => s.index === i);
  const timeline = html`<table class="timeline"><thead><tr><th>#</th><th>step</th><th>canary traffic</th><th>started</th><th>finished</th><th>verdict</th><th>measurements</th></tr></thead><tbody>
${r.policy.steps.map((s, i) => {
  const rec = stepRecord(i);
  const state = i < r.stepIndex || rec?.finishedAt ? 'done' : i === r.stepIndex ? 'current' : 'pending';
  return html`<tr class="step ${state}"><td>${i + 1}</td><td>${stepText(s)}</td><td class="num">${w[i]}%</td><td>${time(rec?.startedAt)}</td><td>${time(rec?.finishedAt)}</td><td>${rec?.verdict ? badge(rec.verdict) : state === 'current' ? badge(r.phase) : '—'}</td><td class="num">${rec?.measurements.length ?? 0}</td></tr>`;
})}
</tbody></table>`;
  const analyses = r.steps.filter((s) => s.measurements.length > 0).map((s) => html`<h3>step ${s.index + 1}: ${stepText(r.policy.steps[s.index] ?? {})}${s.verdict ? html` — ${badge(s.verdict)}` : ''}</h3>${s.measurements.map(measurementBlock)}`);
  const limits = r.policy.analysis ? html`<table class="limits"><tbody>${Object.entries(r.policy.analysis).map(([k, v]) => html`<tr><th>${k}</th><td class="num">${typeof v === 'number' ? num(v) : JSON.stringify(v)}</td></tr>`)}</tbody></table>` : '';
  const history = html`<table class="history"><thead><tr><th>time</th><th>decision</th><th>step</th><th>by</th><th>reason</th></tr></thead><tbody>${r.history.map((d) => html`<tr><td>${time(d.at)}</td><td>${d.kind}</td><td>${d.stepIndex === undefined ? '' : d.stepIndex + 1}</td><td>${d.actor}</td><td>${d.reason}</td></tr>`)}</tbody></table>`;
  return html`<p>${badge(r.phase)} stable version <b>${versionId(r.stable.version)}</b> → canary version <b>${versionId(r.canary.version)}</b> at ${r.canaryWeight ?? '—'}% · created ${time(r.createTime)}${r.abortReason ? html` · aborted: ${r.abortReason}` : ''}</p>
<h2>Timeline</h2>${timeline}
${data.trafficPlot ? html`<div class="plot traffic">${trusted(data.trafficPlot)}</div>` : ''}
<h2>Decisions</h2>${r.history.length ? history : html`<p class="na">No decisions yet.</p>`}
<h2>Analysis</h2>${analyses.length ? analyses : html`<p class="na">No measurements yet.</p>`}
<h2>Analysis limits</h2>${limits || notAvailable('Limits', 'the rollout records no analysis criteria')}`;
}
