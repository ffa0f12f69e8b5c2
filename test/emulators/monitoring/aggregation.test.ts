import { describe, expect, it } from 'vitest';
import { GoogleApiError } from '../../../emulators/kit/google-error.js';
import { alignSeries, periodBounds, periodsFor } from '../../../emulators/monitoring/aggregation/align.js';
import { bucketBounds, distributionPercentile, mergeDistributions } from '../../../emulators/monitoring/aggregation/distribution.js';
import { runAggregation } from '../../../emulators/monitoring/aggregation/pipeline.js';
import { reduceSeries, reduceValues } from '../../../emulators/monitoring/aggregation/reduce.js';
import { planAggregation, type AggregationSpec, type Shape } from '../../../emulators/monitoring/aggregation/spec.js';
import { mean, percentile, stddev } from '../../../emulators/monitoring/aggregation/stats.js';
import type { Distribution, Point, SeriesData, TypedValue } from '../../../emulators/monitoring/model.js';

const S = 1_000_000_000n; // one second in ns
const T = 1_000_000n * S; // an arbitrary, minute-aligned end time
const P = 60n * S;

const dbl = (value: number): TypedValue => ({ type: 'DOUBLE', value });
const int = (value: bigint): TypedValue => ({ type: 'INT64', value });
const gauge = (endNs: bigint, value: TypedValue): Point => ({ startNs: endNs, endNs, value });
const numbers = (values: (TypedValue | undefined)[]) => values.map((v) => (v === undefined ? undefined : v.type === 'INT64' ? Number(v.value) : v.type === 'DOUBLE' ? v.value : v));

function series(points: Point[], extra: Partial<SeriesData> = {}): SeriesData {
  return {
    identity: { metricType: 'custom.googleapis.com/m', metricLabels: {}, resourceType: 'global', resourceLabels: { project_id: 'p' } },
    metricKind: 'GAUGE',
    valueType: 'DOUBLE',
    points,
    ...extra,
  };
}

describe('statistics', () => {
  it('interpolates percentiles between closest ranks', () => {
    const tens = Array.from({ length: 11 }, (_, i) => i * 10); // 0, 10, ..., 100
    expect(percentile(tens, 95)).toBeCloseTo(95, 10);
    expect(percentile(tens, 99)).toBeCloseTo(99, 10);
    expect(percentile(tens, 50)).toBe(50);
    expect(percentile(tens, 5)).toBeCloseTo(5, 10);
    // Unsorted input, few values: rank (3 - 1) * 0.95 = 1.9 → 50 + 0.9 * (250 - 50).
    expect(percentile([250, 1, 50], 95)).toBeCloseTo(230, 10);
    expect(percentile([250, 1, 50], 99)).toBeCloseTo(246, 10);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([], 50)).toBeNaN();
  });

  it('computes mean and population standard deviation', () => {
    expect(mean([1, 2, 3, 4])).toBe(2.5);
    expect(stddev([2, 4, 4, 4, 5, 5, 7, 9])).toBe(2);
    expect(stddev([3])).toBe(0);
  });
});

