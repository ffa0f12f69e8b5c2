// Datasets and tables. DuckDB's catalog decides what exists and how columns are typed (so tables
// made by SQL DDL are tables like any other); the metadata tables in the main database keep what
// DuckDB cannot: descriptions, labels, times, declared schemas (modes, GEOGRAPHY), view SQL.
// Names are matched case-insensitively, as DuckDB matches them.
import { createHash } from 'node:crypto';
import type { DuckDBValue } from '@duckdb/node-api';
import { GoogleApiError } from '../kit/google-error.js';
import type { Db, Engine } from './engine.js';
import { MAIN_CATALOG, RESULTS_CATALOG } from './engine.js';
import { alreadyExists, datasetName, datasetNotFound, tableName, tableNotFound } from './errors.js';
import { checkDatasetId, checkProjectId } from './ids.js';
import type { DatasetRef, TableRef } from './sql/translator.js';
import { quoteIdent } from './sql/types.js';
import type { TableField } from './table-schema.js';
import { fieldFromDuck, mergeSchema } from './table-schema.js';

/** DuckDB tables need a column; a BigQuery table created without a schema gets this hidden one. */
export const PLACEHOLDER_COLUMN = '_emulator_no_schema';

export interface DatasetMeta {
  datasetId: string;
  projectId: string;
  location: string;
  creationTime: string;
  lastModifiedTime: string;
  friendlyName?: string | undefined;
  description?: string | undefined;
  labels?: Record<string, string> | undefined;
  defaultTableExpirationMs?: string | undefined;
  defaultPartitionExpirationMs?: string | undefined;
  access?: unknown;
  defaultCollation?: string | undefined;
  maxTimeTravelHours?: string | undefined;
  storageBillingModel?: string | undefined;
  isCaseInsensitive?: boolean | undefined;
}

export interface TableMeta {
  creationTime: string;
  lastModifiedTime: string;
  description?: string | undefined;
  friendlyName?: string | undefined;
  labels?: Record<string, string> | undefined;
  expirationTime?: string | undefined;
  timePartitioning?: unknown;
  clustering?: unknown;
  requirePartitionFilter?: boolean | undefined;
  /** The schema as declared (tables.insert, patch, DDL, load): modes, descriptions, aliases. */
  schema?: TableField[] | undefined;
  /** A view's query as BigQuery SQL. */
  viewQuery?: string | undefined;
}

export interface TableInfo {
  ref: TableRef;
  kind: 'TABLE' | 'VIEW';
  fields: TableField[];
  meta: TableMeta;
  /** The DuckDB name: "catalog"."schema"."table". */
  sql: string;
  /** Whether the table has no BigQuery schema yet (only the placeholder column). */
  schemaless: boolean;
}

const nowMs = () => String(Date.now());

export function etagOf(value: unknown): string {
  return createHash('md5').update(JSON.stringify(value)).digest('base64');
}

/** Run `write`; if it fails, `undo` what was created before it (best effort) and fail as `write` did. */
export async function undoOnFailure<T>(write: () => Promise<T>, undo: () => Promise<unknown>): Promise<T> {
  try {
    return await write();
  } catch (e) {
    await undo().catch(() => undefined);
    throw e;
  }
}

function parseJsonObject<T>(value: DuckDBValue): T {
  const parsed: unknown = typeof value === 'string' ? JSON.parse(value) : {};
  if (typeof parsed !== 'object' || parsed === null) throw new Error('corrupt emulator metadata');
  return parsed as T;
}

/** Hidden dataset holding the anonymous result tables of a project's query jobs. */
export function anonymousDataset(projectId: string): string {
  return `_${createHash('sha1').update(`anon:${projectId}`).digest('hex')}`;
}

export class Catalog {
  constructor(
    readonly engine: Engine,
    private readonly linkBase: () => string,
  ) {}

