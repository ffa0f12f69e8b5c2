// Query jobs: translate, check what the SQL reads, run each statement in DuckDB, and leave the
// rows where getQueryResults finds them (an anonymous results table or the destination table).
import { createHash } from 'node:crypto';
import { GoogleApiError } from '../../kit/google-error.js';
import type { Catalog } from '../catalog.js';
import { anonymousDataset, estimateRowBytes } from '../catalog.js';
import type { Db } from '../engine.js';
import { alreadyExists, datasetNotFound, invalid, invalidQuery, tableName } from '../errors.js';
import type { GcsIo } from '../gcs-io.js';
import { normalizeFormat } from '../gcs-io.js';
import { parametersToSql } from '../params.js';
import type { QueryConfig } from '../schemas.js';
import { bigQueryErrorFor } from '../sql/duck-errors.js';
import type { DatasetRef, OptionValue, TableRef, TranslatedStatement } from '../sql/translator.js';
import { translate } from '../sql/translator.js';
import { duckColumnType, quoteIdent } from '../sql/types.js';
import type { TableField } from '../table-schema.js';
import { fieldFromDuck } from '../table-schema.js';
import type { JobRecord, QueryOutcome } from './job-store.js';

export interface QueryContext {
  catalog: Catalog;
  gcs: GcsIo;
  results: ResultTables;
}

export interface QueryRun {
  statistics: Record<string, unknown>;
  outcome: QueryOutcome;
}

/** Anonymous result tables, dropped oldest first beyond a bound (BigQuery expires them in 24 h). */
export class ResultTables {
  private readonly names: string[] = [];

  constructor(private readonly max = 500) {}

  async create(db: Db, sqlName: string, selectSql: string): Promise<bigint> {
    const rows = await db.exec(`CREATE OR REPLACE TABLE ${sqlName} AS ${selectSql}`);
    this.names.push(sqlName);
    while (this.names.length > this.max) await db.exec(`DROP TABLE IF EXISTS ${this.names.shift()!}`);
    return BigInt(rows);
  }
}

const DDL_TYPES = new Set(['CREATE_TABLE', 'CREATE_TABLE_AS_SELECT', 'CREATE_VIEW', 'DROP_TABLE', 'DROP_VIEW', 'CREATE_SCHEMA', 'DROP_SCHEMA', 'ALTER_SCHEMA', 'TRUNCATE_TABLE', 'ALTER_TABLE']);

const key = (r: TableRef) => `${r.projectId}:${r.datasetId}.${r.tableId}`.toLowerCase();

export async function runQueryJob(db: Db, ctx: QueryContext, job: JobRecord, config: QueryConfig, dryRun: boolean): Promise<QueryRun> {
  try {
    return await new QueryExecution(db, ctx, job, config, dryRun).run();
  } catch (e) {
    throw bigQueryErrorFor(e, config.query);
  }
}

class QueryExecution {
  private readonly project: string;
  private readonly referenced = new Map<string, TableRef>();
  private readonly queryStats: Record<string, unknown> = {};

  constructor(
    private readonly db: Db,
    private readonly ctx: QueryContext,
    private readonly job: JobRecord,
    private readonly config: QueryConfig,
    private readonly dryRun: boolean,
  ) {
    this.project = job.ref.projectId;
  }

  private get catalog(): Catalog {
    return this.ctx.catalog;
  }

  async run(): Promise<QueryRun> {
    const { config } = this;
    if (config.useLegacySql === true) throw invalidQuery('Legacy SQL is not supported by the BigQuery emulator; set useLegacySql to false');
    const params = parametersToSql(config.queryParameters, config.parameterMode);
    const dd = config.defaultDataset;
    const statements = translate(config.query, {
      defaultProject: this.project,
      defaultDataset: dd ? { projectId: dd.projectId ?? this.project, datasetId: dd.datasetId } : undefined,
      params,
      catalogFor: (p) => this.catalog.engine.catalogFor(p),
    });
    if (config.destinationTable && (statements.length !== 1 || statements[0]!.type !== 'SELECT')) {
      throw invalidQuery('Cannot set destination table in jobs with DML or DDL statements');
    }
    let outcome: QueryOutcome = { statementType: statements.length > 1 ? 'SCRIPT' : statements[0]!.type };
    for (const statement of statements) {
      if (this.job.cancelled) throw new GoogleApiError(400, 'Job execution was cancelled: User requested cancellation', { reason: 'stopped' });
      for (const ref of statement.reads) await this.requireReadable(ref);
      const result = await this.execute(statement);
      outcome = { ...result, statementType: outcome.statementType === 'SCRIPT' ? 'SCRIPT' : result.statementType };
    }
    return { statistics: await this.statistics(outcome), outcome };
  }

