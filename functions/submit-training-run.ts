// submitTrainingRun (Pub/Sub CloudEvent on retraining-requests): snapshot + PipelineJob.
import type { CloudEvent } from '@google-cloud/functions-framework';
import { deadLetter, settle } from '../control-plane/api/event-outcome.js';
import { decodePubSubEvent } from '../control-plane/api/pubsub-message.js';
import { RetrainingRequest } from '../control-plane/retraining/messages.js';
import { failTrainingRun, submitTrainingRun as submit } from '../control-plane/retraining/submit-training-run.js';
import { controlPlaneFromEnvironment } from '../control-plane/runtime/instance.js';
import { log } from '../logging/log.js';

export async function submitTrainingRun(event: CloudEvent<unknown>): Promise<void> {
  const started = performance.now();
  try {
    await handle(event);
  } finally {
    // One line per invocation with its duration: function-seconds are summed from these.
    log('INFO', 'submitTrainingRun invocation', { function: 'submitTrainingRun', eventId: event.id, durationMs: Math.round(performance.now() - started) });
  }
}

async function handle(event: CloudEvent<unknown>): Promise<void> {
  const ctx = controlPlaneFromEnvironment();
  const message = decodePubSubEvent(event.data, RetrainingRequest);
  if (!message.ok) {
    log('ERROR', 'submitTrainingRun: unreadable retraining request, dead-lettered', { reason: message.reason, messageId: message.messageId });
    await deadLetter(ctx, 'submitTrainingRun', message.reason, message.raw, message.attributes);
    return;
  }
  const request = message.value;
  await settle(
    'submitTrainingRun',
    async () => {
      const run = await submit(ctx, request);
      log('INFO', 'submitTrainingRun: pipeline submitted', { model: request.model, requestId: request.requestId, trainingRun: run.name, pipelineJob: run.pipelineJob, snapshotRows: run.snapshot?.rowCount });
    },
    (err) => failTrainingRun(ctx, request, err),
  );
}
