// Runs jobs: one timer per enabled job for its next scheduled time on the emulator's clock,
// executions with retries and backoff per RetryConfig, and forced runs (`:run`). A scheduled time
// is dispatched at most once (it is recorded before the first attempt), and a job never has two
// scheduled executions at once: a time that comes while the previous execution still runs waits
// for it, as on Google.
import type { PubSub } from '@google-cloud/pubsub';
import type { KeyedMutex } from '../kit/keyed-mutex.js';
import { emulatorLog } from '../kit/log.js';
import type { EmulatedClock, TimerHandle } from './clock.js';
import { deliverHttp, deliverPubsub, type AttemptOutcome } from './delivery.js';
import { attemptDeadlineMs, retryPolicy } from './job-spec.js';
import type { OidcIssuer } from './oidc.js';
import { timestampOf } from './render.js';
import { backoffMs, mayRetry } from './retry.js';
import { nextScheduleTime } from './schedule.js';
import type { JobStore, StoredJob } from './store.js';

/** How long close() lets running attempts finish before it cancels them. */
const CLOSE_GRACE_MS = 5_000;

export interface RunnerDeps {
  store: JobStore;
  clock: EmulatedClock;
  /** Per job name: read-modify-write of a job, shared with the API handlers. */
  locks: KeyedMutex;
  oidc: OidcIssuer;
  /** The Pub/Sub client for Pub/Sub targets, or undefined when there is no Pub/Sub emulator. */
  pubsub: () => PubSub | undefined;
}

/** The first time of the job's schedule after `after`, and after its last dispatched time. */
export function nextRunAfter(job: StoredJob, after: number): number | undefined {
  return nextScheduleTime(job.spec.schedule, job.spec.timeZone, Math.max(after, job.lastScheduledTime ?? Number.NEGATIVE_INFINITY));
}

export class JobRunner {
  private readonly timers = new Map<string, TimerHandle>();
  /** The scheduled execution running per job. */
  private readonly scheduled = new Map<string, Promise<void>>();
  /** A scheduled time that came while the job's previous execution was still running. */
  private readonly delayed = new Map<string, number>();
  private readonly inFlight = new Set<Promise<void>>();
  /** Aborted by close(): no new attempts, backoff waits end. */
  private readonly stopping = new AbortController();
  /** Aborted when close()'s grace period is over: running attempts are cancelled. */
  private readonly cancelAttempts = new AbortController();

  constructor(private readonly deps: RunnerDeps) {}

  /**
   * Brings stored jobs back after a start: a next time missed while the emulator was down is
   * skipped (the next one ahead is armed), and retries that were waiting are dropped.
   */
  async restore(): Promise<void> {
    const now = this.deps.clock.now();
    for (const stored of this.deps.store.all()) {
      await this.deps.locks.run(stored.name, async () => {
        const job = this.deps.store.get(stored.name);
        if (!job) return;
        delete job.retryTime;
        if (job.state === 'ENABLED' && (job.nextRunTime === undefined || job.nextRunTime < now)) job.nextRunTime = nextRunAfter(job, now);
        await this.deps.store.put(job);
      });
      this.arm(stored.name);
    }
  }

  /** (Re)arms the job's timer from its stored state; disarms it when the job is gone or not enabled. */
  arm(name: string): void {
    this.timers.get(name)?.cancel();
    this.timers.delete(name);
    if (this.stopping.signal.aborted) return;
    const job = this.deps.store.get(name);
    const at = job?.nextRunTime;
    if (!job || job.state !== 'ENABLED' || at === undefined) return;
    this.timers.set(name, this.deps.clock.at(at, () => this.onTime(name, at)));
  }

  /** Dispatches the job now (RunJob), even if it is already running. */
  runNow(name: string): void {
    void this.track(this.execute(name, this.deps.clock.now(), false));
  }

  async close(): Promise<void> {
    this.stopping.abort();
    for (const timer of this.timers.values()) timer.cancel();
    this.timers.clear();
    const grace = setTimeout(() => this.cancelAttempts.abort(), CLOSE_GRACE_MS);
    await Promise.allSettled([...this.inFlight]);
    clearTimeout(grace);
  }

