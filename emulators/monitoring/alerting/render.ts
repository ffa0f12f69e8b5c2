// Channels, descriptors and policies in Google's proto3 JSON: defaults left out, enums as names or
// numbers as the caller asked (the Node client's REST fallback asks for numbers).
import { AlignerEnum, encodeEnum, LabelValueTypeEnum, LaunchStageEnum, ReducerEnum, type Encoding } from '../enums.js';
import { formatDouble } from '../proto-json.js';
import type { ChannelType } from './channel-types.js';
import { CombinerEnum, ComparisonEnum, MissingDataEnum, NotificationPromptEnum, SeverityEnum, VerificationStatusEnum } from './enums.js';
import type { AlertPolicy, Condition, Labels, NotificationChannel, StoredAggregation } from './model.js';

type Json = Record<string, unknown>;

/** Names, not numbers: the form policies are compared and merged in, and notifications carry. */
export const BY_NAME: Encoding = { enumsAsInts: false };

const labelsIfAny = (key: string, labels: Labels): Json => (Object.keys(labels).length > 0 ? { [key]: { ...labels } } : {});

export function renderChannel(c: NotificationChannel, enc: Encoding): Json {
  return {
    type: c.type,
    name: c.name,
    ...(c.displayName ? { displayName: c.displayName } : {}),
    ...(c.description ? { description: c.description } : {}),
    ...labelsIfAny('labels', c.labels),
    ...labelsIfAny('userLabels', c.userLabels),
    ...(c.verificationStatus !== 'VERIFICATION_STATUS_UNSPECIFIED' ? { verificationStatus: encodeEnum(VerificationStatusEnum, c.verificationStatus, enc) } : {}),
    enabled: c.enabled,
    creationRecord: { ...c.creationRecord },
    mutationRecords: c.mutationRecords.map((r) => ({ ...r })),
  };
}

export function renderChannelDescriptor(project: string, t: ChannelType, enc: Encoding): Json {
  return {
    name: `projects/${project}/notificationChannelDescriptors/${t.type}`,
    type: t.type,
    displayName: t.displayName,
    description: t.description,
    labels: t.labels.map((l) => ({
      key: l.key,
      // STRING is the proto default and so is left out.
      ...(l.valueType !== 'STRING' ? { valueType: encodeEnum(LabelValueTypeEnum, l.valueType, enc) } : {}),
      description: l.description,
    })),
    launchStage: encodeEnum(LaunchStageEnum, 'GA', enc),
  };
}

export function renderAggregation(a: StoredAggregation, enc: Encoding): Json {
  return {
    ...(a.alignmentPeriod ? { alignmentPeriod: a.alignmentPeriod } : {}),
    ...(a.perSeriesAligner !== 'ALIGN_NONE' ? { perSeriesAligner: encodeEnum(AlignerEnum, a.perSeriesAligner, enc) } : {}),
    ...(a.crossSeriesReducer !== 'REDUCE_NONE' ? { crossSeriesReducer: encodeEnum(ReducerEnum, a.crossSeriesReducer, enc) } : {}),
    ...(a.groupByFields.length > 0 ? { groupByFields: [...a.groupByFields] } : {}),
  };
}

export function renderCondition(c: Condition, enc: Encoding): Json {
  const t = c.conditionThreshold;
  return {
    name: c.name,
    displayName: c.displayName,
    conditionThreshold: {
      filter: t.filter,
      ...(t.aggregations.length > 0 ? { aggregations: t.aggregations.map((a) => renderAggregation(a, enc)) } : {}),
      comparison: encodeEnum(ComparisonEnum, t.comparison, enc),
      ...(t.thresholdValue !== 0 ? { thresholdValue: formatDouble(t.thresholdValue) } : {}),
      duration: t.duration,
      ...(t.trigger ? { trigger: { ...t.trigger } } : {}),
      ...(t.evaluationMissingData && t.evaluationMissingData !== 'EVALUATION_MISSING_DATA_UNSPECIFIED'
        ? { evaluationMissingData: encodeEnum(MissingDataEnum, t.evaluationMissingData, enc) }
        : {}),
    },
  };
}

export function renderPolicy(p: AlertPolicy, enc: Encoding): Json {
  const s = p.alertStrategy;
  return {
    name: p.name,
    displayName: p.displayName,
    ...(p.documentation ? { documentation: structuredClone(p.documentation) } : {}),
    ...labelsIfAny('userLabels', p.userLabels),
    conditions: p.conditions.map((c) => renderCondition(c, enc)),
    ...(p.combiner !== 'COMBINE_UNSPECIFIED' ? { combiner: encodeEnum(CombinerEnum, p.combiner, enc) } : {}),
    enabled: p.enabled,
    ...(p.notificationChannels.length > 0 ? { notificationChannels: [...p.notificationChannels] } : {}),
    creationRecord: { ...p.creationRecord },
    mutationRecord: { ...p.mutationRecord },
    ...(s
      ? {
          alertStrategy: {
            ...(s.notificationRateLimit ? { notificationRateLimit: { ...s.notificationRateLimit } } : {}),
            ...(s.notificationPrompts?.length ? { notificationPrompts: s.notificationPrompts.map((n) => encodeEnum(NotificationPromptEnum, n, enc)) } : {}),
            ...(s.autoClose ? { autoClose: s.autoClose } : {}),
            ...(s.notificationChannelStrategy?.length ? { notificationChannelStrategy: structuredClone(s.notificationChannelStrategy) } : {}),
          },
        }
      : {}),
    ...(p.severity && p.severity !== 'SEVERITY_UNSPECIFIED' ? { severity: encodeEnum(SeverityEnum, p.severity, enc) } : {}),
  };
}
