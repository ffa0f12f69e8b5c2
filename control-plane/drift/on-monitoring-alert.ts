// onMonitoringAlert's decision (design §1, closing the loop): a drift incident from the model's
// alert policy becomes a retraining request, at most one per model per cooldown. Closed incidents
// are noted and ignored; an incident id seen before (a renotification, a redelivery) is a
// duplicate; an incident about no managed model can never be handled (the caller dead-letters it).
// The request carries the reason and every feature the latest drift check found drifted.
import { z } from 'zod';
import { ControlPlaneError } from '../errors.js';
import { requestAutomaticRetrain } from '../retraining/automatic-retrain.js';
import type { ControlPlaneContext } from '../runtime/context.js';
import { readLatestCheck } from './drift-check-record.js';
import type { Incident } from './incident.js';

export type AlertOutcome =
  | { readonly action: 'IGNORED_CLOSED' | 'DUPLICATE'; readonly model: string; readonly incidentId: string }
  | { readonly action: 'TRIGGERED'; readonly model: string; readonly incidentId: string; readonly trainingRun: string; readonly driftedFeatures: readonly string[] }
  | { readonly action: 'DEBOUNCED'; readonly model: string; readonly incidentId: string; readonly until: string; readonly by: string };

/** An incident that can never be handled: the function dead-letters it with this reason. */
export class UnhandledIncident extends ControlPlaneError {
  constructor(message: string) {
    super('FAILED_PRECONDITION', message);
  }
}

const IncidentRecord = z.object({ incidentId: z.string(), model: z.string(), receivedAt: z.string(), outcome: z.string().optional(), trainingRun: z.string().optional() });

/** Request ids and object names: the incident id with anything but [A-Za-z0-9._:-] replaced. */
export function incidentSlug(incidentId: string): string {
  return incidentId.replace(/[^A-Za-z0-9._:-]/g, '-').replace(/^[^A-Za-z0-9]+/, '').slice(0, 100) || 'incident';
}

/** The model an incident is about: its metric's `model` label, else the policy's user label. */
function modelOf(incident: Incident): string | undefined {
  return incident.metric.labels.model ?? incident.policy_user_labels?.model ?? incident.metadata?.user_labels?.model;
}

export async function handleMonitoringAlert(ctx: ControlPlaneContext, incident: Incident): Promise<AlertOutcome> {
  const model = modelOf(incident);
  const incidentId = incident.incident_id;
  if (model === undefined) throw new UnhandledIncident(`incident ${incidentId} (policy ${JSON.stringify(incident.policy_name)}) names no model: neither metric.labels.model nor the policy's user label model`);
  if (ctx.models.get(model) === undefined) throw new UnhandledIncident(`incident ${incidentId}: models/${model} is not a managed model`);
  if (incident.state === 'closed') return { action: 'IGNORED_CLOSED', model, incidentId };

  const path = `monitoring-incidents/${incidentSlug(incidentId)}.json`;
  const seen = await ctx.state.read(path, IncidentRecord);
  if (seen?.value.outcome !== undefined) return { action: 'DUPLICATE', model, incidentId };
  if (!seen) await ctx.state.create(path, { incidentId, model, receivedAt: ctx.now().toISOString() });

  const { feature, metric, version } = incident.metric.labels;
  const latest = await readLatestCheck(ctx, model);
  const fromCheck = latest?.versions.find((v) => version === undefined || v.versionId === version)?.drifted ?? [];
  const driftedFeatures = [...new Set([...(feature ? [feature] : []), ...fromCheck])];
  const measured = feature ? `${feature} ${metric ?? 'score'} ${incident.observed_value ?? '?'} above ${incident.threshold_value ?? '?'}` : incident.summary ?? incident.condition_name ?? 'drift';
  const reason = `drift: ${measured} (incident ${incidentId}, policy ${JSON.stringify(incident.policy_name)}); drifted features: ${driftedFeatures.join(', ') || 'unknown'}`;
  const outcome = await requestAutomaticRetrain(ctx, {
    model, trigger: 'drift', requestId: `drift-${incidentSlug(incidentId)}`, reason, driftedFeatures, subject: incidentId,
    ...(version ? { version: `${model}@${version}` } : {}),
    details: { incidentId, policy: incident.policy_name, condition: incident.condition_name, metric: incident.metric, observedValue: incident.observed_value, thresholdValue: incident.threshold_value, startedAt: incident.started_at },
  });
  const result: AlertOutcome = outcome.action === 'TRIGGERED'
    ? { action: 'TRIGGERED', model, incidentId, trainingRun: outcome.run.id, driftedFeatures }
    : { action: 'DEBOUNCED', model, incidentId, until: outcome.until, by: outcome.by };
  const current = await ctx.state.read(path, IncidentRecord);
  if (current && current.value.outcome === undefined) {
    await ctx.state.replace(path, { ...current.value, outcome: result.action, ...(result.action === 'TRIGGERED' ? { trainingRun: result.trainingRun } : {}) }, current.generation);
  }
  return result;
}
