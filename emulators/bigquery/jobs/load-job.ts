// Load jobs: gs:// CSV, newline-delimited JSON or Parquet into a table, read by DuckDB in place.
// Values are read as text and converted with BigQuery's rules (value-sql.ts); the whole load is
// one transaction, so a bad row leaves the table as it was.
import { GoogleApiError } from '../../kit/google-error.js';
import type { Catalog, TableInfo } from '../catalog.js';
import type { Db } from '../engine.js';
import { alreadyExists, invalid, tableName } from '../errors.js';
import type { GcsIo } from '../gcs-io.js';
import type { LoadConfig } from '../schemas.js';
import { bigQueryErrorFor } from '../sql/duck-errors.js';
import type { TableRef } from '../sql/translator.js';
import { canonicalType, quoteIdent, quoteString } from '../sql/types.js';
import type { TableField } from '../table-schema.js';
import { columnsDdl, fieldFromDuck, normalizeFields } from '../table-schema.js';
import { castTo, convertFromRead, readType } from '../value-sql.js';
import type { JobRecord } from './job-store.js';

export interface LoadContext {
  catalog: Catalog;
  gcs: GcsIo;
}

type SourceFormat = 'CSV' | 'NEWLINE_DELIMITED_JSON' | 'PARQUET';

function sourceFormat(config: LoadConfig): SourceFormat {
  const f = (config.sourceFormat ?? 'CSV').toUpperCase();
  if (f === 'CSV' || f === 'NEWLINE_DELIMITED_JSON' || f === 'PARQUET') return f;
  throw invalid(`Source format ${f} is not supported by the BigQuery emulator (CSV, NEWLINE_DELIMITED_JSON and PARQUET are)`);
}

/** "name:TYPE,other:TYPE" (schemaInline). */
function inlineSchema(text: string): TableField[] {
  return normalizeFields(
    text.split(',').map((part) => {
      const [name, type = 'STRING'] = part.split(':').map((s) => s.trim());
      return { name, type };
    }),
  );
}

/** BigQuery column names from a file header: invalid characters become '_'. */
function columnName(raw: string, index: number): string {
  let name = raw.replace(/[^A-Za-z0-9_]/g, '_');
  if (!name) name = `string_field_${index}`;
  if (/^[0-9]/.test(name)) name = `_${name}`;
  return name;
}

const fileList = (files: string[]) => `[${files.map(quoteString).join(', ')}]`;

export async function runLoadJob(db: Db, ctx: LoadContext, job: JobRecord, config: LoadConfig): Promise<Record<string, unknown>> {
  try {
    return await new LoadExecution(db, ctx, job, config).run();
  } catch (e) {
    if (e instanceof GoogleApiError) throw e;
    const mapped = bigQueryErrorFor(e, '');
    throw new GoogleApiError(400, `Error while reading data, error message: ${mapped.message}`, { reason: 'invalid' });
  }
}

class LoadExecution {
  private readonly format: SourceFormat;
  private readonly ref: TableRef;

  constructor(
    private readonly db: Db,
    private readonly ctx: LoadContext,
    job: JobRecord,
    private readonly config: LoadConfig,
  ) {
    this.format = sourceFormat(config);
    const d = config.destinationTable;
    if (!d.datasetId || !d.tableId) throw invalid('destinationTable needs datasetId and tableId', 'destinationTable');
    this.ref = { projectId: d.projectId ?? job.ref.projectId, datasetId: d.datasetId, tableId: d.tableId };
  }

  async run(): Promise<Record<string, unknown>> {
    const { db, config } = this;
    const catalog = this.ctx.catalog;
    await catalog.requireDataset(db, this.ref);
    const existing = await catalog.tableInfo(db, this.ref);
    if (existing?.kind === 'VIEW') throw invalid(`Cannot load data into view ${tableName(this.ref)}`);
    if (!existing && config.createDisposition === 'CREATE_NEVER') throw new GoogleApiError(404, `Not found: Table ${tableName(this.ref)}`, { reason: 'notFound' });
    const write = config.writeDisposition ?? 'WRITE_APPEND';
    const hasRows = existing ? (await catalog.numRows(db, existing)) > 0n : false;
    if (write === 'WRITE_EMPTY' && hasRows) throw alreadyExists(`Table ${tableName(this.ref)}`);

    const sources = await this.ctx.gcs.stageSources(config.sourceUris);
    try {
      return await this.load(existing, sources.files, sources.bytes);
    } finally {
      await sources.release();
    }
  }

