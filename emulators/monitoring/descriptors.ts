// Metric descriptor rules: which types users may create, label rules, the upsert merge Google does
// ("updated if it already exists, except that metric labels are never removed") and auto-creation
// from a written time series.
import { GoogleApiError } from '../kit/google-error.js';
import type { LabelValueTypeName } from './enums.js';
import { formatDuration } from './proto-json.js';
import type { MetricDescriptorInput } from './request-schemas.js';
import { userMetricResourceTypes } from './resources.js';
import { invalidField } from './validation.js';
import { isUserDefinedMetric, USER_METRIC_PREFIXES, type LabelDescriptor, type MetricDescriptor, type MetricKind, type ValueType } from './model.js';

export const MAX_LABELS_PER_METRIC = 30;
const MAX_TYPE_LENGTH = 200;
const MAX_LABEL_VALUE_LENGTH = 1024;
const LABEL_KEY = /^[a-z][a-z0-9_]{0,99}$/;
const TYPE_PATH = /^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)*$/;

export function descriptorName(project: string, type: string): string {
  return `projects/${project}/metricDescriptors/${type}`;
}

/** Why a metric type cannot be user-defined, or undefined when it can. */
export function metricTypeProblem(type: string): string | undefined {
  if (!isUserDefinedMetric(type)) return `Metric types of user-defined metrics must start with one of ${USER_METRIC_PREFIXES.join(', ')}.`;
  if (type.length > MAX_TYPE_LENGTH) return `Metric types are limited to ${MAX_TYPE_LENGTH} characters.`;
  const prefix = USER_METRIC_PREFIXES.find((p) => type.startsWith(p))!;
  if (!TYPE_PATH.test(type.slice(prefix.length))) return 'The metric name after the domain must be non-empty path segments of letters, digits, "_", "-" and ".".';
  return undefined;
}

export function labelKeyProblem(key: string): string | undefined {
  return LABEL_KEY.test(key) ? undefined : 'Label keys must start with a lowercase letter and contain only lowercase letters, digits and underscores (at most 100 characters).';
}

/** Kinds and types Google does not combine: only gauges hold BOOL and STRING. */
function kindTypeProblem(kind: MetricKind, valueType: ValueType): string | undefined {
  if (valueType === 'MONEY') return 'The value type MONEY is not supported for user-defined metrics.';
  if (kind !== 'GAUGE' && (valueType === 'BOOL' || valueType === 'STRING')) return `A ${kind} metric cannot have value type ${valueType}.`;
  return undefined;
}