  static async init(db: Db): Promise<void> {
    await db.exec(`
      CREATE TABLE IF NOT EXISTS ${MAIN_CATALOG}.main.datasets (project_id VARCHAR, dataset_key VARCHAR, resource VARCHAR, PRIMARY KEY (project_id, dataset_key));
      CREATE TABLE IF NOT EXISTS ${MAIN_CATALOG}.main.tables (project_id VARCHAR, dataset_key VARCHAR, table_key VARCHAR, resource VARCHAR, PRIMARY KEY (project_id, dataset_key, table_key));
    `);
  }

  /** Where a dataset lives in DuckDB; a project's anonymous results dataset is the in-memory catalog. */
  placeOf(ref: DatasetRef): { catalog: string; schema: string } {
    if (ref.datasetId === anonymousDataset(ref.projectId)) return { catalog: RESULTS_CATALOG, schema: 'main' };
    return { catalog: this.engine.catalogFor(ref.projectId), schema: ref.datasetId };
  }

  schemaSql(ref: DatasetRef): string {
    const place = this.placeOf(ref);
    return `${quoteIdent(place.catalog)}.${quoteIdent(place.schema)}`;
  }

  tableSql(ref: TableRef): string {
    return `${this.schemaSql(ref)}.${quoteIdent(ref.tableId)}`;
  }

  // ---- datasets -----------------------------------------------------------------------------

  /** The dataset's ID as stored (DuckDB's spelling), or undefined. */
  async findDataset(db: Db, ref: DatasetRef): Promise<string | undefined> {
    if (ref.datasetId === anonymousDataset(ref.projectId)) return ref.datasetId;
    if (!this.engine.hasProject(ref.projectId)) return undefined;
    const rows = await db.rows('SELECT schema_name FROM duckdb_schemas() WHERE database_name = ? AND lower(schema_name) = lower(?)', [
      this.engine.catalogFor(ref.projectId),
      ref.datasetId,
    ]);
    const name = rows[0]?.[0];
    if (typeof name !== 'string') return undefined;
    // Every DuckDB database has a `main` schema: it is a dataset only once created as one.
    if (name.toLowerCase() === 'main' && !(await this.datasetMeta(db, ref))) return undefined;
    return name;
  }

  async requireDataset(db: Db, ref: DatasetRef): Promise<DatasetMeta> {
    const name = await this.findDataset(db, ref);
    if (name === undefined) throw datasetNotFound(ref);
    return (await this.datasetMeta(db, ref)) ?? this.defaultDatasetMeta({ ...ref, datasetId: name });
  }

  private defaultDatasetMeta(ref: DatasetRef): DatasetMeta {
    const now = nowMs();
    return { datasetId: ref.datasetId, projectId: ref.projectId, location: 'US', creationTime: now, lastModifiedTime: now };
  }

  private async datasetMeta(db: Db, ref: DatasetRef): Promise<DatasetMeta | undefined> {
    const rows = await db.rows(`SELECT resource FROM ${MAIN_CATALOG}.main.datasets WHERE project_id = ? AND dataset_key = ?`, [ref.projectId, ref.datasetId.toLowerCase()]);
    return rows[0] ? parseJsonObject<DatasetMeta>(rows[0][0]!) : undefined;
  }

  async saveDatasetMeta(db: Db, meta: DatasetMeta): Promise<void> {
    await db.exec(`INSERT OR REPLACE INTO ${MAIN_CATALOG}.main.datasets VALUES (?, ?, ?)`, [meta.projectId, meta.datasetId.toLowerCase(), JSON.stringify(meta)]);
  }

  /** Create the DuckDB schema and its metadata; 409 if it exists. */
  async createDataset(db: Db, meta: Omit<DatasetMeta, 'creationTime' | 'lastModifiedTime'>, ifNotExists = false): Promise<DatasetMeta> {
    checkProjectId(meta.projectId);
    checkDatasetId(meta.datasetId);
    await this.engine.ensureProject(db, meta.projectId, true);
    if ((await this.findDataset(db, meta)) !== undefined) {
      if (ifNotExists) return this.requireDataset(db, meta);
      throw alreadyExists(`Dataset ${datasetName(meta)}`);
    }
    const now = nowMs();
    const full: DatasetMeta = { ...meta, creationTime: now, lastModifiedTime: now };
    await db.exec(`CREATE SCHEMA IF NOT EXISTS ${this.schemaSql(meta)}`);
    // The schema and its metadata live in two databases (one DuckDB transaction cannot write both):
    // a failed metadata write drops the schema again, so no half-made dataset stays.
    await undoOnFailure(
      () => this.saveDatasetMeta(db, full),
      () => db.exec(`DROP SCHEMA IF EXISTS ${this.schemaSql(meta)} CASCADE`),
    );
    return full;
  }

