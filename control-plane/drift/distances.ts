// Distances between a baseline and a serving distribution over the same bins. Every function takes
// non-negative weights (counts or probabilities) and normalises each side to sum to 1 first; the
// two sides must have the same length and each a positive total.
//
// - Jensen-Shannon divergence, base-2 logs, in [0, 1]: Vertex Model Monitoring's numeric distance
//   (scipy.spatial.distance.jensenshannon(p, q, base=2) ** 2; scipy returns its square root).
// - L-infinity distance, max_i |p_i − q_i|: Vertex Model Monitoring's categorical distance.
// - Population stability index, Σ (a_i − e_i)·ln(a_i / e_i).
// - Kolmogorov–Smirnov statistic of two binned samples.

export class DistributionError extends RangeError {
  override readonly name = 'DistributionError';
}

/** Each side divided by its total, after checking the two are comparable distributions. */
function normalised(p: readonly number[], q: readonly number[]): [number[], number[]] {
  if (p.length !== q.length) throw new DistributionError(`the distributions have ${p.length} and ${q.length} bins; they must share their bins`);
  if (p.length === 0) throw new DistributionError('the distributions have no bin');
  const scale = (x: readonly number[], which: string) => {
    let total = 0;
    for (const v of x) {
      if (!(v >= 0) || !Number.isFinite(v)) throw new DistributionError(`the ${which} distribution has a weight that is not a finite non-negative number: ${v}`);
      total += v;
    }
    if (total === 0) throw new DistributionError(`the ${which} distribution is empty (its weights sum to 0)`);
    return x.map((v) => v / total);
  };
  return [scale(p, 'first'), scale(q, 'second')];
}

/** Jensen-Shannon divergence with base-2 logs: 0 for equal distributions, 1 for disjoint ones. */
export function jensenShannonDivergence(p: readonly number[], q: readonly number[]): number {
  const [a, b] = normalised(p, q);
  let sum = 0;
  for (let i = 0; i < a.length; i++) {
    const m = (a[i]! + b[i]!) / 2;
    if (a[i]! > 0) sum += a[i]! * Math.log2(a[i]! / m);
    if (b[i]! > 0) sum += b[i]! * Math.log2(b[i]! / m);
  }
  // Rounding can leave the sum a hair outside the mathematical range.
  return Math.min(1, Math.max(0, sum / 2));
}

/** The largest difference of the two distributions' probabilities in one bin. */
export function lInfinityDistance(p: readonly number[], q: readonly number[]): number {
  const [a, b] = normalised(p, q);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}

/** The default share that stands in for an empty bin in the PSI (see populationStabilityIndex). */
export const PSI_EPSILON = 1e-4;

/**
 * Population stability index Σ (a_i − e_i)·ln(a_i / e_i) of `actual` against `expected`.
 * Zero bins: the log is undefined for a share of 0, so a share that is exactly 0 is replaced by
 * `epsilon` on either side, without renormalising (numpy: `np.where(x == 0, eps, x)`). A bin empty
 * on both sides then adds 0; a bin empty only in the baseline (serving values outside the training
 * range, unseen categories) adds (a − ε)·ln(a / ε), which grows as ε shrinks.
 */
export function populationStabilityIndex(expected: readonly number[], actual: readonly number[], epsilon: number = PSI_EPSILON): number {
  if (!(epsilon > 0 && epsilon < 1)) throw new DistributionError(`epsilon must be in (0, 1), got ${epsilon}`);
  const [e, a] = normalised(expected, actual);
  let psi = 0;
  for (let i = 0; i < e.length; i++) {
    const ei = e[i]! === 0 ? epsilon : e[i]!;
    const ai = a[i]! === 0 ? epsilon : a[i]!;
    psi += (ai - ei) * Math.log(ai / ei);
  }
  return psi;
}

/**
 * The two-sample Kolmogorov–Smirnov statistic of two samples given as counts on shared, ordered bins:
 * max_i |E(i) − A(i)|, E and A each side's share in bins ≤ i, i.e. the two ECDFs compared at the
 * bins' upper edges only. This is the binned statistic: equal to scipy.stats.ks_2samp's when every
 * value sits on a bin (discrete values, one per bin), and otherwise a lower bound of the statistic
 * of the raw values, whose ECDFs may differ more between two edges.
 */
export function ksStatisticFromHistograms(expectedCounts: readonly number[], actualCounts: readonly number[]): number {
  const [e, a] = normalised(expectedCounts, actualCounts);
  let ce = 0;
  let ca = 0;
  let max = 0;
  for (let i = 0; i < e.length; i++) {
    ce += e[i]!;
    ca += a[i]!;
    max = Math.max(max, Math.abs(ce - ca));
  }
  return Math.min(1, max);
}

export type PsiTier = 'stable' | 'watch' | 'retrain_soon' | 'retrain_now';

/**
 * The usual reading of a PSI: stable below 0.1, watch from 0.1, retrain soon from 0.2 up to and
 * including 0.3, retrain now above 0.3 (a threshold alerts when exceeded, not when reached, as
 * Vertex's 0.3 default does). `from` belongs to its tier except for retrain_now.
 */
export const PSI_TIERS = [
  { tier: 'stable', from: 0 },
  { tier: 'watch', from: 0.1 },
  { tier: 'retrain_soon', from: 0.2 },
  { tier: 'retrain_now', from: 0.3 },
] as const satisfies readonly { tier: PsiTier; from: number }[];

export function psiTier(value: number): PsiTier {
  if (Number.isNaN(value)) throw new DistributionError('a PSI of NaN has no tier');
  const [, watch, soon, now] = PSI_TIERS;
  if (value > now.from) return now.tier;
  if (value >= soon.from) return soon.tier;
  if (value >= watch.from) return watch.tier;
  return 'stable';
}
