// jobs.insert / get / list / cancel / delete, jobs.query and jobs.getQueryResults. A job runs in
// the background on the engine's connection (PENDING until it gets it, RUNNING, then DONE);
// requests wait for it up to their timeout and answer with BigQuery's job states.
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { GoogleApiError } from '../../kit/google-error.js';
import { emulatorLog } from '../../kit/log.js';
import type { Catalog } from '../catalog.js';
import { etagOf } from '../catalog.js';
import { timestampFormat } from '../cells.js';
import type { Db, Engine } from '../engine.js';
import { alreadyExists, fromErrorProto, invalid, jobNotFound, toErrorProto } from '../errors.js';
import type { GcsIo } from '../gcs-io.js';
import { checkJobId } from '../ids.js';
import { decodePageToken, encodePageToken, intParam } from '../page-token.js';
import type { PageRequest } from '../results.js';
import { readPage } from '../results.js';
import type { JobBody, JobConfiguration, QueryConfig, QueryRequest } from '../schemas.js';
import { runCopyJob } from './copy-job.js';
import { runExtractJob } from './extract-job.js';
import type { JobResource, JobStore, QueryOutcome } from './job-store.js';
import { JobRecord } from './job-store.js';
import { runLoadJob } from './load-job.js';
import type { ResultTables } from './query-job.js';
import { runQueryJob } from './query-job.js';

export interface JobsServiceOptions {
  engine: Engine;
  catalog: Catalog;
  gcs: GcsIo;
  results: ResultTables;
  store: JobStore;
  linkBase: () => string;
  /** How long jobs.insert waits for the job before answering with its current state. */
  insertWaitMs: number;
}

const DEFAULT_WAIT_MS = 10_000;
const CLIENT_LEAKS = ['types', 'wrapIntegers', 'parseJSON'];

const newJobId = () => `job_${randomBytes(16).toString('base64url')}`;

function jobType(config: JobConfiguration): 'QUERY' | 'LOAD' | 'EXTRACT' | 'COPY' {
  if (config.query) return 'QUERY';
  if (config.load) return 'LOAD';
  if (config.extract) return 'EXTRACT';
  return 'COPY';
}

export class JobsService {
  /** jobs.query requestId → job, for idempotent retries. */
  private readonly requests = new Map<string, JobRecord>();
  /** Finished jobs not yet written to the main database (written in batches, off the request path). */
  private readonly unsaved = new Set<JobRecord>();
  private flushTimer: NodeJS.Timeout | undefined;

  constructor(private readonly o: JobsServiceOptions) {}

  private newRecord(projectId: string, jobId: string, location: string, config: JobConfiguration): JobRecord {
    const configuration: Record<string, unknown> = { ...structuredClone(config), jobType: jobType(config) };
    if (config.query) {
      const query: Record<string, unknown> = { priority: 'INTERACTIVE', ...structuredClone(config.query) };
      for (const k of CLIENT_LEAKS) delete query[k];
      configuration.query = query;
    }
    const resource: JobResource = {
      kind: 'bigquery#job',
      etag: '',
      id: `${projectId}:${location}.${jobId}`,
      selfLink: `${this.o.linkBase()}/projects/${projectId}/jobs/${jobId}?location=${location}`,
      user_email: 'emulator@localhost',
      principal_subject: 'user:emulator@localhost',
      configuration,
      jobReference: { projectId, jobId, location },
      statistics: { creationTime: String(Date.now()) },
      status: { state: 'PENDING' },
    };
    return new JobRecord(resource);
  }

  private view(record: JobRecord): JobResource {
    const copy = structuredClone(record.resource);
    copy.etag = etagOf({ ...copy, etag: '' });
    return copy;
  }

