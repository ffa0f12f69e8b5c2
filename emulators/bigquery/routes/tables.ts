// tables.insert / get / list / patch / update / delete, tabledata.list and tabledata.insertAll.
import { GoogleApiError } from '../../kit/google-error.js';
import type { EmulatorServer, RequestContext } from '../../kit/server.js';
import { Reply } from '../../kit/server.js';
import type { Catalog, TableInfo, TableMeta } from '../catalog.js';
import { etagOf, PLACEHOLDER_COLUMN, undoOnFailure } from '../catalog.js';
import { timestampFormat } from '../cells.js';
import type { Db } from '../engine.js';
import { invalid, tableName } from '../errors.js';
import { checkTableId } from '../ids.js';
import type { StreamingState } from '../insert-all.js';
import { insertAll } from '../insert-all.js';
import { decodePageToken, encodePageToken, intParam } from '../page-token.js';
import { readPage } from '../results.js';
import type { TableBody } from '../schemas.js';
import { InsertAllRequest, TableBody as TableBodySchema } from '../schemas.js';
import { bigQueryErrorFor } from '../sql/duck-errors.js';
import type { TableRef } from '../sql/translator.js';
import { translate } from '../sql/translator.js';
import { duckColumnType, quoteIdent } from '../sql/types.js';
import type { TableField } from '../table-schema.js';
import { columnsDdl, normalizeFields } from '../table-schema.js';
import { parseBody } from '../validation.js';
import { route } from './routing.js';

const tableRefOf = (ctx: RequestContext): TableRef => ({ projectId: ctx.params.projectId!, datasetId: ctx.params.datasetId!, tableId: ctx.params.tableId! });

function metaFields(body: TableBody): Partial<TableMeta> {
  const out: Partial<TableMeta> = {};
  if (body.description !== undefined) out.description = body.description;
  if (body.friendlyName !== undefined) out.friendlyName = body.friendlyName;
  if (body.labels !== undefined) out.labels = body.labels;
  if (body.expirationTime !== undefined) out.expirationTime = String(body.expirationTime);
  if (body.timePartitioning !== undefined) out.timePartitioning = body.timePartitioning;
  if (body.clustering !== undefined) out.clustering = body.clustering;
  if (body.requirePartitionFilter !== undefined) out.requirePartitionFilter = body.requirePartitionFilter;
  return out;
}

function unsupported(body: TableBody): void {
  if (body.materializedView) throw invalid('Materialized views are not supported by the BigQuery emulator');
  if (body.externalDataConfiguration) throw invalid('External tables are not supported by the BigQuery emulator');
  if (body.view?.useLegacySql) throw invalid('Legacy SQL views are not supported by the BigQuery emulator; set view.useLegacySql to false');
}

/** Tables and their rows; `streaming` is what insertAll remembers between calls (insert ids, modified times). */
export function registerTableRoutes(server: EmulatorServer, catalog: Catalog, streaming: StreamingState): void {
  new TableRoutes(catalog, streaming).register(server);
}

class TableRoutes {
  constructor(
    private readonly catalog: Catalog,
    private readonly streaming: StreamingState,
  ) {}

  register(server: EmulatorServer): void {
    const t = '/projects/{projectId}/datasets/{datasetId}/tables';
    route(server, 'POST', t, (ctx) => this.insert(ctx));
    route(server, 'GET', t, (ctx) => this.list(ctx));
    route(server, 'GET', `${t}/{tableId}`, (ctx) => this.run(async (db) => this.catalog.tableResource(db, await this.catalog.requireTable(db, tableRefOf(ctx)))));
    route(server, 'PATCH', `${t}/{tableId}`, (ctx) => this.update(ctx, false));
    route(server, 'PUT', `${t}/{tableId}`, (ctx) => this.update(ctx, true));
    route(server, 'DELETE', `${t}/{tableId}`, async (ctx) => {
      await this.run(async (db) => this.catalog.dropTable(db, await this.catalog.requireTable(db, tableRefOf(ctx))));
      return new Reply(204);
    });
    route(server, 'GET', `${t}/{tableId}/data`, (ctx) => this.listRows(ctx));
    route(server, 'POST', `${t}/{tableId}/insertAll`, async (ctx) => {
      const body = parseBody(InsertAllRequest, await ctx.json(), 'tabledata_insert_all_request');
      return this.run((db) => insertAll(db, this.catalog, this.streaming, tableRefOf(ctx), body));
    });
  }

  private run<T>(work: (db: Db) => Promise<T>): Promise<T> {
    return this.catalog.engine.run(work);
  }