  async listDatasets(db: Db, projectId: string, all: boolean): Promise<DatasetMeta[]> {
    if (!this.engine.hasProject(projectId)) return [];
    const rows = await db.rows('SELECT schema_name FROM duckdb_schemas() WHERE database_name = ? ORDER BY schema_name', [this.engine.catalogFor(projectId)]);
    const out: DatasetMeta[] = [];
    for (const [name] of rows) {
      if (typeof name !== 'string') continue;
      if (!all && name.startsWith('_')) continue; // hidden datasets
      const ref = { projectId, datasetId: name };
      const meta = await this.datasetMeta(db, ref);
      if (name.toLowerCase() === 'main' && !meta) continue;
      out.push(meta ?? this.defaultDatasetMeta(ref));
    }
    return out;
  }

  async deleteDataset(db: Db, ref: DatasetRef, deleteContents: boolean): Promise<void> {
    const name = await this.findDataset(db, ref);
    if (name === undefined) throw datasetNotFound(ref);
    const tables = await this.listTableNames(db, { ...ref, datasetId: name });
    if (tables.length > 0 && !deleteContents) {
      throw new GoogleApiError(400, `Dataset ${datasetName(ref)} is still in use`, { reason: 'resourceInUse' });
    }
    if (name.toLowerCase() === 'main') {
      for (const t of tables) await db.exec(`DROP ${t.kind === 'VIEW' ? 'VIEW' : 'TABLE'} ${this.tableSql({ ...ref, datasetId: name, tableId: t.name })}`);
    } else {
      await db.exec(`DROP SCHEMA ${this.schemaSql({ ...ref, datasetId: name })} CASCADE`);
    }
    await db.exec(`DELETE FROM ${MAIN_CATALOG}.main.datasets WHERE project_id = ? AND dataset_key = ?`, [ref.projectId, name.toLowerCase()]);
    await db.exec(`DELETE FROM ${MAIN_CATALOG}.main.tables WHERE project_id = ? AND dataset_key = ?`, [ref.projectId, name.toLowerCase()]);
  }

  datasetResource(meta: DatasetMeta): Record<string, unknown> {
    const { datasetId, projectId, ...rest } = meta;
    const body = {
      kind: 'bigquery#dataset',
      id: `${projectId}:${datasetId}`,
      selfLink: `${this.linkBase()}/projects/${projectId}/datasets/${datasetId}`,
      datasetReference: { datasetId, projectId },
      ...rest,
      access: rest.access ?? [
        { role: 'WRITER', specialGroup: 'projectWriters' },
        { role: 'OWNER', specialGroup: 'projectOwners' },
        { role: 'READER', specialGroup: 'projectReaders' },
      ],
      type: 'DEFAULT',
    };
    return { ...body, etag: etagOf(body) };
  }

  // ---- tables -------------------------------------------------------------------------------

  async listTableNames(db: Db, ref: DatasetRef): Promise<{ name: string; kind: 'TABLE' | 'VIEW' }[]> {
    const rows = await db.rows(
      `SELECT table_name, 'TABLE' FROM duckdb_tables() WHERE database_name = $1 AND lower(schema_name) = lower($2)
       UNION ALL SELECT view_name, 'VIEW' FROM duckdb_views() WHERE NOT internal AND database_name = $1 AND lower(schema_name) = lower($2)
       ORDER BY 1`,
      [this.placeOf(ref).catalog, this.placeOf(ref).schema],
    );
    return rows.map(([name, kind]) => ({ name: String(name), kind: kind === 'VIEW' ? 'VIEW' : 'TABLE' }));
  }

