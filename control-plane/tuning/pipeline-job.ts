// The tuning run's PipelineJob: the tuning pipeline over the run's snapshot, with the spec's split
// and data checks, the run's study, and the labels the pipeline puts on its HyperparameterTuningJob.
// Its id derives from (model, "tuning", request id): apart from the training run of the same
// request id, and known before the job exists, which is how completion events are told apart.
import type { JsonValue } from '../../pipelines/ir/index.js';
import { toLabelValue } from '../../vertex/shared/labels.js';
import type { ICreatePipelineJobRequest } from '../../vertex/shared/proto-types.js';
import type { ResolvedModelSpec } from '../config/load-model-specs.js';
import { pipelineDefinition, specPipelineParameters } from '../config/pipeline-parameters.js';
import { TOPICS, topicName } from '../config/topics.js';
import { modelPipelineJobRequest } from '../retraining/pipeline-run.js';
import type { ControlPlaneSettings } from '../runtime/settings.js';
import type { TuningRunRecord } from '../state/tuning-runs.js';
import { TUNING_PIPELINE_NAME } from '../../pipelines/definitions/tuning-pipeline.js';
import { tuningRunKey } from './run-events.js';
import { tuningJobLabels } from './tuning-job.js';

/** How often the tune task looks at its HyperparameterTuningJob: seconds locally, where trials take seconds. */
function pollSeconds(settings: ControlPlaneSettings): number {
  return settings.environment === 'local' ? 2 : 30;
}

/** The tuning pipeline's parameters for the run. */
export function tuningRunParameters(spec: ResolvedModelSpec, run: TuningRunRecord, settings: ControlPlaneSettings): Record<string, JsonValue> {
  if (!run.snapshot) throw new Error(`tuning run ${run.id} has no snapshot yet`);
  // The spec's split, data checks and columns, where the tuning pipeline takes them: trials split as the training run will.
  const declared = pipelineDefinition(TUNING_PIPELINE_NAME).inputs;
  const fromSpec = Object.entries(specPipelineParameters(spec)).filter(([name]) => name in declared);
  const { study } = run;
  return {
    ...Object.fromEntries(fromSpec),
    training_data_uri: run.snapshot.uri,
    events_topic: topicName(settings.projectId, TOPICS.pipelineRunEvents),
    model_name: spec.name,
    request_id: run.requestId,
    project: settings.projectId,
    location: settings.region,
    study_spec_parameters: study.parameters,
    metric_id: study.metric.id,
    metric_goal: study.metric.goal,
    algorithm: study.algorithm,
    max_trial_count: study.maxTrialCount,
    parallel_trial_count: study.parallelTrialCount,
    max_failed_trial_count: study.maxFailedTrialCount,
    early_stopping: study.earlyStopping,
    tuning_job_labels: tuningJobLabels(spec.name, run.id),
    // Trials run as the pipeline's own account, not Vertex's service agent.
    trial_service_account: spec.pipeline.serviceAccount ?? settings.pipelineServiceAccount ?? '',
    tuning_poll_seconds: pollSeconds(settings),
  };
}

export function buildTuningPipelineJob(spec: ResolvedModelSpec, run: TuningRunRecord, settings: ControlPlaneSettings): ICreatePipelineJobRequest {
  return modelPipelineJobRequest(TUNING_PIPELINE_NAME, spec, settings, tuningRunParameters(spec, run, settings), {
    runKey: tuningRunKey(spec.name, run.requestId),
    displayName: `${spec.name} tuning ${run.requestId}`,
    labels: {
      model: toLabelValue(spec.name),
      trigger: 'tuning',
      request_id: toLabelValue(run.requestId),
      tuning_run: toLabelValue(run.id),
    },
    enableCaching: spec.pipeline.enableCaching,
  });
}

