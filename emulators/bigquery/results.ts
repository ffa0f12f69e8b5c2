// Pages of rows from a table (tabledata.list) or a query's results (getQueryResults, jobs.query),
// in BigQuery's row JSON.
import type { Db } from './engine.js';
import type { Row, TimestampFormat } from './cells.js';
import { toRows } from './cells.js';
import { quoteIdent } from './sql/types.js';

/** Without maxResults a page holds what fits in about 10 MB, as BigQuery's pages do. */
const PAGE_BYTES = 10 * 1024 * 1024;
const DEFAULT_PAGE_ROWS = 100_000;

export interface PageRequest {
  offset: number;
  maxResults?: number | undefined;
  ts: TimestampFormat;
  /** Top-level columns to return, in order (tabledata.list selectedFields). */
  columns?: string[] | undefined;
}

export interface Page {
  rows: Row[];
  /** Offset of the next page, when rows remain. */
  next?: number;
}

export async function readPage(db: Db, tableSql: string, totalRows: bigint, request: PageRequest): Promise<Page> {
  const limit = request.maxResults ?? DEFAULT_PAGE_ROWS;
  if (limit === 0 || BigInt(request.offset) >= totalRows) return BigInt(request.offset) < totalRows ? { rows: [], next: request.offset } : { rows: [] };
  const columns = request.columns ? request.columns.map(quoteIdent).join(', ') : '*';
  const reader = await db.connection.runAndReadAll(`SELECT ${columns} FROM ${tableSql} LIMIT ${limit} OFFSET ${request.offset}`);
  let rows = toRows(reader.getRows(), reader.columnTypes(), request.ts);
  if (request.maxResults === undefined) {
    let bytes = 0;
    const fit = rows.findIndex((row) => (bytes += JSON.stringify(row).length) > PAGE_BYTES);
    if (fit > 0) rows = rows.slice(0, fit);
  }
  const end = request.offset + rows.length;
  return BigInt(end) < totalRows ? { rows, next: end } : { rows };
}
