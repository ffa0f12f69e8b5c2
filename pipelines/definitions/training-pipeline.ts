// The training pipeline: validate → preprocess and split → train → evaluate → gate, compare with
// the champion → export. Data that fails validation fails the run (the report's reason is the
// error). The whole body runs inside an exit handler whose exit task publishes the run's end to
// Pub/Sub; KFP allows no pipeline outputs from inside an exit handler, so the gate's decision and
// the champion comparison are read from their tasks' details (`TRAINING_PIPELINE_TASKS` in
// training-tasks.ts; vertex/shared/gate-decision.ts reads them). Uploading and deploying the
// exported model is the control plane's job once the run succeeds with an approved model.
import type { PipelineBuilder } from '../dsl/builder.js';
import type { ArtifactChannel, ParameterChannel } from '../dsl/index.js';
import { definePipeline, eq, param } from '../dsl/index.js';
import { MODEL_TYPES } from '../components/closed-sets.js';
import { COMPONENT_IMAGE } from '../components/image.js';
import { trainingComponents } from '../components/training-components.js';
import { tuningComponent } from '../components/tuning-component.js';
import { DEFAULT_SEARCH_SPACE } from './search-spaces.js';
import type { InputChannels, Split } from './shared-steps.js';
import { announcedRun, judgedModel, judgingInputs, runEventInputs, snapshotInputs, splitInputs, validatedSplit } from './shared-steps.js';

export interface TrainingPipelineOptions {
  /** Container image of the project's Python components. */
  componentImage?: string;
}

const commonInputs = {
  ...snapshotInputs,
  model_type: param.string({ default: 'random_forest', oneOf: MODEL_TYPES }),
  ...splitInputs,
  ...judgingInputs,
  ...runEventInputs,
};

type CommonInputs = InputChannels<typeof commonInputs>;

/** The exit handler around the steps both variants share; `trainStep` supplies the model. */
function trainingBody(
  p: PipelineBuilder,
  inputs: CommonInputs,
  image: string,
  trainStep: (split: Split) => ArtifactChannel,
): void {
  const c = trainingComponents(image);
  announcedRun(p, image, inputs, () => {
    const split = validatedSplit(p, c, inputs);
    const model = trainStep(split);
    const approved = judgedModel(p, c, inputs, model, split.test);
    p.if(eq(approved, true), () => {
      p.task(c.exportServing, {
        model,
        train_data: split.train,
        feature_schema: split.schema,
        target_column: inputs.target_column,
        model_type: inputs.model_type,
      });
    }, { name: 'approved' });
  });
}

/** The final fit, on the train split with the given hyperparameters. */
function fitModel(p: PipelineBuilder, image: string, inputs: CommonInputs, split: Split, hyperparameters: ParameterChannel): ArtifactChannel {
  const train = p.task(trainingComponents(image).train, {
    train_data: split.train,
    validation_data: split.validation,
    feature_schema: split.schema,
    target_column: inputs.target_column,
    task_type: inputs.task_type,
    model_type: inputs.model_type,
    hyperparameters,
    random_seed: inputs.random_seed,
  });
  train.setCpuLimit('4').setMemoryLimit('16G');
  return train.outputs.model;
}

export function trainingPipeline(options: TrainingPipelineOptions = {}) {
  const image = options.componentImage ?? COMPONENT_IMAGE;
  return definePipeline(
    {
      name: 'training-pipeline',
      description: 'Validate, split, train, evaluate and gate a tabular model; export the serving artifact when approved.',
      inputs: { ...commonInputs, hyperparameters: param.struct({ default: {} }) },
    },
    (p, inputs) => trainingBody(p, inputs, image, (split) => fitModel(p, image, inputs, split, inputs.hyperparameters)),
  );
}

/** The same pipeline whose training step is a Vertex HyperparameterTuningJob, then a refit with the best trial. */
export function trainingPipelineWithTuning(options: TrainingPipelineOptions = {}) {
  const image = options.componentImage ?? COMPONENT_IMAGE;
  return definePipeline(
    {
      name: 'training-pipeline-hpt',
      description: 'The training pipeline with hyperparameter tuning on Vertex AI before the final fit.',
      inputs: {
        ...commonInputs,
        project: param.string(),
        location: param.string({ default: 'us-central1' }),
        study_spec_parameters: param.list({ items: 'STRUCT', default: DEFAULT_SEARCH_SPACE.random_forest }),
        metric_id: param.string({ default: 'rmse' }),
        metric_goal: param.string({ default: 'MINIMIZE' }),
        algorithm: param.string({ default: 'RANDOM_SEARCH' }),
        max_trial_count: param.int({ default: 12 }),
        parallel_trial_count: param.int({ default: 2 }),
        tuning_poll_seconds: param.double({ default: 30 }),
        trial_service_account: param.string({ default: '', description: "The trials' service account: the PipelineJob's serviceAccount ('': Vertex's service agent)." }),
      },
    },
    (p, inputs) => {
      const tune = tuningComponent(image);
      return trainingBody(p, inputs, image, (split) => {
        const tuning = p.task(tune, {
          project: inputs.project,
          location: inputs.location,
          train_data: split.train,
          validation_data: split.validation,
          feature_schema: split.schema,
          target_column: inputs.target_column,
          task_type: inputs.task_type,
          model_type: inputs.model_type,
          study_spec_parameters: inputs.study_spec_parameters,
          metric_id: inputs.metric_id,
          metric_goal: inputs.metric_goal,
          algorithm: inputs.algorithm,
          max_trial_count: inputs.max_trial_count,
          parallel_trial_count: inputs.parallel_trial_count,
          poll_interval_seconds: inputs.tuning_poll_seconds,
          random_seed: inputs.random_seed,
          service_account: inputs.trial_service_account,
        });
        return fitModel(p, image, inputs, split, tuning.outputs.best_hyperparameters);
      });
    },
  );
}
