// submitTrainingRun (Pub/Sub CloudEvent on retraining-requests): snapshot + PipelineJob.
import { RetrainingRequest } from '../control-plane/retraining/messages.js';
import { failTrainingRun, submitTrainingRun as submit } from '../control-plane/retraining/submit-training-run.js';
import { log } from '../logging/log.js';
import { pubSubFunction } from './pubsub-function.js';

export const submitTrainingRun = pubSubFunction({
  name: 'submitTrainingRun',
  describes: 'retraining request',
  schema: RetrainingRequest,
  work: async (ctx, request) => {
    const run = await submit(ctx, request);
    log('INFO', 'submitTrainingRun: pipeline submitted', { model: request.model, requestId: request.requestId, trainingRun: run.name, pipelineJob: run.pipelineJob, snapshotRows: run.snapshot?.rowCount });
  },
  onPermanent: (ctx, request, err) => failTrainingRun(ctx, request, err),
});