  /** The table's DuckDB name and kind as stored, or undefined. */
  async findTable(db: Db, ref: TableRef): Promise<{ ref: TableRef; kind: 'TABLE' | 'VIEW' } | undefined> {
    const place = this.placeOf(ref);
    if (place.catalog !== RESULTS_CATALOG && !this.engine.hasProject(ref.projectId)) return undefined;
    const rows = await db.rows(
      `SELECT schema_name, table_name, 'TABLE' FROM duckdb_tables() WHERE database_name = $1 AND lower(schema_name) = lower($2) AND lower(table_name) = lower($3)
       UNION ALL SELECT schema_name, view_name, 'VIEW' FROM duckdb_views() WHERE NOT internal AND database_name = $1 AND lower(schema_name) = lower($2) AND lower(view_name) = lower($3)`,
      [place.catalog, place.schema, ref.tableId],
    );
    const row = rows[0];
    if (!row) return undefined;
    const datasetId = place.catalog === RESULTS_CATALOG ? ref.datasetId : String(row[0]);
    return { ref: { projectId: ref.projectId, datasetId, tableId: String(row[1]) }, kind: row[2] === 'VIEW' ? 'VIEW' : 'TABLE' };
  }

  private async tableMeta(db: Db, ref: TableRef): Promise<TableMeta | undefined> {
    const rows = await db.rows(`SELECT resource FROM ${MAIN_CATALOG}.main.tables WHERE project_id = ? AND dataset_key = ? AND table_key = ?`, [
      ref.projectId,
      ref.datasetId.toLowerCase(),
      ref.tableId.toLowerCase(),
    ]);
    return rows[0] ? parseJsonObject<TableMeta>(rows[0][0]!) : undefined;
  }

  async saveTableMeta(db: Db, ref: TableRef, meta: TableMeta): Promise<void> {
    await db.exec(`INSERT OR REPLACE INTO ${MAIN_CATALOG}.main.tables VALUES (?, ?, ?, ?)`, [ref.projectId, ref.datasetId.toLowerCase(), ref.tableId.toLowerCase(), JSON.stringify(meta)]);
  }

  async forgetTable(db: Db, ref: TableRef): Promise<void> {
    await db.exec(`DELETE FROM ${MAIN_CATALOG}.main.tables WHERE project_id = ? AND dataset_key = ? AND table_key = ?`, [ref.projectId, ref.datasetId.toLowerCase(), ref.tableId.toLowerCase()]);
  }

  /** Set or merge a table's metadata, creating it (with creation time now) when absent. */
  async updateTableMeta(db: Db, ref: TableRef, change: Partial<TableMeta>, fresh = false): Promise<TableMeta> {
    const now = nowMs();
    const current = fresh ? undefined : await this.tableMeta(db, ref);
    const meta: TableMeta = { creationTime: now, ...current, ...change, lastModifiedTime: now };
    await this.saveTableMeta(db, ref, meta);
    return meta;
  }

  /** Everything the jobs need to know about a table; undefined when it does not exist. */
  async tableInfo(db: Db, ref: TableRef): Promise<TableInfo | undefined> {
    const found = await this.findTable(db, ref);
    if (!found) return undefined;
    const sql = this.tableSql(found.ref);
    const prepared = await db.connection.prepare(`SELECT * FROM ${sql}`).catch((e: unknown) => {
      // A view whose tables are gone still exists (BigQuery lets you get and delete it).
      if (found.kind === 'VIEW') return undefined;
      throw e;
    });
    const notNull = new Set(
      found.kind === 'TABLE'
        ? (
            await db.rows('SELECT column_name FROM duckdb_columns() WHERE database_name = ? AND lower(schema_name) = lower(?) AND table_name = ? AND NOT is_nullable', [
              this.placeOf(found.ref).catalog,
              this.placeOf(found.ref).schema,
              found.ref.tableId,
            ])
          ).map((r) => String(r[0]))
        : [],
    );
    const derived: TableField[] = [];
    for (let i = 0; i < (prepared?.columnCount ?? 0); i++) {
      const name = prepared!.columnName(i);
      derived.push(fieldFromDuck(name, prepared!.columnType(i), !notNull.has(name)));
    }
    prepared?.destroySync();
    const meta = (await this.tableMeta(db, found.ref)) ?? { creationTime: nowMs(), lastModifiedTime: nowMs() };
    const schemaless = derived.length === 1 && derived[0]!.name === PLACEHOLDER_COLUMN;
    return { ref: found.ref, kind: found.kind, fields: schemaless ? [] : mergeSchema(meta.schema, derived), meta, sql, schemaless };
  }

