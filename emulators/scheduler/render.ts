// A stored job as google.cloud.scheduler.v1.Job JSON: the caller's fields, Google's defaults and
// the output-only ones, enums spelled the way the caller asked (`enum-encoding=int` or names).
import { encodeEnum, type Encoding } from '../monitoring/enums.js';
import { formatTimestamp } from '../monitoring/proto-json.js';
import { HttpMethodEnum, JobStateEnum } from './enums.js';
import type { StoredJob } from './store.js';

export const timestampOf = (ms: number): string => formatTimestamp(BigInt(ms) * 1_000_000n);

export function renderJob(job: StoredJob, encoding: Encoding): Record<string, unknown> {
  const { spec } = job;
  const scheduleTime = job.state === 'ENABLED' ? (job.retryTime ?? job.nextRunTime) : undefined;
  return {
    name: job.name,
    ...(spec.description ? { description: spec.description } : {}),
    ...(spec.httpTarget ? { httpTarget: { ...spec.httpTarget, httpMethod: encodeEnum(HttpMethodEnum, spec.httpTarget.httpMethod, encoding) } } : {}),
    ...(spec.pubsubTarget ? { pubsubTarget: spec.pubsubTarget } : {}),
    schedule: spec.schedule,
    ...(spec.timeZone ? { timeZone: spec.timeZone } : {}),
    userUpdateTime: timestampOf(job.userUpdateTime),
    state: encodeEnum(JobStateEnum, job.state, encoding),
    ...(job.status ? { status: job.status.code === 0 ? {} : job.status } : {}),
    ...(scheduleTime !== undefined ? { scheduleTime: timestampOf(scheduleTime) } : {}),
    ...(job.lastAttemptTime !== undefined ? { lastAttemptTime: timestampOf(job.lastAttemptTime) } : {}),
    retryConfig: spec.retryConfig,
    attemptDeadline: spec.attemptDeadline,
  };
}
