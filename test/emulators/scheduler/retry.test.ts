// RetryConfig's backoff and limits, on the example in google.cloud.scheduler.v1.RetryConfig's
// documentation, and the emulated clock the runner waits on.
import { describe, expect, it } from 'vitest';
import { EmulatedClock } from '../../../emulators/scheduler/clock.js';
import { backoffMs, mayRetry, type RetryPolicy } from '../../../emulators/scheduler/retry.js';

const documented: RetryPolicy = { retryCount: 5, maxRetryDurationMs: 0, minBackoffMs: 10_000, maxBackoffMs: 300_000, maxDoublings: 3 };

describe('RetryConfig', () => {
  it('doubles max_doublings times, then grows linearly, capped at max_backoff_duration: 10s, 20s, 40s, 80s, 160s, 240s, 300s, 300s', () => {
    expect(Array.from({ length: 8 }, (_, i) => backoffMs(documented, i + 1) / 1000)).toEqual([10, 20, 40, 80, 160, 240, 300, 300]);
    expect(Array.from({ length: 4 }, (_, i) => backoffMs({ ...documented, maxDoublings: 0 }, i + 1) / 1000)).toEqual([10, 20, 30, 40]);
  });

  it('retries retry_count times; with max_retry_duration, until both limits are reached; never with retry_count 0', () => {
    expect([1, 2, 3].map((attempts) => mayRetry({ ...documented, retryCount: 2 }, attempts, 0))).toEqual([true, true, false]);
    expect(mayRetry({ ...documented, retryCount: 2, maxRetryDurationMs: 60_000 }, 5, 30_000)).toBe(true);
    expect(mayRetry({ ...documented, retryCount: 2, maxRetryDurationMs: 60_000 }, 5, 60_000)).toBe(false);
    expect(mayRetry({ ...documented, retryCount: 0, maxRetryDurationMs: 60_000 }, 1, 0)).toBe(false);
  });
});

describe('EmulatedClock', () => {
  it('runs speedup times faster than real time from real now, and never starts behind a saved time', () => {
    let real = 1_000_000;
    const clock = new EmulatedClock(60, 0, () => real);
    expect(clock.now()).toBe(1_000_000);
    real += 1_000;
    expect(clock.now()).toBe(1_060_000);
    expect(clock.realDuration(60_000)).toBe(1_000);
    expect(new EmulatedClock(1, 5_000_000, () => real).now()).toBe(5_000_000);
    expect(() => new EmulatedClock(0)).toThrow('clockSpeedup');
  });
});
