// The proto enums of alert policies and notification channels (google/monitoring/v3/alert.proto,
// common.proto, notification.proto). Like every enum of this API they arrive as names or numbers
// and are answered in the encoding the caller asked for.
import type { EnumDef, EnumName } from '../enums.js';

const def = <N extends string>(fullName: string, values: Record<N, number>): EnumDef<N> => ({ fullName, values });

export const ComparisonEnum = def('google.monitoring.v3.ComparisonType', {
  COMPARISON_UNSPECIFIED: 0,
  COMPARISON_GT: 1,
  COMPARISON_GE: 2,
  COMPARISON_LT: 3,
  COMPARISON_LE: 4,
  COMPARISON_EQ: 5,
  COMPARISON_NE: 6,
});

export const CombinerEnum = def('google.monitoring.v3.AlertPolicy.ConditionCombinerType', {
  COMBINE_UNSPECIFIED: 0,
  AND: 1,
  OR: 2,
  AND_WITH_MATCHING_RESOURCE: 3,
});

export const MissingDataEnum = def('google.monitoring.v3.AlertPolicy.Condition.EvaluationMissingData', {
  EVALUATION_MISSING_DATA_UNSPECIFIED: 0,
  EVALUATION_MISSING_DATA_INACTIVE: 1,
  EVALUATION_MISSING_DATA_ACTIVE: 2,
  EVALUATION_MISSING_DATA_NO_OP: 3,
});

export const SeverityEnum = def('google.monitoring.v3.AlertPolicy.Severity', {
  SEVERITY_UNSPECIFIED: 0,
  CRITICAL: 1,
  ERROR: 2,
  WARNING: 3,
});

export const NotificationPromptEnum = def('google.monitoring.v3.AlertPolicy.AlertStrategy.NotificationPrompt', {
  NOTIFICATION_PROMPT_UNSPECIFIED: 0,
  OPENED: 1,
  CLOSED: 3,
});

export const VerificationStatusEnum = def('google.monitoring.v3.NotificationChannel.VerificationStatus', {
  VERIFICATION_STATUS_UNSPECIFIED: 0,
  UNVERIFIED: 1,
  VERIFIED: 2,
});

export type ComparisonName = EnumName<typeof ComparisonEnum>;
export type CombinerName = EnumName<typeof CombinerEnum>;
export type MissingDataName = EnumName<typeof MissingDataEnum>;
export type SeverityName = EnumName<typeof SeverityEnum>;
export type NotificationPromptName = EnumName<typeof NotificationPromptEnum>;
export type VerificationStatusName = EnumName<typeof VerificationStatusEnum>;
