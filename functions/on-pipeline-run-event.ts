// onPipelineRunEvent (Pub/Sub CloudEvent on pipeline-run-events): placeholder until the control plane lands.
import type { CloudEvent } from '@google-cloud/functions-framework';

export function onPipelineRunEvent(event: CloudEvent<unknown>): void {
  console.log(JSON.stringify({ severity: 'INFO', message: 'onPipelineRunEvent received an event', id: event.id }));
}
