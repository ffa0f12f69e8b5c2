// submitTuningRun (Pub/Sub CloudEvent on tuning-requests): a recorded tuning run's snapshot + PipelineJob.
import { TuningRequestMessage } from '../control-plane/tuning/messages.js';
import { failTuningRun, submitTuningRun as submit } from '../control-plane/tuning/submit-tuning-run.js';
import { log } from '../logging/log.js';
import { pubSubFunction } from './pubsub-function.js';

export const submitTuningRun = pubSubFunction({
  name: 'submitTuningRun',
  describes: 'tuning request',
  schema: TuningRequestMessage,
  work: async (ctx, request) => {
    const run = await submit(ctx, request);
    log('INFO', 'submitTuningRun: pipeline submitted', { model: request.model, requestId: request.requestId, tuningRun: run.name, state: run.state, pipelineJob: run.pipelineJob, snapshotRows: run.snapshot?.rowCount });
  },
  onPermanent: (ctx, request, err) => failTuningRun(ctx, request, err),
});
