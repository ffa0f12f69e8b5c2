// Which aligners and reducers apply to which metric kinds and value types, what they produce, and
// the checks Google makes on an Aggregation before running it.
import { GoogleApiError } from '../../kit/google-error.js';
import type { AlignerName, ReducerName } from '../enums.js';
import type { MetricKind, ValueType } from '../model.js';
import { NS_PER_SECOND, formatDuration } from '../proto-json.js';
import { invalidField } from '../validation.js';

export interface AggregationSpec {
  alignmentPeriodNs?: bigint;
  aligner: AlignerName;
  reducer: ReducerName;
  groupByFields: string[];
}

export interface Shape {
  metricKind: MetricKind;
  valueType: ValueType;
}

const NUMERIC: readonly ValueType[] = ['INT64', 'DOUBLE'];
const NUMERIC_OR_DIST: readonly ValueType[] = ['INT64', 'DOUBLE', 'DISTRIBUTION'];
const GAUGE_DELTA: readonly MetricKind[] = ['GAUGE', 'DELTA'];

interface Rule {
  kinds: readonly MetricKind[];
  types: readonly ValueType[];
  /** Output kind and type from the input's. */
  output: (input: Shape) => Shape;
}

const sameType = (kindOut?: MetricKind) => (input: Shape): Shape => ({ metricKind: kindOut ?? input.metricKind, valueType: input.valueType });
const gaugeOf = (valueType: ValueType) => (): Shape => ({ metricKind: 'GAUGE', valueType });
/** On DELTA input, sums stay deltas; everything else becomes a gauge. */
const keepDelta = (input: Shape): Shape => ({ metricKind: input.metricKind === 'DELTA' ? 'DELTA' : 'GAUGE', valueType: input.valueType });

const ALIGNERS: Partial<Record<AlignerName, Rule>> = {
  // Google: valid for CUMULATIVE and DELTA metrics with numeric and distribution values (over DELTA
  // distributions the period's distributions are merged; cumulative distributions are refused below).
  ALIGN_DELTA: { kinds: ['CUMULATIVE', 'DELTA'], types: NUMERIC_OR_DIST, output: sameType('DELTA') },
  ALIGN_RATE: { kinds: ['CUMULATIVE', 'DELTA'], types: NUMERIC, output: gaugeOf('DOUBLE') },
  ALIGN_NEXT_OLDER: { kinds: ['GAUGE'], types: ['BOOL', 'INT64', 'DOUBLE', 'STRING', 'DISTRIBUTION'], output: sameType('GAUGE') },
  ALIGN_MIN: { kinds: GAUGE_DELTA, types: NUMERIC, output: sameType('GAUGE') },
  ALIGN_MAX: { kinds: GAUGE_DELTA, types: NUMERIC, output: sameType('GAUGE') },
  ALIGN_MEAN: { kinds: GAUGE_DELTA, types: NUMERIC_OR_DIST, output: gaugeOf('DOUBLE') },
  ALIGN_COUNT: { kinds: GAUGE_DELTA, types: ['INT64', 'DOUBLE', 'BOOL'], output: gaugeOf('INT64') },
  ALIGN_SUM: { kinds: GAUGE_DELTA, types: NUMERIC_OR_DIST, output: keepDelta },
  ALIGN_STDDEV: { kinds: GAUGE_DELTA, types: NUMERIC, output: gaugeOf('DOUBLE') },
  ALIGN_COUNT_TRUE: { kinds: ['GAUGE'], types: ['BOOL'], output: gaugeOf('INT64') },
  ALIGN_COUNT_FALSE: { kinds: ['GAUGE'], types: ['BOOL'], output: gaugeOf('INT64') },
  ALIGN_FRACTION_TRUE: { kinds: ['GAUGE'], types: ['BOOL'], output: gaugeOf('DOUBLE') },
  // Google documents percentile aligners for distributions; numeric gauges are accepted too.
  ALIGN_PERCENTILE_99: { kinds: GAUGE_DELTA, types: NUMERIC_OR_DIST, output: gaugeOf('DOUBLE') },
  ALIGN_PERCENTILE_95: { kinds: GAUGE_DELTA, types: NUMERIC_OR_DIST, output: gaugeOf('DOUBLE') },
  ALIGN_PERCENTILE_50: { kinds: GAUGE_DELTA, types: NUMERIC_OR_DIST, output: gaugeOf('DOUBLE') },
  ALIGN_PERCENTILE_05: { kinds: GAUGE_DELTA, types: NUMERIC_OR_DIST, output: gaugeOf('DOUBLE') },
};