  /** Run the job on the engine; it settles `record.done` whatever happens. */
  private launch(record: JobRecord, config: JobConfiguration): void {
    this.o.engine
      .run(async (db) => {
        if (record.cancelled) record.complete({}, { reason: 'stopped', message: 'Job execution was cancelled: User requested cancellation' });
        else {
          record.start();
          try {
            const { statistics, outcome } = await this.execute(db, record, config, false);
            record.outcome = outcome;
            record.complete(statistics);
          } catch (e) {
            record.complete({}, toErrorProto(this.apiError(e)));
          }
        }
        this.unsaved.add(record);
        this.flushTimer ??= setTimeout(() => void this.flush(), 250).unref();
      })
      .catch((e: unknown) => {
        if (!record.isDone()) record.complete({}, { reason: 'backendError', message: String(e) });
        emulatorLog('ERROR', 'BigQuery job failed to run', { job: record.resource.id, error: String(e) });
      });
  }

  /** Persist finished jobs (also called on close). */
  async flush(): Promise<void> {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    const records = [...this.unsaved];
    this.unsaved.clear();
    if (records.length === 0) return;
    await this.o.engine.run(async (db) => {
      for (const record of records) await this.o.store.persist(db, record);
    });
  }

  private apiError(e: unknown): GoogleApiError {
    if (e instanceof GoogleApiError) return e;
    emulatorLog('ERROR', 'BigQuery emulator job error', { error: e instanceof Error ? (e.stack ?? e.message) : String(e) });
    return new GoogleApiError(500, `Internal error in the BigQuery emulator: ${e instanceof Error ? e.message : String(e)}`, { reason: 'backendError' });
  }

  private async execute(db: Db, record: JobRecord, config: JobConfiguration, dryRun: boolean): Promise<{ statistics: Record<string, unknown>; outcome?: QueryOutcome }> {
    const { catalog, gcs, results } = this.o;
    if (config.query) return runQueryJob(db, { catalog, gcs, results }, record, config.query, dryRun);
    if (dryRun) return { statistics: {} };
    if (config.load) return { statistics: await runLoadJob(db, { catalog, gcs }, record, config.load) };
    if (config.extract) return { statistics: await runExtractJob(db, { catalog, gcs }, record, config.extract) };
    return { statistics: await runCopyJob(db, catalog, record, config.copy!) };
  }

  private async waitFor(record: JobRecord, ms: number): Promise<boolean> {
    if (record.isDone()) return true;
    const ac = new AbortController();
    await Promise.race([record.done, sleep(ms, undefined, { signal: ac.signal }).catch(() => undefined)]);
    ac.abort();
    return record.isDone();
  }

  // ---- jobs.insert ----------------------------------------------------------------------------

  async insert(projectId: string, body: JobBody): Promise<JobResource> {
    const config = body.configuration;
    const kinds = (['query', 'load', 'extract', 'copy'] as const).filter((k) => config[k] !== undefined);
    if (kinds.length !== 1) {
      throw invalid(
        `Job configuration must contain exactly one job-specific configuration object (e.g., query, load, extract, spreadsheetExtract), but there were ${kinds.length}: ${kinds.join(', ')}`,
      );
    }
    const ref = body.jobReference ?? {};
    if (ref.projectId && ref.projectId !== projectId) throw invalid(`Job project ${ref.projectId} does not match the request's project ${projectId}`);
    const jobId = ref.jobId ?? newJobId();
    checkJobId(jobId);
    const location = ref.location ?? 'US';
    if (config.dryRun) return this.dryRun(projectId, jobId, location, config);
    if (this.o.store.get(projectId, jobId)) throw alreadyExists(`Job ${projectId}:${location}.${jobId}`);
    const record = this.newRecord(projectId, jobId, location, config);
    this.o.store.add(record);
    this.launch(record, config);
    await this.waitFor(record, this.o.insertWaitMs);
    return this.view(record);
  }

  private async dryRun(projectId: string, jobId: string, location: string, config: JobConfiguration): Promise<JobResource> {
    const record = this.newRecord(projectId, jobId, location, config);
    const { statistics } = await this.o.engine.run((db) => this.execute(db, record, config, true));
    record.complete(statistics);
    return this.view(record);
  }

  // ---- jobs.get / list / cancel / delete ------------------------------------------------------

