// Distribution arithmetic: merging (sum of distributions), bucket bounds and percentiles read
// from buckets, for DISTRIBUTION-valued metrics.
import type { BucketOptions, Distribution } from '../model.js';

/** Number of buckets including the underflow and overflow buckets. */
function bucketCount(options: BucketOptions): number {
  if (options.linearBuckets) return options.linearBuckets.numFiniteBuckets + 2;
  if (options.exponentialBuckets) return options.exponentialBuckets.numFiniteBuckets + 2;
  return (options.explicitBuckets?.bounds.length ?? 0) + 1;
}

/** [lower, upper) of bucket i; the underflow bucket starts at -Infinity, the overflow ends at +Infinity. */
export function bucketBounds(options: BucketOptions, i: number): [number, number] {
  const n = bucketCount(options);
  const edge = (k: number): number => {
    // Edge k is the lower bound of bucket k (k = 1 .. n-1).
    if (options.linearBuckets) return options.linearBuckets.offset + options.linearBuckets.width * (k - 1);
    if (options.exponentialBuckets) return options.exponentialBuckets.scale * options.exponentialBuckets.growthFactor ** (k - 1);
    return options.explicitBuckets?.bounds[k - 1] ?? Number.NaN;
  };
  return [i === 0 ? Number.NEGATIVE_INFINITY : edge(i), i === n - 1 ? Number.POSITIVE_INFINITY : edge(i + 1)];
}

const sameOptions = (a: BucketOptions | undefined, b: BucketOptions | undefined) => JSON.stringify(a) === JSON.stringify(b);

/** Merges distributions as if all their samples were in one: exact count, mean and squared deviation. */
export function mergeDistributions(list: readonly Distribution[]): Distribution {
  const nonEmpty = list.filter((d) => d.count > 0n);
  const count = nonEmpty.reduce((a, d) => a + d.count, 0n);
  if (count === 0n) return { count: 0n, mean: 0, sumOfSquaredDeviation: 0, bucketCounts: [] };
  const total = Number(count);
  const mean = nonEmpty.reduce((a, d) => a + Number(d.count) * d.mean, 0) / total;
  const ssd = nonEmpty.reduce((a, d) => a + d.sumOfSquaredDeviation + Number(d.count) * (d.mean - mean) ** 2, 0);
  const ranges = nonEmpty.map((d) => d.range).filter((r): r is { min: number; max: number } => r !== undefined);
  const first = nonEmpty[0]!;
  const merged: Distribution = { count, mean, sumOfSquaredDeviation: ssd, bucketCounts: [] };
  if (ranges.length === nonEmpty.length) merged.range = { min: Math.min(...ranges.map((r) => r.min)), max: Math.max(...ranges.map((r) => r.max)) };
  // Buckets add up only when every input uses the same bucket layout.
  if (first.bucketOptions && nonEmpty.every((d) => sameOptions(d.bucketOptions, first.bucketOptions))) {
    const width = Math.max(...nonEmpty.map((d) => d.bucketCounts.length));
    merged.bucketOptions = first.bucketOptions;
    merged.bucketCounts = Array.from({ length: width }, (_, i) => nonEmpty.reduce((a, d) => a + (d.bucketCounts[i] ?? 0n), 0n));
  }
  return merged;
}

/**
 * The p-th percentile of a distribution, read from its buckets: find the bucket holding the sample
 * of rank p/100 * count and interpolate linearly inside it, assuming its samples are spread evenly.
 * The open-ended underflow/overflow buckets are closed with the distribution's range when it has
 * one (otherwise the finite edge is used). Without buckets, the mean is the only estimate.
 */
export function distributionPercentile(d: Distribution, p: number): number {
  if (d.count === 0n) return Number.NaN;
  if (!d.bucketOptions || d.bucketCounts.length === 0) return d.mean;
  const target = (Number(d.count) * p) / 100;
  let seen = 0;
  for (let i = 0; i < d.bucketCounts.length; i += 1) {
    const inBucket = Number(d.bucketCounts[i]);
    if (inBucket === 0 || seen + inBucket < target) {
      seen += inBucket;
      continue;
    }
    let [lower, upper] = bucketBounds(d.bucketOptions, i);
    if (!Number.isFinite(lower)) lower = d.range ? d.range.min : upper;
    if (!Number.isFinite(upper)) upper = d.range ? d.range.max : lower;
    const value = lower + ((target - seen) / inBucket) * (upper - lower);
    return d.range ? Math.min(Math.max(value, d.range.min), d.range.max) : value;
  }
  return d.range ? d.range.max : d.mean;
}

export function distributionStddev(d: Distribution): number {
  return d.count > 0n ? Math.sqrt(d.sumOfSquaredDeviation / Number(d.count)) : Number.NaN;
}