const REDUCERS: Partial<Record<ReducerName, Rule>> = {
  REDUCE_MEAN: { kinds: GAUGE_DELTA, types: NUMERIC_OR_DIST, output: (i) => ({ metricKind: i.metricKind, valueType: 'DOUBLE' }) },
  REDUCE_MIN: { kinds: GAUGE_DELTA, types: NUMERIC, output: sameType() },
  REDUCE_MAX: { kinds: GAUGE_DELTA, types: NUMERIC, output: sameType() },
  REDUCE_SUM: { kinds: GAUGE_DELTA, types: NUMERIC_OR_DIST, output: sameType() },
  REDUCE_STDDEV: { kinds: GAUGE_DELTA, types: NUMERIC_OR_DIST, output: (i) => ({ metricKind: i.metricKind, valueType: 'DOUBLE' }) },
  REDUCE_COUNT: { kinds: GAUGE_DELTA, types: ['INT64', 'DOUBLE', 'BOOL', 'STRING', 'DISTRIBUTION'], output: (i) => ({ metricKind: i.metricKind, valueType: 'INT64' }) },
  REDUCE_COUNT_TRUE: { kinds: GAUGE_DELTA, types: ['BOOL'], output: (i) => ({ metricKind: i.metricKind, valueType: 'INT64' }) },
  REDUCE_COUNT_FALSE: { kinds: GAUGE_DELTA, types: ['BOOL'], output: (i) => ({ metricKind: i.metricKind, valueType: 'INT64' }) },
  REDUCE_FRACTION_TRUE: { kinds: GAUGE_DELTA, types: ['BOOL'], output: (i) => ({ metricKind: i.metricKind, valueType: 'DOUBLE' }) },
  REDUCE_PERCENTILE_99: { kinds: GAUGE_DELTA, types: NUMERIC_OR_DIST, output: (i) => ({ metricKind: i.metricKind, valueType: 'DOUBLE' }) },
  REDUCE_PERCENTILE_95: { kinds: GAUGE_DELTA, types: NUMERIC_OR_DIST, output: (i) => ({ metricKind: i.metricKind, valueType: 'DOUBLE' }) },
  REDUCE_PERCENTILE_50: { kinds: GAUGE_DELTA, types: NUMERIC_OR_DIST, output: (i) => ({ metricKind: i.metricKind, valueType: 'DOUBLE' }) },
  REDUCE_PERCENTILE_05: { kinds: GAUGE_DELTA, types: NUMERIC_OR_DIST, output: (i) => ({ metricKind: i.metricKind, valueType: 'DOUBLE' }) },
};

const UNIMPLEMENTED_ALIGNERS: readonly AlignerName[] = ['ALIGN_INTERPOLATE', 'ALIGN_PERCENT_CHANGE'];

const MIN_ALIGNMENT_PERIOD = 60n * NS_PER_SECOND;

/** A validated plan: the spec plus the shapes after alignment and after reduction. */
export interface AggregationPlan {
  spec: AggregationSpec & { alignmentPeriodNs: bigint };
  input: Shape;
  aligned: Shape;
  output: Shape;
}

/**
 * How messages spell the Aggregation's fields: `json` for timeSeries.list's query parameters
 * (`aggregation.perSeriesAligner`), `proto` inside a request body (`aggregations[0].per_series_aligner`).
 */
export type FieldNaming = 'json' | 'proto';

const FIELD_NAMES = {
  json: { alignmentPeriod: 'alignmentPeriod', perSeriesAligner: 'perSeriesAligner', crossSeriesReducer: 'crossSeriesReducer', groupByFields: 'groupByFields' },
  proto: { alignmentPeriod: 'alignment_period', perSeriesAligner: 'per_series_aligner', crossSeriesReducer: 'cross_series_reducer', groupByFields: 'group_by_fields' },
} as const;

