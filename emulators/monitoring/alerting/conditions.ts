// What a threshold condition sees now: its filter and aggregations run over the recent data (the
// first alignment period back from now, as Google aligns alerting data; raw data: the last five
// minutes), and each resulting series' newest value.
import { GoogleApiError } from '../../kit/google-error.js';
import { planAggregation, type AggregationPlan, type Shape } from '../aggregation/spec.js';
import { compileSeriesFilter } from '../filter/compile.js';
import { querySeries } from '../list-time-series.js';
import { seriesKey, type MetricDescriptor, type SeriesIdentity, type TypedValue } from '../model.js';
import { NS_PER_SECOND } from '../proto-json.js';
import type { MonitoringStore } from '../store.js';
import type { ComparisonName } from './enums.js';
import type { ThresholdCondition } from './model.js';
import { aggregationSpec } from './policy-input.js';

/** Without aggregations a condition compares the newest raw point no older than this. */
export const RAW_LOOKBACK_NS = 5n * 60n * NS_PER_SECOND;

export interface SeriesReading {
  key: string;
  identity: SeriesIdentity;
  value: number;
}

export interface ConditionReading {
  descriptor?: MetricDescriptor;
  series: SeriesReading[];
  /** Why the condition could not be evaluated (e.g. its aggregation does not fit the metric written since). */
  problem?: string;
}

export async function readCondition(store: MonitoringStore, project: string, condition: ThresholdCondition, nowNs: bigint): Promise<ConditionReading> {
  const { metricType, matches } = compileSeriesFilter(condition.filter);
  const descriptor = await store.getDescriptor(project, metricType);
  if (!descriptor) return { series: [] };
  let plans: AggregationPlan[];
  try {
    plans = planChain(condition, descriptor);
  } catch (err) {
    if (err instanceof GoogleApiError) return { descriptor, series: [], problem: err.message };
    throw err;
  }
  const [first] = plans;
  const startNs = nowNs - (first ? first.spec.alignmentPeriodNs : RAW_LOOKBACK_NS);
  const results = await querySeries(store, { project, descriptor, matches, plans, startNs, endNs: nowNs });
  const series: SeriesReading[] = [];
  for (const s of results) {
    const newest = s.points[s.points.length - 1];
    const value = newest ? numeric(newest.value) : undefined;
    if (value !== undefined) series.push({ key: seriesKey(s.identity), identity: s.identity, value });
  }
  return { descriptor, series };
}

function planChain(condition: ThresholdCondition, descriptor: MetricDescriptor): AggregationPlan[] {
  let shape: Shape = { metricKind: descriptor.metricKind, valueType: descriptor.valueType };
  const plans: AggregationPlan[] = [];
  condition.aggregations.forEach((a, i) => {
    const plan = planAggregation(aggregationSpec(a), shape, `aggregations[${i}]`);
    if (!plan) return;
    plans.push(plan);
    shape = plan.output;
  });
  return plans;
}

/** Numbers compare as they are; booleans as 1 and 0; strings and distributions cannot be compared. */
function numeric(value: TypedValue): number | undefined {
  switch (value.type) {
    case 'DOUBLE':
      return value.value;
    case 'INT64':
      return Number(value.value);
    case 'BOOL':
      return value.value ? 1 : 0;
    default:
      return undefined;
  }
}

export function violates(value: number, comparison: ComparisonName, threshold: number): boolean {
  switch (comparison) {
    case 'COMPARISON_GT':
      return value > threshold;
    case 'COMPARISON_GE':
      return value >= threshold;
    case 'COMPARISON_LT':
      return value < threshold;
    case 'COMPARISON_LE':
      return value <= threshold;
    case 'COMPARISON_EQ':
      return value === threshold;
    case 'COMPARISON_NE':
      return value !== threshold;
    default:
      return false;
  }
}
