// RetryConfig semantics (google.cloud.scheduler.v1.RetryConfig): the interval starts at
// min_backoff_duration, doubles max_doublings times, then grows linearly by the last doubled
// interval, capped at max_backoff_duration; a failed execution is retried retry_count times (and
// for max_retry_duration, when set: until both limits are reached), never past the next scheduled run.

export interface RetryPolicy {
  readonly retryCount: number;
  /** 0: no time limit. */
  readonly maxRetryDurationMs: number;
  readonly minBackoffMs: number;
  readonly maxBackoffMs: number;
  readonly maxDoublings: number;
}

/** Wait before retry number `retry` (1 = the first retry). min 10s, max 300s, 3 doublings: 10, 20, 40, 80, 160, 240, 300, 300... */
export function backoffMs(policy: RetryPolicy, retry: number): number {
  const doublings = Math.min(retry - 1, policy.maxDoublings);
  const doubled = policy.minBackoffMs * 2 ** doublings;
  const linear = retry - 1 > policy.maxDoublings ? doubled * (retry - 1 - policy.maxDoublings) : 0;
  return Math.min(doubled + linear, policy.maxBackoffMs);
}

/**
 * Whether an execution that has failed `attempts` times, its first attempt `elapsedMs` ago, gets
 * another attempt. retry_count 0 means none; a max_retry_duration keeps retrying past the count
 * until it too is spent.
 */
export function mayRetry(policy: RetryPolicy, attempts: number, elapsedMs: number): boolean {
  if (policy.retryCount <= 0) return false;
  const countLeft = attempts - 1 < policy.retryCount;
  const timeLeft = policy.maxRetryDurationMs > 0 && elapsedMs < policy.maxRetryDurationMs;
  return countLeft || timeLeft;
}
