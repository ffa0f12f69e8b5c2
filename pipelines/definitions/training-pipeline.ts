// The training pipeline: validate → preprocess and split → train → evaluate → gate, compare with
// the champion → export. Data that fails validation fails the run (the report's reason is the
// error). The whole body runs inside an exit handler whose exit task publishes the run's end to
// Pub/Sub; KFP allows no pipeline outputs from inside an exit handler, so the gate's decision and
// the champion comparison are read from their tasks' details (`TRAINING_PIPELINE_TASKS` in
// training-tasks.ts; vertex/shared/gate-decision.ts reads them). Uploading and deploying the
// exported model is the control plane's job once the run succeeds with an approved model.
import type { PipelineBuilder } from '../dsl/builder.js';
import type { ArtifactChannel, ParameterChannel } from '../dsl/index.js';
import { artifact, definePipeline, eq, param } from '../dsl/index.js';
import { COMPARISON_METRICS, GATE_METRICS, MODEL_TYPES, SPLIT_STRATEGIES, TASK_TYPES } from '../components/closed-sets.js';
import { COMPONENT_IMAGE } from '../components/image.js';
import { runEventComponent } from '../components/run-event-component.js';
import { trainingComponents } from '../components/training-components.js';
import { tuningComponent } from '../components/tuning-component.js';
import { DEFAULT_SEARCH_SPACE } from './search-spaces.js';

export interface TrainingPipelineOptions {
  /** Container image of the project's Python components. */
  componentImage?: string;
}

const commonInputs = {
  training_data_uri: param.string({ description: 'gs:// URI of the training snapshot exported from BigQuery.' }),
  target_column: param.string(),
  task_type: param.string({ default: 'regression', oneOf: TASK_TYPES }),
  model_type: param.string({ default: 'random_forest', oneOf: MODEL_TYPES }),
  split_strategy: param.string({ default: 'random', oneOf: SPLIT_STRATEGIES }),
  time_column: param.string({ default: '' }),
  validation_fraction: param.double({ default: 0.15 }),
  test_fraction: param.double({ default: 0.15 }),
  random_seed: param.int({ default: 42 }),
  min_row_count: param.int({ default: 100 }),
  max_null_fraction: param.double({ default: 0.2 }),
  column_ranges: param.struct({ default: {} }),
  thresholds: param.struct({ default: { r2: { min: 0.0 } }, keysOneOf: GATE_METRICS }),
  champion_model_uri: param.string({
    default: '',
    description: "The champion version's Vertex Model artifactUri (its serving directory); '' when there is no champion yet.",
  }),
  comparison_metric: param.string({ default: 'rmse', oneOf: COMPARISON_METRICS }),
  min_improvement: param.double({ default: 0.0, description: "How much better the challenger must be, in the metric's units." }),
  confidence: param.double({ default: 0.95 }),
  bootstrap_samples: param.int({ default: 1000 }),
  events_topic: param.string({ default: '', description: "projects/{project}/topics/{topic} for the run's completion event; '' publishes nothing." }),
  model_name: param.string({ default: '', description: 'The managed model this run trains (e.g. flight-delay), echoed in the completion event.' }),
  request_id: param.string({ default: '', description: 'The retraining request this run serves, echoed in the completion event.' }),
};

type CommonInputs = { [K in keyof typeof commonInputs]: ParameterChannel };

/** The exit handler around the steps both variants share; `trainStep` supplies the model. */
function trainingBody(
  p: PipelineBuilder,
  inputs: CommonInputs,
  image: string,
  trainStep: (split: Split) => ArtifactChannel,
): void {
  const c = trainingComponents(image);
  // Created first, as KFP's Python does; it runs last, whatever happened, and must not be cached.
  const runEvent = p
    .task(runEventComponent(image), { events_topic: inputs.events_topic, model_name: inputs.model_name, request_id: inputs.request_id })
    .setCachingOptions(false);
  p.exitHandler(runEvent, () => {
    const snapshot = p.importer({ artifactUri: inputs.training_data_uri, artifactType: artifact.dataset() });
    // A failed check fails this task, and with it the run: nothing downstream starts.
    const validation = p.task(c.validateData, {
      dataset: snapshot.outputs.artifact,
      target_column: inputs.target_column,
      min_row_count: inputs.min_row_count,
      max_null_fraction: inputs.max_null_fraction,
      column_ranges: inputs.column_ranges,
    });
    const split = p.task(c.preprocessSplit, {
      dataset: snapshot.outputs.artifact,
      target_column: inputs.target_column,
      split_strategy: inputs.split_strategy,
      time_column: inputs.time_column,
      validation_fraction: inputs.validation_fraction,
      test_fraction: inputs.test_fraction,
      random_seed: inputs.random_seed,
    }).after(validation);
    const model = trainStep({
      train: split.outputs.train_data,
      validation: split.outputs.validation_data,
      schema: split.outputs.feature_schema,
    });
    const evaluation = p.task(c.evaluate, {
      model,
      test_data: split.outputs.test_data,
      target_column: inputs.target_column,
      task_type: inputs.task_type,
    });
    const gate = p.task(c.gate, { evaluation: evaluation.outputs.evaluation, thresholds: inputs.thresholds });
    // Outside the gate's condition: the comparison is recorded for rejected candidates too.
    p.task(c.compareWithChampion, {
      model,
      test_data: split.outputs.test_data,
      target_column: inputs.target_column,
      task_type: inputs.task_type,
      champion_model_uri: inputs.champion_model_uri,
      comparison_metric: inputs.comparison_metric,
      min_improvement: inputs.min_improvement,
      confidence: inputs.confidence,
      bootstrap_samples: inputs.bootstrap_samples,
      random_seed: inputs.random_seed,
    }).after(evaluation);
    p.if(eq(gate.outputs.approved, true), () => {
      p.task(c.exportServing, {
        model,
        train_data: split.outputs.train_data,
        feature_schema: split.outputs.feature_schema,
        target_column: inputs.target_column,
        model_type: inputs.model_type,
      });
    }, { name: 'approved' });
  });
}

interface Split {
  train: ArtifactChannel;
  validation: ArtifactChannel;
  schema: ArtifactChannel;
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
        });
        return fitModel(p, image, inputs, split, tuning.outputs.best_hyperparameters);
      });
    },
  );
}
