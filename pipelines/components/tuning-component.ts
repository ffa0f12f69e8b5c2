// Runs a Vertex HyperparameterTuningJob from inside a pipeline and returns the best trial's
// parameters (the role of Google Cloud Pipeline Components' tuning launcher).
import { artifact, containerComponent, param } from '../dsl/index.js';
import { COMPONENT_IMAGE, moduleCommand } from './image.js';

export function tuningComponent(image: string = COMPONENT_IMAGE) {
  return containerComponent({
    name: 'tune_hyperparameters',
    image,
    inputs: {
      project: param.string(),
      location: param.string(),
      train_data: artifact.dataset(),
      validation_data: artifact.dataset(),
      feature_schema: artifact.generic(),
      target_column: param.string(),
      task_type: param.string({ default: 'regression' }),
      model_type: param.string({ default: 'random_forest' }),
      /** StudySpec.ParameterSpec objects in Vertex's JSON form. */
      study_spec_parameters: param.list({ items: 'STRUCT' }),
      metric_id: param.string(),
      /** MAXIMIZE or MINIMIZE: always explicit, Vertex defaults to MAXIMIZE. */
      metric_goal: param.string(),
      algorithm: param.string({ default: 'RANDOM_SEARCH' }),
      max_trial_count: param.int({ default: 12 }),
      parallel_trial_count: param.int({ default: 2 }),
      max_failed_trial_count: param.int({ default: 3 }),
      trial_machine_type: param.string({ default: 'n1-standard-4' }),
      /** How often the step checks on the tuning job. */
      poll_interval_seconds: param.double({ default: 30 }),
    },
    outputs: {
      best_hyperparameters: param.struct(),
      best_metric_value: param.double(),
      trials: artifact.generic({ description: 'Every trial with its parameters, measurements and state.' }),
      gcp_resources: param.string({ description: 'The HyperparameterTuningJob resource, as Google Cloud Pipeline Components report it.' }),
    },
    command: () => moduleCommand('tune'),
    args: ({ inputs, outputs }) => [
      '--project', inputs.project,
      '--location', inputs.location,
      '--train-data', inputs.train_data.uri,
      '--validation-data', inputs.validation_data.uri,
      '--feature-schema', inputs.feature_schema.uri,
      '--target-column', inputs.target_column,
      '--task-type', inputs.task_type,
      '--model-type', inputs.model_type,
      '--study-spec-parameters', inputs.study_spec_parameters,
      '--metric-id', inputs.metric_id,
      '--metric-goal', inputs.metric_goal,
      '--algorithm', inputs.algorithm,
      '--max-trial-count', inputs.max_trial_count,
      '--parallel-trial-count', inputs.parallel_trial_count,
      '--max-failed-trial-count', inputs.max_failed_trial_count,
      '--trial-machine-type', inputs.trial_machine_type,
      '--trial-image', image,
      '--poll-interval-seconds', inputs.poll_interval_seconds,
      '--base-output-directory', '{{$.pipeline_root}}/tuning/{{$.pipeline_task_uuid}}',
      '--best-hyperparameters', outputs.best_hyperparameters,
      '--best-metric-value', outputs.best_metric_value,
      '--trials', outputs.trials.path,
      '--gcp-resources', outputs.gcp_resources,
    ],
  });
}