  async requireTable(db: Db, ref: TableRef): Promise<TableInfo> {
    const info = await this.tableInfo(db, ref);
    if (!info) {
      if ((await this.findDataset(db, ref)) === undefined) throw datasetNotFound(ref);
      throw tableNotFound(ref);
    }
    return info;
  }

  async numRows(db: Db, info: TableInfo): Promise<bigint> {
    if (info.kind === 'VIEW') return 0n;
    const count = await db.scalar(`SELECT count(*) FROM ${info.sql}`);
    return typeof count === 'bigint' ? count : BigInt(Number(count ?? 0));
  }

  async tableResource(db: Db, info: TableInfo): Promise<Record<string, unknown>> {
    const { ref, meta } = info;
    const rows = await this.numRows(db, info);
    const dataset = await this.requireDataset(db, ref);
    const body: Record<string, unknown> = {
      kind: 'bigquery#table',
      id: tableName(ref),
      selfLink: `${this.linkBase()}/projects/${ref.projectId}/datasets/${ref.datasetId}/tables/${ref.tableId}`,
      tableReference: { projectId: ref.projectId, datasetId: ref.datasetId, tableId: ref.tableId },
      ...(meta.description !== undefined ? { description: meta.description } : {}),
      ...(meta.friendlyName !== undefined ? { friendlyName: meta.friendlyName } : {}),
      ...(meta.labels ? { labels: meta.labels } : {}),
      ...(info.fields.length > 0 || !info.schemaless ? { schema: { fields: info.fields } } : {}),
      numBytes: String(rows * BigInt(estimateRowBytes(info.fields))),
      numLongTermBytes: '0',
      numRows: rows.toString(),
      creationTime: meta.creationTime,
      lastModifiedTime: meta.lastModifiedTime,
      ...(meta.expirationTime ? { expirationTime: meta.expirationTime } : {}),
      type: info.kind,
      location: dataset.location,
      ...(meta.timePartitioning ? { timePartitioning: meta.timePartitioning } : {}),
      ...(meta.clustering ? { clustering: meta.clustering } : {}),
      ...(meta.requirePartitionFilter !== undefined ? { requirePartitionFilter: meta.requirePartitionFilter } : {}),
      ...(info.kind === 'VIEW' ? { view: { query: meta.viewQuery ?? '', useLegacySql: false } } : {}),
    };
    return { ...body, etag: etagOf(body) };
  }

  /** Drop a table or view and its metadata. */
  async dropTable(db: Db, info: TableInfo): Promise<void> {
    await db.exec(`DROP ${info.kind === 'VIEW' ? 'VIEW' : 'TABLE'} ${info.sql}`);
    await this.forgetTable(db, info.ref);
  }

  /** 409 if the table exists. */
  async requireAbsent(db: Db, ref: TableRef): Promise<void> {
    if (await this.findTable(db, ref)) throw alreadyExists(`Table ${tableName(ref)}`);
  }
}

const WIDTH: Partial<Record<TableField['type'], number>> = { BOOLEAN: 1, NUMERIC: 16, BIGNUMERIC: 32, STRING: 16, BYTES: 16, JSON: 32, GEOGRAPHY: 32, INTERVAL: 16 };

/** A rough logical size per row (BigQuery bills logical bytes; the emulator only estimates). */
export function estimateRowBytes(fields: TableField[]): number {
  return fields.reduce((sum, f) => {
    const width = f.type === 'RECORD' ? estimateRowBytes(f.fields ?? []) : (WIDTH[f.type] ?? 8);
    return sum + (f.mode === 'REPEATED' ? width * 2 : width);
  }, 0);
}