  private async requireReadable(ref: TableRef): Promise<void> {
    this.referenced.set(key(ref), ref);
    if (await this.catalog.findTable(this.db, ref)) return;
    if ((await this.catalog.findDataset(this.db, ref)) === undefined) {
      throw new GoogleApiError(404, `Not found: Dataset ${ref.projectId}:${ref.datasetId} was not found in location US`, { reason: 'notFound' });
    }
    throw new GoogleApiError(404, `Not found: Table ${tableName(ref)} was not found in location US`, { reason: 'notFound' });
  }

  private async execute(st: TranslatedStatement): Promise<QueryOutcome> {
    if (this.dryRun) {
      if (st.type === 'SELECT' || st.type === 'EXPORT_DATA') return { statementType: st.type, schema: await this.resultFields(st.sql) };
      return { statementType: st.type };
    }
    switch (st.type) {
      case 'SELECT':
        return this.select(st);
      case 'INSERT':
      case 'UPDATE':
      case 'DELETE':
      case 'MERGE':
        return this.dml(st);
      case 'EXPORT_DATA':
        return this.exportData(st);
      default:
        if (DDL_TYPES.has(st.type)) return this.ddl(st);
        throw invalidQuery(`Unsupported statement ${st.type}`);
    }
  }

  /** Result columns of a SELECT, named and typed as BigQuery reports them. */
  private async resultFields(sql: string): Promise<TableField[]> {
    const prepared = await this.db.connection.prepare(sql);
    try {
      const fields: TableField[] = [];
      const seen = new Map<string, number>();
      for (let i = 0; i < prepared.columnCount; i++) {
        const name = prepared.columnName(i);
        seen.set(name.toLowerCase(), (seen.get(name.toLowerCase()) ?? 0) + 1);
        fields.push(fieldFromDuck(name, prepared.columnType(i)));
      }
      const dupes = [...seen].filter(([, n]) => n > 1).map(([n]) => n);
      if (dupes.length) throw invalidQuery(`Duplicate column names in the result are not supported. Found duplicate(s): ${dupes.join(', ')}`);
      return fields;
    } finally {
      prepared.destroySync();
    }
  }

  private async select(st: TranslatedStatement): Promise<QueryOutcome> {
    const schema = await this.resultFields(st.sql);
    const dest = this.config.destinationTable;
    if (dest) return this.writeDestination(st, schema);
    const table: TableRef = { projectId: this.project, datasetId: anonymousDataset(this.project), tableId: `anon${createHash('sha1').update(`${this.project}:${this.job.ref.jobId}`).digest('hex')}` };
    const tableSql = this.catalog.tableSql(table);
    const rows = await this.ctx.results.create(this.db, tableSql, st.sql);
    const query = this.job.resource.configuration.query as Record<string, unknown>;
    query.destinationTable = table;
    query.writeDisposition ??= 'WRITE_TRUNCATE';
    query.createDisposition ??= 'CREATE_IF_NEEDED';
    return { statementType: 'SELECT', table, tableSql, schema, totalRows: rows.toString() };
  }

