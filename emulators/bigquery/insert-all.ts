// tabledata.insertAll: streaming inserts through DuckDB's appender. Rows carrying an insertId seen
// for the same table within the de-duplication window are dropped silently (BigQuery's
// best-effort de-duplication); invalid rows come back in insertErrors, and unless
// skipInvalidRows, one invalid row stops the whole request (the others are reported `stopped`).
import type { DuckDBValue } from '@duckdb/node-api';
import type { Catalog } from './catalog.js';
import type { Db } from './engine.js';
import { invalid, tableName } from './errors.js';
import type { RowError } from './row-coercion.js';
import { RowCoercer } from './row-coercion.js';
import type { InsertAllRequest } from './schemas.js';
import type { TableRef } from './sql/translator.js';

export interface InsertAllResponse {
  kind: 'bigquery#tableDataInsertAllResponse';
  insertErrors?: { index: number; errors: RowError[] }[];
}

const STOPPED: RowError = { reason: 'stopped', location: '', debugInfo: '', message: '' };

/** insertIds seen recently, per table; entries are kept in arrival order so expiry is a prefix. */
export class InsertIdWindow {
  private readonly seen = new Map<string, number>();

  constructor(readonly windowMs: number) {}

  private prune(now: number): void {
    for (const [key, at] of this.seen) {
      if (now - at < this.windowMs) break;
      this.seen.delete(key);
    }
  }

  has(table: string, insertId: string, now = Date.now()): boolean {
    this.prune(now);
    return this.seen.has(`${table}\u0000${insertId}`);
  }

  add(table: string, insertId: string, now = Date.now()): void {
    const key = `${table}\u0000${insertId}`;
    this.seen.delete(key);
    this.seen.set(key, now);
  }
}

/** Streaming touches a table's lastModifiedTime at most once a second (one metadata write, not one per request). */
export class ModifiedTimes {
  private readonly last = new Map<string, number>();

  due(table: string, now = Date.now()): boolean {
    if (now - (this.last.get(table) ?? 0) < 1000) return false;
    this.last.set(table, now);
    return true;
  }
}

export interface StreamingState {
  window: InsertIdWindow;
  modified: ModifiedTimes;
}

export async function insertAll(db: Db, catalog: Catalog, state: StreamingState, ref: TableRef, request: InsertAllRequest): Promise<InsertAllResponse> {
  const { window } = state;
  if (request.templateSuffix) throw invalid('templateSuffix is not supported by the BigQuery emulator', 'templateSuffix');
  const info = await catalog.requireTable(db, ref);
  if (info.kind === 'VIEW') throw invalid(`Cannot add rows to a table of type VIEW: ${tableName(info.ref)}`);
  const tableKey = tableName(info.ref).toLowerCase();
  const coercer = new RowCoercer(info.fields, request.ignoreUnknownValues ?? false);
  const accepted: { values: DuckDBValue[]; insertId?: string | undefined }[] = [];
  const errors: { index: number; errors: RowError[] }[] = [];
  const batchIds = new Set<string>();
  request.rows.forEach((row, index) => {
    const result = coercer.coerce(row.json);
    if ('errors' in result) {
      errors.push({ index, errors: result.errors });
      return;
    }
    if (row.insertId !== undefined && row.insertId !== '') {
      if (batchIds.has(row.insertId) || window.has(tableKey, row.insertId)) return; // duplicate: dropped
      batchIds.add(row.insertId);
    }
    accepted.push({ values: result.values, insertId: row.insertId });
  });
  if (errors.length > 0 && !request.skipInvalidRows) {
    const failed = new Set(errors.map((e) => e.index));
    const stopped = request.rows.map((_, index) => index).filter((i) => !failed.has(i));
    const all = [...errors, ...stopped.map((index) => ({ index, errors: [STOPPED] }))].sort((a, b) => a.index - b.index);
    return { kind: 'bigquery#tableDataInsertAllResponse', insertErrors: all };
  }
  if (accepted.length > 0 && !info.schemaless) {
    const place = catalog.placeOf(info.ref);
    const appender = await db.connection.createAppender(info.ref.tableId, place.schema, place.catalog);
    try {
      const types = Array.from({ length: appender.columnCount }, (_, i) => appender.columnType(i));
      for (const row of accepted) {
        row.values.forEach((value, i) => (value === null ? appender.appendNull() : appender.appendValue(value, types[i])));
        appender.endRow();
      }
      appender.flushSync();
    } finally {
      appender.closeSync();
    }
    for (const row of accepted) if (row.insertId) window.add(tableKey, row.insertId);
    if (state.modified.due(tableKey)) await catalog.updateTableMeta(db, info.ref, {});
  }
  return { kind: 'bigquery#tableDataInsertAllResponse', ...(errors.length ? { insertErrors: errors } : {}) };
}
