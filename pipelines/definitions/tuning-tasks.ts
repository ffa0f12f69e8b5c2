// Where a finished tuning run's results are: the names its tasks have in
// `PipelineJob.jobDetail.taskDetails[].taskName`. A module of its own, importing nothing, so that
// readers of PipelineJobs load no pipeline code (as training-tasks.ts).

/**
 * `tune`: the `trials` artifact and `output:gcp_resources` (the HyperparameterTuningJob);
 * `summary`: the `parameter_importance` artifact.
 */
export const TUNING_PIPELINE_TASKS = {
  tune: 'tune-hyperparameters',
  summary: 'summarize-tuning',
} as const;
