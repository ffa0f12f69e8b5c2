// The PipelineJob for one request: the model's training pipeline (or, for an evaluation request,
// the evaluation pipeline), compiled in this process (see pipelineDefinition), with the spec's
// parameters, the request's overrides and what the control plane sets per run; its id derives from
// the request id, so a second submission is ALREADY_EXISTS.
import type { JsonValue } from '../../pipelines/ir/index.js';
import { EVALUATION_PIPELINE_NAME } from '../../pipelines/definitions/evaluation-pipeline.js';
import { toLabelValue } from '../../vertex/shared/labels.js';
import { projectPipelineJobRequest } from '../../vertex/requests/project-pipeline-job.js';
import type { ICreatePipelineJobRequest } from '../../vertex/shared/proto-types.js';
import type { ResolvedModelSpec } from '../config/load-model-specs.js';
import type { ProjectPipelineName } from '../config/pipeline-parameters.js';
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

export interface EvaluationRunInput extends PipelineRunInput {
  /** The evaluated version's serving artifacts (its Model's artifactUri). */
  readonly candidateModelUri: string;
  /** The evaluated version's number, for the job's labels. */
  readonly candidateVersionId: string;
}

/** What every run's completion event and champion comparison need, set by the control plane. */
function controlPlaneParameters(input: PipelineRunInput): Record<string, JsonValue> {
  return {
    training_data_uri: input.trainingDataUri,
    champion_model_uri: input.championModelUri,
    events_topic: topicName(input.settings.projectId, TOPICS.pipelineRunEvents),
    model_name: input.spec.name,
    request_id: input.run.requestId,
  };
}

/** The spec's parameters with the request's overrides. */
function requestedParameters({ spec, run }: PipelineRunInput): Record<string, JsonValue> {
  return { ...specPipelineParameters(spec), ...((run.parameterOverrides ?? {}) as Record<string, JsonValue>) };
}

/** The per-run parameters the control plane sets (the spec sets the others). */
export function runParameters(input: PipelineRunInput): Record<string, JsonValue> {
  const parameters: Record<string, JsonValue> = { ...requestedParameters(input), ...controlPlaneParameters(input) };
  if (input.spec.pipeline.name === 'training-pipeline-hpt') {
    parameters.project = input.settings.projectId;
    parameters.location = input.settings.region;
    // Its trials run as the pipeline's own account, not Vertex's service agent.
    parameters.trial_service_account = input.spec.pipeline.serviceAccount ?? input.settings.pipelineServiceAccount ?? '';
  }
  return parameters;
}

/**
 * The evaluation pipeline's parameters: of the spec's (and the request's), those the evaluation
 * pipeline declares too (the data checks, the split and its seed, the gate and the comparison
 * policy), so that it splits and judges as the model's training runs do; training-only ones
 * (model_type, hyperparameters, tuning) do not apply to a model that exists.
 */
export function evaluationRunParameters(input: EvaluationRunInput): Record<string, JsonValue> {
  const declared = pipelineDefinition(EVALUATION_PIPELINE_NAME).inputs;
  const shared = Object.entries(requestedParameters(input)).filter(([name]) => name in declared);
  return { ...Object.fromEntries(shared), ...controlPlaneParameters(input), candidate_model_uri: input.candidateModelUri };
}

/** How one run of a model's pipeline is named, labelled and cached. */
export interface ModelPipelineRun {
  /** Determines the PipelineJob id: the same key, the same job (ALREADY_EXISTS). */
  readonly runKey: string;
  readonly displayName: string;
  readonly labels: Record<string, string>;
  readonly enableCaching: boolean;
}

/** A PipelineJob of one of the project's pipelines for a model: its pipeline root, service account and the run's naming. */
export function modelPipelineJobRequest(
  pipeline: ProjectPipelineName,
  spec: ResolvedModelSpec,
  settings: ControlPlaneSettings,
  parameterValues: Record<string, JsonValue>,
  run: ModelPipelineRun,
): ICreatePipelineJobRequest {
  const serviceAccount = spec.pipeline.serviceAccount ?? settings.pipelineServiceAccount;
  return projectPipelineJobRequest(pipelineDefinition(pipeline), {
    project: settings.projectId,
    location: settings.region,
    runKey: run.runKey,
    displayName: run.displayName.slice(0, 128),
    gcsOutputDirectory: `gs://${settings.pipelineBucket}/pipeline-root`,
    parameterValues,
    labels: run.labels,
    enableCaching: run.enableCaching,
    ...(serviceAccount ? { serviceAccount } : {}),
  });
}

function pipelineJobRequest(
  pipeline: ProjectPipelineName,
  input: PipelineRunInput,
  parameterValues: Record<string, JsonValue>,
  labels: Record<string, string> = {},
): ICreatePipelineJobRequest {
  const { spec, run, settings } = input;
  return modelPipelineJobRequest(pipeline, spec, settings, parameterValues, {
    runKey: `${spec.name}/${run.requestId}`,
    displayName: `${spec.name} ${run.trigger} ${run.requestId}`,
    labels: {
      model: toLabelValue(spec.name),
      trigger: toLabelValue(run.trigger),
      request_id: toLabelValue(run.requestId),
      training_run: toLabelValue(run.id),
      ...labels,
    },
    enableCaching: run.enableCaching ?? spec.pipeline.enableCaching,
  });
}

export function buildTrainingPipelineJob(input: PipelineRunInput): ICreatePipelineJobRequest {
  return pipelineJobRequest(input.spec.pipeline.name, input, runParameters(input));
}

/** The evaluation PipelineJob of an evaluation request: the same id scheme, labels and caching as training. */
export function buildEvaluationPipelineJob(input: EvaluationRunInput): ICreatePipelineJobRequest {
  return pipelineJobRequest(EVALUATION_PIPELINE_NAME, input, evaluationRunParameters(input), { evaluated_version: toLabelValue(input.candidateVersionId) });
}
