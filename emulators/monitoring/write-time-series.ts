// timeSeries.create with the rules Google enforces. Malformed requests fail as a whole (nothing is
// written); problems of individual series against stored state (order, kind, labels, resource)
// fail only those series: the rest is written and the 400 lists the failures, with a
// CreateTimeSeriesSummary in its details, as Google does.
import { GoogleApiError, RpcCode } from '../kit/google-error.js';
import { labelKeyProblem, labelValueProblem, metricTypeProblem, MAX_LABELS_PER_METRIC, descriptorName, storedForm } from './descriptors.js';
import type { Distribution, MetricDescriptor, MetricKind, Point, SeriesIdentity, StoredSeries, TypedValue, ValueType } from './model.js';
import { seriesKey } from './model.js';
import { formatDouble, formatTimestamp, NS_PER_SECOND, nowNs } from './proto-json.js';
import { CreateTimeSeriesBodySchema, type DistributionInput, type TimeSeriesInput, type TypedValueInput } from './request-schemas.js';
import { checkResource } from './resources.js';
import type { MonitoringStore, NewSeries, WriteBatch } from './store.js';
import { systemDescriptor } from './system-metrics.js';
import { invalidField, parseBody } from './validation.js';

const MAX_SERIES_PER_REQUEST = 200;
const MAX_AGE_NS = 25n * 3600n * NS_PER_SECOND;
const MAX_FUTURE_NS = 5n * 60n * NS_PER_SECOND;
/** Google: "Don't add data points to the same time series faster than one point each 5 seconds." */
const MIN_SAMPLE_PERIOD_NS = 5n * NS_PER_SECOND;

const OUT_OF_ORDER = 'Points must be written in order. One or more of the points specified had an older start time than the most recent point.';
const TOO_FREQUENT = 'One or more points were written more frequently than the maximum sampling period configured for the metric.';

const { INVALID_ARGUMENT, FAILED_PRECONDITION } = RpcCode;

interface Incoming {
  index: number;
  identity: SeriesIdentity;
  resourceProblem?: string;
  kind?: MetricKind;
  point: Point;
  hasStart: boolean;
  unit?: string;
  description?: string;
}

interface SeriesError {
  index: number;
  message: string;
  code: number;
}

/**
 * Who writes: `public` is timeSeries.create (user-defined metrics only); `system` is the emulator's
 * internal channel through which the local Google services write their built-in metrics.
 */
export type WriteChannel = 'public' | 'system';

export async function createTimeSeries(store: MonitoringStore, project: string, body: unknown, now: bigint = nowNs(), channel: WriteChannel = 'public'): Promise<void> {
  const input = parseBody(CreateTimeSeriesBodySchema, body);
  const incoming = checkRequest(project, input.timeSeries ?? [], now, channel);

  const working = new Map<string, { descriptor: MetricDescriptor; dirty: boolean }>();
  const batch: WriteBatch = { project, descriptors: [], points: [] };
  const errors: SeriesError[] = [];
  for (const item of incoming) {
    const type = item.identity.metricType;
    const known = working.get(type)?.descriptor ?? (await store.getDescriptor(project, type));
    const outcome = checkSeries(project, item, known);
    if ('error' in outcome) {
      errors.push({ index: item.index, message: outcome.error, code: INVALID_ARGUMENT });
      continue;
    }
    const descriptor = outcome.descriptor;
    checkInterval(item, descriptor);
    const existing = store.findSeries(project, item.identity);
    const orderProblem = existing ? checkOrder(item.point, descriptor.metricKind, store.lastPoint(existing.id)) : undefined;
    if (orderProblem) {
      errors.push({ index: item.index, message: orderProblem, code: FAILED_PRECONDITION });
      continue;
    }
    working.set(type, { descriptor, dirty: (working.get(type)?.dirty ?? false) || descriptor !== known });
    const series: StoredSeries | NewSeries = existing ?? { project, identity: item.identity, metricKind: descriptor.metricKind, valueType: descriptor.valueType };
    batch.points.push({ series, point: item.point });
  }
  batch.descriptors = [...working.values()].filter((w) => w.dirty).map((w) => w.descriptor);
  if (batch.points.length > 0 || batch.descriptors.length > 0) await store.write(batch);
  if (errors.length > 0) throw partialFailure(errors, incoming.length);
}

// ---- request-level checks: any failure rejects the whole request --------------------------------

function checkRequest(project: string, list: TimeSeriesInput[], now: bigint, channel: WriteChannel): Incoming[] {
  if (list.length === 0) throw invalidField('timeSeries', 'At least one TimeSeries must be given.');
  if (list.length > MAX_SERIES_PER_REQUEST) {
    throw invalidField('timeSeries', `A maximum of ${MAX_SERIES_PER_REQUEST} TimeSeries can be written in a single request; got ${list.length}.`);
  }
  const seen = new Set<string>();
  return list.map((ts, index) => {
    const item = checkOne(project, ts, index, now, channel);
    const key = seriesKey(item.identity);
    if (seen.has(key)) throw invalidField(`timeSeries[${index}]`, 'Duplicate TimeSeries encountered. Only one point can be written per TimeSeries per request.');
    seen.add(key);
    return item;
  });
}