  private async insert(ctx: RequestContext): Promise<unknown> {
    const body = parseBody(TableBodySchema, await ctx.json(), 'table');
    unsupported(body);
    const r = body.tableReference;
    if (!r?.tableId) throw invalid('Required parameter is missing: tableReference.tableId', 'tableReference');
    const ref: TableRef = { projectId: ctx.params.projectId!, datasetId: ctx.params.datasetId!, tableId: r.tableId };
    if ((r.datasetId && r.datasetId !== ref.datasetId) || (r.projectId && r.projectId !== ref.projectId)) throw invalid('tableReference does not match the dataset in the request path');
    checkTableId(ref.tableId);
    const fields = normalizeFields(body.schema?.fields ?? []);
    if ((body.type ?? (body.view ? 'VIEW' : 'TABLE')) === 'VIEW' && !body.view) throw invalid('A VIEW needs view.query');
    return this.run(async (db) => {
      await this.catalog.requireDataset(db, ref);
      await this.catalog.requireAbsent(db, ref);
      const sql = this.catalog.tableSql(ref);
      const meta = { ...metaFields(body), schema: fields, ...(body.view ? { viewQuery: body.view.query } : {}) };
      if (body.view) await this.createView(db, ref, sql, body.view.query, false);
      else await db.exec(`CREATE TABLE ${sql} (${fields.length ? columnsDdl(fields) : `${quoteIdent(PLACEHOLDER_COLUMN)} BOOLEAN`})`);
      // Table and metadata live in two databases: if the rest fails, the table goes again.
      return undoOnFailure(
        async () => {
          await this.catalog.updateTableMeta(db, ref, meta, true);
          return this.catalog.tableResource(db, await this.catalog.requireTable(db, ref));
        },
        async () => {
          await db.exec(`DROP ${body.view ? 'VIEW' : 'TABLE'} IF EXISTS ${sql}`);
          await this.catalog.forgetTable(db, ref);
        },
      );
    });
  }

  private async createView(db: Db, ref: TableRef, sql: string, query: string, replace: boolean): Promise<void> {
    try {
      const statements = translate(query, { defaultProject: ref.projectId, catalogFor: (p) => this.catalog.engine.catalogFor(p) });
      if (statements.length !== 1 || statements[0]!.type !== 'SELECT') throw invalid('A view query must be a single SELECT statement');
      for (const read of statements[0]!.reads) {
        if (!(await this.catalog.findTable(db, read))) throw new GoogleApiError(404, `Not found: Table ${tableName(read)} was not found in location US`, { reason: 'notFound' });
      }
      await db.exec(`CREATE ${replace ? 'OR REPLACE ' : ''}VIEW ${sql} AS ${statements[0]!.sql}`);
    } catch (e) {
      throw bigQueryErrorFor(e, query);
    }
  }

  private list(ctx: RequestContext): Promise<unknown> {
    return this.run(async (db) => {
      const ds = await this.catalog.requireDataset(db, { projectId: ctx.params.projectId!, datasetId: ctx.params.datasetId! });
      const names = await this.catalog.listTableNames(db, ds);
      const scope = `tables:${ds.projectId}:${ds.datasetId}`;
      const offset = decodePageToken(ctx.query.get('pageToken'), scope);
      const limit = intParam(ctx.query, 'maxResults', 1000)!;
      const tables = [];
      for (const n of names.slice(offset, offset + limit)) {
        const info = await this.catalog.tableInfo(db, { ...ds, tableId: n.name });
        if (!info) continue;
        const { meta, ref } = info;
        tables.push({
          kind: 'bigquery#table',
          id: tableName(ref),
          tableReference: ref,
          type: info.kind,
          creationTime: meta.creationTime,
          ...(meta.friendlyName ? { friendlyName: meta.friendlyName } : {}),
          ...(meta.labels ? { labels: meta.labels } : {}),
          ...(meta.expirationTime ? { expirationTime: meta.expirationTime } : {}),
          ...(meta.timePartitioning ? { timePartitioning: meta.timePartitioning } : {}),
          ...(meta.clustering ? { clustering: meta.clustering } : {}),
          ...(info.kind === 'VIEW' ? { view: { useLegacySql: false } } : {}),
        });
      }
      const next = offset + limit < names.length ? { nextPageToken: encodePageToken(offset + limit, scope) } : {};
      return { kind: 'bigquery#tableList', etag: etagOf(tables), ...(tables.length ? { tables } : {}), totalItems: names.length, ...next };
    });
  }

