// The emulator's internal model: metric descriptors, time series identities and typed points.
// Wire shapes (proto3 JSON) are produced from these by render.ts.
import type { HierarchyLevelName, LabelValueTypeName, LaunchStageName, MetricKindName, ValueTypeName } from './enums.js';

export type MetricKind = Exclude<MetricKindName, 'METRIC_KIND_UNSPECIFIED'>;
export type ValueType = Exclude<ValueTypeName, 'VALUE_TYPE_UNSPECIFIED'>;

export interface LabelDescriptor {
  key: string;
  valueType: LabelValueTypeName;
  description?: string;
}

export interface MetricDescriptorMetadata {
  launchStage?: LaunchStageName;
  samplePeriod?: string;
  ingestDelay?: string;
  timeSeriesResourceHierarchyLevel?: HierarchyLevelName[];
}

export interface MetricDescriptor {
  name: string;
  type: string;
  labels: LabelDescriptor[];
  metricKind: MetricKind;
  valueType: ValueType;
  unit?: string;
  description?: string;
  displayName?: string;
  metadata?: MetricDescriptorMetadata;
  launchStage?: LaunchStageName;
  monitoredResourceTypes: string[];
}

export type Labels = Readonly<Record<string, string>>;

/** A time series is identified by its metric (type + labels) and its monitored resource (type + labels). */
export interface SeriesIdentity {
  metricType: string;
  metricLabels: Labels;
  resourceType: string;
  resourceLabels: Labels;
}

export interface BucketOptions {
  linearBuckets?: { numFiniteBuckets: number; width: number; offset: number };
  exponentialBuckets?: { numFiniteBuckets: number; growthFactor: number; scale: number };
  explicitBuckets?: { bounds: number[] };
}

export interface Distribution {
  count: bigint;
  mean: number;
  sumOfSquaredDeviation: number;
  range?: { min: number; max: number };
  bucketOptions?: BucketOptions;
  bucketCounts: bigint[];
  /** Kept verbatim (proto3 JSON) and returned as written; never aggregated. */
  exemplars?: unknown[];
}

export type TypedValue =
  | { type: 'BOOL'; value: boolean }
  | { type: 'INT64'; value: bigint }
  | { type: 'DOUBLE'; value: number }
  | { type: 'STRING'; value: string }
  | { type: 'DISTRIBUTION'; value: Distribution };

export interface Point {
  startNs: bigint;
  endNs: bigint;
  value: TypedValue;
}

/** A series as stored: identity plus the kind and type it was written with. */
export interface StoredSeries {
  id: bigint;
  project: string;
  identity: SeriesIdentity;
  metricKind: MetricKind;
  valueType: ValueType;
}

/** A series with points, as aggregation consumes and produces it. Points are sorted oldest first. */
export interface SeriesData {
  identity: SeriesIdentity;
  metricKind: MetricKind;
  valueType: ValueType;
  points: Point[];
  /** The newest point at or before the query window, for rate and delta over cumulative data. */
  prior?: Point;
}

/** A stable key for a series identity: labels sorted so that key order in a request does not matter. */
export function seriesKey(identity: SeriesIdentity): string {
  const sorted = (labels: Labels) => Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return JSON.stringify([identity.metricType, sorted(identity.metricLabels), identity.resourceType, sorted(identity.resourceLabels)]);
}

export const USER_METRIC_PREFIXES = ['custom.googleapis.com/', 'workload.googleapis.com/', 'external.googleapis.com/'] as const;

export function isUserDefinedMetric(type: string): boolean {
  return USER_METRIC_PREFIXES.some((p) => type.startsWith(p));
}
