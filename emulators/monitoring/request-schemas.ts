// Request bodies as strict zod schemas mirroring the protos (google.api.MetricDescriptor,
// google.monitoring.v3.CreateTimeSeriesRequest). Every object is strict: an unknown field is a 400.
import { z } from 'zod';
import { HierarchyLevelEnum, LabelValueTypeEnum, LaunchStageEnum, MetricKindEnum, ValueTypeEnum } from './enums.js';
import { bool, double, duration, enumOf, int32, int64, opaqueObject, optional, str, stringMap, timestamp } from './validation.js';

const LabelDescriptorSchema = z.strictObject({
  key: optional(str),
  valueType: optional(enumOf(LabelValueTypeEnum)),
  description: optional(str),
});

export const MetricDescriptorSchema = z.strictObject({
  // Output only in practice: Google derives the name from the project and type.
  name: optional(str),
  type: optional(str),
  labels: optional(z.array(LabelDescriptorSchema)),
  metricKind: optional(enumOf(MetricKindEnum)),
  valueType: optional(enumOf(ValueTypeEnum)),
  unit: optional(str),
  description: optional(str),
  displayName: optional(str),
  metadata: optional(
    z.strictObject({
      launchStage: optional(enumOf(LaunchStageEnum)),
      samplePeriod: optional(duration),
      ingestDelay: optional(duration),
      timeSeriesResourceHierarchyLevel: optional(z.array(enumOf(HierarchyLevelEnum))),
    }),
  ),
  launchStage: optional(enumOf(LaunchStageEnum)),
  monitoredResourceTypes: optional(z.array(str)),
});
export type MetricDescriptorInput = z.output<typeof MetricDescriptorSchema>;

const BucketOptionsSchema = z.strictObject({
  linearBuckets: optional(z.strictObject({ numFiniteBuckets: optional(int32), width: optional(double), offset: optional(double) })),
  exponentialBuckets: optional(z.strictObject({ numFiniteBuckets: optional(int32), growthFactor: optional(double), scale: optional(double) })),
  explicitBuckets: optional(z.strictObject({ bounds: optional(z.array(double)) })),
});

export const DistributionSchema = z.strictObject({
  count: optional(int64),
  mean: optional(double),
  sumOfSquaredDeviation: optional(double),
  range: optional(z.strictObject({ min: optional(double), max: optional(double) })),
  bucketOptions: optional(BucketOptionsSchema),
  bucketCounts: optional(z.array(int64)),
  exemplars: optional(z.array(z.strictObject({ value: optional(double), timestamp: optional(timestamp), attachments: optional(z.array(opaqueObject)) }))),
});
export type DistributionInput = z.output<typeof DistributionSchema>;

export const TypedValueSchema = z.strictObject({
  boolValue: optional(bool),
  int64Value: optional(int64),
  doubleValue: optional(double),
  stringValue: optional(str),
  distributionValue: optional(DistributionSchema),
});
export type TypedValueInput = z.output<typeof TypedValueSchema>;

const PointSchema = z.strictObject({
  interval: optional(z.strictObject({ startTime: optional(timestamp), endTime: optional(timestamp) })),
  value: optional(TypedValueSchema),
});

export const TimeSeriesSchema = z.strictObject({
  metric: optional(z.strictObject({ type: optional(str), labels: optional(stringMap) })),
  resource: optional(z.strictObject({ type: optional(str), labels: optional(stringMap) })),
  // Output only; accepted and ignored on writes, as Google does.
  metadata: optional(z.strictObject({ systemLabels: optional(opaqueObject), userLabels: optional(stringMap) })),
  metricKind: optional(enumOf(MetricKindEnum)),
  valueType: optional(enumOf(ValueTypeEnum)),
  points: optional(z.array(PointSchema)),
  unit: optional(str),
  description: optional(str),
});
export type TimeSeriesInput = z.output<typeof TimeSeriesSchema>;

export const CreateTimeSeriesBodySchema = z.strictObject({
  // `name` is bound from the path; the body is everything else (`body: "*"`).
  timeSeries: optional(z.array(TimeSeriesSchema)),
});
