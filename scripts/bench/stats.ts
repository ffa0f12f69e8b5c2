// Timing statistics shared by every benchmark section.

/** The q-quantile (nearest rank) of samples; sorts a copy. */
function quantile(samples: readonly number[], q: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

export const median = (samples: readonly number[]): number => quantile(samples, 0.5);

export const round = (n: number, digits = 3): number => Number(n.toFixed(digits));

/** Median and p95 in ms, rounded for the log line. */
export function latencySummary(samples: readonly number[]): { medianMs: number; p95Ms: number } {
  return { medianMs: round(median(samples)), p95Ms: round(quantile(samples, 0.95)) };
}

/** Median and p95 of repeated timings, after a warm-up. */
export async function timeRuns(fn: () => unknown, runs: number, warmup = Math.min(5, runs)): Promise<{ medianMs: number; p95Ms: number }> {
  for (let i = 0; i < warmup; i++) await fn();
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn();
    samples.push(performance.now() - t);
  }
  return latencySummary(samples);
}
