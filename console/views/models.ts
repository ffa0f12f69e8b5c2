// The models list and one model: its versions with aliases and labels, each version's evaluations
// and metrics and the decisions about it, the endpoint's traffic, the latest training runs.
import { apiPath } from '../api-client.js';
import type { Evaluations, Model, ModelSummary } from '../api-schemas.js';
import { Evaluations as EvaluationsSchema, Model as ModelSchema, ModelList } from '../api-schemas.js';
import type { SafeHtml } from '../html.js';
import { badge, html, link, notAvailable, num, time } from '../html.js';
import type { Links, Sources } from '../sources.js';
import { modelId } from '../sources.js';

export function modelsListBody(models: readonly ModelSummary[], links: Links): SafeHtml {
  if (models.length === 0) return html`<p class="na">No managed models.</p>`;
  return html`<table class="models"><thead><tr><th>model</th><th>display name</th><th>task</th><th>pipeline</th><th>schedule</th><th>environment</th></tr></thead><tbody>
${models.map((m) => html`<tr><td><a href="${links.model(modelId(m.name))}">${modelId(m.name)}</a></td><td>${m.displayName}</td><td>${m.task}</td><td>${m.pipeline}</td><td>${m.schedule ? `${m.schedule.cron}${m.schedule.enabled === false ? ' (paused)' : ''}` : '—'}</td><td>${m.environment}</td></tr>`)}
</tbody></table>`;
}

export async function loadModelsList(sources: Sources, links: Links): Promise<SafeHtml> {
  const list = await sources.api.get(ModelList, '/v1/models');
  return list.ok ? modelsListBody(list.value.models, links) : notAvailable('Models', list.message);
}

export interface ModelData {
  readonly model: Model;
  /** versionId → its evaluations (or why they could not be read). */
  readonly evaluations: ReadonlyMap<string, Evaluations | string>;
}

/** Newest versions first; evaluations read for at most this many. */
const VERSIONS_WITH_EVALUATIONS = 10;

/** A version's model card HTML, read from where the API says it lies (never an arbitrary object). */
export async function loadModelCard(sources: Sources, model: string, version: string): Promise<{ html: string } | string> {
  const loaded = await sources.api.get(ModelSchema, apiPath('v1', 'models', model));
  if (!loaded.ok) return loaded.message;
  const v = loaded.value.versions.find((x) => x.versionId === version);
  if (!v) return `models/${model} has no version ${version}`;
  if (!v.modelCard) return `version ${version} was registered without a model card`;
  const text = await sources.google.readObject(v.modelCard.htmlUri);
  return text.ok ? { html: text.value } : text.message;
}

export async function loadModel(sources: Sources, model: string): Promise<ModelData | string> {
  const loaded = await sources.api.get(ModelSchema, apiPath('v1', 'models', model));
  if (!loaded.ok) return loaded.message;
  const versions = [...loaded.value.versions].sort((a, b) => Number(b.versionId) - Number(a.versionId));
  const evaluations = new Map<string, Evaluations | string>();
  await Promise.all(
    versions.slice(0, VERSIONS_WITH_EVALUATIONS).map(async (v) => {
      const e = await sources.api.get(EvaluationsSchema, apiPath('v1', 'models', model, 'versions', v.versionId, 'evaluations'));
      evaluations.set(v.versionId, e.ok ? e.value : e.message);
    }),
  );
  return { model: { ...loaded.value, versions }, evaluations };
}

/** Flat `name → number` of an evaluation's metrics (nested objects as dotted names). */
export function metricNumbers(metrics: unknown, prefix = ''): [string, number][] {
  if (typeof metrics === 'number') return [[prefix || 'value', metrics]];
  if (!metrics || typeof metrics !== 'object' || Array.isArray(metrics)) return [];
  return Object.entries(metrics as Record<string, unknown>).flatMap(([k, v]) => metricNumbers(v, prefix ? `${prefix}.${k}` : k));
}

