// An evaluation request's PipelineJob: the evaluation pipeline over the evaluated version's
// artifacts, split and judged with the model's own training parameters, under the training runs'
// id scheme and labels; and the evaluated version's resolution, whose failures are permanent.
import { describe, expect, it } from 'vitest';
import { parseModelSpec, resolveForEnvironment } from '../../../control-plane/config/load-model-specs.js';
import type { ResolvedModelSpec } from '../../../control-plane/config/load-model-specs.js';
import { ControlPlaneError, isTransient } from '../../../control-plane/errors.js';
import type { PipelineRunInput } from '../../../control-plane/retraining/pipeline-run.js';
import { buildEvaluationPipelineJob, buildTrainingPipelineJob, evaluationRunParameters } from '../../../control-plane/retraining/pipeline-run.js';
import { evaluatedVersion, newTrainingRun } from '../../../control-plane/retraining/submit-training-run.js';
import type { ControlPlaneContext } from '../../../control-plane/runtime/context.js';
import type { ControlPlaneSettings } from '../../../control-plane/runtime/settings.js';
import type { TrainingRunRecord } from '../../../control-plane/state/training-runs.js';
import { fromProtoValue, fromStruct } from '../../../vertex/shared/struct.js';
import { shippedText } from '../config/support.js';

const settings: ControlPlaneSettings = { projectId: 'my-project', region: 'us-central1', environment: 'dev', stateBucket: 'my-project-mlops-state', pipelineBucket: 'my-project-pipelines' };
const spec: ResolvedModelSpec = resolveForEnvironment(parseModelSpec(shippedText, 'models/flight-delay.yaml'), 'dev');
const now = new Date('2026-12-02T10:00:00Z');

function run(trigger: 'api' | 'evaluation', requestId: string): TrainingRunRecord {
  return newTrainingRun({
    requestId,
    model: 'flight-delay',
    trigger,
    reason: '',
    requestTime: now.toISOString(),
    ...(trigger === 'evaluation' ? { evaluatedVersion: '3' } : {}),
  }, now);
}

const input = (r: TrainingRunRecord): PipelineRunInput => ({
  spec, run: r, settings, trainingDataUri: 'gs://my-project-pipelines/snapshots/flight-delay/e1/', championModelUri: 'gs://my-project-pipelines/pipeline-root/champion/serving',
});
const evaluationInput = (r: TrainingRunRecord) => ({ ...input(r), candidateModelUri: 'gs://my-project-pipelines/pipeline-root/v3/serving', candidateVersionId: '3' });

const parameters = (request: ReturnType<typeof buildTrainingPipelineJob>) =>
  Object.fromEntries(Object.entries(request.pipelineJob?.runtimeConfig?.parameterValues ?? {}).map(([k, v]) => [k, fromProtoValue(v)]));

