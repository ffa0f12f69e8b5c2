// The training snapshot: the model's BigQuery source exported to Cloud Storage with EXPORT DATA,
// under a path derived from the request id. The BigQuery job id derives from it too, so twenty
// deliveries of one request run one export: the others find the job (409) and wait for it.
// Values reach BigQuery as query parameters; only names validated by the model spec (and the
// request's slug in the URI literal, which BigQuery requires to be a literal) are written into SQL.
import type { BigQuery, Job, Query } from '@google-cloud/bigquery';
import { deterministicId } from '../../vertex/shared/ids.js';
import { httpStatus } from '../errors.js';
import type { SnapshotRecord } from '../state/training-runs.js';

export type QueryParameterType = 'STRING' | 'INT64' | 'FLOAT64' | 'BOOL' | 'DATE' | 'TIMESTAMP';

export interface SnapshotSource {
  /** `project.dataset.table` (already qualified) or undefined when `query` is set. */
  readonly table?: string;
  readonly query?: string;
  readonly parameters?: Readonly<Record<string, { readonly type: QueryParameterType; readonly value: string | number | boolean }>>;
  readonly target: string;
  readonly features: readonly string[];
  /** Tables only: the share of rows sampled (RAND() < fraction). */
  readonly sampleFraction?: number;
}

export interface SnapshotRequest {
  readonly model: string;
  readonly requestId: string;
  readonly bucket: string;
  readonly source: SnapshotSource;
  /** BigQuery location of the source. */
  readonly location?: string;
}

const quote = (identifier: string) => `\`${identifier}\``;

/**
 * A value as the BigQuery client sends it: the client reads DATE and TIMESTAMP values from a
 * `{value}` wrapper (what BigQuery.date() and BigQuery.timestamp() make) and sends a plain string
 * of those types as NULL. The wrapper keeps the text exactly as the spec wrote it.
 */
function clientParameterValue(type: QueryParameterType, value: string | number | boolean): unknown {
  return (type === 'DATE' || type === 'TIMESTAMP') && typeof value === 'string' ? { value } : value;
}

/** The SELECT the snapshot exports, and its named parameters. */
export function snapshotQuery(source: SnapshotSource): { sql: string; params: Record<string, unknown>; types: Record<string, string> } {
  const params: Record<string, unknown> = {};
  const types: Record<string, string> = {};
  let sql: string;
  if (source.query !== undefined) {
    for (const [name, p] of Object.entries(source.parameters ?? {})) {
      params[name] = clientParameterValue(p.type, p.value);
      types[name] = p.type;
    }
    sql = `SELECT * FROM (\n${source.query.replace(/;\s*$/, '')}\n)`;
  } else if (source.table !== undefined) {
    const columns = [...source.features, source.target].map(quote).join(', ');
    sql = `SELECT ${columns} FROM ${quote(source.table)}`;
    if (source.sampleFraction !== undefined && source.sampleFraction < 1) {
      sql += ' WHERE RAND() < @sample_fraction';
      params.sample_fraction = source.sampleFraction;
      types.sample_fraction = 'FLOAT64';
    }
  } else {
    throw new Error('a snapshot source needs a table or a query');
  }
  return { sql, params, types };
}

/** Where the request's snapshot goes: a folder of CSV shards (the pipeline reads the folder). */
export function snapshotFolder(bucket: string, model: string, requestId: string): string {
  return `gs://${bucket}/snapshots/${model}/${deterministicId(requestId, [requestId], 80, 8)}/`;
}

function exportStatement(request: SnapshotRequest): { query: Query; folder: string } {
  const folder = snapshotFolder(request.bucket, request.model, request.requestId);
  const { sql, params, types } = snapshotQuery(request.source);
  const hasParams = Object.keys(params).length > 0;
  return {
    folder,
    query: {
      query: `EXPORT DATA OPTIONS(uri='${folder}part-*.csv', format='CSV', overwrite=true, header=true) AS\n${sql}`,
      ...(hasParams ? { params, types } : {}),
      ...(request.location ? { location: request.location } : {}),
    },
  };
}

/** The export job's id: the same for every delivery of one request. */
export function snapshotJobId(model: string, requestId: string): string {
  return deterministicId(`snapshot_${model}`, [model, requestId], 1024, 16).replace(/-/g, '_');
}

/**
 * Runs (or joins) the export and returns what it produced. Waiting here is bounded by a BigQuery
 * export of the snapshot, seconds; the long work (the pipeline) is submitted and never waited on.
 */
export async function exportSnapshot(bigquery: BigQuery, request: SnapshotRequest, now: Date): Promise<SnapshotRecord> {
  const { query, folder } = exportStatement(request);
  const jobId = snapshotJobId(request.model, request.requestId);
  let job: Job;
  try {
    [job] = await bigquery.createQueryJob({ ...query, jobId });
  } catch (err) {
    if (httpStatus(err) !== 409) throw err;
    job = bigquery.job(jobId, request.location ? { location: request.location } : {});
  }
  // Waits for the job and surfaces its error (a failed export throws here).
  await job.getQueryResults({ maxResults: 0 });
  const metadata: unknown = (await job.getMetadata())[0];
  const stats = (metadata as { statistics?: { query?: { exportDataStatistics?: { rowCount?: string } } } }).statistics?.query;
  const dryRun: Job = (await bigquery.createQueryJob({ ...query, dryRun: true }))[0];
  const schema = (dryRun.metadata as { statistics?: { query?: { schema?: { fields?: { name: string; type: string; mode?: string }[] } } } }).statistics?.query?.schema?.fields ?? [];
  return {
    uri: folder,
    bigqueryJob: `${bigquery.projectId}:${request.location ?? 'US'}.${jobId}`,
    rowCount: Number(stats?.exportDataStatistics?.rowCount ?? 0),
    schema: schema.map((f) => ({ name: f.name, type: f.type, ...(f.mode ? { mode: f.mode } : {}) })),
    createTime: now.toISOString(),
  };
}

