// The training PipelineJob for one request: the model's pipeline, compiled in this process (see
// pipelineDefinition), with the spec's parameters, the request's overrides and what the control
// plane sets per run; its id derives from the request id, so a second submission is ALREADY_EXISTS.
import type { JsonValue } from '../../pipelines/ir/index.js';
import { projectPipelineJobRequest } from '../../vertex/requests/project-pipeline-job.js';
import type { ICreatePipelineJobRequest } from '../../vertex/shared/proto-types.js';
import type { ResolvedModelSpec } from '../config/load-model-specs.js';
import { pipelineDefinition, specPipelineParameters } from '../config/pipeline-parameters.js';
import { TOPICS, topicName } from '../config/topics.js';
import type { ControlPlaneSettings } from '../runtime/settings.js';
import type { TrainingRunRecord } from '../state/training-runs.js';

export interface PipelineRunInput {
  readonly spec: ResolvedModelSpec;
  readonly run: TrainingRunRecord;
  readonly settings: ControlPlaneSettings;
  /** The snapshot folder the pipeline trains on. */
  readonly trainingDataUri: string;
  /** The champion's serving artifacts (its Model's artifactUri), or '' when there is none. */
  readonly championModelUri: string;
}

/** Label values: lowercase letters, digits, `-` and `_`, at most 63. */
export function labelValue(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9_-]+/g, '-').slice(0, 63);
}

/** The per-run parameters the control plane sets (the spec sets the others). */
export function runParameters(input: PipelineRunInput): Record<string, JsonValue> {
  const { spec, run, settings } = input;
  const parameters: Record<string, JsonValue> = {
    ...specPipelineParameters(spec),
    ...((run.parameterOverrides ?? {}) as Record<string, JsonValue>),
    training_data_uri: input.trainingDataUri,
    champion_model_uri: input.championModelUri,
    events_topic: topicName(settings.projectId, TOPICS.pipelineRunEvents),
    model_name: spec.name,
    request_id: run.requestId,
  };
  if (spec.pipeline.name === 'training-pipeline-hpt') {
    parameters.project = settings.projectId;
    parameters.location = settings.region;
  }
  return parameters;
}

export function buildTrainingPipelineJob(input: PipelineRunInput): ICreatePipelineJobRequest {
  const { spec, run, settings } = input;
  const serviceAccount = spec.pipeline.serviceAccount ?? settings.pipelineServiceAccount;
  return projectPipelineJobRequest(pipelineDefinition(spec.pipeline.name), {
    project: settings.projectId,
    location: settings.region,
    runKey: `${spec.name}/${run.requestId}`,
    displayName: `${spec.name} ${run.trigger} ${run.requestId}`.slice(0, 128),
    gcsOutputDirectory: `gs://${settings.pipelineBucket}/pipeline-root`,
    parameterValues: runParameters(input),
    labels: {
      model: labelValue(spec.name),
      trigger: labelValue(run.trigger),
      request_id: labelValue(run.requestId),
      training_run: labelValue(run.id),
    },
    enableCaching: run.enableCaching ?? spec.pipeline.enableCaching,
    ...(serviceAccount ? { serviceAccount } : {}),
  });
}