function checkOne(project: string, ts: TimeSeriesInput, index: number, now: bigint, channel: WriteChannel): Incoming {
  const at = `timeSeries[${index}]`;
  const type = ts.metric?.type ?? '';
  if (!type) throw invalidField(`${at}.metric.type`, 'The metric type must be specified.');
  const builtIn = systemDescriptor(project, type);
  const typeProblem = channel === 'system'
    ? builtIn ? undefined : 'The internal channel takes only the built-in metrics the emulator defines (emulators/monitoring/system-metrics.ts).'
    : metricTypeProblem(type);
  if (typeProblem) throw invalidField(`${at}.metric.type`, typeProblem, type);
  const metricLabels = ts.metric?.labels ?? {};
  for (const key of Object.keys(metricLabels)) {
    const problem = labelKeyProblem(key);
    if (problem) throw invalidField(`${at}.metric.labels`, problem, key);
  }
  const points = ts.points ?? [];
  if (points.length === 0) throw invalidField(`${at}.points`, 'Each TimeSeries must contain exactly one point.');
  if (points.length > 1) throw invalidField(`${at}.points`, 'Only one point can be written per TimeSeries per request.');
  const raw = points[0]!;
  const endNs = raw.interval?.endTime;
  if (endNs === undefined) throw invalidField(`${at}.points[0].interval.endTime`, 'The end time of the point must be specified.');
  if (endNs < now - MAX_AGE_NS) throw invalidField(`${at}.points[0].interval.endTime`, 'Data points cannot be written more than 25 hours in the past.', formatTimestamp(endNs));
  if (endNs > now + MAX_FUTURE_NS) throw invalidField(`${at}.points[0].interval.endTime`, 'Data points cannot be written more than 5 minutes in the future.', formatTimestamp(endNs));
  const startNs = raw.interval?.startTime;
  if (startNs !== undefined && startNs > endNs) throw invalidField(`${at}.points[0].interval.startTime`, `The start time must not be later than the end time (${formatTimestamp(endNs)}).`, formatTimestamp(startNs));
  const value = toTypedValue(raw.value, `${at}.points[0].value`);
  if (ts.valueType && ts.valueType !== 'VALUE_TYPE_UNSPECIFIED' && ts.valueType !== value.type) {
    throw invalidField(`${at}.valueType`, `The value type must match the type of the point's value, ${value.type}.`, ts.valueType);
  }
  const resourceType = ts.resource?.type || 'global';
  const resource = checkResource(resourceType, ts.resource?.labels ?? {}, project, builtIn !== undefined);
  const kind = ts.metricKind && ts.metricKind !== 'METRIC_KIND_UNSPECIFIED' ? ts.metricKind : undefined;
  return {
    index,
    identity: { metricType: type, metricLabels, resourceType, resourceLabels: resource.ok ? resource.labels : (ts.resource?.labels ?? {}) },
    ...(resource.ok ? {} : { resourceProblem: resource.message }),
    ...(kind ? { kind } : {}),
    point: { startNs: startNs ?? endNs, endNs, value },
    hasStart: startNs !== undefined,
    ...(ts.unit ? { unit: ts.unit } : {}),
    ...(ts.description ? { description: ts.description } : {}),
  };
}

function toTypedValue(v: TypedValueInput | undefined, at: string): TypedValue {
  const set: TypedValue[] = [];
  if (v?.boolValue !== undefined) set.push({ type: 'BOOL', value: v.boolValue });
  if (v?.int64Value !== undefined) set.push({ type: 'INT64', value: v.int64Value });
  if (v?.doubleValue !== undefined) set.push({ type: 'DOUBLE', value: v.doubleValue });
  if (v?.stringValue !== undefined) set.push({ type: 'STRING', value: v.stringValue });
  if (v?.distributionValue !== undefined) set.push({ type: 'DISTRIBUTION', value: toDistribution(v.distributionValue, `${at}.distributionValue`) });
  if (set.length !== 1) throw invalidField(at, 'Exactly one of boolValue, int64Value, doubleValue, stringValue and distributionValue must be set.');
  return set[0]!;
}