  private async writeDestination(st: TranslatedStatement, schema: TableField[]): Promise<QueryOutcome> {
    const d = this.config.destinationTable!;
    if (!d.datasetId || !d.tableId) throw invalid('destinationTable needs datasetId and tableId', 'destinationTable');
    const ref: TableRef = { projectId: d.projectId ?? this.project, datasetId: d.datasetId, tableId: d.tableId };
    const write = this.config.writeDisposition ?? 'WRITE_EMPTY';
    const existing = await this.catalog.tableInfo(this.db, ref);
    const sql = this.catalog.tableSql(existing?.ref ?? ref);
    if (!existing) {
      if (this.config.createDisposition === 'CREATE_NEVER') throw new GoogleApiError(404, `Not found: Table ${tableName(ref)}`, { reason: 'notFound' });
      await this.catalog.requireDataset(this.db, ref);
      await this.db.exec(`CREATE TABLE ${sql} AS ${st.sql}`);
      await this.catalog.updateTableMeta(this.db, ref, {}, true);
    } else {
      if (existing.kind === 'VIEW') throw invalid(`Cannot write query results to view ${tableName(ref)}`);
      const hasRows = (await this.catalog.numRows(this.db, existing)) > 0n;
      if (write === 'WRITE_EMPTY' && hasRows) throw alreadyExists(`Table ${tableName(ref)}`);
      if (write === 'WRITE_APPEND' && !existing.schemaless) {
        const known = new Set(existing.fields.map((f) => f.name.toLowerCase()));
        const added = schema.filter((f) => !known.has(f.name.toLowerCase()));
        if (added.length && !(this.config.schemaUpdateOptions ?? []).includes('ALLOW_FIELD_ADDITION')) {
          throw invalid(`Provided Schema does not match Table ${tableName(ref)}. Cannot add fields (field: ${added[0]!.name})`);
        }
        for (const f of added) await this.db.exec(`ALTER TABLE ${sql} ADD COLUMN ${quoteIdent(f.name)} ${duckColumnType(f)}`);
        await this.db.exec(`INSERT INTO ${sql} BY NAME ${st.sql}`);
        await this.catalog.updateTableMeta(this.db, existing.ref, {});
      } else if (write === 'WRITE_TRUNCATE_DATA' && !existing.schemaless) {
        await this.db.exec(`DELETE FROM ${sql}; INSERT INTO ${sql} BY NAME ${st.sql}`);
        await this.catalog.updateTableMeta(this.db, existing.ref, {});
      } else {
        // WRITE_TRUNCATE replaces the rows and the schema with the query's.
        await this.db.exec(`CREATE OR REPLACE TABLE ${sql} AS ${st.sql}`);
        await this.catalog.updateTableMeta(this.db, existing.ref, { schema: undefined });
      }
    }
    const info = await this.catalog.requireTable(this.db, ref);
    const rows = await this.catalog.numRows(this.db, info);
    const query = this.job.resource.configuration.query as Record<string, unknown>;
    query.writeDisposition ??= write;
    query.createDisposition ??= 'CREATE_IF_NEEDED';
    return { statementType: 'SELECT', table: info.ref, tableSql: info.sql, schema: info.fields, totalRows: rows.toString() };
  }

  private async dml(st: TranslatedStatement): Promise<QueryOutcome> {
    const target = st.target!;
    const info = await this.catalog.requireTable(this.db, target);
    if (info.kind === 'VIEW') throw invalidQuery(`Cannot modify view ${tableName(info.ref)}`);
    this.referenced.set(key(info.ref), info.ref);
    const changed = String(await this.db.exec(st.sql));
    await this.catalog.updateTableMeta(this.db, info.ref, {});
    const stat = st.type === 'INSERT' ? 'insertedRowCount' : st.type === 'DELETE' ? 'deletedRowCount' : 'updatedRowCount';
    return { statementType: st.type, numDmlAffectedRows: changed, dmlStats: { [stat]: changed } };
  }

