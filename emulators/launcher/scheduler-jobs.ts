// Create (or bring up to date) the declared Cloud Scheduler jobs through the official client, as
// the Pulumi program does in the cloud: a job that exists already gets the declared fields (the
// local mlopsApi URL changes with every start) and its paused state.
import type { CloudSchedulerClient, protos } from '@google-cloud/scheduler';
import type { RetrainingSchedulerJob, SchedulerJobDeclaration } from '../../infra/scheduler-jobs.js';

type Job = protos.google.cloud.scheduler.v1.IJob;

const ALREADY_EXISTS = 6;
const DECLARED_FIELDS = ['description', 'schedule', 'time_zone', 'http_target', 'retry_config', 'attempt_deadline'];

/** `"90s"` / `"1.5s"` (REST JSON) → google.protobuf.Duration. */
function duration(text: string): { seconds: number; nanos: number } {
  const match = /^(\d+)(?:\.(\d{1,9}))?s$/.exec(text);
  if (!match) throw new Error(`not a duration in seconds: ${JSON.stringify(text)}`);
  return { seconds: Number(match[1]), nanos: Number((match[2] ?? '').padEnd(9, '0')) };
}

/** The REST JSON declaration as the client's message (bytes as bytes, durations as Duration). */
export function jobMessage(job: SchedulerJobDeclaration): Job {
  return {
    name: job.name,
    description: job.description,
    schedule: job.schedule,
    timeZone: job.timeZone,
    httpTarget: {
      uri: job.httpTarget.uri,
      httpMethod: job.httpTarget.httpMethod,
      headers: { ...job.httpTarget.headers },
      body: Buffer.from(job.httpTarget.body, 'base64'),
      oidcToken: { ...job.httpTarget.oidcToken },
    },
    retryConfig: {
      retryCount: job.retryConfig.retryCount,
      maxRetryDuration: duration(job.retryConfig.maxRetryDuration),
      minBackoffDuration: duration(job.retryConfig.minBackoffDuration),
      maxBackoffDuration: duration(job.retryConfig.maxBackoffDuration),
      maxDoublings: job.retryConfig.maxDoublings,
    },
    attemptDeadline: duration(job.attemptDeadline),
  };
}

function isAlreadyExists(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === ALREADY_EXISTS;
}

/** `projects/p/locations/l/jobs/j` → `projects/p/locations/l`. */
function parentOf(jobName: string): string {
  const match = /^(projects\/[^/]+\/locations\/[^/]+)\/jobs\/[^/]+$/.exec(jobName);
  if (!match) throw new Error(`not a Cloud Scheduler job name: ${jobName}`);
  return match[1]!;
}

export async function applySchedulerJobs(client: CloudSchedulerClient, jobs: readonly RetrainingSchedulerJob[]): Promise<void> {
  for (const { job, paused } of jobs) {
    const message = jobMessage(job);
    let current: Job;
    try {
      [current] = await client.createJob({ parent: parentOf(job.name), job: message });
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
      [current] = await client.updateJob({ job: message, updateMask: { paths: DECLARED_FIELDS } });
    }
    // The REST transport may hand the enum back by name or by number (Job.State.PAUSED = 2).
    const isPaused = current.state === 'PAUSED' || (current.state as unknown) === 2;
    if (paused && !isPaused) await client.pauseJob({ name: job.name });
    if (!paused && isPaused) await client.resumeJob({ name: job.name });
  }
}
