// Per-series alignment: cut a series into alignment periods ending at the request's end time and
// replace each period's points with one value.
import type { AlignerName } from '../enums.js';
import type { Point, SeriesData, TypedValue } from '../model.js';
import { NS_PER_SECOND } from '../proto-json.js';
import { mergeDistributions, distributionPercentile } from './distribution.js';
import { maxBig, mean, minBig, percentile, stddev, sum, sumBig } from './stats.js';

/**
 * Alignment periods are anchored at the interval's end time: period i (0 = oldest) is
 * (windowStart + i*P, windowStart + (i+1)*P], and the newest ends exactly at endTime. There are
 * enough periods to cover (startTime, endTime], at least one.
 */
export interface Periods {
  windowStartNs: bigint;
  periodNs: bigint;
  count: number;
}

export function periodsFor(startNs: bigint, endNs: bigint, periodNs: bigint): Periods {
  const span = endNs - startNs;
  const count = span <= 0n ? 1 : Number((span + periodNs - 1n) / periodNs);
  return { windowStartNs: endNs - BigInt(count) * periodNs, periodNs, count };
}

export function periodBounds(periods: Periods, i: number): { startNs: bigint; endNs: bigint } {
  const startNs = periods.windowStartNs + BigInt(i) * periods.periodNs;
  return { startNs, endNs: startNs + periods.periodNs };
}

function periodIndex(periods: Periods, endNs: bigint): number | undefined {
  if (endNs <= periods.windowStartNs) return undefined;
  const i = Number((endNs - periods.windowStartNs - 1n) / periods.periodNs);
  return i < periods.count ? i : undefined;
}

const PERCENTILES: Partial<Record<AlignerName, number>> = {
  ALIGN_PERCENTILE_99: 99,
  ALIGN_PERCENTILE_95: 95,
  ALIGN_PERCENTILE_50: 50,
  ALIGN_PERCENTILE_05: 5,
};

const toNumber = (v: TypedValue): number => (v.type === 'INT64' ? Number(v.value) : v.type === 'DOUBLE' ? v.value : Number.NaN);

/** One value per period (undefined where the period has no data), oldest period first. */
export function alignSeries(series: SeriesData, aligner: AlignerName, periods: Periods): (TypedValue | undefined)[] {
  if (series.metricKind === 'CUMULATIVE' && (aligner === 'ALIGN_DELTA' || aligner === 'ALIGN_RATE')) {
    return alignCumulative(series, aligner, periods);
  }
  const buckets: Point[][] = Array.from({ length: periods.count }, () => []);
  for (const point of series.points) {
    const i = periodIndex(periods, point.endNs);
    if (i !== undefined) buckets[i]!.push(point);
  }
  return buckets.map((points) => (points.length === 0 ? undefined : alignBucket(points, aligner, series.valueType === 'INT64', periods.periodNs)));
}