  private async ddl(st: TranslatedStatement): Promise<QueryOutcome> {
    const outcome: QueryOutcome = { statementType: st.type };
    const op = (performed: string) => {
      this.queryStats.ddlOperationPerformed = performed;
      if (st.target) this.queryStats.ddlTargetTable = st.target;
      if (st.dataset) this.queryStats.ddlTargetDataset = st.dataset;
      return outcome;
    };
    switch (st.type) {
      case 'CREATE_TABLE':
      case 'CREATE_TABLE_AS_SELECT':
      case 'CREATE_VIEW': {
        const target = st.target!;
        await this.catalog.requireDataset(this.db, target);
        const existing = await this.catalog.findTable(this.db, target);
        if (existing && st.ifNotExists) return op('SKIP');
        if (existing && !st.orReplace) throw alreadyExists(`Table ${tableName(target)}`);
        if (existing && existing.kind !== (st.type === 'CREATE_VIEW' ? 'VIEW' : 'TABLE')) {
          await this.db.exec(`DROP ${existing.kind} ${this.catalog.tableSql(existing.ref)}`);
        }
        await this.db.exec(st.sql);
        await this.catalog.updateTableMeta(
          this.db,
          target,
          { ...tableOptions(st.options), ...(st.columns ? { schema: st.columns } : {}), ...(st.viewQuery !== undefined ? { viewQuery: st.viewQuery } : {}) },
          true,
        );
        return op(existing ? 'REPLACE' : 'CREATE');
      }
      case 'DROP_TABLE':
      case 'DROP_VIEW': {
        const found = await this.catalog.findTable(this.db, st.target!);
        if (!found) {
          if (st.ifExists) return op('SKIP');
          throw new GoogleApiError(404, `Not found: Table ${tableName(st.target!)}`, { reason: 'notFound' });
        }
        await this.db.exec(st.sql);
        await this.catalog.forgetTable(this.db, found.ref);
        return op('DROP');
      }
      case 'CREATE_SCHEMA': {
        const ref = st.dataset!;
        const exists = (await this.catalog.findDataset(this.db, ref)) !== undefined;
        if (exists && st.ifNotExists) return op('SKIP');
        const o = st.options ?? {};
        await this.catalog.createDataset(this.db, {
          projectId: ref.projectId,
          datasetId: ref.datasetId,
          location: typeof o.location === 'string' ? o.location : 'US',
          ...datasetOptions(o),
        });
        return op('CREATE');
      }
      case 'DROP_SCHEMA': {
        const ref = st.dataset!;
        if ((await this.catalog.findDataset(this.db, ref)) === undefined) {
          if (st.ifExists) return op('SKIP');
          throw datasetNotFound(ref);
        }
        await this.catalog.deleteDataset(this.db, ref, /CASCADE$/.test(st.sql));
        return op('DROP');
      }
      case 'ALTER_SCHEMA': {
        const ref: DatasetRef = st.dataset!;
        if ((await this.catalog.findDataset(this.db, ref)) === undefined) {
          if (st.ifExists) return op('SKIP');
          throw datasetNotFound(ref);
        }
        const meta = await this.catalog.requireDataset(this.db, ref);
        await this.catalog.saveDatasetMeta(this.db, { ...meta, ...datasetOptions(st.options ?? {}), lastModifiedTime: String(Date.now()) });
        return op('ALTER');
      }
      case 'TRUNCATE_TABLE': {
        const info = await this.catalog.requireTable(this.db, st.target!);
        await this.db.exec(st.sql);
        await this.catalog.updateTableMeta(this.db, info.ref, {});
        return op('TRUNCATE');
      }
      case 'ALTER_TABLE':
        return this.alterTable(st, op);
      default:
        throw invalidQuery(`Unsupported statement ${st.type}`);
    }
  }

  private async alterTable(st: TranslatedStatement, op: (performed: string) => QueryOutcome): Promise<QueryOutcome> {
    const info = await this.catalog.tableInfo(this.db, st.target!);
    if (!info) {
      if (st.ifExists) return op('SKIP');
      await this.catalog.requireTable(this.db, st.target!);
      return op('SKIP');
    }
    if (st.sql) await this.db.exec(st.sql);
    const after = await this.catalog.requireTable(this.db, st.renameTo ? { ...info.ref, tableId: st.renameTo } : info.ref);
    let schema = [...(info.meta.schema ?? info.fields), ...(st.columns ?? [])];
    const descriptions = st.columnDescriptions ?? {};
    schema = schema.map((f) => (descriptions[f.name] !== undefined ? { ...f, description: descriptions[f.name] } : f));
    if (st.renameTo) await this.catalog.forgetTable(this.db, info.ref);
    await this.catalog.saveTableMeta(this.db, after.ref, { ...info.meta, ...tableOptions(st.options), schema, lastModifiedTime: String(Date.now()) });
    return op('ALTER');
  }

