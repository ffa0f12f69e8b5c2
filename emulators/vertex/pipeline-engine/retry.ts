// KFP retry policies: up to maxRetryCount more attempts, waiting backoffDuration * factor^(n-1)
// before retry n, never more than backoffMaxDuration (Vertex caps it at one hour).
import type { TaskSpec } from '../../../pipelines/ir/index.js';

export interface RetrySettings {
  maxRetryCount: number;
  backoffMs: number;
  factor: number;
  maxBackoffMs: number;
}

const HOUR_MS = 3_600_000;

/** Protobuf Duration JSON (`"30s"`, `"1.5s"`) in milliseconds. */
function parseDuration(text: string | undefined, fallbackMs: number): number {
  if (text === undefined) return fallbackMs;
  const m = /^(\d+(?:\.\d+)?)s$/.exec(text.trim());
  if (!m) throw new Error(`invalid duration '${text}' (expected e.g. "30s")`);
  return Number(m[1]) * 1000;
}

export function retrySettings(policy: TaskSpec['retryPolicy']): RetrySettings {
  return {
    maxRetryCount: policy?.maxRetryCount ?? 0,
    backoffMs: parseDuration(policy?.backoffDuration, 0),
    factor: policy?.backoffFactor ?? 2,
    maxBackoffMs: Math.min(parseDuration(policy?.backoffMaxDuration, HOUR_MS), HOUR_MS),
  };
}

/** Wait before retry number `retry` (1 = the first retry). */
export function backoffDelay(settings: RetrySettings, retry: number): number {
  return Math.min(settings.backoffMs * settings.factor ** (retry - 1), settings.maxBackoffMs);
}

/** Resolves true after `ms`, or false as soon as `signal` aborts. */
export function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  if (ms <= 0) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