  private async update(ctx: RequestContext, replace: boolean): Promise<unknown> {
    const body = parseBody(TableBodySchema, await ctx.json(), 'table');
    unsupported(body);
    return this.run(async (db) => {
      const info = await this.catalog.requireTable(db, tableRefOf(ctx));
      const meta: TableMeta = { ...info.meta };
      if (replace) for (const k of ['description', 'friendlyName', 'labels', 'expirationTime', 'timePartitioning', 'clustering', 'requirePartitionFilter'] as const) delete meta[k];
      Object.assign(meta, metaFields(body));
      if (body.view) {
        if (info.kind !== 'VIEW') throw invalid(`Cannot change table ${tableName(info.ref)} into a view`);
        await this.createView(db, info.ref, info.sql, body.view.query, true);
        meta.viewQuery = body.view.query;
      }
      if (body.schema && info.kind === 'TABLE') meta.schema = await this.changeSchema(db, info, normalizeFields(body.schema.fields ?? []));
      await this.catalog.saveTableMeta(db, info.ref, { ...meta, lastModifiedTime: String(Date.now()) });
      return this.catalog.tableResource(db, await this.catalog.requireTable(db, info.ref));
    });
  }

  /** BigQuery's schema evolution: add NULLABLE/REPEATED fields, relax REQUIRED; nothing else. */
  private async changeSchema(db: Db, info: TableInfo, next: TableField[]): Promise<TableField[]> {
    if (info.schemaless) {
      if (next.length) await db.exec(`CREATE OR REPLACE TABLE ${info.sql} (${columnsDdl(next)})`);
      return next;
    }
    const mismatch = (why: string) => invalid(`Provided Schema does not match Table ${tableName(info.ref)}. ${why}`);
    const statements: string[] = [];
    const walk = (current: TableField[], wanted: TableField[], path: string[], top: boolean) => {
      const byName = new Map(wanted.map((f) => [f.name.toLowerCase(), f]));
      for (const c of current) {
        const n = byName.get(c.name.toLowerCase());
        const full = [...path, c.name].join('.');
        if (!n) throw mismatch(`Field ${full} is missing in new schema`);
        if (n.type !== c.type) throw mismatch(`Field ${full} has changed type from ${c.type} to ${n.type}`);
        if (n.mode !== c.mode) {
          if (c.mode === 'REQUIRED' && n.mode === 'NULLABLE') {
            if (top) statements.push(`ALTER TABLE ${info.sql} ALTER COLUMN ${quoteIdent(c.name)} DROP NOT NULL`);
          } else throw mismatch(`Field ${full} has changed mode from ${c.mode} to ${n.mode}`);
        }
        if (c.type === 'RECORD') {
          if (c.mode === 'REPEATED' && (n.fields ?? []).length !== (c.fields ?? []).length) throw invalid('Adding fields to a REPEATED RECORD is not supported by the BigQuery emulator');
          walk(c.fields ?? [], n.fields ?? [], [...path, c.name], false);
        }
      }
      const known = new Set(current.map((f) => f.name.toLowerCase()));
      for (const n of wanted.filter((f) => !known.has(f.name.toLowerCase()))) {
        if (n.mode === 'REQUIRED') throw mismatch(`Cannot add required fields to an existing schema. (field: ${[...path, n.name].join('.')})`);
        statements.push(`ALTER TABLE ${info.sql} ADD COLUMN ${[...path, n.name].map(quoteIdent).join('.')} ${duckColumnType(n)}`);
      }
    };
    walk(info.fields, next, [], true);
    for (const s of statements) await db.exec(s);
    return next;
  }

  private async listRows(ctx: RequestContext): Promise<unknown> {
    return this.run(async (db) => {
      const info = await this.catalog.requireTable(db, tableRefOf(ctx));
      if (info.kind === 'VIEW') throw invalid('Cannot list a table of type VIEW.');
      const total = info.schemaless ? 0n : await this.catalog.numRows(db, info);
      const selected = ctx.query.get('selectedFields');
      let columns: string[] | undefined;
      if (selected) {
        const wanted = new Set(selected.split(',').map((s) => s.trim().split('.')[0]!.toLowerCase()));
        columns = info.fields.filter((f) => wanted.has(f.name.toLowerCase())).map((f) => f.name);
      }
      const scope = `data:${tableName(info.ref)}`;
      const token = ctx.query.get('pageToken');
      const offset = token ? decodePageToken(token, scope) : (intParam(ctx.query, 'startIndex', 0, 'TYPE_UINT64') ?? 0);
      const ts = timestampFormat({
        useInt64Timestamp: ctx.query.get('formatOptions.useInt64Timestamp') === 'true',
        timestampOutputFormat: ctx.query.get('formatOptions.timestampOutputFormat') ?? undefined,
      });
      const page = await readPage(db, info.sql, total, { offset, maxResults: intParam(ctx.query, 'maxResults'), ts, columns });
      return {
        kind: 'bigquery#tableDataList',
        etag: etagOf({ table: info.ref, lastModified: info.meta.lastModifiedTime, offset }),
        totalRows: total.toString(),
        ...(page.rows.length ? { rows: page.rows } : {}),
        ...(page.next !== undefined ? { pageToken: encodePageToken(page.next, scope) } : {}),
      };
    });
  }
}
