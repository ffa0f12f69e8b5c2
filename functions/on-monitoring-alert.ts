// onMonitoringAlert (Pub/Sub CloudEvent on model-monitoring-alerts): a Cloud Monitoring incident
// from a model's drift alert policy, delivered by its Pub/Sub notification channel, becomes a
// debounced retraining request. Unreadable incidents, and incidents that can never be handled
// (no managed model), are dead-lettered with the reason.
import { deadLetter } from '../control-plane/api/event-outcome.js';
import { IncidentNotification } from '../control-plane/drift/incident.js';
import { handleMonitoringAlert } from '../control-plane/drift/on-monitoring-alert.js';
import { log } from '../logging/log.js';
import { pubSubFunction } from './pubsub-function.js';

export const onMonitoringAlert = pubSubFunction({
  name: 'onMonitoringAlert',
  describes: 'monitoring incident',
  schema: IncidentNotification,
  work: async (ctx, notification) => {
    const outcome = await handleMonitoringAlert(ctx, notification.incident);
    log('INFO', `onMonitoringAlert: ${outcome.action.toLowerCase().replace('_', ' ')}`, { ...outcome });
  },
  // No run to record a failure on: the incident is parked as it arrived, with why.
  onPermanent: (ctx, _notification, err, delivered) => deadLetter(ctx, 'onMonitoringAlert', String((err as Error)?.message ?? err), delivered.raw, delivered.attributes),
});