/** Other links a person would follow to documentation: the URLs in the version's description. */
function cardLinks(description: string | undefined): string[] {
  return description ? [...description.matchAll(/(?:https?|gs):\/\/[^\s"'<>()]+/g)].map((m) => m[0]) : [];
}

function sectionLinks(name: string, links: Links): SafeHtml {
  return html`<ul class="links">
<li><a href="${links.experiments(name)}">experiment runs</a></li>
<li><a href="${links.rollouts(name)}">rollouts</a></li>
<li><a href="${links.drift(name)}">drift</a></li>
<li><a href="${links.pipelineRuns(name)}">pipeline runs</a></li>
<li><a href="${links.tuningRuns(name)}">tuning runs</a></li>
<li><a href="${links.decisions(name)}">decisions</a></li>
</ul>`;
}

export function modelBody(data: ModelData, links: Links, options: { sectionLinks?: boolean } = {}): SafeHtml {
  const { model } = data;
  const name = modelId(model.name);
  const versions = model.versions.length === 0
    ? html`<p class="na">No versions registered yet.</p>`
    : html`<table class="versions"><thead><tr><th>version</th><th>aliases</th><th>created</th><th>labels</th><th>description</th><th>model card</th><th>lineage</th></tr></thead><tbody>
${model.versions.map((v) => {
  const cards = cardLinks(v.description).filter((c) => c !== v.modelCard?.htmlUri && c !== v.modelCard?.markdownUri);
  const card = v.modelCard
    ? html`${links.modelCard ? html`<a class="model-card" href="${links.modelCard(name, v.versionId)}">model card</a> ` : ''}<code>${v.modelCard.htmlUri}</code> <code>${v.modelCard.markdownUri}</code> `
    : '';
  return html`<tr data-version="${v.versionId}"><td>${v.versionId}</td><td>${v.aliases.map((a) => html`<span class="badge ${a === 'champion' ? 'good' : 'idle'}">${a}</span> `)}</td><td>${time(v.createTime)}</td><td>${Object.entries(v.labels).map(([k, val]) => html`<code>${k}=${val}</code> `)}</td><td>${v.description ?? ''}</td><td>${card}${cards.map((c) => (/^https?:/.test(c) ? html`<a href="${c}">${c}</a> ` : html`<code>${c}</code> `))}${!card && cards.length === 0 ? '—' : ''}</td><td>${link(links.lineage(name, v.versionId), 'lineage')}</td></tr>`;
})}
</tbody></table>`;
  const evaluations = model.versions.filter((v) => data.evaluations.has(v.versionId)).map((v) => {
    const e = data.evaluations.get(v.versionId)!;
    if (typeof e === 'string') return html`<h3>version ${v.versionId}</h3>${notAvailable('Evaluations', e)}`;
    const rows = e.evaluations.map((ev) => html`<tr><td>${ev.displayName ?? ev.name.split('/').pop()}</td><td>${time(ev.createTime)}</td><td>${metricNumbers(ev.metrics).map(([k, n]) => html`<code>${k}</code> ${num(n)}<br>`)}</td></tr>`);
    const decisions = e.decisions.map((d) => html`<tr><td>${d.id ?? ''}</td><td>${badge(d.outcome)}</td><td>${d.reasons.join('; ')}</td><td>${Object.entries(d.metrics).map(([k, n]) => html`<code>${k}</code> ${num(n)}<br>`)}</td></tr>`);
    return html`<h3>version ${v.versionId}</h3>
${rows.length ? html`<table class="evaluations"><thead><tr><th>evaluation</th><th>created</th><th>metrics</th></tr></thead><tbody>${rows}</tbody></table>` : html`<p class="na">No evaluations.</p>`}
${decisions.length ? html`<table class="decisions"><thead><tr><th>decision</th><th>outcome</th><th>reasons</th><th>numbers</th></tr></thead><tbody>${decisions}</tbody></table>` : ''}`;
  });
  const endpoint = model.endpoint
    ? html`<table class="traffic"><thead><tr><th>deployed model</th><th>version</th><th>traffic</th></tr></thead><tbody>${model.endpoint.deployedModels.map((d) => html`<tr><td>${d.id}</td><td>${d.model.split('@').pop()}</td><td class="num">${model.endpoint!.trafficSplit[d.id] ?? 0}%</td></tr>`)}</tbody></table>`
    : html`<p class="na">No endpoint yet.</p>`;
  const runs = model.latestRuns.length === 0
    ? html`<p class="na">No training runs yet.</p>`
    : html`<table class="runs"><thead><tr><th>training run</th><th>state</th><th>trigger</th><th>created</th><th>pipeline run</th><th>version</th></tr></thead><tbody>${model.latestRuns.map((r) => {
        const job = r.pipelineJob?.split('/').pop();
        return html`<tr><td>${r.id}</td><td>${badge(r.state)}</td><td>${r.trigger ?? ''}</td><td>${time(r.createTime)}</td><td>${job ? link(links.pipelineRun(name, job), job) : '—'}</td><td>${r.modelVersion?.split('@').pop() ?? ''}</td></tr>`;
      })}</tbody></table>`;
  return html`<p>${model.description}</p>
<p>Vertex model <code>${model.vertexModel ?? ''}</code> · task ${model.task ?? ''} · environment ${model.environment ?? ''}${model.champion ? html` · champion <b>${model.champion.split('@').pop()}</b>` : ''}${model.challenger ? html` · challenger <b>${model.challenger.split('@').pop()}</b>` : ''}</p>
${options.sectionLinks === false ? '' : sectionLinks(name, links)}
<h2>Versions</h2>${versions}
<h2>Evaluations</h2>${evaluations.length ? evaluations : html`<p class="na">No evaluations.</p>`}
<h2>Endpoint traffic</h2>${endpoint}
<h2>Latest training runs</h2>${runs}`;
}
