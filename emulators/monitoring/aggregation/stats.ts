// Plain statistics over numbers, shared by aligners (within a series) and reducers (across series).

export function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

export function mean(values: readonly number[]): number {
  return sum(values) / values.length;
}

/** Population standard deviation (divides by n): defined for a single value, where it is 0. */
export function stddev(values: readonly number[]): number {
  const m = mean(values);
  return Math.sqrt(sum(values.map((v) => (v - m) ** 2)) / values.length);
}

/**
 * The p-th percentile (0 < p < 100) by linear interpolation between closest ranks — the method
 * Wikipedia's "Percentile" article (which Google's Aggregation docs link to) gives first and
 * NumPy, R (type 7) and spreadsheet PERCENTILE.INC use: with the values sorted ascending as
 * x[0..n-1], the rank is h = (n - 1) * p / 100 and the result is
 * x[floor(h)] + (h - floor(h)) * (x[floor(h) + 1] - x[floor(h)]).
 * Example: 0, 10, ..., 100 (11 values) → p95 = 95, p99 = 99, p50 = 50.
 */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const h = ((sorted.length - 1) * p) / 100;
  const lo = Math.floor(h);
  const below = sorted[lo]!;
  const above = sorted[Math.min(lo + 1, sorted.length - 1)]!;
  return below + (h - lo) * (above - below);
}

export function minBig(values: readonly bigint[]): bigint {
  return values.reduce((a, b) => (b < a ? b : a));
}

export function maxBig(values: readonly bigint[]): bigint {
  return values.reduce((a, b) => (b > a ? b : a));
}

export function sumBig(values: readonly bigint[]): bigint {
  return values.reduce((a, b) => a + b, 0n);
}
