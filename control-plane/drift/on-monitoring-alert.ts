// onMonitoringAlert's decision (design §1, closing the loop): a drift incident from the model's
// alert policy becomes a retraining request, at most one per model per cooldown. Only drift
// incidents (the metric checkDrift writes) about the serving champion act; closed incidents, other
// policies' incidents and a canary's drift are acknowledged and ignored. An incident about no
// managed model can never be handled (the caller dead-letters it).
//
// Idempotency: the request id is the incident's id and the cooldown period since it started, so a
// redelivery or a renotification within one period is the same request (a duplicate), and an
// incident still open a cooldown later (the drift outlived the retrain, or its trigger was
// debounced) asks again. The request carries the reason and every feature the latest drift check
// found drifted.
import { DRIFT_METRIC_PREFIX } from '../config/drift-metrics.js';
import { ControlPlaneError } from '../errors.js';
import { requestAutomaticRetrain } from '../retraining/automatic-retrain.js';
import { currentChampion } from '../retraining/submit-training-run.js';
import type { ControlPlaneContext } from '../runtime/context.js';
import { vertexModelName } from '../runtime/context.js';
import { readLatestCheck } from './drift-check-record.js';
import type { Incident } from './incident.js';

export type AlertOutcome =
  | { readonly action: 'IGNORED_CLOSED' | 'IGNORED_NOT_DRIFT' | 'IGNORED_NOT_CHAMPION' | 'DUPLICATE'; readonly model: string; readonly incidentId: string; readonly why?: string }
  | { readonly action: 'TRIGGERED'; readonly model: string; readonly incidentId: string; readonly trainingRun: string; readonly driftedFeatures: readonly string[] }
  | { readonly action: 'DEBOUNCED'; readonly model: string; readonly incidentId: string; readonly until: string; readonly by: string };

/** An incident that can never be handled: the function dead-letters it with this reason. */
export class UnhandledIncident extends ControlPlaneError {
  constructor(message: string) {
    super('FAILED_PRECONDITION', message);
  }
}

/** Request ids: the incident id with anything but [A-Za-z0-9._:-] replaced. */
export function incidentSlug(incidentId: string): string {
  return incidentId.replace(/[^A-Za-z0-9._:-]/g, '-').replace(/^[^A-Za-z0-9]+/, '').slice(0, 100) || 'incident';
}

/** The model an incident is about: its metric's `model` label, else the policy's user label. */
function modelOf(incident: Incident): string | undefined {
  return incident.metric?.labels.model ?? incident.policy_user_labels?.model ?? incident.metadata?.user_labels?.model;
}

export async function handleMonitoringAlert(ctx: ControlPlaneContext, incident: Incident): Promise<AlertOutcome> {
  const model = modelOf(incident);
  const incidentId = incident.incident_id;
  if (model === undefined) throw new UnhandledIncident(`incident ${incidentId} (policy ${JSON.stringify(incident.policy_name)}) names no model: neither metric.labels.model nor the policy's user label model`);
  const spec = ctx.models.get(model);
  if (spec === undefined) throw new UnhandledIncident(`incident ${incidentId}: models/${model} is not a managed model`);
  const ignored = (action: 'IGNORED_CLOSED' | 'IGNORED_NOT_DRIFT' | 'IGNORED_NOT_CHAMPION', why: string): AlertOutcome => ({ action, model, incidentId, why });
  if (incident.state === 'closed') return ignored('IGNORED_CLOSED', 'the incident is closed');
  if (!incident.metric?.type.startsWith(DRIFT_METRIC_PREFIX)) {
    return ignored('IGNORED_NOT_DRIFT', `the incident's metric ${JSON.stringify(incident.metric?.type ?? '(none)')} is not a drift score (${DRIFT_METRIC_PREFIX}*)`);
  }
  const { feature, metric, version } = incident.metric.labels;
  if (version !== undefined) {
    // A canary's (or a retired version's) drift is the rollout's business, not a reason to retrain.
    const champion = (await currentChampion(ctx, model))?.versionId;
    if (champion !== version) return ignored('IGNORED_NOT_CHAMPION', `version ${version} drifted, and the champion is ${champion === undefined ? 'none' : `version ${champion}`}`);
  }

  const latest = await readLatestCheck(ctx, model);
  const fromCheck = latest?.versions.find((v) => version === undefined || v.versionId === version)?.drifted ?? [];
  const driftedFeatures = [...new Set([...(feature ? [feature] : []), ...fromCheck])];
  const measured = feature ? `${feature} ${metric ?? 'score'} ${incident.observed_value ?? '?'} above ${incident.threshold_value ?? '?'}` : (incident.summary ?? incident.condition_name ?? 'drift');
  const reason = `drift: ${measured} (incident ${incidentId}, policy ${JSON.stringify(incident.policy_name)}); drifted features: ${driftedFeatures.join(', ') || 'unknown'}`;
  const period = Math.max(0, Math.floor((ctx.now().getTime() / 1000 - incident.started_at) / spec.durations.retrainCooldown));
  const outcome = await requestAutomaticRetrain(ctx, {
    model, trigger: 'drift', requestId: `drift-${incidentSlug(incidentId)}-p${period}`, reason, driftedFeatures, subject: incidentId,
    ...(version ? { version: `${vertexModelName(ctx.settings, model)}@${version}` } : {}),
    details: { incidentId, policy: incident.policy_name, condition: incident.condition_name, metric: incident.metric, observedValue: incident.observed_value, thresholdValue: incident.threshold_value, startedAt: incident.started_at },
  });
  switch (outcome.action) {
    case 'TRIGGERED':
      return outcome.repeated ? { action: 'DUPLICATE', model, incidentId } : { action: 'TRIGGERED', model, incidentId, trainingRun: outcome.run.id, driftedFeatures };
    case 'ALREADY_REQUESTED':
      return { action: 'DUPLICATE', model, incidentId };
    case 'DEBOUNCED':
      return { action: 'DEBOUNCED', model, incidentId, until: outcome.until, by: outcome.by };
  }
}
