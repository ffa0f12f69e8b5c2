// Cross-series reduction: partition aligned series by resource type and the group-by fields, then
// combine the values each group has at the same alignment period.
import type { ReducerName } from '../enums.js';
import type { Labels, SeriesIdentity, TypedValue } from '../model.js';
import { distributionPercentile, distributionStddev, mergeDistributions } from './distribution.js';
import { groupFieldReader } from './spec.js';
import { maxBig, mean, minBig, percentile, stddev, sum, sumBig } from './stats.js';

export interface AlignedSeries {
  identity: SeriesIdentity;
  /** One value per period, oldest first (undefined: no data in that period). */
  values: (TypedValue | undefined)[];
}

const PERCENTILES: Partial<Record<ReducerName, number>> = {
  REDUCE_PERCENTILE_99: 99,
  REDUCE_PERCENTILE_95: 95,
  REDUCE_PERCENTILE_50: 50,
  REDUCE_PERCENTILE_05: 5,
};

/**
 * Groups series and reduces each group. The reduced identity keeps only what was grouped on:
 * the metric type, the resource type (never reduced across) and the group-by labels.
 */
export function reduceSeries(series: readonly AlignedSeries[], reducer: ReducerName, groupByFields: readonly string[], periodCount: number): AlignedSeries[] {
  const groups = new Map<string, { identity: SeriesIdentity; members: AlignedSeries[] }>();
  for (const s of series) {
    const identity = groupIdentity(s.identity, groupByFields);
    const key = JSON.stringify([identity.resourceType, Object.entries(identity.metricLabels), Object.entries(identity.resourceLabels), identity.metricType]);
    const group = groups.get(key) ?? { identity, members: [] };
    group.members.push(s);
    groups.set(key, group);
  }
  return [...groups.values()].map(({ identity, members }) => ({
    identity,
    values: Array.from({ length: periodCount }, (_, i) => {
      const present = members.map((m) => m.values[i]).filter((v): v is TypedValue => v !== undefined);
      return present.length === 0 ? undefined : reduceValues(present, reducer);
    }),
  }));
}

function groupIdentity(identity: SeriesIdentity, fields: readonly string[]): SeriesIdentity {
  const metricLabels: Record<string, string> = {};
  const resourceLabels: Record<string, string> = {};
  const pick = (from: Labels, to: Record<string, string>, key: string) => {
    const v = from[key];
    if (v !== undefined) to[key] = v;
  };
  for (const field of fields) {
    const f = groupFieldReader(field);
    if (!f?.label) continue;
    if (f.source === 'metric') pick(identity.metricLabels, metricLabels, f.label);
    else pick(identity.resourceLabels, resourceLabels, f.label);
  }
  return { metricType: identity.metricType, metricLabels, resourceType: identity.resourceType, resourceLabels };
}

/** Combines the aligned values of one period across the series of a group. */
export function reduceValues(values: readonly TypedValue[], reducer: ReducerName): TypedValue {
  const ints = values.flatMap((v) => (v.type === 'INT64' ? [v.value] : []));
  const numbers = values.map((v) => (v.type === 'INT64' ? Number(v.value) : v.type === 'DOUBLE' ? v.value : Number.NaN));
  const dists = values.flatMap((v) => (v.type === 'DISTRIBUTION' ? [v.value] : []));
  const bools = values.flatMap((v) => (v.type === 'BOOL' ? [v.value] : []));
  const allInt = ints.length === values.length;
  switch (reducer) {
    case 'REDUCE_MEAN':
      return { type: 'DOUBLE', value: dists.length > 0 ? mergeDistributions(dists).mean : mean(numbers) };
    case 'REDUCE_MIN':
      return allInt ? { type: 'INT64', value: minBig(ints) } : { type: 'DOUBLE', value: Math.min(...numbers) };
    case 'REDUCE_MAX':
      return allInt ? { type: 'INT64', value: maxBig(ints) } : { type: 'DOUBLE', value: Math.max(...numbers) };
    case 'REDUCE_SUM':
      if (dists.length > 0) return { type: 'DISTRIBUTION', value: mergeDistributions(dists) };
      return allInt ? { type: 'INT64', value: sumBig(ints) } : { type: 'DOUBLE', value: sum(numbers) };
    case 'REDUCE_STDDEV':
      return { type: 'DOUBLE', value: dists.length > 0 ? distributionStddev(mergeDistributions(dists)) : stddev(numbers) };
    case 'REDUCE_COUNT':
      return { type: 'INT64', value: BigInt(values.length) };
    case 'REDUCE_COUNT_TRUE':
      return { type: 'INT64', value: BigInt(bools.filter(Boolean).length) };
    case 'REDUCE_COUNT_FALSE':
      return { type: 'INT64', value: BigInt(bools.filter((b) => !b).length) };
    case 'REDUCE_FRACTION_TRUE':
      return { type: 'DOUBLE', value: bools.filter(Boolean).length / bools.length };
    default: {
      const p = PERCENTILES[reducer] ?? 50;
      return { type: 'DOUBLE', value: dists.length > 0 ? distributionPercentile(mergeDistributions(dists), p) : percentile(numbers, p) };
    }
  }
}