  private async exportData(st: TranslatedStatement): Promise<QueryOutcome> {
    const o = st.options ?? {};
    const uri = o.uri;
    if (typeof uri !== 'string') throw invalidQuery('EXPORT DATA requires the option uri');
    if ((uri.match(/\*/g) ?? []).length !== 1) throw invalidQuery(`Invalid value for option uri: ${uri}; it must contain exactly one '*' wildcard`);
    if (typeof o.format !== 'string') throw invalidQuery('EXPORT DATA requires the option format');
    const format = normalizeFormat(o.format);
    if (format === 'AVRO') throw invalidQuery('EXPORT DATA in AVRO format is not supported by the BigQuery emulator');
    const fields = await this.resultFields(st.sql);
    const compression = typeof o.compression === 'string' ? o.compression.toUpperCase() : 'NONE';
    if (!['NONE', 'GZIP', 'SNAPPY', 'ZSTD'].includes(compression)) throw invalidQuery(`Unsupported compression ${compression}`);
    const result = await this.ctx.gcs.exportRows(this.db, st.sql, fields, {
      uris: [uri],
      format,
      header: o.header === true,
      delimiter: typeof o.field_delimiter === 'string' ? o.field_delimiter : ',',
      compression: compression as 'NONE',
      overwrite: o.overwrite === true,
    });
    this.queryStats.exportDataStatistics = { fileCount: String(result.fileCounts.reduce((a, b) => a + b, 0)), rowCount: result.rows.toString() };
    return { statementType: 'EXPORT_DATA' };
  }

  private async statistics(outcome: QueryOutcome): Promise<Record<string, unknown>> {
    let bytes = 0n;
    for (const ref of this.referenced.values()) {
      const info = await this.catalog.tableInfo(this.db, ref);
      if (info && info.kind === 'TABLE') bytes += (await this.catalog.numRows(this.db, info)) * BigInt(estimateRowBytes(info.fields));
    }
    const billed = bytes === 0n ? 0n : bytes < 10_485_760n ? 10_485_760n : ((bytes + 1_048_575n) / 1_048_576n) * 1_048_576n;
    const query: Record<string, unknown> = {
      totalBytesProcessed: bytes.toString(),
      estimatedBytesProcessed: bytes.toString(),
      cacheHit: false,
      statementType: outcome.statementType,
      referencedTables: [...this.referenced.values()],
      ...this.queryStats,
    };
    if (!this.dryRun) Object.assign(query, { totalBytesBilled: billed.toString(), billingTier: 1, totalSlotMs: '0' });
    if (outcome.schema) query.schema = { fields: outcome.schema };
    if (outcome.numDmlAffectedRows !== undefined) Object.assign(query, { numDmlAffectedRows: outcome.numDmlAffectedRows, dmlStats: outcome.dmlStats });
    return { totalBytesProcessed: bytes.toString(), ...(this.dryRun ? {} : { totalSlotMs: '0' }), query };
  }
}

function tableOptions(options: Record<string, OptionValue> | undefined): Record<string, unknown> {
  const o = options ?? {};
  return {
    ...(typeof o.description === 'string' ? { description: o.description } : {}),
    ...(typeof o.friendly_name === 'string' ? { friendlyName: o.friendly_name } : {}),
    ...(Array.isArray(o.labels) ? { labels: labelsOf(o.labels) } : {}),
    ...(typeof o.expiration_timestamp === 'string' ? { expirationTime: String(Date.parse(o.expiration_timestamp.replace(' UTC', 'Z'))) } : {}),
  };
}

function datasetOptions(o: Record<string, OptionValue>): Record<string, unknown> {
  return {
    ...(typeof o.description === 'string' ? { description: o.description } : {}),
    ...(typeof o.friendly_name === 'string' ? { friendlyName: o.friendly_name } : {}),
    ...(Array.isArray(o.labels) ? { labels: labelsOf(o.labels) } : {}),
    ...(typeof o.default_table_expiration_days === 'number' ? { defaultTableExpirationMs: String(Math.round(o.default_table_expiration_days * 86_400_000)) } : {}),
  };
}

function labelsOf(value: OptionValue[]): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const pair of value) if (Array.isArray(pair) && pair.length === 2) labels[String(pair[0])] = String(pair[1]);
  return labels;
}
