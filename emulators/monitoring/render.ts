// The model in Google's proto3 JSON: default values omitted, int64 as strings, timestamps in
// RFC 3339, enums as names or numbers as the caller asked.
import { encodeEnum, LabelValueTypeEnum, LaunchStageEnum, HierarchyLevelEnum, MetricKindEnum, ValueTypeEnum, type Encoding } from './enums.js';
import type { Distribution, MetricDescriptor, Point, SeriesData, TypedValue } from './model.js';
import { formatDouble, formatTimestamp } from './proto-json.js';
import type { ResourceType } from './resources.js';

type Json = Record<string, unknown>;

const nonEmpty = (labels: Readonly<Record<string, string>>) => (Object.keys(labels).length > 0 ? { labels: { ...labels } } : {});

export function renderDescriptor(d: MetricDescriptor, enc: Encoding): Json {
  return {
    name: d.name,
    type: d.type,
    ...(d.labels.length > 0
      ? {
          labels: d.labels.map((l) => ({
            key: l.key,
            // STRING is the proto default and so is left out, as Google does.
            ...(l.valueType !== 'STRING' ? { valueType: encodeEnum(LabelValueTypeEnum, l.valueType, enc) } : {}),
            ...(l.description ? { description: l.description } : {}),
          })),
        }
      : {}),
    metricKind: encodeEnum(MetricKindEnum, d.metricKind, enc),
    valueType: encodeEnum(ValueTypeEnum, d.valueType, enc),
    ...(d.unit ? { unit: d.unit } : {}),
    ...(d.description ? { description: d.description } : {}),
    ...(d.displayName ? { displayName: d.displayName } : {}),
    ...(d.metadata
      ? {
          metadata: {
            ...(d.metadata.launchStage ? { launchStage: encodeEnum(LaunchStageEnum, d.metadata.launchStage, enc) } : {}),
            ...(d.metadata.samplePeriod ? { samplePeriod: d.metadata.samplePeriod } : {}),
            ...(d.metadata.ingestDelay ? { ingestDelay: d.metadata.ingestDelay } : {}),
            ...(d.metadata.timeSeriesResourceHierarchyLevel?.length
              ? {
                  timeSeriesResourceHierarchyLevel: d.metadata.timeSeriesResourceHierarchyLevel.map((l) => encodeEnum(HierarchyLevelEnum, l, enc)),
                }
              : {}),
          },
        }
      : {}),
    ...(d.launchStage && d.launchStage !== 'LAUNCH_STAGE_UNSPECIFIED' ? { launchStage: encodeEnum(LaunchStageEnum, d.launchStage, enc) } : {}),
    ...(d.monitoredResourceTypes.length > 0 ? { monitoredResourceTypes: d.monitoredResourceTypes } : {}),
  };
}

function renderDistribution(d: Distribution): Json {
  return {
    count: d.count.toString(),
    ...(d.mean !== 0 ? { mean: formatDouble(d.mean) } : {}),
    ...(d.sumOfSquaredDeviation !== 0 ? { sumOfSquaredDeviation: formatDouble(d.sumOfSquaredDeviation) } : {}),
    ...(d.range ? { range: { min: formatDouble(d.range.min), max: formatDouble(d.range.max) } } : {}),
    ...(d.bucketOptions ? { bucketOptions: d.bucketOptions } : {}),
    ...(d.bucketCounts.length > 0 ? { bucketCounts: d.bucketCounts.map((c) => c.toString()) } : {}),
    ...(d.exemplars?.length ? { exemplars: d.exemplars } : {}),
  };
}

function renderValue(v: TypedValue): Json {
  switch (v.type) {
    case 'BOOL':
      return { boolValue: v.value };
    case 'INT64':
      return { int64Value: v.value.toString() };
    case 'DOUBLE':
      return { doubleValue: formatDouble(v.value) };
    case 'STRING':
      return { stringValue: v.value };
    case 'DISTRIBUTION':
      return { distributionValue: renderDistribution(v.value) };
  }
}

function renderPoint(p: Point): Json {
  return { interval: { startTime: formatTimestamp(p.startNs), endTime: formatTimestamp(p.endNs) }, value: renderValue(p.value) };
}

/** A series with its points newest first, as Google returns them; `points` undefined for HEADERS. */
export function renderSeries(s: SeriesData, points: readonly Point[] | undefined, unit: string | undefined, enc: Encoding): Json {
  return {
    metric: { type: s.identity.metricType, ...nonEmpty(s.identity.metricLabels) },
    resource: { type: s.identity.resourceType, ...nonEmpty(s.identity.resourceLabels) },
    metricKind: encodeEnum(MetricKindEnum, s.metricKind, enc),
    valueType: encodeEnum(ValueTypeEnum, s.valueType, enc),
    ...(points && points.length > 0 ? { points: points.map(renderPoint) } : {}),
    ...(unit ? { unit } : {}),
  };
}

export function renderResourceDescriptor(project: string, r: ResourceType, enc: Encoding): Json {
  return {
    name: `projects/${project}/monitoredResourceDescriptors/${r.type}`,
    type: r.type,
    displayName: r.displayName,
    description: r.description,
    labels: r.labels.map((key) => ({ key })),
    launchStage: encodeEnum(LaunchStageEnum, 'GA', enc),
  };
}