/**
 * The checks that do not depend on the metric: aligner and reducer together, the alignment period
 * (given, at least 60 s), implemented aligners and group-by fields. Returns the period, or
 * undefined when the spec asks for raw data (no aligner).
 */
export function checkAggregationSpec(spec: AggregationSpec, field: string, naming: FieldNaming = 'json'): bigint | undefined {
  const { aligner, reducer } = spec;
  const f = FIELD_NAMES[naming];
  if (reducer !== 'REDUCE_NONE' && aligner === 'ALIGN_NONE') {
    throw invalidField(`${field}.${f.perSeriesAligner}`, 'The aligner cannot be ALIGN_NONE when a crossSeriesReducer is specified.', aligner);
  }
  if (aligner === 'ALIGN_NONE') return undefined;
  const period = spec.alignmentPeriodNs;
  if (period === undefined) throw invalidField(`${field}.${f.alignmentPeriod}`, `An alignment period must be given when perSeriesAligner is ${aligner}.`);
  if (period < MIN_ALIGNMENT_PERIOD) throw invalidField(`${field}.${f.alignmentPeriod}`, 'The alignment period must be at least 60 seconds.', formatDuration(period));
  if (UNIMPLEMENTED_ALIGNERS.includes(aligner)) throw new GoogleApiError(501, `The aligner ${aligner} is not implemented by the Cloud Monitoring emulator.`);
  spec.groupByFields.forEach((group, i) => {
    if (!groupFieldReader(group)) {
      throw invalidField(`${field}.${f.groupByFields}[${i}]`, 'Supported grouping fields are metric.type, resource.type, metric.labels.<key> and resource.labels.<key>.', group);
    }
  });
  return period;
}

/**
 * Checks an aggregation against the metric it runs on. Returns undefined when it asks for raw
 * data (no aligner); `field` is `aggregation` or `secondaryAggregation`, for messages.
 */
export function planAggregation(spec: AggregationSpec, input: Shape, field: string, naming: FieldNaming = 'json'): AggregationPlan | undefined {
  const { aligner, reducer } = spec;
  const f = FIELD_NAMES[naming];
  const period = checkAggregationSpec(spec, field, naming);
  if (period === undefined) return undefined;

  const alignRule = ALIGNERS[aligner]!;
  if (!alignRule.kinds.includes(input.metricKind) || !alignRule.types.includes(input.valueType)) {
    throw invalidField(`${field}.${f.perSeriesAligner}`, `The aligner cannot be applied to metrics with kind ${input.metricKind} and value type ${input.valueType}.`, aligner);
  }
  if (aligner === 'ALIGN_DELTA' && input.metricKind === 'CUMULATIVE' && input.valueType === 'DISTRIBUTION') {
    throw new GoogleApiError(501, 'ALIGN_DELTA over CUMULATIVE distributions is not implemented by the Cloud Monitoring emulator.');
  }
  const aligned = alignRule.output(input);
  let output = aligned;
  if (reducer !== 'REDUCE_NONE') {
    const reduceRule = REDUCERS[reducer]!;
    if (!reduceRule.kinds.includes(aligned.metricKind) || !reduceRule.types.includes(aligned.valueType)) {
      throw invalidField(`${field}.${f.crossSeriesReducer}`, `The reducer cannot be applied to aligned metrics with kind ${aligned.metricKind} and value type ${aligned.valueType}.`, reducer);
    }
    output = reduceRule.output(aligned);
  }
  return { spec: { ...spec, alignmentPeriodNs: period }, input, aligned, output };
}

export type GroupField = { source: 'metric' | 'resource'; label?: string };

/** How a group-by field reads a series: a label (metric or resource) or a type. */
export function groupFieldReader(field: string): GroupField | undefined {
  if (field === 'metric.type') return { source: 'metric' };
  if (field === 'resource.type') return { source: 'resource' };
  const m = /^(metric|resource)\.labels?\.([A-Za-z0-9_.\-/]+)$/.exec(field);
  return m ? { source: m[1] as 'metric' | 'resource', label: m[2]! } : undefined;
}
