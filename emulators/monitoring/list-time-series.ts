// timeSeries.list: parse the REST-style query (`interval.endTime`, `aggregation.perSeriesAligner`
// as a name or a number, ...), select series with the filter, read their points, aggregate, and
// page the result (by points in the FULL view, by series in HEADERS, as Google documents).
import { GoogleApiError } from '../kit/google-error.js';
import { periodsFor } from './aggregation/align.js';
import { dataWindow, runAggregation } from './aggregation/pipeline.js';
import { planAggregation, type AggregationPlan, type AggregationSpec } from './aggregation/spec.js';
import { AlignerEnum, enumName, ReducerEnum, ViewEnum, type Encoding } from './enums.js';
import { compileSeriesFilter, type SeriesFilter } from './filter/compile.js';
import { seriesKey, type MetricDescriptor, type Point, type SeriesData } from './model.js';
import { decodeOffsetToken, effectivePageSize, encodeOffsetToken, queryFingerprint } from '../kit/page-token.js';
import { formatDuration, parseDuration, parseInt32, parseTimestamp } from './proto-json.js';
import { renderSeries } from './render.js';
import type { MonitoringStore } from './store.js';
import { bindQuery, invalidField, queryValue } from './validation.js';

const MAX_PAGE_SIZE = 100_000;
const MAX_PERIODS = 100_000;

const AGGREGATION_FIELDS = ['alignmentPeriod', 'perSeriesAligner', 'crossSeriesReducer'] as const;

export interface ListTimeSeriesRequest {
  filter: string | undefined;
  startNs: bigint;
  endNs: bigint;
  aggregation: AggregationSpec | undefined;
  secondary: AggregationSpec | undefined;
  view: 'FULL' | 'HEADERS';
  pageSize: number;
  pageToken: string | undefined;
}

function parseListRequest(query: URLSearchParams): ListTimeSeriesRequest {
  const bound = bindQuery(query, {
    singular: [
      'filter', 'interval.startTime', 'interval.endTime', 'orderBy', 'view', 'pageSize', 'pageToken',
      ...AGGREGATION_FIELDS.map((f) => `aggregation.${f}`),
      ...AGGREGATION_FIELDS.map((f) => `secondaryAggregation.${f}`),
    ],
    repeated: ['aggregation.groupByFields', 'secondaryAggregation.groupByFields'],
  });
  const timestamp = 'type.googleapis.com/google.protobuf.Timestamp';
  const endNs = queryValue(bound, 'interval.endTime', timestamp, parseTimestamp);
  if (endNs === undefined) throw invalidField('interval.endTime', 'The end time of the interval must be specified.');
  const startNs = queryValue(bound, 'interval.startTime', timestamp, parseTimestamp) ?? endNs;
  if (startNs > endNs) throw invalidField('interval.startTime', 'The start time must not be later than the end time.', bound.get('interval.startTime')?.[0]);
  if (bound.get('orderBy')?.[0]) throw invalidField('orderBy', 'orderBy is unsupported and must be left blank.', bound.get('orderBy')?.[0]);
  const aggregation = parseAggregation(bound, 'aggregation');
  const secondary = parseAggregation(bound, 'secondaryAggregation');
  if (secondary && !aggregation) throw invalidField('secondaryAggregation', 'secondaryAggregation may only be given together with aggregation.');
  return {
    filter: bound.get('filter')?.[0],
    startNs,
    endNs,
    aggregation,
    secondary,
    view: queryValue(bound, 'view', `type.googleapis.com/${ViewEnum.fullName}`, (raw) => enumName(ViewEnum, raw)) ?? 'FULL',
    pageSize: effectivePageSize(queryValue(bound, 'pageSize', 'TYPE_INT32', parseInt32), MAX_PAGE_SIZE),
    pageToken: bound.get('pageToken')?.[0],
  };
}

function parseAggregation(bound: Map<string, string[]>, prefix: string): AggregationSpec | undefined {
  const groupByFields = bound.get(`${prefix}.groupByFields`) ?? [];
  if (!AGGREGATION_FIELDS.some((f) => bound.has(`${prefix}.${f}`)) && groupByFields.length === 0) return undefined;
  const alignmentPeriodNs = queryValue(bound, `${prefix}.alignmentPeriod`, 'type.googleapis.com/google.protobuf.Duration', parseDuration);
  return {
    ...(alignmentPeriodNs !== undefined ? { alignmentPeriodNs } : {}),
    aligner: queryValue(bound, `${prefix}.perSeriesAligner`, `type.googleapis.com/${AlignerEnum.fullName}`, (raw) => enumName(AlignerEnum, raw)) ?? 'ALIGN_NONE',
    reducer: queryValue(bound, `${prefix}.crossSeriesReducer`, `type.googleapis.com/${ReducerEnum.fullName}`, (raw) => enumName(ReducerEnum, raw)) ?? 'REDUCE_NONE',
    groupByFields,
  };
}