  private require(projectId: string, jobId: string, location?: string | null): JobRecord {
    const record = this.o.store.get(projectId, jobId);
    if (!record || (location && location.toUpperCase() !== record.ref.location.toUpperCase())) throw jobNotFound(projectId, location || 'US', jobId);
    return record;
  }

  get(projectId: string, jobId: string, location?: string | null): JobResource {
    return this.view(this.require(projectId, jobId, location));
  }

  list(projectId: string, query: URLSearchParams): Record<string, unknown> {
    const states = query.getAll('stateFilter').map((s) => s.toUpperCase());
    const min = intParam(query, 'minCreationTime', 0, 'TYPE_UINT64')!;
    const max = intParam(query, 'maxCreationTime', Number.MAX_SAFE_INTEGER, 'TYPE_UINT64')!;
    const limit = intParam(query, 'maxResults', 1000)!;
    const parent = query.get('parentJobId');
    const jobs = this.o.store.list(projectId).filter((j) => {
      const created = Number(j.resource.statistics.creationTime);
      return (!states.length || states.includes(j.state)) && created >= min && created <= max && !parent;
    });
    const offset = decodePageToken(query.get('pageToken'), `jobs:${projectId}`);
    const page = jobs.slice(offset, offset + limit).map((j) => {
      const v = this.view(j);
      const minimal = query.get('projection') === 'minimal';
      return {
        id: v.id,
        kind: v.kind,
        jobReference: v.jobReference,
        state: v.status.state,
        ...(v.status.errorResult ? { errorResult: v.status.errorResult } : {}),
        statistics: v.statistics,
        status: v.status,
        user_email: v.user_email,
        principal_subject: v.principal_subject,
        ...(minimal ? {} : { configuration: v.configuration }),
      };
    });
    const next = offset + limit < jobs.length ? { nextPageToken: encodePageToken(offset + limit, `jobs:${projectId}`) } : {};
    return { kind: 'bigquery#jobList', etag: etagOf(page), jobs: page, ...next };
  }

  cancel(projectId: string, jobId: string, location?: string | null): Record<string, unknown> {
    const record = this.require(projectId, jobId, location);
    if (record.state !== 'DONE') record.cancelled = true;
    return { kind: 'bigquery#jobCancelResponse', job: this.view(record) };
  }

  async delete(projectId: string, jobId: string, location?: string | null): Promise<void> {
    const record = this.require(projectId, jobId, location);
    if (record.state !== 'DONE') throw invalid(`Job ${record.resource.id} is not complete and cannot be deleted`);
    this.unsaved.delete(record);
    await this.o.engine.run((db) => this.o.store.remove(db, record));
  }

  // ---- jobs.query / getQueryResults -----------------------------------------------------------

  async query(projectId: string, request: QueryRequest): Promise<Record<string, unknown>> {
    const location = request.location ?? 'US';
    const config: QueryConfig = {
      query: request.query,
      useLegacySql: request.useLegacySql ?? false,
      ...(request.defaultDataset ? { defaultDataset: request.defaultDataset } : {}),
      ...(request.queryParameters ? { queryParameters: request.queryParameters } : {}),
      ...(request.parameterMode ? { parameterMode: request.parameterMode } : {}),
      ...(request.maximumBytesBilled !== undefined ? { maximumBytesBilled: request.maximumBytesBilled } : {}),
      ...(request.useQueryCache !== undefined ? { useQueryCache: request.useQueryCache } : {}),
      ...(request.connectionProperties ? { connectionProperties: request.connectionProperties } : {}),
      ...(request.createSession !== undefined ? { createSession: request.createSession } : {}),
    };
    const jobConfig: JobConfiguration = { query: config, ...(request.labels ? { labels: request.labels } : {}), ...(request.dryRun ? { dryRun: true } : {}) };
    const ts = timestampFormat(request.formatOptions ?? {});
    if (request.dryRun) {
      const job = await this.dryRun(projectId, newJobId(), location, jobConfig);
      const stats = job.statistics as { totalBytesProcessed?: string; query?: { schema?: unknown } };
      return { kind: 'bigquery#queryResponse', jobReference: { projectId, location }, totalBytesProcessed: stats.totalBytesProcessed, schema: stats.query?.schema, jobComplete: true, cacheHit: false };
    }
    const requestKey = request.requestId ? `${projectId}\u0000${request.requestId}` : undefined;
    let record = requestKey ? this.requests.get(requestKey) : undefined;
    if (!record) {
      record = this.newRecord(projectId, newJobId(), location, jobConfig);
      this.o.store.add(record);
      if (requestKey) {
        this.requests.set(requestKey, record);
        // BigQuery honours a requestId for a few minutes; the emulator keeps the latest thousand.
        if (this.requests.size > 1000) this.requests.delete(this.requests.keys().next().value!);
      }
      this.launch(record, jobConfig);
    }
    if (!(await this.waitFor(record, request.timeoutMs ?? DEFAULT_WAIT_MS))) {
      return { kind: 'bigquery#queryResponse', jobReference: record.ref, jobComplete: false };
    }
    return this.results(record, 'bigquery#queryResponse', { offset: 0, maxResults: request.maxResults, ts });
  }

