// A Cloud Monitoring incident as a Pub/Sub notification channel delivers it: JSON `{version: "1.2",
// incident: {...}}`. Read strictly where the control plane depends on a field (ids, state, times,
// the metric and its labels) and loosely elsewhere: Google adds fields over time, and a payload
// that fails here is dead-lettered with the field named. `documentation` is an object in 1.2 and a
// string in older payloads; both are accepted.
import { z } from 'zod';

const labels = z.record(z.string(), z.string());

export const Incident = z.looseObject({
  incident_id: z.string().min(1).max(512),
  state: z.enum(['open', 'closed'], { error: 'must be "open" or "closed"' }),
  /** Epoch seconds. */
  started_at: z.int().nonnegative(),
  ended_at: z.int().nonnegative().nullable().optional(),
  policy_name: z.string().max(512),
  condition_name: z.string().max(512).optional(),
  summary: z.string().max(10_000).optional(),
  url: z.string().max(2048).optional(),
  observed_value: z.string().max(256).optional(),
  threshold_value: z.string().max(256).optional(),
  scoping_project_id: z.string().max(256).optional(),
  /** Absent for some policies (e.g. log-based); the handler acts only on drift metrics. */
  metric: z.looseObject({ type: z.string().min(1).max(512), displayName: z.string().optional(), labels: labels.default({}) }).optional(),
  resource: z.looseObject({ type: z.string(), labels: labels.default({}) }).optional(),
  documentation: z.union([z.string(), z.looseObject({ content: z.string().optional(), mime_type: z.string().optional(), subject: z.string().optional() })]).optional(),
  policy_user_labels: labels.optional(),
  metadata: z.looseObject({ system_labels: labels.optional(), user_labels: labels.optional() }).optional(),
});
export type Incident = z.infer<typeof Incident>;

export const IncidentNotification = z.looseObject({
  version: z.literal('1.2', { error: 'must be "1.2": the notification format this handler reads' }),
  incident: Incident,
});
export type IncidentNotification = z.infer<typeof IncidentNotification>;
