// onPipelineRunEvent (Pub/Sub CloudEvent on pipeline-run-events): a finished training run becomes a
// decision, and an approved model a registered version.
import { completeTrainingRun, recordCompletionFailure } from '../control-plane/retraining/complete-training-run.js';
import { PipelineRunEvent } from '../control-plane/retraining/messages.js';
import { log } from '../logging/log.js';
import { pubSubFunction } from './pubsub-function.js';

export const onPipelineRunEvent = pubSubFunction({
  name: 'onPipelineRunEvent',
  describes: 'pipeline event',
  schema: PipelineRunEvent,
  work: async (ctx, runEvent, event) => {
    const result = await completeTrainingRun(ctx, runEvent, event.id);
    log('INFO', 'onPipelineRunEvent: run completed', {
      model: runEvent.model,
      requestId: runEvent.requestId,
      outcome: result.decision?.outcome,
      modelVersion: result.run.modelVersion,
      duplicate: result.duplicate,
    });
  },
  onPermanent: (ctx, runEvent, err) => recordCompletionFailure(ctx, runEvent, err),
});