function toDistribution(d: DistributionInput, at: string): Distribution {
  const count = d.count ?? 0n;
  if (count < 0n) throw invalidField(`${at}.count`, 'The count must not be negative.', count.toString());
  const bucketCounts = d.bucketCounts ?? [];
  if (bucketCounts.some((c) => c < 0n)) throw invalidField(`${at}.bucketCounts`, 'Bucket counts must not be negative.');
  if (bucketCounts.length > 0 && bucketCounts.reduce((a, b) => a + b, 0n) !== count) {
    throw invalidField(`${at}.bucketCounts`, `The bucket counts must add up to the count (${count}).`);
  }
  const options = d.bucketOptions;
  const layouts = [options?.linearBuckets, options?.exponentialBuckets, options?.explicitBuckets].filter((o) => o !== undefined);
  if (layouts.length > 1) throw invalidField(`${at}.bucketOptions`, 'Only one of linearBuckets, exponentialBuckets and explicitBuckets may be set.');
  if (bucketCounts.length > 0 && layouts.length === 0) throw invalidField(`${at}.bucketOptions`, 'Bucket options are required when bucket counts are given.');
  const bucketOptions = options?.linearBuckets
    ? { linearBuckets: { numFiniteBuckets: options.linearBuckets.numFiniteBuckets ?? 0, width: options.linearBuckets.width ?? 0, offset: options.linearBuckets.offset ?? 0 } }
    : options?.exponentialBuckets
      ? { exponentialBuckets: { numFiniteBuckets: options.exponentialBuckets.numFiniteBuckets ?? 0, growthFactor: options.exponentialBuckets.growthFactor ?? 0, scale: options.exponentialBuckets.scale ?? 0 } }
      : options?.explicitBuckets
        ? { explicitBuckets: { bounds: options.explicitBuckets.bounds ?? [] } }
        : undefined;
  return {
    count,
    mean: d.mean ?? 0,
    sumOfSquaredDeviation: d.sumOfSquaredDeviation ?? 0,
    ...(d.range ? { range: { min: d.range.min ?? 0, max: d.range.max ?? 0 } } : {}),
    ...(bucketOptions ? { bucketOptions } : {}),
    bucketCounts,
    // Exemplars are kept in their JSON form and returned as written.
    ...(d.exemplars?.length
      ? {
          exemplars: d.exemplars.map((e) => ({
            ...(e.value !== undefined ? { value: formatDouble(e.value) } : {}),
            ...(e.timestamp !== undefined ? { timestamp: formatTimestamp(e.timestamp) } : {}),
            ...(e.attachments?.length ? { attachments: e.attachments } : {}),
          })),
        }
      : {}),
  };
}

// ---- per-series checks against stored state --------------------------------------------------

/** The descriptor this series will be written under (auto-created or gaining labels), or why not. */
function checkSeries(project: string, item: Incoming, known: MetricDescriptor | undefined): { descriptor: MetricDescriptor } | { error: string } {
  if (item.resourceProblem) return { error: item.resourceProblem };
  const type = item.identity.metricType;
  const valueType = item.point.value.type;
  let descriptor: MetricDescriptor;
  if (!known) {
    const auto = autoCreate(project, item, valueType);
    if ('error' in auto) return auto;
    descriptor = auto.descriptor;
  } else {
    if (item.kind && item.kind !== known.metricKind) return { error: `Metric kind for metric ${type} must be ${known.metricKind}, but is ${item.kind}.` };
    if (valueType !== known.valueType) return { error: `Value type for metric ${type} must be ${known.valueType}, but is ${valueType}.` };
    descriptor = known;
    const newKeys = Object.keys(item.identity.metricLabels).filter((k) => !known.labels.some((l) => l.key === k));
    // A built-in metric's labels are fixed by its service.
    if (newKeys.length > 0 && systemDescriptor(project, type)) return { error: `Unrecognized metric labels for the built-in metric ${type}: (${newKeys.join(' ')}).` };
    if (newKeys.length > 0) {
      if (known.labels.length + newKeys.length > MAX_LABELS_PER_METRIC) return { error: `The new labels would cause the metric ${type} to have over ${MAX_LABELS_PER_METRIC} labels.` };
      descriptor = storedForm({ ...known, labels: [...known.labels, ...newKeys.map((key) => ({ key, valueType: 'STRING' as const }))] });
    }
    // Unit and description can only be filled in while empty.
    if ((!descriptor.unit && item.unit) || (!descriptor.description && item.description)) {
      descriptor = { ...descriptor, unit: descriptor.unit || item.unit, description: descriptor.description || item.description };
    }
  }
  const allowed = descriptor.monitoredResourceTypes;
  if (allowed.length > 0 && !allowed.includes(item.identity.resourceType)) {
    return { error: `The metric ${type} does not accept the monitored resource type ${item.identity.resourceType}; its descriptor allows ${allowed.join(', ')}.` };
  }
  for (const [key, value] of Object.entries(item.identity.metricLabels)) {
    const label = descriptor.labels.find((l) => l.key === key);
    const problem = label ? labelValueProblem(key, value, label.valueType) : undefined;
    if (problem) return { error: problem };
  }
  return { descriptor };
}

