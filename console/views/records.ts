// Lineage of a version and a model's decisions: endpoints newer than the rest of the API, so the
// console shows whatever they answer as tables (arrays of records become rows, scalars cells),
// and says "not available" where a deployment does not serve them yet.
import { z } from 'zod';
import { apiPath } from '../api-client.js';
import type { SafeHtml } from '../html.js';
import { html, notAvailable, num } from '../html.js';
import type { Sources } from '../sources.js';

const AnyObject = z.record(z.string(), z.unknown());
type Json = unknown;

function scalar(v: Json): SafeHtml {
  if (v === null || v === undefined) return html``;
  if (typeof v === 'number') return html`${num(v)}`;
  if (typeof v === 'string' || typeof v === 'boolean') return html`${String(v)}`;
  return html`<code>${JSON.stringify(v).slice(0, 300)}</code>`;
}

function isRecordArray(v: Json): v is Record<string, Json>[] {
  return Array.isArray(v) && v.length > 0 && v.every((x) => x !== null && typeof x === 'object' && !Array.isArray(x));
}

/** Any JSON value as tables a person can read. */
export function jsonTables(value: Json, depth = 0): SafeHtml {
  if (isRecordArray(value)) {
    const columns = [...new Set(value.flatMap((r) => Object.keys(r)))];
    return html`<table><thead><tr>${columns.map((c) => html`<th>${c}</th>`)}</tr></thead><tbody>${value.map((r) => html`<tr>${columns.map((c) => html`<td>${depth < 2 && r[c] !== null && typeof r[c] === 'object' ? jsonTables(r[c], depth + 1) : scalar(r[c])}</td>`)}</tr>`)}</tbody></table>`;
  }
  if (Array.isArray(value)) return html`${value.map((v) => html`${scalar(v)}<br>`)}`;
  if (value !== null && typeof value === 'object') {
    return html`<table><tbody>${Object.entries(value).map(([k, v]) => html`<tr><th>${k}</th><td>${depth < 3 && v !== null && typeof v === 'object' ? jsonTables(v, depth + 1) : scalar(v)}</td></tr>`)}</tbody></table>`;
  }
  return scalar(value);
}

export async function loadLineage(sources: Sources, model: string, version: string): Promise<Record<string, Json> | string> {
  const r = await sources.api.get(AnyObject, apiPath('v1', 'models', model, 'versions', version, 'lineage'));
  return r.ok ? r.value : r.message;
}

export function lineageBody(data: Record<string, Json> | string): SafeHtml {
  return typeof data === 'string' ? notAvailable('Lineage', data) : html`<div class="lineage">${jsonTables(data)}</div>`;
}

export async function loadDecisions(sources: Sources, model: string): Promise<Record<string, Json> | string> {
  const r = await sources.api.get(AnyObject, apiPath('v1', 'models', model, 'decisions'));
  return r.ok ? r.value : r.message;
}

export function decisionsBody(data: Record<string, Json> | string): SafeHtml {
  if (typeof data === 'string') return notAvailable('Decisions', data);
  const list = Object.values(data).find(isRecordArray);
  return html`<div class="decisions">${list ? jsonTables(list) : jsonTables(data)}</div>`;
}
