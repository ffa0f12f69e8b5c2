// CloudScheduler's methods over the store: CreateJob, GetJob, ListJobs, UpdateJob, DeleteJob,
// PauseJob, ResumeJob and RunJob, with Google's errors. Each change of a job runs under that job's
// lock and re-arms its timer.
import { GoogleApiError, badRequest } from '../kit/google-error.js';
import type { KeyedMutex } from '../kit/keyed-mutex.js';
import { decodeOffsetToken, effectivePageSize, encodeOffsetToken, queryFingerprint } from '../kit/page-token.js';
import type { Encoding } from '../monitoring/enums.js';
import { parseBody } from '../monitoring/validation.js';
import type { EmulatedClock } from './clock.js';
import { JobInputSchema } from './job-schema.js';
import { jobSpec } from './job-spec.js';
import type { JobName, LocationName } from './names.js';
import { generatedJobId, jobName, parseJobName } from './names.js';
import { renderJob } from './render.js';
import type { JobRunner } from './runner.js';
import { nextRunAfter } from './runner.js';
import type { JobStore, StoredJob } from './store.js';
import { applyUpdateMask } from './update-mask.js';

const MAX_PAGE_SIZE = 500;

const notFound = (name: string) => new GoogleApiError(404, `Job not found: ${name}.`);
/** Google answers FAILED_PRECONDITION with HTTP 400. */
const failedPrecondition = (message: string) => new GoogleApiError(400, message, { status: 'FAILED_PRECONDITION' });

type JsonObject = Record<string, unknown>;
const asObject = (body: unknown): JsonObject => (typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as JsonObject) : {});

export class JobService {
  constructor(
    private readonly store: JobStore,
    private readonly runner: JobRunner,
    private readonly clock: EmulatedClock,
    private readonly locks: KeyedMutex,
  ) {}

  async create(parent: LocationName, body: unknown, encoding: Encoding): Promise<JsonObject> {
    const input = parseBody(JobInputSchema, body, ['job']);
    let name: JobName;
    if (input.name) {
      name = parseJobName(input.name, 'job.name');
      if (name.parent !== parent.name) throw badRequest(`Field job.name had an invalid value of "${input.name}": the job must be in the request's parent ${parent.name}.`, { location: 'job.name' });
    } else {
      name = jobName(parent.project, parent.location, generatedJobId());
    }
    const spec = jobSpec(input, name);
    const created = await this.locks.run(name.name, async () => {
      if (this.store.get(name.name)) throw new GoogleApiError(409, `Job ${name.name} already exists.`);
      const now = this.clock.now();
      const job: StoredJob = { name: name.name, spec, state: 'ENABLED', userUpdateTime: now };
      job.nextRunTime = nextRunAfter(job, now);
      await this.store.put(job);
      return job;
    });
    this.runner.arm(name.name);
    return renderJob(created, encoding);
  }

  get(name: JobName, encoding: Encoding): JsonObject {
    const job = this.store.get(name.name);
    if (!job) throw notFound(name.name);
    return renderJob(job, encoding);
  }

  list(parent: LocationName, page: { pageSize?: number; pageToken?: string }, encoding: Encoding): JsonObject {
    const fingerprint = queryFingerprint(['jobs', parent.name]);
    const { offset } = decodeOffsetToken(page.pageToken, fingerprint);
    const size = effectivePageSize(page.pageSize, MAX_PAGE_SIZE);
    const jobs = this.store.list(parent.name);
    const slice = jobs.slice(offset, offset + size);
    const next = offset + size < jobs.length ? encodeOffsetToken(fingerprint, offset + size) : undefined;
    return { jobs: slice.map((j) => renderJob(j, encoding)), ...(next ? { nextPageToken: next } : {}) };
  }

  async update(name: JobName, body: unknown, updateMask: readonly string[] | undefined, encoding: Encoding): Promise<JsonObject> {
    // Types and unknown names first, so that an error names the request's own field.
    parseBody(JobInputSchema, body, ['job']);
    const updated = await this.locks.run(name.name, async () => {
      const job = this.store.get(name.name);
      if (!job) throw notFound(name.name);
      const merged = applyUpdateMask(job.spec as unknown as JsonObject, asObject(body), updateMask);
      job.spec = jobSpec(parseBody(JobInputSchema, merged, ['job']), name);
      const now = this.clock.now();
      job.userUpdateTime = now;
      delete job.retryTime;
      if (job.state === 'ENABLED') job.nextRunTime = nextRunAfter(job, now);
      await this.store.put(job);
      return job;
    });
    this.runner.arm(name.name);
    return renderJob(updated, encoding);
  }

  async delete(name: JobName): Promise<JsonObject> {
    await this.locks.run(name.name, async () => {
      if (!this.store.get(name.name)) throw notFound(name.name);
      await this.store.delete(name.name);
    });
    this.runner.arm(name.name);
    return {};
  }

  async pause(name: JobName, encoding: Encoding): Promise<JsonObject> {
    const paused = await this.locks.run(name.name, async () => {
      const job = this.store.get(name.name);
      if (!job) throw notFound(name.name);
      if (job.state !== 'ENABLED') throw failedPrecondition(`Job ${name.name} is ${job.state}: only an ENABLED job can be paused.`);
      job.state = 'PAUSED';
      job.userUpdateTime = this.clock.now();
      delete job.nextRunTime;
      delete job.retryTime;
      await this.store.put(job);
      return job;
    });
    this.runner.arm(name.name);
    return renderJob(paused, encoding);
  }

  async resume(name: JobName, encoding: Encoding): Promise<JsonObject> {
    const resumed = await this.locks.run(name.name, async () => {
      const job = this.store.get(name.name);
      if (!job) throw notFound(name.name);
      if (job.state !== 'PAUSED') throw failedPrecondition(`Job ${name.name} is ${job.state}: only a PAUSED job can be resumed.`);
      const now = this.clock.now();
      job.state = 'ENABLED';
      job.userUpdateTime = now;
      job.nextRunTime = nextRunAfter(job, now);
      await this.store.put(job);
      return job;
    });
    this.runner.arm(name.name);
    return renderJob(resumed, encoding);
  }

  run(name: JobName, encoding: Encoding): JsonObject {
    const job = this.store.get(name.name);
    if (!job) throw notFound(name.name);
    this.runner.runNow(name.name);
    return renderJob(job, encoding);
  }
}
