// Confidence intervals for the quality comparison, from each version's n, mean and sample
// variance of a per-instance loss (computed in BigQuery). Normal (CLT) intervals: with the
// thousands of instances a canary step sees, the t and normal quantiles agree to the third digit.
// The normal quantile comes from jstat (zero dependencies, accurate to double precision; the
// probit in simple-statistics is off in the third digit).
import jStat from 'jstat';

export type Interval = [number, number];

/** Per-version loss statistics, as the SQL returns them. */
export interface LossMoments {
  readonly n: number;
  /** Mean of the per-instance loss (squared error, absolute error, or 1 for a correct label). */
  readonly mean: number;
  /** Sample variance of the loss (VAR_SAMP); undefined for n < 2. */
  readonly variance: number | undefined;
}

/** z such that P(|Z| ≤ z) = confidence. */
export function twoSidedZ(confidence: number): number {
  return jStat.normal.inv(1 - (1 - confidence) / 2, 0, 1);
}

/** Wald interval of a mean: mean ± z·√(variance/n). */
export function meanInterval(m: LossMoments, z: number): Interval | undefined {
  if (m.variance === undefined || m.n < 2) return undefined;
  const half = z * Math.sqrt(m.variance / m.n);
  return [m.mean - half, m.mean + half];
}

/** Wilson score interval of a proportion (stays inside [0, 1] and behaves near 0 and 1). */
export function wilsonInterval(successes: number, n: number, z: number): Interval | undefined {
  if (n < 1) return undefined;
  const p = successes / n;
  const z2 = z * z;
  const denominator = 1 + z2 / n;
  const center = (p + z2 / (2 * n)) / denominator;
  const half = (z / denominator) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return [Math.max(0, center - half), Math.min(1, center + half)];
}

/**
 * The delta method on the log of a ratio of two independent means: ln(μ_c/μ_s) has variance
 * ≈ v_c/(n_c·μ_c²) + v_s/(n_s·μ_s²). `power` scales the log (½ for RMSE = √MSE). Returns the
 * ratio's estimate and interval, or undefined when a mean is 0 or a variance is missing.
 */
export function logRatioInterval(canary: LossMoments, stable: LossMoments, z: number, power = 1): { ratio: number; ci: Interval } | undefined {
  if (canary.variance === undefined || stable.variance === undefined) return undefined;
  if (!(canary.mean > 0) || !(stable.mean > 0)) return undefined;
  const logRatio = power * (Math.log(canary.mean) - Math.log(stable.mean));
  const se = power * Math.sqrt(canary.variance / (canary.n * canary.mean ** 2) + stable.variance / (stable.n * stable.mean ** 2));
  return { ratio: Math.exp(logRatio), ci: [Math.exp(logRatio - z * se), Math.exp(logRatio + z * se)] };
}
