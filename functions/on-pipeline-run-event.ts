// onPipelineRunEvent (Pub/Sub CloudEvent on pipeline-run-events): a finished training run becomes a
// decision, and an approved model a registered version.
import type { CloudEvent } from '@google-cloud/functions-framework';
import { deadLetter, settle } from '../control-plane/api/event-outcome.js';
import { decodePubSubEvent } from '../control-plane/api/pubsub-message.js';
import { completeTrainingRun, recordCompletionFailure } from '../control-plane/retraining/complete-training-run.js';
import { PipelineRunEvent } from '../control-plane/retraining/messages.js';
import { controlPlaneFromEnvironment } from '../control-plane/runtime/instance.js';
import { log } from '../logging/log.js';

export async function onPipelineRunEvent(event: CloudEvent<unknown>): Promise<void> {
  const started = performance.now();
  try {
    await handle(event);
  } finally {
    // One line per invocation with its duration: function-seconds are summed from these.
    log('INFO', 'onPipelineRunEvent invocation', { function: 'onPipelineRunEvent', eventId: event.id, durationMs: Math.round(performance.now() - started) });
  }
}

async function handle(event: CloudEvent<unknown>): Promise<void> {
  const ctx = controlPlaneFromEnvironment();
  const message = decodePubSubEvent(event.data, PipelineRunEvent);
  if (!message.ok) {
    log('ERROR', 'onPipelineRunEvent: unreadable pipeline event, dead-lettered', { reason: message.reason, messageId: message.messageId });
    await deadLetter(ctx, 'onPipelineRunEvent', message.reason, message.raw, message.attributes);
    return;
  }
  const runEvent = message.value;
  await settle(
    'onPipelineRunEvent',
    async () => {
      const result = await completeTrainingRun(ctx, runEvent, event.id);
      log('INFO', 'onPipelineRunEvent: run completed', {
        model: runEvent.model,
        requestId: runEvent.requestId,
        outcome: result.decision?.outcome,
        modelVersion: result.run.modelVersion,
        duplicate: result.duplicate,
      });
    },
    (err) => recordCompletionFailure(ctx, runEvent, err),
  );
}