describe('distributions', () => {
  const linear = { linearBuckets: { numFiniteBuckets: 4, width: 10, offset: 0 } };
  // 10 samples: 2 in [0,10), 4 in [10,20), 4 in [20,30).
  const d: Distribution = { count: 10n, mean: 17, sumOfSquaredDeviation: 0, bucketOptions: linear, bucketCounts: [0n, 2n, 4n, 4n, 0n, 0n] };

  it('knows bucket bounds for linear, exponential and explicit layouts', () => {
    expect(bucketBounds(linear, 0)).toEqual([Number.NEGATIVE_INFINITY, 0]);
    expect(bucketBounds(linear, 2)).toEqual([10, 20]);
    expect(bucketBounds(linear, 5)).toEqual([40, Number.POSITIVE_INFINITY]);
    expect(bucketBounds({ exponentialBuckets: { numFiniteBuckets: 3, growthFactor: 2, scale: 1 } }, 2)).toEqual([2, 4]);
    expect(bucketBounds({ explicitBuckets: { bounds: [1, 5, 10] } }, 3)).toEqual([10, Number.POSITIVE_INFINITY]);
  });

  it('reads percentiles from buckets by linear interpolation inside the bucket', () => {
    expect(distributionPercentile(d, 50)).toBe(17.5); // rank 5: 3rd of 4 in [10,20) → 10 + (3/4)*10
    expect(distributionPercentile(d, 95)).toBeCloseTo(28.75, 10); // rank 9.5: 3.5/4 into [20,30)
    expect(distributionPercentile({ ...d, bucketOptions: undefined, bucketCounts: [] }, 95)).toBe(17);
  });

  it('merges count, mean, squared deviation and buckets exactly', () => {
    const a: Distribution = { count: 2n, mean: 1, sumOfSquaredDeviation: 2, bucketOptions: linear, bucketCounts: [0n, 2n] };
    const b: Distribution = { count: 2n, mean: 3, sumOfSquaredDeviation: 2, bucketOptions: linear, bucketCounts: [0n, 1n, 1n] };
    // Samples {0, 2} and {2, 4}: mean 2, squared deviation 4 + 0 + 0 + 4 = 8.
    expect(mergeDistributions([a, b])).toEqual({ count: 4n, mean: 2, sumOfSquaredDeviation: 8, bucketOptions: linear, bucketCounts: [0n, 3n, 1n] });
  });
});

describe('alignment', () => {
  it('anchors periods at the end time and covers the interval', () => {
    const periods = periodsFor(T - 150n * S, T, P);
    expect(periods.count).toBe(3);
    expect(periodBounds(periods, 2)).toEqual({ startNs: T - P, endNs: T });
    expect(periodBounds(periods, 0)).toEqual({ startNs: T - 3n * P, endNs: T - 2n * P });
    expect(periodsFor(T, T, P).count).toBe(1);
  });

  // Period (T-120, T-60]: 5, 15. Period (T-60, T]: 0, 10, ..., 100 at T-50 .. T.
  const points = [gauge(T - 110n * S, dbl(5)), gauge(T - 70n * S, dbl(15)), ...Array.from({ length: 11 }, (_, i) => gauge(T - 50n * S + BigInt(i) * 5n * S, dbl(i * 10)))];
  const periods = periodsFor(T - 120n * S, T, P);

  it.each([
    ['ALIGN_MEAN', [10, 50]],
    ['ALIGN_SUM', [20, 550]],
    ['ALIGN_MIN', [5, 0]],
    ['ALIGN_MAX', [15, 100]],
    ['ALIGN_COUNT', [2, 11]],
    ['ALIGN_PERCENTILE_50', [10, 50]],
    ['ALIGN_NEXT_OLDER', [15, 100]],
    ['ALIGN_STDDEV', [5, Math.sqrt(1000)]],
  ] as const)('%s gives one value per period', (aligner, expected) => {
    const got = numbers(alignSeries(series(points), aligner, periods)) as number[];
    expect(got).toHaveLength(2);
    got.forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 10));
  });

  it('computes p95 and p99 over the values of a period', () => {
    expect((numbers(alignSeries(series(points), 'ALIGN_PERCENTILE_95', periods)) as number[])[1]).toBeCloseTo(95, 10);
    expect((numbers(alignSeries(series(points), 'ALIGN_PERCENTILE_99', periods)) as number[])[1]).toBeCloseTo(99, 10);
  });

  it('leaves periods without data empty and keeps INT64 sums exact', () => {
    const big = 2n ** 60n;
    const ints = series([gauge(T - 10n * S, int(big)), gauge(T - 5n * S, int(1n))], { valueType: 'INT64' });
    expect(alignSeries(ints, 'ALIGN_SUM', periodsFor(T - 120n * S, T, P))).toEqual([undefined, int(big + 1n)]);
  });

  describe('delta and rate over cumulative points', () => {
    const start = T - 125n * S;
    const cumulative = (pts: [bigint, bigint, number][], prior?: Point): SeriesData =>
      series(
        pts.map(([s, e, v]) => ({ startNs: s, endNs: e, value: int(BigInt(v)) })),
        { metricKind: 'CUMULATIVE', valueType: 'INT64', ...(prior ? { prior } : {}) },
      );

    it('takes differences between period boundaries, starting from the prior point', () => {
      const prior: Point = { startNs: start, endNs: T - 120n * S, value: int(10n) };
      const s = cumulative([[start, T - 60n * S, 70], [start, T, 190]], prior);
      const periods2 = periodsFor(T - 120n * S, T, P);
      expect(alignSeries(s, 'ALIGN_DELTA', periods2)).toEqual([int(60n), int(120n)]);
      expect(numbers(alignSeries(s, 'ALIGN_RATE', periods2))).toEqual([1, 2]);
    });

    it('counts from zero at the start time and interpolates between points', () => {
      // Only (start, T-120] of the older period is covered: 10 over 5 s.
      const s = cumulative([[start, T - 120n * S, 10], [start, T, 190]]);
      const periods3 = periodsFor(T - 180n * S, T, P);
      // 180 over (T-120, T] split evenly across the two periods by interpolation.
      expect(alignSeries(s, 'ALIGN_DELTA', periods3)).toEqual([int(10n), int(90n), int(90n)]);
      expect(numbers(alignSeries(s, 'ALIGN_RATE', periods3))).toEqual([2, 1.5, 1.5]);
    });

    it('treats a new start time as a counter reset', () => {
      const reset = T - 30n * S;
      const s = cumulative([[start, T - 60n * S, 100], [reset, T, 40]], { startNs: start, endNs: T - 120n * S, value: int(40n) });
      expect(alignSeries(s, 'ALIGN_DELTA', periodsFor(T - 120n * S, T, P))).toEqual([int(60n), int(40n)]);
    });
  });
});

