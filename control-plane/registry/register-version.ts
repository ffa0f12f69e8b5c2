// Registration: the approved model becomes a version of the spec's Vertex model (model id = the
// spec's name), with labels linking its training run and PipelineJob, the `challenger` alias (or
// `champion` for the first model ever), and its test evaluation imported in Vertex's metrics schema.
// Idempotent: a version carrying the run's label is the run's version; it is never uploaded twice.
import type { ModelServiceClient } from '../../google-clients/vertex.js';
import { buildImportModelEvaluationRequest } from '../../vertex/requests/import-model-evaluation.js';
import type { EvaluationMetricsInput } from '../../vertex/requests/import-model-evaluation.js';
import { SKLEARN_1_5_CPU, XGBOOST_2_1_CPU } from '../../vertex/requests/prebuilt-containers.js';
import { buildUploadModelRequest } from '../../vertex/requests/upload-model.js';
import { RpcCode, grpcCode } from '../errors.js';
import { toLabelValue } from '../../vertex/shared/labels.js';
import type { ResolvedModelSpec } from '../config/load-model-specs.js';
import { MODEL_CARD_LABEL, withModelCardLink } from '../governance/model-card-link.js';
import type { ControlPlaneContext } from '../runtime/context.js';
import { vertexModelName } from '../runtime/context.js';

const { NOT_FOUND } = RpcCode;

export interface RegistrationInput {
  readonly spec: ResolvedModelSpec;
  readonly runId: string;
  readonly requestId: string;
  readonly pipelineJob: string;
  /** The exported serving directory (gs://). */
  readonly artifactUri: string;
  readonly alias: 'challenger' | 'champion';
  /** Vertex's evaluation metrics for the test split, when the run reported them. */
  readonly evaluation?: EvaluationMetricsInput;
  readonly description: string;
  /** The model type the run trained (the spec's, or the request's override). */
  readonly modelType: string;
  /** The version's model card beside its artifacts: linked from the version description, flagged by a label. */
  readonly modelCard?: { readonly markdownUri: string; readonly htmlUri: string };
}

/** The prebuilt serving image for the model type the spec trains (locally, the project's model server stands in). */
export function servingImage(modelType: string): string {
  return modelType === 'xgboost' ? XGBOOST_2_1_CPU : SKLEARN_1_5_CPU;
}

async function versionOfRun(models: ModelServiceClient, modelName: string, runId: string): Promise<string | undefined> {
  try {
    const [versions] = await models.listModelVersions({ name: modelName, filter: `labels.training_run="${toLabelValue(runId)}"` }, { autoPaginate: true });
    const v = versions[0];
    return v ? `${modelName}@${v.versionId}` : undefined;
  } catch (err) {
    if (grpcCode(err) === NOT_FOUND) return undefined;
    throw err;
  }
}

async function modelExists(models: ModelServiceClient, modelName: string): Promise<boolean> {
  try {
    await models.getModel({ name: modelName });
    return true;
  } catch (err) {
    if (grpcCode(err) === NOT_FOUND) return false;
    throw err;
  }
}

/**
 * The server ignores the ground-truth key each instance carries (so callers can join the actuals
 * with the request-response log), instead of refusing it as an unknown feature.
 */
function servingEnv(spec: RegistrationInput['spec']): { env?: Record<string, string> } {
  const key = spec.rollout.groundTruth?.idField;
  return key === undefined ? {} : { env: { [INSTANCE_KEY_VARIABLE]: key } };
}

/** The model server's variable naming instance fields that are keys, not features (model_server.py). */
export const INSTANCE_KEY_VARIABLE = 'MODEL_SERVER_INSTANCE_KEYS';

/** Uploads (or finds) the run's version and imports its evaluation; returns `projects/.../models/m@N`. */
export async function registerVersion(ctx: ControlPlaneContext, input: RegistrationInput): Promise<string> {
  const models = await ctx.clients.models();
  const modelName = vertexModelName(ctx.settings, input.spec.name);
  let version = await versionOfRun(models, modelName, input.runId);
  if (version === undefined) {
    const exists = await modelExists(models, modelName);
    const modelType = input.modelType;
    const [operation] = await models.uploadModel(
      buildUploadModelRequest({
        project: ctx.settings.projectId,
        location: ctx.settings.region,
        displayName: input.spec.name,
        ...(exists ? { parentModel: modelName } : { modelId: input.spec.name, description: input.spec.description }),
        artifactUri: input.artifactUri,
        container: { imageUri: servingImage(modelType), ...servingEnv(input.spec) },
        versionAliases: [input.alias],
        versionDescription: withModelCardLink(input.description, input.modelCard),
        labels: {
          model: toLabelValue(input.spec.name),
          training_run: toLabelValue(input.runId),
          request_id: toLabelValue(input.requestId),
          pipeline_job: toLabelValue(input.pipelineJob.slice(input.pipelineJob.lastIndexOf('/') + 1)),
          model_type: toLabelValue(modelType),
          ...(input.modelCard ? { model_card: MODEL_CARD_LABEL } : {}),
        },
      }),
    );
    const [response] = await operation.promise();
    version = `${response.model}@${response.modelVersionId}`;
  }
  if (input.evaluation) await importEvaluationOnce(models, version, input.runId, input.evaluation);
  return version;
}

async function importEvaluationOnce(models: ModelServiceClient, version: string, runId: string, evaluation: EvaluationMetricsInput): Promise<void> {
  const displayName = `test split of ${runId}`;
  const [existing] = await models.listModelEvaluations({ parent: version }, { autoPaginate: true });
  if (existing.some((e) => e.displayName === displayName)) return;
  await models.importModelEvaluation(buildImportModelEvaluationRequest({ model: version, displayName, evaluation }));
}
