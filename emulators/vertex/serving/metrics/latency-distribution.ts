// Latencies of one alignment period as a google.api.Distribution: count, mean and squared
// deviation kept exactly (Welford's update), samples counted into fixed exponential buckets, so
// memory stays constant however many predictions a period sees.

/** Bucket i (1..N) holds [SCALE·G^(i-1), SCALE·G^i) ms; 0 is the underflow, N+1 the overflow. */
export const LATENCY_BUCKETS = { numFiniteBuckets: 340, growthFactor: 1.05, scale: 0.1 } as const;

/** proto3 JSON of google.api.Distribution, as timeSeries.create takes it. */
export interface DistributionJson {
  count: string;
  mean: number;
  sumOfSquaredDeviation: number;
  range: { min: number; max: number };
  bucketOptions: { exponentialBuckets: typeof LATENCY_BUCKETS };
  bucketCounts: string[];
}

export class LatencyDistribution {
  private count = 0;
  private mean = 0;
  private m2 = 0;
  private min = Number.POSITIVE_INFINITY;
  private max = Number.NEGATIVE_INFINITY;
  private readonly buckets = new Map<number, number>();

  add(ms: number): void {
    const value = Number.isFinite(ms) && ms > 0 ? ms : 0;
    this.count += 1;
    const delta = value - this.mean;
    this.mean += delta / this.count;
    this.m2 += delta * (value - this.mean);
    this.min = Math.min(this.min, value);
    this.max = Math.max(this.max, value);
    const index = bucketIndex(value);
    this.buckets.set(index, (this.buckets.get(index) ?? 0) + 1);
  }

  get size(): number {
    return this.count;
  }

  toJson(): DistributionJson {
    // Trailing empty buckets may be left out (google.api.Distribution.bucket_counts).
    const last = Math.max(...this.buckets.keys());
    const bucketCounts = Array.from({ length: last + 1 }, (_, i) => String(this.buckets.get(i) ?? 0));
    return {
      count: String(this.count),
      mean: this.mean,
      sumOfSquaredDeviation: this.m2,
      range: { min: this.min, max: this.max },
      bucketOptions: { exponentialBuckets: LATENCY_BUCKETS },
      bucketCounts,
    };
  }
}

export function bucketIndex(ms: number): number {
  const { numFiniteBuckets, growthFactor, scale } = LATENCY_BUCKETS;
  if (ms < scale) return 0;
  const i = Math.floor(Math.log(ms / scale) / Math.log(growthFactor)) + 1;
  return Math.min(i, numFiniteBuckets + 1);
}