export async function listTimeSeries(store: MonitoringStore, project: string, query: URLSearchParams, enc: Encoding): Promise<Record<string, unknown>> {
  const request = parseListRequest(query);
  const { metricType, matches } = compileSeriesFilter(request.filter);
  const descriptor = await store.getDescriptor(project, metricType);
  if (!descriptor) {
    throw new GoogleApiError(
      404,
      `Cannot find metric(s) that match type = "${metricType}". If a metric was created recently, it could take up to 10 minutes to become available. Please try again soon.`,
    );
  }
  const plan = request.aggregation ? planAggregation(request.aggregation, descriptor, 'aggregation') : undefined;
  const secondary = request.secondary ? planSecondary(request.secondary, plan) : undefined;
  checkPeriodCount(plan, request, 'aggregation');
  checkPeriodCount(secondary, request, 'secondaryAggregation');

  const plans = plan ? [plan, ...(secondary ? [secondary] : [])] : [];
  const results = await querySeries(store, { project, descriptor, matches, plans, startNs: request.startNs, endNs: request.endNs });
  results.sort((a, b) => (seriesKey(a.identity) < seriesKey(b.identity) ? -1 : 1));
  // Units describe raw values; aligners and reducers change what the numbers mean.
  const unit = plan ? undefined : descriptor.unit;
  return page(results, request, unit, enc, [project, metricType]);
}

/** Keeps a tiny period over a huge interval from allocating millions of periods per series. */
function checkPeriodCount(plan: AggregationPlan | undefined, request: ListTimeSeriesRequest, field: string): void {
  if (plan && periodsFor(request.startNs, request.endNs, plan.spec.alignmentPeriodNs).count > MAX_PERIODS) {
    throw invalidField(`${field}.alignmentPeriod`, `The interval holds more than ${MAX_PERIODS} alignment periods; use a longer alignment period.`, formatDuration(plan.spec.alignmentPeriodNs));
  }
}

function planSecondary(spec: AggregationSpec, primary: AggregationPlan | undefined): AggregationPlan | undefined {
  if (!primary) throw invalidField('secondaryAggregation', 'secondaryAggregation needs an aggregation with a perSeriesAligner.');
  return planAggregation(spec, primary.output, 'secondaryAggregation');
}

export interface SeriesQuery {
  project: string;
  descriptor: MetricDescriptor;
  /** Which of the metric's series take part (a compiled series filter). */
  matches: SeriesFilter['matches'];
  /** Aggregations applied in order (none: raw points); each planned against the previous output. */
  plans: readonly AggregationPlan[];
  startNs: bigint;
  endNs: bigint;
}

/**
 * The series a filter selects over an interval, aggregated: what timeSeries.list returns before
 * paging, and what alerting conditions evaluate. Series without points are left out.
 */
export async function querySeries(store: MonitoringStore, query: SeriesQuery): Promise<SeriesData[]> {
  const { project, descriptor, matches, plans, startNs, endNs } = query;
  const candidates = store.seriesOfMetric(project, descriptor.type).filter((s) => matches({ project, identity: s.identity }));
  if (candidates.length === 0) return [];
  const [first] = plans;
  // Raw reads cover (start, end]; a zero-length interval means the instant at endTime.
  const window = first ? dataWindow(first, startNs, endNs) : { afterNs: startNs === endNs ? endNs - 1n : startNs, upToNs: endNs, needsPrior: false };
  const points = await store.readPoints(project, descriptor.type, window.afterNs, window.upToNs);
  const priors = window.needsPrior ? await store.readPriorPoints(project, descriptor.type, window.afterNs) : new Map<bigint, Point>();
  let series: SeriesData[] = candidates.map((s) => {
    const prior = priors.get(s.id);
    return {
      identity: s.identity,
      metricKind: s.metricKind,
      valueType: s.valueType,
      points: points.get(s.id) ?? [],
      ...(prior ? { prior } : {}),
    };
  });
  if (!first) return series.filter((s) => s.points.length > 0);
  for (const plan of plans) series = runAggregation(plan, series, startNs, endNs);
  return series;
}

/**
 * FULL view: pageSize limits points, so a series may continue on the next page (the token keeps
 * the series and point offsets). HEADERS view: pageSize limits series and points are omitted.
 */
function page(results: SeriesData[], request: ListTimeSeriesRequest, unit: string | undefined, enc: Encoding, scope: unknown[]): Record<string, unknown> {
  const fingerprint = queryFingerprint([
    'timeSeries', ...scope, request.filter, request.startNs, request.endNs, request.aggregation ?? null, request.secondary ?? null, request.view,
  ]);
  const start = decodeOffsetToken(request.pageToken, fingerprint);
  const out: Record<string, unknown>[] = [];
  let next: string | undefined;
  if (request.view === 'HEADERS') {
    const slice = results.slice(start.offset, start.offset + request.pageSize);
    out.push(...slice.map((s) => renderSeries(s, undefined, unit, enc)));
    if (start.offset + request.pageSize < results.length) next = encodeOffsetToken(fingerprint, start.offset + request.pageSize);
  } else {
    let budget = request.pageSize;
    for (let i = start.offset; i < results.length; i += 1) {
      const s = results[i]!;
      const newestFirst = [...s.points].reverse();
      const from = i === start.offset ? start.inner : 0;
      if (budget === 0) {
        next = encodeOffsetToken(fingerprint, i, from);
        break;
      }
      const taken = newestFirst.slice(from, from + budget);
      budget -= taken.length;
      out.push(renderSeries(s, taken, unit, enc));
      if (from + taken.length < newestFirst.length) {
        next = encodeOffsetToken(fingerprint, i, from + taken.length);
        break;
      }
    }
  }
  return {
    ...(out.length > 0 ? { timeSeries: out } : {}),
    ...(next ? { nextPageToken: next } : {}),
    ...(unit && out.length > 0 ? { unit } : {}),
  };
}