/** Validates a `metricDescriptors.create` body and gives the descriptor as the caller described it. */
export function descriptorFromRequest(project: string, input: MetricDescriptorInput): MetricDescriptor {
  const type = input.type ?? '';
  if (!type) throw invalidField('metricDescriptor.type', 'The metric type must be specified.');
  const typeProblem = metricTypeProblem(type);
  if (typeProblem) throw invalidField('metricDescriptor.type', typeProblem, type);
  const metricKind = input.metricKind;
  if (!metricKind || metricKind === 'METRIC_KIND_UNSPECIFIED') throw invalidField('metricDescriptor.metricKind', 'The metric kind must be specified.');
  const valueType = input.valueType;
  if (!valueType || valueType === 'VALUE_TYPE_UNSPECIFIED') throw invalidField('metricDescriptor.valueType', 'The value type must be specified.');
  const comboProblem = kindTypeProblem(metricKind, valueType);
  if (comboProblem) throw invalidField('metricDescriptor.valueType', comboProblem, valueType);

  const labels: LabelDescriptor[] = [];
  (input.labels ?? []).forEach((label, i) => {
    const key = label.key ?? '';
    const problem = key ? labelKeyProblem(key) : 'The label key must be specified.';
    if (problem) throw invalidField(`metricDescriptor.labels[${i}].key`, problem, key || undefined);
    if (labels.some((l) => l.key === key)) throw invalidField(`metricDescriptor.labels[${i}].key`, 'Duplicate label key.', key);
    labels.push({ key, valueType: label.valueType ?? 'STRING', ...(label.description ? { description: label.description } : {}) });
  });
  if (labels.length > MAX_LABELS_PER_METRIC) throw invalidField('metricDescriptor.labels', `A metric descriptor can have at most ${MAX_LABELS_PER_METRIC} labels.`);

  const known = new Set(userMetricResourceTypes().map((r) => r.type));
  (input.monitoredResourceTypes ?? []).forEach((t, i) => {
    if (!known.has(t)) throw invalidField(`metricDescriptor.monitoredResourceTypes[${i}]`, 'Unsupported monitored resource type for user-defined metrics.', t);
  });

  const metadata = input.metadata;
  return {
    name: descriptorName(project, type),
    type,
    labels,
    metricKind,
    valueType,
    ...(input.unit ? { unit: input.unit } : {}),
    ...(input.description ? { description: input.description } : {}),
    ...(input.displayName ? { displayName: input.displayName } : {}),
    ...(metadata
      ? {
          metadata: {
            ...(metadata.launchStage ? { launchStage: metadata.launchStage } : {}),
            ...(metadata.samplePeriod !== undefined ? { samplePeriod: formatDuration(metadata.samplePeriod) } : {}),
            ...(metadata.ingestDelay !== undefined ? { ingestDelay: formatDuration(metadata.ingestDelay) } : {}),
            ...(metadata.timeSeriesResourceHierarchyLevel?.length ? { timeSeriesResourceHierarchyLevel: metadata.timeSeriesResourceHierarchyLevel } : {}),
          },
        }
      : {}),
    ...(input.launchStage ? { launchStage: input.launchStage } : {}),
    monitoredResourceTypes: input.monitoredResourceTypes ?? [],
  };
}

/** The stored form: labels sorted by key and the default resource types filled in, as Google stores them. */
export function storedForm(descriptor: MetricDescriptor): MetricDescriptor {
  return {
    ...descriptor,
    labels: [...descriptor.labels].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)),
    monitoredResourceTypes: descriptor.monitoredResourceTypes.length > 0 ? descriptor.monitoredResourceTypes : userMetricResourceTypes().map((r) => r.type),
  };
}

/** Upsert: the new descriptor wins, but labels of the existing one are never removed. */
export function mergeDescriptor(existing: MetricDescriptor, incoming: MetricDescriptor): MetricDescriptor {
  const labels = [...existing.labels];
  for (const label of incoming.labels) {
    const current = labels.find((l) => l.key === label.key);
    if (!current) labels.push(label);
    else if (current.valueType !== label.valueType) {
      throw invalidField('metricDescriptor.labels', `The label "${label.key}" already exists with value type ${current.valueType}; label value types cannot be changed.`, label.valueType);
    } else if (label.description) current.description = label.description;
  }
  if (labels.length > MAX_LABELS_PER_METRIC) {
    throw new GoogleApiError(400, `The new labels would cause the metric ${existing.type} to have over ${MAX_LABELS_PER_METRIC} labels.`);
  }
  return storedForm({ ...incoming, labels });
}

/** What `get` and `list` return: Google omits launchStage and metadata there. */
export function readForm(descriptor: MetricDescriptor): MetricDescriptor {
  const copy = { ...descriptor };
  delete copy.launchStage;
  delete copy.metadata;
  return copy;
}

/** Checks a label value against its declared type; the message is Google-like, or undefined when fine. */
export function labelValueProblem(key: string, value: string, valueType: LabelValueTypeName): string | undefined {
  if (value.length > MAX_LABEL_VALUE_LENGTH) return `The value of metric label ${key} is longer than ${MAX_LABEL_VALUE_LENGTH} characters.`;
  if (valueType === 'BOOL' && value !== 'true' && value !== 'false') return `The value of metric label ${key} must be a BOOL ("true" or "false"), but is "${value}".`;
  if (valueType === 'INT64' && !/^-?\d{1,19}$/.test(value)) return `The value of metric label ${key} must be an INT64, but is "${value}".`;
  return undefined;
}
