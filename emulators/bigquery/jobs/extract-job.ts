// Extract jobs: a table's rows to gs:// as CSV, newline-delimited JSON or Parquet; a wildcard URI
// gets sharded files named with 12-digit numbers (…-000000000000.csv).
import type { Catalog } from '../catalog.js';
import type { Db } from '../engine.js';
import { invalid } from '../errors.js';
import type { GcsIo } from '../gcs-io.js';
import { normalizeFormat } from '../gcs-io.js';
import type { ExtractConfig } from '../schemas.js';
import type { TableRef } from '../sql/translator.js';
import type { JobRecord } from './job-store.js';

export interface ExtractContext {
  catalog: Catalog;
  gcs: GcsIo;
}

const COMPRESSIONS = new Set(['NONE', 'GZIP', 'SNAPPY', 'ZSTD']);

export async function runExtractJob(db: Db, ctx: ExtractContext, job: JobRecord, config: ExtractConfig): Promise<Record<string, unknown>> {
  const s = config.sourceTable;
  if (!s?.datasetId || !s.tableId) throw invalid(config.sourceModel ? 'Extracting models is not supported by the BigQuery emulator' : 'sourceTable is required', 'sourceTable');
  const ref: TableRef = { projectId: s.projectId ?? job.ref.projectId, datasetId: s.datasetId, tableId: s.tableId };
  const info = await ctx.catalog.requireTable(db, ref);
  if (info.kind === 'VIEW') throw invalid(`${ref.projectId}:${ref.datasetId}.${ref.tableId} is not allowed for this operation because it is currently a VIEW`);
  const format = normalizeFormat(config.destinationFormat);
  if (format === 'AVRO') throw invalid('Extracting to AVRO is not supported by the BigQuery emulator');
  const uris = config.destinationUris ?? (config.destinationUri ? [config.destinationUri] : []);
  if (uris.length === 0) throw invalid('destinationUris is required', 'destinationUris');
  const compression = (config.compression ?? 'NONE').toUpperCase();
  if (!COMPRESSIONS.has(compression)) throw invalid(`Unsupported compression ${compression}`);
  const result = await ctx.gcs.exportRows(db, `SELECT * FROM ${info.sql}`, info.fields, {
    uris,
    format,
    header: config.printHeader ?? true,
    delimiter: config.fieldDelimiter === '\\t' ? '\t' : (config.fieldDelimiter ?? ','),
    compression: compression as 'NONE',
  });
  const rows = await ctx.catalog.numRows(db, info);
  return { extract: { destinationUriFileCounts: result.fileCounts.map(String), inputBytes: String(rows * 8n) } };
}
