// The tuning pipeline: validate → split → one Vertex HyperparameterTuningJob whose study spans
// model types → the parameters' importance. No final fit and no export: the control plane turns
// the best trial into an ordinary training run. The body runs in the training pipeline's exit
// handler, so the run's end is published to Pub/Sub with model_name and request_id; readers find
// the results by task name (TUNING_PIPELINE_TASKS).
import { definePipeline, param } from '../dsl/index.js';
import { COMPONENT_IMAGE } from '../components/image.js';
import { trainingComponents } from '../components/training-components.js';
import { tuningComponent } from '../components/tuning-component.js';
import { tuningSummaryComponent } from '../components/tuning-summary-component.js';
import { DEFAULT_SEARCH_SPACE, modelTypeStudyParameters } from './search-spaces.js';
import { announcedRun, runEventInputs, snapshotInputs, splitInputs, validatedSplit } from './shared-steps.js';

export { TUNING_PIPELINE_TASKS } from './tuning-tasks.js';

export interface TuningPipelineOptions {
  /** Container image of the project's Python components. */
  componentImage?: string;
}

export const TUNING_PIPELINE_NAME = 'tuning-pipeline';
export const EARLY_STOPPING_RULES = ['decay_curve', 'median', 'none'] as const;

export function tuningPipeline(options: TuningPipelineOptions = {}) {
  const image = options.componentImage ?? COMPONENT_IMAGE;
  return definePipeline(
    {
      name: TUNING_PIPELINE_NAME,
      description: 'Validate and split a snapshot, then one Vertex hyperparameter tuning job across model types and the importance of each parameter.',
      inputs: {
        ...snapshotInputs,
        ...splitInputs,
        ...runEventInputs,
        project: param.string(),
        location: param.string({ default: 'us-central1' }),
        study_spec_parameters: param.list({
          items: 'STRUCT',
          default: modelTypeStudyParameters(DEFAULT_SEARCH_SPACE),
          description: 'StudySpec.ParameterSpec JSON: the model_type parameter with each type\'s parameters conditional on it (modelTypeStudyParameters).',
        }),
        metric_id: param.string({ default: 'rmse' }),
        metric_goal: param.string({ default: 'MINIMIZE', oneOf: ['MINIMIZE', 'MAXIMIZE'] }),
        algorithm: param.string({ default: 'ALGORITHM_UNSPECIFIED', oneOf: ['ALGORITHM_UNSPECIFIED', 'GRID_SEARCH', 'RANDOM_SEARCH'] }),
        max_trial_count: param.int({ default: 20 }),
        parallel_trial_count: param.int({ default: 3 }),
        max_failed_trial_count: param.int({ default: 5 }),
        early_stopping: param.string({ default: 'decay_curve', oneOf: EARLY_STOPPING_RULES }),
        tuning_job_labels: param.struct({ default: {}, description: 'Labels of the HyperparameterTuningJob, e.g. {"tuning_run": "<id>"}.' }),
        tuning_poll_seconds: param.double({ default: 30 }),
        trial_service_account: param.string({ default: '', description: "The trials' service account: the PipelineJob's serviceAccount ('': Vertex's service agent)." }),
      },
    },
    (p, inputs) => {
      const c = trainingComponents(image);
      announcedRun(p, image, inputs, () => {
        const split = validatedSplit(p, c, inputs);
        const tune = p.task(tuningComponent(image), {
          project: inputs.project,
          location: inputs.location,
          train_data: split.train,
          validation_data: split.validation,
          feature_schema: split.schema,
          target_column: inputs.target_column,
          task_type: inputs.task_type,
          study_spec_parameters: inputs.study_spec_parameters,
          metric_id: inputs.metric_id,
          metric_goal: inputs.metric_goal,
          algorithm: inputs.algorithm,
          max_trial_count: inputs.max_trial_count,
          parallel_trial_count: inputs.parallel_trial_count,
          max_failed_trial_count: inputs.max_failed_trial_count,
          poll_interval_seconds: inputs.tuning_poll_seconds,
          early_stopping: inputs.early_stopping,
          labels: inputs.tuning_job_labels,
          random_seed: inputs.random_seed,
          service_account: inputs.trial_service_account,
        });
        p.task(tuningSummaryComponent(image), { trials: tune.outputs.trials, random_seed: inputs.random_seed });
      });
    },
  );
}