  async getQueryResults(projectId: string, jobId: string, query: URLSearchParams, page: Omit<PageRequest, 'ts' | 'offset'> & { startIndex?: number | undefined; timeoutMs?: number | undefined }): Promise<Record<string, unknown>> {
    const record = this.require(projectId, jobId, query.get('location'));
    if (!(await this.waitFor(record, page.timeoutMs ?? DEFAULT_WAIT_MS))) {
      return { kind: 'bigquery#getQueryResultsResponse', etag: etagOf(record.ref), jobReference: record.ref, jobComplete: false };
    }
    const token = query.get('pageToken');
    const offset = token ? decodePageToken(token, `results:${record.resource.id}`) : (page.startIndex ?? 0);
    const ts = timestampFormat({
      useInt64Timestamp: query.get('formatOptions.useInt64Timestamp') === 'true',
      timestampOutputFormat: query.get('formatOptions.timestampOutputFormat') ?? undefined,
    });
    return this.results(record, 'bigquery#getQueryResultsResponse', { offset, maxResults: page.maxResults, ts });
  }

  private async results(record: JobRecord, kind: string, page: PageRequest): Promise<Record<string, unknown>> {
    const error = record.resource.status.errorResult;
    if (error) throw fromErrorProto(error);
    const stats = record.resource.statistics as { totalBytesProcessed?: string };
    const outcome = record.outcome;
    const base: Record<string, unknown> = {
      kind,
      jobReference: record.ref,
      jobComplete: true,
      cacheHit: false,
      totalBytesProcessed: stats.totalBytesProcessed ?? '0',
      ...(outcome?.numDmlAffectedRows !== undefined ? { numDmlAffectedRows: outcome.numDmlAffectedRows, dmlStats: outcome.dmlStats } : {}),
    };
    if (!outcome?.tableSql || !outcome.schema) return { ...base, etag: etagOf(base) };
    const tableSql = outcome.tableSql;
    const total = BigInt(outcome.totalRows ?? '0');
    const rows = await this.o.engine.run(async (db) => {
      const table = outcome.table ? await this.o.catalog.findTable(db, outcome.table) : undefined;
      if (!table) throw new GoogleApiError(404, `Not found: Table ${outcome.table?.projectId}:${outcome.table?.datasetId}.${outcome.table?.tableId} (the job's results are gone)`, { reason: 'notFound' });
      return readPage(db, tableSql, total, page);
    });
    const body = {
      ...base,
      schema: { fields: outcome.schema },
      totalRows: total.toString(),
      ...(rows.rows.length ? { rows: rows.rows } : {}),
      ...(rows.next !== undefined ? { pageToken: encodePageToken(rows.next, `results:${record.resource.id}`) } : {}),
    };
    return { ...body, etag: etagOf({ ...base, totalRows: body.totalRows }) };
  }
}
