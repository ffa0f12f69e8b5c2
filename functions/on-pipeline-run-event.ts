// onPipelineRunEvent (Pub/Sub CloudEvent on pipeline-run-events): a finished training run becomes a
// decision, and an approved model a registered version; a finished tuning run (its PipelineJob says
// which) becomes its result and a training request for its best trial.
import { completeTrainingRun, recordCompletionFailure } from '../control-plane/retraining/complete-training-run.js';
import { PipelineRunEvent } from '../control-plane/retraining/messages.js';
import { isTuningRunEvent } from '../control-plane/tuning/run-events.js';
import { log } from '../logging/log.js';
import { pubSubFunction } from './pubsub-function.js';

/** The tuning completion (and its plots' renderer) is loaded by the first tuning event only. */
const tuningCompletion = () => import('../control-plane/tuning/complete-tuning-run.js');

export const onPipelineRunEvent = pubSubFunction({
  name: 'onPipelineRunEvent',
  describes: 'pipeline event',
  schema: PipelineRunEvent,
  work: async (ctx, runEvent, event) => {
    if (isTuningRunEvent(ctx.settings, runEvent)) {
      const result = await (await tuningCompletion()).completeTuningRun(ctx, runEvent, event.id);
      log('INFO', 'onPipelineRunEvent: tuning run completed', {
        model: runEvent.model,
        requestId: runEvent.requestId,
        state: result.run.state,
        bestTrial: result.run.bestTrial?.id,
        trainingRun: result.run.trainingRun,
        duplicate: result.duplicate,
      });
      return;
    }
    const result = await completeTrainingRun(ctx, runEvent, event.id);
    log('INFO', 'onPipelineRunEvent: run completed', {
      model: runEvent.model,
      requestId: runEvent.requestId,
      outcome: result.decision?.outcome,
      modelVersion: result.run.modelVersion,
      duplicate: result.duplicate,
    });
  },
  onPermanent: async (ctx, runEvent, err) => {
    if (isTuningRunEvent(ctx.settings, runEvent)) await (await tuningCompletion()).recordTuningCompletionFailure(ctx, runEvent, err);
    else await recordCompletionFailure(ctx, runEvent, err);
  },
});