  private async load(existing: TableInfo | undefined, files: string[], bytes: number): Promise<Record<string, unknown>> {
    const { db, config } = this;
    const catalog = this.ctx.catalog;
    const write = config.writeDisposition ?? 'WRITE_APPEND';
    const declared = config.schema?.fields ? normalizeFields(config.schema.fields) : config.schemaInline ? inlineSchema(config.schemaInline) : undefined;
    const keepTable = existing && !existing.schemaless && !declared && !(write === 'WRITE_TRUNCATE' && config.autodetect);
    const source = await this.source(files, declared ?? (keepTable ? existing.fields : undefined));
    const fields = keepTable ? existing.fields : source.fields;
    if (this.format === 'CSV') {
      const nested = fields.find((f) => f.type === 'RECORD' || f.mode === 'REPEATED');
      if (nested) throw invalid(`Cannot load CSV data with a nested schema. Field: ${nested.name}`);
    }

    const target = catalog.tableSql(existing?.ref ?? this.ref);
    const replace = !existing || existing.schemaless || write === 'WRITE_TRUNCATE' || write === 'WRITE_EMPTY';
    await db.exec('BEGIN TRANSACTION');
    let outputRows: number;
    try {
      if (replace && !keepTable) {
        await db.exec(`CREATE OR REPLACE TABLE ${target} (${columnsDdl(fields)})`);
      } else if (replace) {
        await db.exec(`DELETE FROM ${target}`);
      } else if (existing && declared) {
        await this.addFields(existing, declared, target);
      }
      const columns = source.columns.map((c) => quoteIdent(c.name)).join(', ');
      outputRows = await db.exec(`INSERT INTO ${target} (${columns}) SELECT ${source.columns.map((c) => `${c.expr} AS ${quoteIdent(c.name)}`).join(', ')} FROM ${source.from}`);
      await db.exec('COMMIT');
    } catch (e) {
      await db.exec('ROLLBACK').catch(() => undefined);
      throw e;
    }

    const props = config.destinationTableProperties;
    await catalog.updateTableMeta(
      db,
      existing?.ref ?? this.ref,
      {
        ...(replace && !keepTable ? { schema: fields } : {}),
        ...(declared && !replace ? { schema: mergeDeclared(existing?.fields ?? [], declared) } : {}),
        ...(props?.description !== undefined ? { description: props.description } : {}),
        ...(props?.friendlyName !== undefined ? { friendlyName: props.friendlyName } : {}),
        ...(props?.labels ? { labels: props.labels } : {}),
        ...(config.timePartitioning ? { timePartitioning: config.timePartitioning } : {}),
        ...(config.clustering ? { clustering: config.clustering } : {}),
      },
      !existing,
    );
    return {
      load: { inputFiles: String(files.length), inputFileBytes: String(bytes), outputRows: String(outputRows), outputBytes: String(bytes), badRecords: '0' },
    };
  }

  /** Appending with a schema that has new columns needs ALLOW_FIELD_ADDITION. */
  private async addFields(existing: TableInfo, declared: TableField[], target: string): Promise<void> {
    const known = new Set(existing.fields.map((f) => f.name.toLowerCase()));
    const added = declared.filter((f) => !known.has(f.name.toLowerCase()));
    if (!added.length) return;
    if (!(this.config.schemaUpdateOptions ?? []).includes('ALLOW_FIELD_ADDITION')) {
      throw invalid(`Provided Schema does not match Table ${tableName(this.ref)}. Cannot add fields (field: ${added[0]!.name})`);
    }
    for (const f of added) await this.db.exec(`ALTER TABLE ${target} ADD COLUMN ${columnsDdl([{ ...f, mode: f.mode === 'REQUIRED' ? 'NULLABLE' : f.mode }])}`);
  }

  /** The FROM clause reading the files, the columns it yields, and the schema it implies. */
  private async source(files: string[], schema: TableField[] | undefined): Promise<{ from: string; columns: { name: string; expr: string }[]; fields: TableField[] }> {
    switch (this.format) {
      case 'CSV':
        return schema ? this.csvWithSchema(files, schema) : this.detected(this.csvAuto(files));
      case 'NEWLINE_DELIMITED_JSON':
        if (!schema) return this.detected(`read_json(${fileList(files)}, format = 'newline_delimited')`);
        await this.unknownJsonKeys(files, schema);
        return this.jsonWithSchema(files, schema);
      case 'PARQUET':
        return schema ? this.byName(`read_parquet(${fileList(files)})`, schema) : this.detected(`read_parquet(${fileList(files)})`);
    }
  }

