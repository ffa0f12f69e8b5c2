// Alerting's stored model: notification channels and alert policies (validated, enums as names,
// durations in canonical proto3 JSON), incidents and notification deliveries.
import type { AlignerName, ReducerName } from '../enums.js';
import type { CombinerName, ComparisonName, MissingDataName, NotificationPromptName, SeverityName, VerificationStatusName } from './enums.js';

export type Labels = Record<string, string>;

export interface MutationRecord {
  /** RFC 3339. */
  mutateTime: string;
  mutatedBy: string;
}

export interface NotificationChannel {
  /** `projects/P/notificationChannels/ID`. */
  name: string;
  type: string;
  displayName?: string;
  description?: string;
  labels: Labels;
  userLabels: Labels;
  verificationStatus: VerificationStatusName;
  enabled: boolean;
  creationRecord: MutationRecord;
  mutationRecords: MutationRecord[];
}

export interface StoredAggregation {
  /** Canonical duration ("60s"), when given. */
  alignmentPeriod?: string;
  perSeriesAligner: AlignerName;
  crossSeriesReducer: ReducerName;
  groupByFields: string[];
}

export interface Trigger {
  count?: number;
  percent?: number;
}

export interface ThresholdCondition {
  filter: string;
  aggregations: StoredAggregation[];
  comparison: ComparisonName;
  thresholdValue: number;
  /** Canonical duration, "0s" when not given. */
  duration: string;
  trigger?: Trigger;
  evaluationMissingData?: MissingDataName;
}

export interface Condition {
  /** `projects/P/alertPolicies/ID/conditions/CID`. */
  name: string;
  displayName: string;
  conditionThreshold: ThresholdCondition;
}

export interface Documentation {
  content?: string;
  mimeType?: string;
  subject?: string;
  links?: { displayName?: string; url?: string }[];
}

export interface AlertStrategy {
  notificationRateLimit?: { period?: string };
  notificationPrompts?: NotificationPromptName[];
  autoClose?: string;
  notificationChannelStrategy?: { notificationChannelNames: string[]; renotifyInterval?: string }[];
}

export interface AlertPolicy {
  /** `projects/P/alertPolicies/ID`. */
  name: string;
  displayName: string;
  documentation?: Documentation;
  userLabels: Labels;
  conditions: Condition[];
  combiner: CombinerName;
  enabled: boolean;
  notificationChannels: string[];
  creationRecord: MutationRecord;
  mutationRecord: MutationRecord;
  alertStrategy?: AlertStrategy;
  severity?: SeverityName;
}

/** Why an incident closed. */
export type CloseReason = 'recovered' | 'missing-data' | 'auto-closed' | 'policy-changed' | 'policy-deleted' | 'policy-not-met';

export interface Incident {
  /** Google's form: `0.` and twelve base-36 characters. */
  incidentId: string;
  project: string;
  policy: string;
  condition: string;
  /** Identity of the violating (aggregated) series: one open incident per policy, condition and series. */
  seriesKey: string;
  metric: { type: string; labels: Labels };
  resource: { type: string; labels: Labels };
  state: 'open' | 'closed';
  /** Epoch milliseconds on the emulator's clock. */
  startedAtMs: number;
  endedAtMs?: number;
  observedValue?: number;
  /** When the series last had a value (auto-close counts from here). */
  lastDataMs: number;
  closeReason?: CloseReason;
  /** Channel name → when it was last notified (epoch ms), for renotification. */
  notifiedAtMs: Record<string, number>;
}

export type DeliveryEvent = 'opened' | 'renotified' | 'closed';

/**
 * `pending`: not sent yet (no Pub/Sub host, or a transient failure: retried on later passes);
 * `delivered`: published; `recorded`: a channel type the emulator only records (email);
 * `failed`: given up (the topic does not exist, or too many attempts).
 */
export type DeliveryStatus = 'pending' | 'delivered' | 'recorded' | 'failed';

export interface Delivery {
  /** Zero-padded sequence number: deliveries sort in creation order. */
  id: string;
  channel: string;
  channelType: string;
  /** Where it goes: the topic of a pubsub channel, the address of an email channel. */
  destination: string;
  incidentId: string;
  policy: string;
  condition: string;
  event: DeliveryEvent;
  state: 'open' | 'closed';
  /** RFC 3339, emulator clock. */
  createTime: string;
  status: DeliveryStatus;
  attempts: number;
  lastAttemptTime?: string;
  error?: string;
  messageId?: string;
  /** The notification (schema version 1.2) as published. */
  payload: NotificationPayload;
}

/** Cloud Monitoring's notification JSON, schema version 1.2. */
export interface NotificationPayload {
  incident: Record<string, unknown>;
  version: '1.2';
}
