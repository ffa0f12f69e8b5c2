/** Median and p95 of repeated timings, after a warm-up. */
export async function timeRuns(fn: () => unknown, runs: number, warmup = Math.min(5, runs)): Promise<{ medianMs: number; p95Ms: number }> {
  for (let i = 0; i < warmup; i++) await fn();
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn();
    samples.push(performance.now() - t);
  }
  samples.sort((a, b) => a - b);
  const at = (q: number) => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))]!;
  return { medianMs: round(at(0.5)), p95Ms: round(at(0.95)) };
}

export const round = (n: number, digits = 3): number => Number(n.toFixed(digits));
