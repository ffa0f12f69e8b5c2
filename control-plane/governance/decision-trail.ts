// A model's audit trail, read back from the BigQuery audit table (config/bigquery-tables.ts) with
// one parameterised query: filters by kind, version and time, newest first, keyset-paged (the page
// token carries the last row's time and id, and the filters it was given with). Rows are
// de-duplicated by decision id: BigQuery's insertId de-duplication is best effort, and a redelivered
// handler appends the same row again.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { aggregateRows, tableRefSchema, tableSql } from '../analysis/bigquery-query.js';
import type { QueryParamType } from '../analysis/bigquery-query.js';
import type { DecisionView, ListDecisionsQuery, ListDecisionsResponse } from '../api/decisions.js';
import { DEFAULT_PAGE_SIZE, rfc3339 } from '../api/decisions.js';
import { AUDIT_TABLE } from '../config/bigquery-tables.js';
import { httpStatus, invalidArgument } from '../errors.js';
import type { ControlPlaneContext } from '../runtime/context.js';
import { vertexModelName } from '../runtime/context.js';

/** A TIMESTAMP as the client returns it (`BigQueryTimestamp`, `{ value }`) or as text. */
const Timestamp = z.union([z.string(), z.object({ value: z.string() }).transform((t) => t.value)]);

const Row = z.object({
  decision_id: z.string(),
  decided_at: Timestamp,
  model: z.string(),
  version: z.string().nullable(),
  subject: z.string(),
  kind: z.string(),
  actor: z.string(),
  reason: z.string(),
  details: z.string().nullable(),
});
type Row = z.infer<typeof Row>;

/** What the page token remembers: where the last page ended, and for which filters. */
const Cursor = z.object({ at: rfc3339, id: z.string(), f: z.string() });

function filtersKey(model: string, q: ListDecisionsQuery): string {
  return createHash('sha256').update(JSON.stringify([model, q.kind ?? null, q.version ?? null, q.since ?? null, q.until ?? null])).digest('base64url').slice(0, 16);
}

function readToken(token: string, key: string): z.infer<typeof Cursor> {
  let cursor: z.infer<typeof Cursor> | undefined;
  try {
    cursor = Cursor.parse(JSON.parse(Buffer.from(token, 'base64url').toString('utf8')));
  } catch {
    throw invalidArgument('pageToken', 'is not a page token this API gave');
  }
  if (cursor.f !== key) throw invalidArgument('pageToken', 'was given with other filters (kind, version, since, until): repeat them unchanged');
  return cursor;
}

const toIso = (at: string) => new Date(Date.parse(at.includes('T') || at.endsWith('Z') ? at : `${at.replace(' ', 'T')}Z`)).toISOString();

function view(row: Row): DecisionView {
  let details: Record<string, unknown> = {};
  if (row.details) {
    try {
      const parsed: unknown = JSON.parse(row.details);
      details = parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : { value: parsed };
    } catch {
      details = { text: row.details };
    }
  }
  return {
    id: row.decision_id,
    kind: row.kind,
    decideTime: toIso(row.decided_at),
    model: row.model,
    ...(row.version ? { version: row.version } : {}),
    subject: row.subject,
    actor: row.actor,
    reason: row.reason,
    details,
  };
}

export async function listDecisions(ctx: ControlPlaneContext, model: string, query: ListDecisionsQuery): Promise<ListDecisionsResponse> {
  const spec = ctx.models.require(model);
  const pageSize = query.pageSize ?? DEFAULT_PAGE_SIZE;
  const key = filtersKey(spec.name, query);
  const cursor = query.pageToken !== undefined ? readToken(query.pageToken, key) : undefined;
  const table = tableRefSchema.parse({ projectId: ctx.settings.projectId, datasetId: AUDIT_TABLE.datasetId, tableId: AUDIT_TABLE.tableId });

  const where = ['model = @model'];
  // TIMESTAMP values as Dates: the client writes them in the form BigQuery parses.
  const params: Record<string, unknown> = { model: spec.name, limit: pageSize + 1 };
  const types: Record<string, QueryParamType> = { model: 'STRING', limit: 'INT64' };
  if (query.kind) {
    where.push('kind IN UNNEST(@kinds)');
    params.kinds = query.kind;
    types.kinds = ['STRING'];
  }
  if (query.version) {
    where.push('version = @version');
    params.version = query.version.includes('@') ? query.version : `${vertexModelName(ctx.settings, spec.name)}@${query.version}`;
    types.version = 'STRING';
  }
  if (query.since) {
    where.push('decided_at >= @since');
    params.since = new Date(query.since);
    types.since = 'TIMESTAMP';
  }
  if (query.until) {
    where.push('decided_at < @until');
    params.until = new Date(query.until);
    types.until = 'TIMESTAMP';
  }
  if (cursor) {
    where.push('(decided_at < @after_at OR (decided_at = @after_at AND decision_id > @after_id))');
    params.after_at = new Date(cursor.at);
    params.after_id = cursor.id;
    types.after_at = 'TIMESTAMP';
    types.after_id = 'STRING';
  }
  const sql = `SELECT decision_id, decided_at, model, version, subject, kind, actor, reason, details
FROM ${tableSql(table)}
WHERE ${where.join(' AND ')}
QUALIFY ROW_NUMBER() OVER (PARTITION BY decision_id ORDER BY decided_at) = 1
ORDER BY decided_at DESC, decision_id
LIMIT @limit`;

  let rows: Row[];
  try {
    rows = await aggregateRows(await ctx.clients.bigquery(), { sql, params, types }, Row);
  } catch (err) {
    // A fresh project: nothing was ever decided, so the table was never created.
    if (httpStatus(err) === 404) return { decisions: [] };
    throw err;
  }
  const page = rows.slice(0, pageSize).map(view);
  const last = page.at(-1);
  const more = rows.length > pageSize && last !== undefined;
  return {
    decisions: page,
    ...(more ? { nextPageToken: Buffer.from(JSON.stringify({ at: last.decideTime, id: last.id, f: key })).toString('base64url') } : {}),
  };
}