describe('reduction', () => {
  const identity = (route: string, task: string) => ({ metricType: 'custom.googleapis.com/m', metricLabels: { route, code: '200' }, resourceType: 'generic_task', resourceLabels: { task_id: task, job: 'j' } });
  const aligned = [
    { identity: identity('/predict', 't0'), values: [dbl(50)] },
    { identity: identity('/predict', 't1'), values: [dbl(250)] },
    { identity: identity('/health', 't0'), values: [dbl(1)] },
  ];

  it('reduces values across series', () => {
    const values = [dbl(1), dbl(50), dbl(250)];
    expect(reduceValues(values, 'REDUCE_SUM')).toEqual(dbl(301));
    expect((reduceValues(values, 'REDUCE_MEAN') as { value: number }).value).toBeCloseTo(301 / 3, 10);
    expect((reduceValues(values, 'REDUCE_PERCENTILE_95') as { value: number }).value).toBeCloseTo(230, 10);
    expect((reduceValues(values, 'REDUCE_PERCENTILE_99') as { value: number }).value).toBeCloseTo(246, 10);
    expect(reduceValues(values, 'REDUCE_COUNT')).toEqual(int(3n));
    expect(reduceValues([int(2n), int(5n)], 'REDUCE_MAX')).toEqual(int(5n));
    expect(reduceValues([{ type: 'BOOL', value: true }, { type: 'BOOL', value: false }], 'REDUCE_FRACTION_TRUE')).toEqual(dbl(0.5));
  });

  it('groups by the group-by fields and keeps only those labels', () => {
    const byRoute = reduceSeries(aligned, 'REDUCE_SUM', ['metric.labels.route'], 1);
    expect(byRoute.map((s) => [s.identity.metricLabels, s.identity.resourceLabels, s.values])).toEqual([
      [{ route: '/predict' }, {}, [dbl(300)]],
      [{ route: '/health' }, {}, [dbl(1)]],
    ]);
    const byTask = reduceSeries(aligned, 'REDUCE_SUM', ['resource.label.task_id'], 1);
    expect(byTask.map((s) => [s.identity.resourceLabels, s.values])).toEqual([
      [{ task_id: 't0' }, [dbl(51)]],
      [{ task_id: 't1' }, [dbl(250)]],
    ]);
    expect(reduceSeries(aligned, 'REDUCE_MAX', [], 1).map((s) => s.values)).toEqual([[dbl(250)]]);
  });
});

