// Runs a Vertex HyperparameterTuningJob from inside a pipeline and returns the best trial's
// parameters (the role of Google Cloud Pipeline Components' tuning launcher).
import { artifact, containerComponent, param } from '../dsl/index.js';
import { COMPONENT_IMAGE, flagArgs, moduleCommand } from './image.js';

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
      /** median, decay_curve or none; '' keeps median stopping for staged models only. */
      early_stopping: param.string({ default: '' }),
      /** Labels of the HyperparameterTuningJob, so that a caller can find it while it runs. */
      labels: param.struct({ default: {} }),
      /** The seed every trial trains with: the refit's, so the best trial is what the refit reproduces. */
      random_seed: param.int({ default: 42 }),
      /** trialJobSpec.serviceAccount; '' leaves it unset (Vertex's service agent). The DSL has no placeholder for the PipelineJob's own. */
      service_account: param.string({ default: '' }),
    },
    outputs: {
      best_hyperparameters: param.struct(),
      best_metric_value: param.double(),
      trials: artifact.generic({ description: 'Every trial with its parameters, measurements and state.' }),
      gcp_resources: param.string({ description: 'The HyperparameterTuningJob resource, as Google Cloud Pipeline Components report it.' }),
    },
    command: () => moduleCommand('tune'),
    args: (io) => [
      // Trials read the splits themselves, as other Vertex jobs: by gs:// URI.
      ...flagArgs(io, { byUri: ['train_data', 'validation_data', 'feature_schema'] }),
      '--trial-image', image,
      '--base-output-directory', '{{$.pipeline_root}}/tuning/{{$.pipeline_task_uuid}}',
    ],
  });
}