function alignBucket(points: Point[], aligner: AlignerName, isInt: boolean, periodNs: bigint): TypedValue | undefined {
  const values = points.map((p) => p.value);
  const numbers = values.map(toNumber);
  const ints = values.flatMap((v) => (v.type === 'INT64' ? [v.value] : []));
  const dists = values.flatMap((v) => (v.type === 'DISTRIBUTION' ? [v.value] : []));
  const bools = values.flatMap((v) => (v.type === 'BOOL' ? [v.value] : []));
  switch (aligner) {
    case 'ALIGN_NEXT_OLDER':
      return values[values.length - 1];
    case 'ALIGN_MIN':
      return isInt ? { type: 'INT64', value: minBig(ints) } : { type: 'DOUBLE', value: Math.min(...numbers) };
    case 'ALIGN_MAX':
      return isInt ? { type: 'INT64', value: maxBig(ints) } : { type: 'DOUBLE', value: Math.max(...numbers) };
    case 'ALIGN_MEAN':
      return { type: 'DOUBLE', value: dists.length > 0 ? mergeDistributions(dists).mean : mean(numbers) };
    case 'ALIGN_COUNT':
      return { type: 'INT64', value: BigInt(values.length) };
    case 'ALIGN_SUM':
    case 'ALIGN_DELTA': // on DELTA metrics: the sum of the deltas in the period
      if (dists.length > 0) return { type: 'DISTRIBUTION', value: mergeDistributions(dists) };
      return isInt ? { type: 'INT64', value: sumBig(ints) } : { type: 'DOUBLE', value: sum(numbers) };
    case 'ALIGN_RATE':
      return { type: 'DOUBLE', value: sum(numbers) / seconds(periodNs) };
    case 'ALIGN_STDDEV':
      return { type: 'DOUBLE', value: stddev(numbers) };
    case 'ALIGN_COUNT_TRUE':
      return { type: 'INT64', value: BigInt(bools.filter(Boolean).length) };
    case 'ALIGN_COUNT_FALSE':
      return { type: 'INT64', value: BigInt(bools.filter((b) => !b).length) };
    case 'ALIGN_FRACTION_TRUE':
      return { type: 'DOUBLE', value: bools.filter(Boolean).length / bools.length };
    default: {
      const p = PERCENTILES[aligner];
      if (p === undefined) return undefined;
      return { type: 'DOUBLE', value: dists.length > 0 ? distributionPercentile(mergeDistributions(dists), p) : percentile(numbers, p) };
    }
  }
}

const seconds = (ns: bigint) => Number(ns) / Number(NS_PER_SECOND);

/**
 * Delta and rate over cumulative points. A cumulative point (s, e, v) says the counter grew by v
 * over (s, e]; points sharing a start time form one run, and a new start time is a reset. Within a
 * run the counter C(t) is known at each end time (and is 0 at s) and interpolated linearly between
 * them, so a period (a, b] gets C(min(b, last)) - C(max(a, s)) from each run that overlaps it —
 * exact when points sit on period boundaries, interpolated (as Google does) otherwise. The rate
 * divides that by the time the runs actually cover inside the period.
 */
function alignCumulative(series: SeriesData, aligner: AlignerName, periods: Periods): (TypedValue | undefined)[] {
  const points = series.prior ? [series.prior, ...series.points] : series.points;
  const runs: Point[][] = [];
  for (const point of points) {
    const run = runs[runs.length - 1];
    if (run && run[0]!.startNs === point.startNs) run.push(point);
    else runs.push([point]);
  }
  const out: (TypedValue | undefined)[] = [];
  for (let i = 0; i < periods.count; i += 1) {
    const { startNs: a, endNs: b } = periodBounds(periods, i);
    let delta = 0;
    let covered = 0n;
    for (const run of runs) {
      const s = run[0]!.startNs;
      const last = run[run.length - 1]!.endNs;
      const lo = a > s ? a : s;
      const hi = b < last ? b : last;
      if (hi <= lo) continue;
      delta += counterAt(run, hi) - counterAt(run, lo);
      covered += hi - lo;
    }
    if (covered === 0n) out.push(undefined);
    else if (aligner === 'ALIGN_RATE') out.push({ type: 'DOUBLE', value: delta / seconds(covered) });
    else out.push(series.valueType === 'INT64' ? { type: 'INT64', value: BigInt(Math.round(delta)) } : { type: 'DOUBLE', value: delta });
  }
  return out;
}

/** C(t) of a run, for s <= t <= last end: 0 at the start, the point values at their end times. */
function counterAt(run: Point[], t: bigint): number {
  let prevT = run[0]!.startNs;
  let prevV = 0;
  for (const point of run) {
    const v = toNumber(point.value);
    if (t <= point.endNs) {
      if (point.endNs === prevT) return v;
      return prevV + ((v - prevV) * Number(t - prevT)) / Number(point.endNs - prevT);
    }
    prevT = point.endNs;
    prevV = v;
  }
  return prevV;
}
