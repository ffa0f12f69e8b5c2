// Which completion events on pipeline-run-events are a tuning run's: the tuning pipeline's exit
// handler publishes the same event as training (model_name, request_id), so the PipelineJob decides.
// A tuning run's job id derives from (model, "tuning", request id), known without reading any state,
// so an event that overtakes the run's record of its job is still routed right.
import { TUNING_PIPELINE_NAME } from '../../pipelines/definitions/tuning-pipeline.js';
import { pipelineJobId } from '../../vertex/requests/pipeline-job.js';
import type { PipelineRunEvent } from '../retraining/messages.js';
import { samePipelineJob } from '../retraining/pipeline-job-name.js';
import type { ControlPlaneSettings } from '../runtime/settings.js';

/** The tuning job's run key: never a training run's (`model/requestId`). */
export function tuningRunKey(model: string, requestId: string): string {
  return `${model}/tuning/${requestId}`;
}

/** The tuning run's PipelineJob resource name, known before the job is created. */
export function tuningPipelineJobName(settings: ControlPlaneSettings, model: string, requestId: string): string {
  return `projects/${settings.projectId}/locations/${settings.region}/pipelineJobs/${pipelineJobId(TUNING_PIPELINE_NAME, tuningRunKey(model, requestId))}`;
}

/** Whether the event announces the end of the tuning run of its (model, request id); Vertex may name the project by number. */
export function isTuningRunEvent(settings: ControlPlaneSettings, event: PipelineRunEvent): boolean {
  return samePipelineJob(event.pipelineJob, tuningPipelineJobName(settings, event.model, event.requestId));
}