function autoCreate(project: string, item: Incoming, valueType: ValueType): { descriptor: MetricDescriptor } | { error: string } {
  const type = item.identity.metricType;
  const kind = item.kind ?? 'GAUGE';
  if (kind !== 'GAUGE' && kind !== 'CUMULATIVE') return { error: `The metric kind of an auto-created metric descriptor must be GAUGE or CUMULATIVE, but is ${kind} for metric ${type}.` };
  if (valueType === 'STRING') return { error: `The value type of an auto-created metric descriptor must be BOOL, INT64, DOUBLE or DISTRIBUTION, but is STRING for metric ${type}.` };
  if (kind === 'CUMULATIVE' && valueType === 'BOOL') return { error: `A CUMULATIVE metric cannot have value type BOOL (metric ${type}).` };
  const labels = Object.keys(item.identity.metricLabels).map((key) => ({ key, valueType: 'STRING' as const }));
  if (labels.length > MAX_LABELS_PER_METRIC) return { error: `The new labels would cause the metric ${type} to have over ${MAX_LABELS_PER_METRIC} labels.` };
  return {
    descriptor: storedForm({
      name: descriptorName(project, type),
      type,
      labels,
      metricKind: kind,
      valueType,
      ...(item.unit ? { unit: item.unit } : {}),
      ...(item.description ? { description: item.description } : {}),
      monitoredResourceTypes: [],
    }),
  };
}

/** Interval rules by metric kind (TimeInterval docs); these are field errors for the whole request. */
function checkInterval(item: Incoming, descriptor: MetricDescriptor): void {
  const at = `timeSeries[${item.index}].points[0].interval.startTime`;
  const { startNs, endNs } = item.point;
  if (descriptor.metricKind === 'GAUGE') {
    if (item.hasStart && startNs !== endNs) {
      throw invalidField(at, `The start time must be equal to the end time (${formatTimestamp(endNs)}) for the gauge metric '${descriptor.type}'.`, formatTimestamp(startNs));
    }
    return;
  }
  if (!item.hasStart || startNs >= endNs) {
    throw invalidField(at, `The start time must be before the end time (${formatTimestamp(endNs)}) for the non-gauge metric '${descriptor.type}'.`, item.hasStart ? formatTimestamp(startNs) : undefined);
  }
}

/**
 * Ordering against the newest stored point of the same series. Gauges: the end time must move
 * forward. Cumulative: the same start time with a later end time, or a reset whose start is after
 * the previous end. Delta: intervals must not overlap. And no faster than one point per 5 s.
 */
function checkOrder(point: Point, kind: MetricKind, last: { startNs: bigint; endNs: bigint } | undefined): string | undefined {
  if (!last) return undefined;
  if (point.endNs <= last.endNs) return OUT_OF_ORDER;
  if (kind === 'CUMULATIVE' && point.startNs !== last.startNs) {
    if (point.startNs < last.startNs) return OUT_OF_ORDER;
    if (point.startNs <= last.endNs) {
      return `The start time of a reset cumulative point (${formatTimestamp(point.startNs)}) must be at least a millisecond after the end time of the previous point (${formatTimestamp(last.endNs)}).`;
    }
  }
  if (kind === 'DELTA' && point.startNs <= last.endNs) {
    return `The start time of a delta point (${formatTimestamp(point.startNs)}) must be at least a millisecond after the end time of the previous point (${formatTimestamp(last.endNs)}).`;
  }
  if (point.endNs - last.endNs < MIN_SAMPLE_PERIOD_NS) return TOO_FREQUENT;
  return undefined;
}

// ---- the partial-failure answer ---------------------------------------------------------------

/** `[0, 2, 3, 4, 8]` → `0,2-4,8`, the way Google lists failed series. */
export function indexRanges(indices: readonly number[]): string {
  const sorted = [...indices].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j += 1;
    parts.push(i === j ? `${sorted[i]}` : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}

function partialFailure(errors: readonly SeriesError[], total: number): GoogleApiError {
  const byMessage = new Map<string, SeriesError[]>();
  for (const e of errors) byMessage.set(e.message, [...(byMessage.get(e.message) ?? []), e]);
  const parts = [...byMessage.entries()].map(([message, list]) => `${message}: timeSeries[${indexRanges(list.map((e) => e.index))}]`);
  const summary = {
    '@type': 'type.googleapis.com/google.monitoring.v3.CreateTimeSeriesSummary',
    totalPointCount: total,
    successPointCount: total - errors.length,
    errors: [...byMessage.values()].map((list) => ({ status: { code: list[0]!.code, message: list[0]!.message }, pointCount: list.length })),
  };
  return new GoogleApiError(400, `One or more TimeSeries could not be written: ${parts.join('; ')}`, { details: [summary] });
}
