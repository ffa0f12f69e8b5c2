// Runs a validated aggregation over in-memory series: align each series, then optionally reduce
// across series, giving new series whose points sit on the alignment period ends.
import type { Point, SeriesData, TypedValue } from '../model.js';
import { alignSeries, periodBounds, periodsFor, type Periods } from './align.js';
import { reduceSeries, type AlignedSeries } from './reduce.js';
import type { AggregationPlan } from './spec.js';

/** Which stored points an aggregation reads: `afterNs < end <= upToNs`, plus each series' prior point. */
export interface DataWindow {
  afterNs: bigint;
  upToNs: bigint;
  needsPrior: boolean;
}

export function dataWindow(plan: AggregationPlan, startNs: bigint, endNs: bigint): DataWindow {
  const periods = periodsFor(startNs, endNs, plan.spec.alignmentPeriodNs);
  const cumulativeDelta = plan.input.metricKind === 'CUMULATIVE' && (plan.spec.aligner === 'ALIGN_DELTA' || plan.spec.aligner === 'ALIGN_RATE');
  return { afterNs: periods.windowStartNs, upToNs: endNs, needsPrior: cumulativeDelta };
}

export function runAggregation(plan: AggregationPlan, series: readonly SeriesData[], startNs: bigint, endNs: bigint): SeriesData[] {
  const periods = periodsFor(startNs, endNs, plan.spec.alignmentPeriodNs);
  let aligned: AlignedSeries[] = series.map((s) => ({ identity: s.identity, values: alignSeries(s, plan.spec.aligner, periods) }));
  if (plan.spec.reducer !== 'REDUCE_NONE') aligned = reduceSeries(aligned, plan.spec.reducer, plan.spec.groupByFields, periods.count);
  return aligned
    .map((s) => ({
      identity: s.identity,
      metricKind: plan.output.metricKind,
      valueType: plan.output.valueType,
      points: toPoints(s.values, periods, plan.output.metricKind === 'DELTA'),
    }))
    .filter((s) => s.points.length > 0);
}

/** Gauge results are instants at the period end; delta results span the period. */
function toPoints(values: readonly (TypedValue | undefined)[], periods: Periods, spansPeriod: boolean): Point[] {
  const points: Point[] = [];
  values.forEach((value, i) => {
    if (value === undefined) return;
    const { startNs, endNs } = periodBounds(periods, i);
    points.push({ startNs: spansPeriod ? startNs : endNs, endNs, value });
  });
  return points;
}
