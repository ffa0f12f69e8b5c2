// Job resources and their state: PENDING → RUNNING → DONE (with errorResult when it failed), kept
// in memory and persisted in the main database so jobs.get/list answer across restarts.
import type { Db } from '../engine.js';
import { MAIN_CATALOG } from '../engine.js';
import type { ErrorProto } from '../errors.js';
import type { TableRef } from '../sql/translator.js';
import type { TableField } from '../table-schema.js';

export type JobState = 'PENDING' | 'RUNNING' | 'DONE';

export interface JobReference {
  projectId: string;
  jobId: string;
  location: string;
}

export interface JobStatus {
  state: JobState;
  errorResult?: ErrorProto;
  errors?: ErrorProto[];
}

export interface JobResource {
  kind: 'bigquery#job';
  etag: string;
  id: string;
  selfLink: string;
  user_email: string;
  principal_subject: string;
  configuration: Record<string, unknown>;
  jobReference: JobReference;
  statistics: Record<string, unknown>;
  status: JobStatus;
}

/** Where a query job's rows are, and what the query did. */
export interface QueryOutcome {
  statementType: string;
  /** The table holding the result rows (anonymous or the destination). */
  table?: TableRef;
  tableSql?: string;
  schema?: TableField[];
  totalRows?: string;
  numDmlAffectedRows?: string;
  dmlStats?: Record<string, string>;
}

export class JobRecord {
  outcome: QueryOutcome | undefined;
  /** Settles when the job is DONE (never rejects: failures are in status.errorResult). */
  readonly done: Promise<void>;
  private finish!: () => void;
  /** Set by jobs.cancel; checked between statements. */
  cancelled = false;

  constructor(
    public resource: JobResource,
    outcome?: QueryOutcome,
  ) {
    this.outcome = outcome;
    this.done = new Promise((resolve) => (this.finish = resolve));
    if (resource.status.state === 'DONE') this.finish();
  }

  get ref(): JobReference {
    return this.resource.jobReference;
  }

  get state(): JobState {
    return this.resource.status.state;
  }

  isDone(): boolean {
    return this.resource.status.state === 'DONE';
  }

  start(): void {
    this.resource.status = { state: 'RUNNING' };
    this.resource.statistics.startTime = String(Date.now());
  }

  complete(statistics: Record<string, unknown>, error?: ErrorProto): void {
    const now = Date.now();
    const stats = this.resource.statistics;
    stats.startTime ??= String(now);
    Object.assign(stats, statistics, { endTime: String(now) });
    this.resource.status = error ? { state: 'DONE', errorResult: error, errors: [error] } : { state: 'DONE' };
    this.finish();
  }
}

export class JobStore {
  private readonly jobs = new Map<string, JobRecord>();

  static key(projectId: string, jobId: string): string {
    return `${projectId}\u0000${jobId}`;
  }

  static async init(db: Db): Promise<void> {
    await db.exec(`CREATE TABLE IF NOT EXISTS ${MAIN_CATALOG}.main.jobs (project_id VARCHAR, job_id VARCHAR, created BIGINT, resource VARCHAR, outcome VARCHAR, PRIMARY KEY (project_id, job_id))`);
  }

  /** Restore persisted jobs; a job a restart interrupted ends in a backendError. */
  async load(db: Db): Promise<void> {
    for (const [resource, outcome] of await db.rows(`SELECT resource, outcome FROM ${MAIN_CATALOG}.main.jobs ORDER BY created`)) {
      const parsed = JSON.parse(String(resource)) as JobResource;
      const record = new JobRecord(parsed, outcome ? (JSON.parse(String(outcome)) as QueryOutcome) : undefined);
      if (record.state !== 'DONE') {
        record.complete({}, { reason: 'backendError', message: 'The BigQuery emulator restarted while this job was running' });
        await this.persist(db, record);
      }
      this.jobs.set(JobStore.key(parsed.jobReference.projectId, parsed.jobReference.jobId), record);
    }
  }

  get(projectId: string, jobId: string): JobRecord | undefined {
    return this.jobs.get(JobStore.key(projectId, jobId));
  }

  add(record: JobRecord): void {
    this.jobs.set(JobStore.key(record.ref.projectId, record.ref.jobId), record);
  }

  async persist(db: Db, record: JobRecord): Promise<void> {
    await db.exec(`INSERT OR REPLACE INTO ${MAIN_CATALOG}.main.jobs VALUES (?, ?, ?, ?, ?)`, [
      record.ref.projectId,
      record.ref.jobId,
      BigInt(typeof record.resource.statistics.creationTime === 'string' ? record.resource.statistics.creationTime : Date.now()),
      JSON.stringify(record.resource),
      record.outcome ? JSON.stringify(record.outcome) : null,
    ]);
  }

  async remove(db: Db, record: JobRecord): Promise<void> {
    this.jobs.delete(JobStore.key(record.ref.projectId, record.ref.jobId));
    await db.exec(`DELETE FROM ${MAIN_CATALOG}.main.jobs WHERE project_id = ? AND job_id = ?`, [record.ref.projectId, record.ref.jobId]);
  }

  /** A project's jobs, newest first. */
  list(projectId: string): JobRecord[] {
    return [...this.jobs.values()].filter((j) => j.ref.projectId === projectId).reverse();
  }
}