describe('aggregation plans', () => {
  const gaugeDouble: Shape = { metricKind: 'GAUGE', valueType: 'DOUBLE' };
  const spec = (s: Partial<AggregationSpec>): AggregationSpec => ({ aligner: 'ALIGN_NONE', reducer: 'REDUCE_NONE', groupByFields: [], ...s });
  const rejects = (s: Partial<AggregationSpec>, shape: Shape, message: RegExp) => {
    let err: unknown;
    try {
      planAggregation(spec(s), shape, 'aggregation');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(GoogleApiError);
    expect((err as GoogleApiError).message).toMatch(message);
  };

  it('gives the output kind and type of each step', () => {
    expect(planAggregation(spec({ aligner: 'ALIGN_RATE', alignmentPeriodNs: P }), { metricKind: 'CUMULATIVE', valueType: 'INT64' }, 'aggregation')?.output).toEqual(gaugeDouble);
    expect(planAggregation(spec({ aligner: 'ALIGN_DELTA', alignmentPeriodNs: P }), { metricKind: 'CUMULATIVE', valueType: 'INT64' }, 'aggregation')?.output).toEqual({ metricKind: 'DELTA', valueType: 'INT64' });
    expect(planAggregation(spec({ aligner: 'ALIGN_COUNT', reducer: 'REDUCE_SUM', alignmentPeriodNs: P }), gaugeDouble, 'aggregation')?.output).toEqual({ metricKind: 'GAUGE', valueType: 'INT64' });
    expect(planAggregation(spec({}), gaugeDouble, 'aggregation')).toBeUndefined();
  });

  it('rejects what Google rejects', () => {
    rejects({ reducer: 'REDUCE_SUM' }, gaugeDouble, /aligner cannot be ALIGN_NONE/);
    rejects({ aligner: 'ALIGN_MEAN' }, gaugeDouble, /alignment period must be given/);
    rejects({ aligner: 'ALIGN_MEAN', alignmentPeriodNs: 30n * S }, gaugeDouble, /at least 60 seconds/);
    rejects({ aligner: 'ALIGN_MEAN', alignmentPeriodNs: P }, { metricKind: 'CUMULATIVE', valueType: 'DOUBLE' }, /cannot be applied to metrics with kind CUMULATIVE and value type DOUBLE/);
    rejects({ aligner: 'ALIGN_RATE', alignmentPeriodNs: P }, gaugeDouble, /kind GAUGE/);
    rejects({ aligner: 'ALIGN_MEAN', reducer: 'REDUCE_COUNT_TRUE', alignmentPeriodNs: P }, gaugeDouble, /reducer cannot be applied/);
    rejects({ aligner: 'ALIGN_MEAN', reducer: 'REDUCE_SUM', alignmentPeriodNs: P, groupByFields: ['metadata.user_labels.x'] }, gaugeDouble, /groupByFields\[0\]/);
    rejects({ aligner: 'ALIGN_INTERPOLATE', alignmentPeriodNs: P }, gaugeDouble, /not implemented/);
  });

  it('runs align then reduce, putting gauge points on period ends', () => {
    const plan = planAggregation(spec({ aligner: 'ALIGN_MEAN', reducer: 'REDUCE_SUM', alignmentPeriodNs: P }), gaugeDouble, 'aggregation')!;
    const a = series([gauge(T - 30n * S, dbl(1)), gauge(T - 10n * S, dbl(3))]);
    const b = series([gauge(T - 20n * S, dbl(10))], { identity: { ...a.identity, metricLabels: { x: 'b' } } });
    const out = runAggregation(plan, [a, b], T - P, T);
    expect(out).toEqual([{ identity: { ...a.identity, metricLabels: {}, resourceLabels: {} }, metricKind: 'GAUGE', valueType: 'DOUBLE', points: [{ startNs: T, endNs: T, value: dbl(12) }] }]);
  });
});
