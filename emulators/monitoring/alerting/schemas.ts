// Request bodies of the alerting APIs as strict zod schemas mirroring the protos
// (google.monitoring.v3.NotificationChannel, AlertPolicy). Every object is strict: an unknown field
// is a 400 naming it. Condition kinds the emulator does not evaluate are accepted here as opaque
// objects so that policies.ts can answer them with a clear "not implemented" instead.
import { z } from 'zod';
import { AlignerEnum, ReducerEnum } from '../enums.js';
import { bool, double, duration, enumOf, int32, opaqueObject, optional, str, stringMap, timestamp } from '../validation.js';
import { CombinerEnum, ComparisonEnum, MissingDataEnum, NotificationPromptEnum, SeverityEnum, VerificationStatusEnum } from './enums.js';

const MutationRecordSchema = z.strictObject({ mutateTime: optional(timestamp), mutatedBy: optional(str) });

export const NotificationChannelSchema = z.strictObject({
  type: optional(str),
  // Output only, like the records and the verification status: accepted and ignored.
  name: optional(str),
  displayName: optional(str),
  description: optional(str),
  labels: optional(stringMap),
  userLabels: optional(stringMap),
  verificationStatus: optional(enumOf(VerificationStatusEnum)),
  enabled: optional(bool),
  creationRecord: optional(MutationRecordSchema),
  mutationRecords: optional(z.array(MutationRecordSchema)),
});
export type NotificationChannelInput = z.output<typeof NotificationChannelSchema>;

export const AggregationSchema = z.strictObject({
  alignmentPeriod: optional(duration),
  perSeriesAligner: optional(enumOf(AlignerEnum)),
  crossSeriesReducer: optional(enumOf(ReducerEnum)),
  groupByFields: optional(z.array(str)),
});
export type AggregationInput = z.output<typeof AggregationSchema>;

const TriggerSchema = z.strictObject({ count: optional(int32), percent: optional(double) });

const MetricThresholdSchema = z.strictObject({
  filter: optional(str),
  aggregations: optional(z.array(AggregationSchema)),
  denominatorFilter: optional(str),
  denominatorAggregations: optional(z.array(AggregationSchema)),
  forecastOptions: optional(opaqueObject),
  comparison: optional(enumOf(ComparisonEnum)),
  thresholdValue: optional(double),
  duration: optional(duration),
  trigger: optional(TriggerSchema),
  evaluationMissingData: optional(enumOf(MissingDataEnum)),
});
export type MetricThresholdInput = z.output<typeof MetricThresholdSchema>;

const ConditionSchema = z.strictObject({
  name: optional(str),
  displayName: optional(str),
  conditionThreshold: optional(MetricThresholdSchema),
  conditionAbsent: optional(opaqueObject),
  conditionMatchedLog: optional(opaqueObject),
  conditionMonitoringQueryLanguage: optional(opaqueObject),
  conditionPrometheusQueryLanguage: optional(opaqueObject),
  conditionSql: optional(opaqueObject),
});
export type ConditionInput = z.output<typeof ConditionSchema>;

const DocumentationSchema = z.strictObject({
  content: optional(str),
  mimeType: optional(str),
  subject: optional(str),
  links: optional(z.array(z.strictObject({ displayName: optional(str), url: optional(str) }))),
});

const AlertStrategySchema = z.strictObject({
  notificationRateLimit: optional(z.strictObject({ period: optional(duration) })),
  notificationPrompts: optional(z.array(enumOf(NotificationPromptEnum))),
  autoClose: optional(duration),
  notificationChannelStrategy: optional(
    z.array(z.strictObject({ notificationChannelNames: optional(z.array(str)), renotifyInterval: optional(duration) })),
  ),
});

export const AlertPolicySchema = z.strictObject({
  name: optional(str),
  displayName: optional(str),
  documentation: optional(DocumentationSchema),
  userLabels: optional(stringMap),
  conditions: optional(z.array(ConditionSchema)),
  combiner: optional(enumOf(CombinerEnum)),
  enabled: optional(bool),
  // Output only: accepted and ignored.
  validity: optional(opaqueObject),
  notificationChannels: optional(z.array(str)),
  creationRecord: optional(MutationRecordSchema),
  mutationRecord: optional(MutationRecordSchema),
  alertStrategy: optional(AlertStrategySchema),
  severity: optional(enumOf(SeverityEnum)),
});
export type AlertPolicyInput = z.output<typeof AlertPolicySchema>;
