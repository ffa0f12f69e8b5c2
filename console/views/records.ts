// A version's lineage (the chain snapshot → pipeline run → version → deployments and rollouts, and
// the ML Metadata graph behind it) and a model's decisions (the audit trail), as mlopsApi answers
// them; "not available" where a deployment does not serve them or nothing was recorded.
import { apiPath } from '../api-client.js';
import type { Decisions, Lineage } from '../api-schemas.js';
import { Decisions as DecisionsSchema, Lineage as LineageSchema } from '../api-schemas.js';
import type { SafeHtml } from '../html.js';
import { badge, html, notAvailable, num, time, trusted } from '../html.js';
import type { Sources } from '../sources.js';
import { taskGraphSvg } from './task-graph.js';

export async function loadLineage(sources: Sources, model: string, version: string): Promise<Lineage | string> {
  const r = await sources.api.get(LineageSchema, apiPath('v1', 'models', model, 'versions', version, 'lineage'));
  return r.ok ? r.value : r.message;
}

/** The metadata graph drawn like a task graph: artifacts and executions as boxes, events as arrows. */
function lineageGraph(lineage: Lineage): string {
  const label = new Map<string, string>();
  for (const n of lineage.nodes) {
    let name = n.displayName || n.id.split('/').pop() || n.id;
    for (let i = 2; [...label.values()].includes(name); i += 1) name = `${n.displayName} (${i})`;
    label.set(n.id, name);
  }
  const nodes = lineage.nodes.map((n) => ({ name: label.get(n.id)!, isDag: n.type === 'execution' }));
  const edges = lineage.edges.filter((e) => label.has(e.source) && label.has(e.target)).map((e) => [label.get(e.source)!, label.get(e.target)!] as const);
  const states = new Map(lineage.nodes.map((n) => [label.get(n.id)!, n.state === 'COMPLETE' || n.state === 'LIVE' ? 'SUCCEEDED' : n.state]));
  return taskGraphSvg({ nodes, edges }, states);
}

export function lineageBody(data: Lineage | string): SafeHtml {
  if (typeof data === 'string') return notAvailable('Lineage', data);
  return html`<div class="lineage"><p><code>${data.version}</code></p>
<h3>Chain</h3>
${data.chain.length ? html`<table class="chain"><thead><tr><th>stage</th><th>resource</th><th>state</th><th>outcome</th><th>time</th></tr></thead><tbody>${data.chain.map((c) => html`<tr><td>${c.stage}</td><td>${c.displayName}<br><code>${c.name}</code></td><td>${c.state ? badge(c.state) : ''}</td><td>${c.outcome ?? ''}</td><td>${time(c.time)}</td></tr>`)}</tbody></table>` : html`<p class="na">No chain recorded.</p>`}
<h3>Metadata graph</h3>
${data.nodes.length ? html`<div class="plot graph">${trusted(lineageGraph(data))}</div>
<table class="nodes"><thead><tr><th>node</th><th>type</th><th>schema</th><th>state</th><th>uri</th></tr></thead><tbody>${data.nodes.map((n) => html`<tr><td>${n.displayName}</td><td>${n.type}</td><td>${n.schemaTitle}</td><td>${n.state}</td><td><code>${n.uri ?? ''}</code></td></tr>`)}</tbody></table>` : html`<p class="na">No metadata nodes.</p>`}</div>`;
}

export async function loadDecisions(sources: Sources, model: string): Promise<Decisions | string> {
  const r = await sources.api.get(DecisionsSchema, `${apiPath('v1', 'models', model, 'decisions')}?pageSize=200`);
  return r.ok ? r.value : r.message;
}

/** The details' numbers and short strings, as `name value` lines. */
function details(d: Record<string, unknown>): SafeHtml[] {
  return Object.entries(d)
    .filter(([, v]) => typeof v === 'number' || typeof v === 'boolean' || (typeof v === 'string' && v.length <= 80))
    .slice(0, 12)
    .map(([k, v]) => html`<code>${k}</code> ${typeof v === 'number' ? num(v) : String(v as string | boolean)}<br>`);
}

export function decisionsBody(data: Decisions | string): SafeHtml {
  if (typeof data === 'string') return notAvailable('Decisions', data);
  if (data.decisions.length === 0) return html`<p class="na">No decisions recorded yet.</p>`;
  return html`<table class="decisions"><thead><tr><th>time</th><th>kind</th><th>subject</th><th>version</th><th>by</th><th>reason</th><th>numbers</th></tr></thead><tbody>
${data.decisions.map((d) => html`<tr><td>${time(d.decideTime)}</td><td>${d.kind}</td><td>${d.subject}</td><td>${d.version?.split('@').pop() ?? ''}</td><td>${d.actor}</td><td>${d.reason}</td><td>${details(d.details)}</td></tr>`)}
</tbody></table>${data.nextPageToken ? html`<p class="na">Older decisions not shown (the newest 200 are).</p>` : ''}`;
}
