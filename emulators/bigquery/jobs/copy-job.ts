// Copy jobs: table(s) to a table, with BigQuery's write and create dispositions.
import { GoogleApiError } from '../../kit/google-error.js';
import type { Catalog, TableInfo } from '../catalog.js';
import type { Db } from '../engine.js';
import { alreadyExists, invalid, tableName } from '../errors.js';
import type { CopyConfig } from '../schemas.js';
import type { TableRef } from '../sql/translator.js';
import type { JobRecord } from './job-store.js';

export async function runCopyJob(db: Db, catalog: Catalog, job: JobRecord, config: CopyConfig): Promise<Record<string, unknown>> {
  const project = job.ref.projectId;
  const asRef = (r: { projectId?: string | undefined; datasetId?: string | undefined; tableId?: string | undefined }): TableRef => {
    if (!r.datasetId || !r.tableId) throw invalid('Table references need datasetId and tableId');
    return { projectId: r.projectId ?? project, datasetId: r.datasetId, tableId: r.tableId };
  };
  const sources: TableInfo[] = [];
  for (const s of config.sourceTables ?? (config.sourceTable ? [config.sourceTable] : [])) sources.push(await catalog.requireTable(db, asRef(s)));
  if (sources.length === 0) throw invalid('sourceTable is required', 'sourceTable');
  const dest = asRef(config.destinationTable);
  const existing = await catalog.tableInfo(db, dest);
  const write = config.writeDisposition ?? 'WRITE_EMPTY';
  if (!existing && config.createDisposition === 'CREATE_NEVER') throw new GoogleApiError(404, `Not found: Table ${tableName(dest)}`, { reason: 'notFound' });
  if (!existing) await catalog.requireDataset(db, dest);
  if (existing && write === 'WRITE_EMPTY' && (await catalog.numRows(db, existing)) > 0n) throw alreadyExists(`Table ${tableName(dest)}`);
  const union = sources.map((s) => `SELECT * FROM ${s.sql}`).join(' UNION ALL BY NAME ');
  const target = catalog.tableSql(existing?.ref ?? dest);
  if (existing && write === 'WRITE_APPEND') await db.exec(`INSERT INTO ${target} BY NAME ${union}`);
  else await db.exec(`CREATE OR REPLACE TABLE ${target} AS ${union}`);
  const first = sources[0]!;
  await catalog.updateTableMeta(db, existing?.ref ?? dest, existing && write === 'WRITE_APPEND' ? {} : { schema: first.meta.schema ?? first.fields }, !existing);
  return { copy: {} };
}