  private track(execution: Promise<void>): Promise<void> {
    const tracked = execution.catch((err: unknown) => emulatorLog('ERROR', 'Cloud Scheduler execution failed', { error: String((err as Error).stack ?? err) }));
    this.inFlight.add(tracked);
    void tracked.finally(() => this.inFlight.delete(tracked));
    return tracked;
  }

  private onTime(name: string, at: number): void {
    this.timers.delete(name);
    if (this.scheduled.has(name)) {
      this.delayed.set(name, at);
      return;
    }
    const execution = this.track(this.startScheduled(name, at));
    this.scheduled.set(name, execution);
    void execution.finally(() => {
      this.scheduled.delete(name);
      const next = this.delayed.get(name);
      this.delayed.delete(name);
      if (next !== undefined && !this.stopping.signal.aborted) this.onTime(name, next);
    });
  }

  private async startScheduled(name: string, at: number): Promise<void> {
    const { store, locks, clock } = this.deps;
    const dispatch = await locks.run(name, async () => {
      const job = store.get(name);
      // A stale timer (the job was updated, paused or deleted since), or a time already dispatched.
      if (!job || job.state !== 'ENABLED' || job.nextRunTime !== at || (job.lastScheduledTime ?? Number.NEGATIVE_INFINITY) >= at) return false;
      job.lastScheduledTime = at;
      job.nextRunTime = nextRunAfter(job, Math.max(at, clock.now()));
      await store.put(job);
      return true;
    });
    this.arm(name);
    if (dispatch) await this.execute(name, at, true);
  }

  /** Attempts the job for `scheduleTime` until it succeeds or its retries are spent. */
  private async execute(name: string, scheduleTime: number, isScheduled: boolean): Promise<void> {
    const { store, locks, clock } = this.deps;
    const firstAttempt = clock.now();
    for (let attempt = 1; !this.stopping.signal.aborted; attempt += 1) {
      const job = store.get(name);
      // Deleted, or (for a scheduled execution) paused since: no further attempts.
      if (!job || (isScheduled && job.state !== 'ENABLED')) return;
      const startedAt = clock.now();
      const started = performance.now();
      const outcome = await this.attempt(job, scheduleTime);
      if (this.cancelAttempts.signal.aborted) return;
      const policy = retryPolicy(job.spec);
      let retryAt: number | undefined;
      if (outcome.status.code !== 0 && mayRetry(policy, attempt, clock.now() - firstAttempt)) {
        retryAt = clock.now() + backoffMs(policy, attempt);
        // "...retry_count times, or until the next scheduled execution time, whichever comes first."
        if (job.nextRunTime !== undefined && retryAt >= job.nextRunTime) retryAt = undefined;
      }
      await locks.run(name, async () => {
        const current = store.get(name);
        if (!current) return;
        current.lastAttemptTime = startedAt;
        current.status = outcome.status;
        if (retryAt === undefined) delete current.retryTime;
        else current.retryTime = retryAt;
        await store.put(current);
      });
      emulatorLog('INFO', 'Cloud Scheduler attempt', {
        job: name,
        target: job.spec.httpTarget ? `${job.spec.httpTarget.httpMethod} ${job.spec.httpTarget.uri}` : job.spec.pubsubTarget?.topicName,
        scheduleTime: timestampOf(scheduleTime),
        attempt,
        ...(outcome.httpStatus !== undefined ? { httpStatus: outcome.httpStatus } : {}),
        status: outcome.status.code,
        ...(outcome.status.message ? { message: outcome.status.message } : {}),
        ...(retryAt !== undefined ? { retryAt: timestampOf(retryAt) } : {}),
        ms: Math.round(performance.now() - started),
      });
      if (retryAt === undefined) return;
      if (!(await clock.sleep(retryAt - clock.now(), this.stopping.signal))) return;
    }
  }

  private attempt(job: StoredJob, scheduleTime: number): Promise<AttemptOutcome> {
    const { spec } = job;
    if (spec.httpTarget) {
      const attempt = {
        jobId: job.name.slice(job.name.lastIndexOf('/') + 1),
        scheduleTime,
        deadlineMs: this.deps.clock.realDuration(attemptDeadlineMs(spec)),
        signal: this.cancelAttempts.signal,
      };
      return deliverHttp(spec.httpTarget, attempt, this.deps.oidc);
    }
    return deliverPubsub(spec.pubsubTarget!, this.deps.pubsub());
  }
}
