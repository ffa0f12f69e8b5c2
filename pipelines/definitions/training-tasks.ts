// Where a finished training run's results are: the names its tasks have in
// `PipelineJob.jobDetail.taskDetails[].taskName` (the builder derives them from the component
// names; test/pipelines/project-pipelines.test.ts holds them to the compiled specs). A module of
// its own, importing nothing, so that readers of PipelineJobs load no pipeline code.

/**
 * `gate`: `output:approved`, `output:reason`; `comparison`: `output:verdict`, `output:comparison`
 * (and the `champion_comparison` artifact); `evaluation`: the `evaluation` artifact (the metrics
 * in Vertex's schema for ImportModelEvaluation); `export`: the `serving_model` artifact, only when
 * the gate approved; `runEvent`: the exit task that published the run's end.
 */
export const TRAINING_PIPELINE_TASKS = {
  evaluation: 'evaluate-model',
  gate: 'gate-model',
  comparison: 'compare-with-champion',
  export: 'export-serving-artifact',
  runEvent: 'publish-run-event',
} as const;

/**
 * The evaluation pipeline's tasks: the training pipeline's names for what both do (so one reader
 * reads both kinds of run), no export, and `candidate`, the importer of the evaluated version.
 */
export const EVALUATION_PIPELINE_TASKS = {
  evaluation: TRAINING_PIPELINE_TASKS.evaluation,
  gate: TRAINING_PIPELINE_TASKS.gate,
  comparison: TRAINING_PIPELINE_TASKS.comparison,
  runEvent: TRAINING_PIPELINE_TASKS.runEvent,
  candidate: 'importer-2',
} as const;
