// submitTrainingRun (Pub/Sub CloudEvent on retraining-requests): placeholder until the control plane lands.
import type { CloudEvent } from '@google-cloud/functions-framework';

export function submitTrainingRun(event: CloudEvent<unknown>): void {
  console.log(JSON.stringify({ severity: 'INFO', message: 'submitTrainingRun received an event', id: event.id }));
}