describe('the evaluation PipelineJob', () => {
  const evaluationRun = run('evaluation', 'evaluation-1');
  const request = buildEvaluationPipelineJob(evaluationInput(evaluationRun));

  it('runs the evaluation pipeline on the snapshot, with the evaluated version as candidate and the champion to compare with', () => {
    expect((fromStruct(request.pipelineJob!.pipelineSpec) as { pipelineInfo: { name: string } }).pipelineInfo.name).toBe('evaluation-pipeline');
    expect(parameters(request)).toMatchObject({
      training_data_uri: 'gs://my-project-pipelines/snapshots/flight-delay/e1/',
      candidate_model_uri: 'gs://my-project-pipelines/pipeline-root/v3/serving',
      champion_model_uri: 'gs://my-project-pipelines/pipeline-root/champion/serving',
      events_topic: 'projects/my-project/topics/pipeline-run-events',
      model_name: 'flight-delay',
      request_id: 'evaluation-1',
    });
  });

  it("splits and judges with the model's training parameters, leaving out those only training takes", () => {
    const training = parameters(buildTrainingPipelineJob(input(run('api', 'evaluation-1'))));
    const evaluation = parameters(request);
    // The spec's model_type and hyperparameters train a model; the evaluated one exists.
    expect(training).toMatchObject({ model_type: 'ridge', hyperparameters: {} });
    expect(evaluation).not.toHaveProperty('model_type');
    expect(evaluation).not.toHaveProperty('hyperparameters');
    for (const name of ['target_column', 'task_type', 'time_column', 'split_strategy', 'thresholds', 'comparison_metric', 'min_improvement', 'confidence', 'bootstrap_samples']) {
      expect(evaluation[name], name).toEqual(training[name]);
    }
    expect(evaluation.thresholds).toEqual({ r2: { min: -0.05 }, rmse: { max: 60 } });
    expect(Object.keys(evaluationRunParameters(evaluationInput(evaluationRun))).sort()).toEqual(Object.keys(evaluation).sort());
  });

  it("has a job id derived from the request, and the training runs' labels with the trigger and the evaluated version", () => {
    expect(buildEvaluationPipelineJob(evaluationInput(evaluationRun)).pipelineJobId).toBe(request.pipelineJobId);
    expect(buildEvaluationPipelineJob(evaluationInput(run('evaluation', 'evaluation-2'))).pipelineJobId).not.toBe(request.pipelineJobId);
    expect(request.pipelineJobId).toMatch(/^evaluation-pipeline-/);
    expect(request.parent).toBe('projects/my-project/locations/us-central1');
    expect(request.pipelineJob!.labels).toEqual({
      model: 'flight-delay', trigger: 'evaluation', request_id: 'evaluation-1', training_run: evaluationRun.id, evaluated_version: '3',
    });
    expect(request.pipelineJob!.displayName).toBe('flight-delay evaluation evaluation-1');
  });
});

describe('evaluatedVersion', () => {
  /** A context whose Model Registry answers getModel with `answer`. */
  function context(answer: (name: string) => unknown): { ctx: ControlPlaneContext; asked: string[] } {
    const asked: string[] = [];
    // As the client does: a failure is a rejected promise.
    const getModel = ({ name }: { name: string }) => {
      asked.push(name);
      return Promise.resolve().then(() => [answer(name)]);
    };
    return { ctx: { settings, clients: { models: () => Promise.resolve({ getModel }) } } as unknown as ControlPlaneContext, asked };
  }
  const fail = (code: number, message: string) => () => {
    throw Object.assign(new Error(message), { code });
  };

  it("resolves the run's version id to the Model's artifactUri", async () => {
    const { ctx, asked } = context((name) => ({ name: name.split('@')[0], versionId: '3', artifactUri: 'gs://b/serving' }));
    await expect(evaluatedVersion(ctx, run('evaluation', 'e1'))).resolves.toEqual({
      name: 'projects/my-project/locations/us-central1/models/flight-delay@3', versionId: '3', artifactUri: 'gs://b/serving',
    });
    expect(asked).toEqual(['projects/my-project/locations/us-central1/models/flight-delay@3']);
  });

  it('a version that is gone or has no artifacts is a permanent failure; a transient error stays transient', async () => {
    const gone = evaluatedVersion(context(fail(5, '5 NOT_FOUND')).ctx, run('evaluation', 'e1'));
    await expect(gone).rejects.toThrow('models/flight-delay has no version 3 to evaluate');
    await expect(gone).rejects.toBeInstanceOf(ControlPlaneError);
    const empty = evaluatedVersion(context(() => ({ versionId: '3', artifactUri: '' })).ctx, run('evaluation', 'e1'));
    await expect(empty).rejects.toThrow(/has no artifactUri/);
    const error = await evaluatedVersion(context(fail(14, '14 UNAVAILABLE')).ctx, run('evaluation', 'e1')).catch((e: unknown) => e);
    expect(isTransient(error)).toBe(true);
    const noVersion = { ...run('evaluation', 'e1'), evaluatedVersion: undefined };
    const refused = await evaluatedVersion(context(() => ({})).ctx, noVersion).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ControlPlaneError);
    expect(isTransient(refused)).toBe(false);
  });
});