  private csvOptions(): string {
    const c = this.config;
    const parts = [`delim = ${quoteString(c.fieldDelimiter === '\\t' ? '\t' : (c.fieldDelimiter ?? ','))}`, `quote = ${quoteString(c.quote ?? '"')}`];
    if (c.allowJaggedRows) parts.push('null_padding = true');
    if ((c.maxBadRecords ?? 0) > 0) parts.push('ignore_errors = true');
    if (c.nullMarker !== undefined) parts.push(`nullstr = ${quoteString(c.nullMarker)}`);
    return parts.join(', ');
  }

  private csvWithSchema(files: string[], schema: TableField[]) {
    const columns = `{${schema.map((f) => `${quoteString(f.name)}: 'VARCHAR'`).join(', ')}}`;
    const from = `read_csv(${fileList(files)}, header = false, skip = ${this.config.skipLeadingRows ?? 0}, columns = ${columns}, ${this.csvOptions()})`;
    return { from, columns: schema.map((f) => ({ name: f.name, expr: convertFromRead(quoteIdent(f.name), f) })), fields: schema };
  }

  private csvAuto(files: string[]): string {
    const skip = this.config.skipLeadingRows;
    const header = skip === undefined ? '' : `header = ${skip > 0}, skip = ${Math.max(0, skip - 1)}, `;
    return `read_csv(${fileList(files)}, ${header}${this.csvOptions()})`;
  }

  private jsonWithSchema(files: string[], schema: TableField[]) {
    const columns = `{${schema.map((f) => `${quoteString(f.name)}: ${quoteString(readType(f))}`).join(', ')}}`;
    const from = `read_json(${fileList(files)}, format = 'newline_delimited', columns = ${columns})`;
    return { from, columns: schema.map((f) => ({ name: f.name, expr: convertFromRead(quoteIdent(f.name), f) })), fields: schema };
  }

  /** BigQuery rejects JSON keys the schema lacks, unless ignoreUnknownValues. */
  private async unknownJsonKeys(files: string[], schema: TableField[]): Promise<void> {
    if (this.config.ignoreUnknownValues) return;
    const known = new Set(schema.map((f) => f.name.toLowerCase()));
    const rows = await this.db.rows(`SELECT DISTINCT unnest(json_keys(json)) FROM read_ndjson_objects(${fileList(files)})`);
    const unknown = rows.map((r) => String(r[0])).find((k) => !known.has(k.toLowerCase()));
    if (unknown !== undefined) throw invalid(`Error while reading data, error message: JSON parsing error in row starting at position 0: No such field: ${unknown}.`);
  }

  /** Columns matched by name (Parquet), cast to the schema's types. */
  private async byName(from: string, schema: TableField[]) {
    const present = await this.columnsOf(from);
    const names = new Map(present.map((c) => [c.name.toLowerCase(), c.name]));
    const columns = schema.filter((f) => names.has(f.name.toLowerCase())).map((f) => ({ name: f.name, expr: castTo(quoteIdent(names.get(f.name.toLowerCase())!), f) }));
    return { from, columns, fields: schema };
  }

  /** Schema from the data (autodetect; Parquet describes itself). Civil timestamps become TIMESTAMP. */
  private async detected(from: string) {
    const present = await this.columnsOf(from);
    const fields = present.map((c, i) => asTimestamp(fieldFromDuck(columnName(c.name, i), c.type)));
    const columns = present.map((c, i) => ({ name: fields[i]!.name, expr: castTo(quoteIdent(c.name), fields[i]!) }));
    return { from, columns, fields };
  }

  private async columnsOf(from: string) {
    const prepared = await this.db.connection.prepare(`SELECT * FROM ${from}`);
    try {
      return Array.from({ length: prepared.columnCount }, (_, i) => ({ name: prepared.columnName(i), type: prepared.columnType(i) }));
    } finally {
      prepared.destroySync();
    }
  }
}

function asTimestamp(field: TableField): TableField {
  if (field.type === 'RECORD') return { ...field, fields: (field.fields ?? []).map(asTimestamp) };
  return field.type === 'DATETIME' ? { ...field, type: canonicalType('TIMESTAMP')! } : field;
}

function mergeDeclared(current: TableField[], declared: TableField[]): TableField[] {
  const byName = new Map(declared.map((f) => [f.name.toLowerCase(), f]));
  const merged = current.map((f) => byName.get(f.name.toLowerCase()) ?? f);
  const known = new Set(current.map((f) => f.name.toLowerCase()));
  return [...merged, ...declared.filter((f) => !known.has(f.name.toLowerCase()))];
}
