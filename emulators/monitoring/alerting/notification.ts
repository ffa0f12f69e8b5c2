// Cloud Monitoring's notification JSON, schema version 1.2: what a Pub/Sub channel publishes (and
// an email or webhook channel is built from) when an incident opens, is re-notified or closes.
import { createHash } from 'node:crypto';
import { findResourceType } from '../resources.js';
import type { ComparisonName } from './enums.js';
import type { AlertPolicy, Condition, Incident, NotificationChannel, NotificationPayload } from './model.js';
import { BY_NAME, renderCondition } from './render.js';

const CANCELLED = 'Incident cancelled because the alert policy condition was deleted or modified while incident was active.';

const SEVERITY_TEXT: Record<string, string> = { CRITICAL: 'Critical', ERROR: 'Error', WARNING: 'Warning' };

const VIOLATION_TEXT: Record<ComparisonName, string> = {
  COMPARISON_UNSPECIFIED: 'violates the threshold of',
  COMPARISON_GT: 'is above the threshold of',
  COMPARISON_GE: 'is above or equal to the threshold of',
  COMPARISON_LT: 'is below the threshold of',
  COMPARISON_LE: 'is below or equal to the threshold of',
  COMPARISON_EQ: 'is equal to the threshold of',
  COMPARISON_NE: 'is not equal to the threshold of',
};

export interface NotificationInput {
  incident: Incident;
  policy: AlertPolicy;
  condition: Condition;
  channel: NotificationChannel;
  /** The metric descriptor's display name, or its type when it has none. */
  metricDisplayName: string;
  /** The auto-close duration, for the summary of an incident closed for want of data. */
  autoClose?: string;
}

/**
 * The emulator knows no project numbers: a stable 12-digit number derived from the project id
 * stands in for `scoping_project_number`.
 */
export function projectNumber(project: string): number {
  const n = createHash('sha256').update(project).digest().readBigUInt64BE() % 900_000_000_000n;
  return Number(n + 100_000_000_000n);
}

/** Values as Google prints them in notifications: three decimals. */
const fixed3 = (v: number) => v.toFixed(3);

export function buildNotification(input: NotificationInput): NotificationPayload {
  const { incident, policy, condition, channel } = input;
  const resourceType = findResourceType(incident.resource.type);
  const projectId = incident.resource.labels[resourceType?.projectLabel ?? 'project_id'] ?? incident.project;
  const otherLabels = Object.entries(incident.resource.labels)
    .filter(([k]) => k !== (resourceType?.projectLabel ?? 'project_id'))
    .map(([, v]) => v);
  const resourceDisplayName = otherLabels.length > 0 ? otherLabels.join(' ') : (resourceType?.displayName ?? incident.resource.type);
  const resourceName = `${projectId} ${resourceDisplayName}`;
  const threshold = condition.conditionThreshold.thresholdValue;
  const observed = incident.closeReason === 'policy-changed' || incident.closeReason === 'policy-deleted' ? CANCELLED : incident.observedValue === undefined ? 'No data' : fixed3(incident.observedValue);
  const documentation = policy.documentation ?? {};
  return {
    incident: {
      incident_id: incident.incidentId,
      scoping_project_id: incident.project,
      scoping_project_number: projectNumber(incident.project),
      url: `https://console.cloud.google.com/monitoring/alerting/alerts/${incident.incidentId}?channelType=${channel.type === 'pubsub' ? 'cloud-pubsub' : channel.type}&project=${incident.project}`,
      ...(policy.severity && SEVERITY_TEXT[policy.severity] ? { severity: SEVERITY_TEXT[policy.severity] } : {}),
      started_at: Math.floor(incident.startedAtMs / 1000),
      ended_at: incident.endedAtMs === undefined ? null : Math.floor(incident.endedAtMs / 1000),
      state: incident.state,
      summary: summary(input, resourceName, observed),
      observed_value: observed,
      resource: { type: incident.resource.type, labels: { ...incident.resource.labels } },
      resource_type_display_name: resourceType?.displayName ?? incident.resource.type,
      resource_id: '',
      resource_display_name: resourceDisplayName,
      resource_name: resourceName,
      metric: { type: incident.metric.type, displayName: input.metricDisplayName, labels: { ...incident.metric.labels } },
      metadata: { system_labels: {}, user_labels: {} },
      policy_name: policy.displayName,
      policy_user_labels: { ...policy.userLabels },
      documentation: {
        content: documentation.content ?? '',
        mime_type: documentation.mimeType ?? '',
        ...(documentation.subject ? { subject: documentation.subject } : {}),
        ...(documentation.links?.length ? { links: documentation.links.map((l) => ({ display_name: l.displayName, url: l.url })) } : {}),
      },
      condition: renderCondition(condition, BY_NAME),
      condition_name: condition.displayName,
      threshold_value: String(threshold),
    },
    version: '1.2',
  };
}

function summary(input: NotificationInput, resourceName: string, observed: string): string {
  const { incident, condition } = input;
  const labels = Object.entries(incident.metric.labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const subject = `${input.metricDisplayName} for ${resourceName}${labels.length > 0 ? ` with metric labels {${labels.map(([k, v]) => `${k}=${v}`).join(', ')}}` : ''}`;
  const threshold = condition.conditionThreshold;
  if (incident.state === 'open') return `${subject} ${VIOLATION_TEXT[threshold.comparison]} ${fixed3(threshold.thresholdValue)} with a value of ${observed}.`;
  if (incident.closeReason === 'auto-closed') return `${subject} has had no data for ${input.autoClose ?? 'the auto-close duration'}; the incident was closed automatically.`;
  if (incident.closeReason === 'missing-data') return `${subject} has no data; the incident was closed.`;
  return `${subject} returned to normal with a value of ${observed}.`;
}
