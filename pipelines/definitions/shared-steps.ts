// What the training and the evaluation pipelines share, declared once: the snapshot's checks and
// split (the same inputs, defaults and seed, so that one snapshot gives both pipelines the same test
// split), the gate and the champion comparison, and the exit handler that announces the run's end.
// Both pipelines therefore name these tasks alike (TRAINING_PIPELINE_TASKS in training-tasks.ts),
// and one reader handles both.
import type { PipelineBuilder } from '../dsl/builder.js';
import type { ArtifactChannel, ParameterChannel } from '../dsl/index.js';
import { artifact, param } from '../dsl/index.js';
import { COMPARISON_METRICS, GATE_METRICS, SPLIT_STRATEGIES, TASK_TYPES } from '../components/closed-sets.js';
import { runEventComponent } from '../components/run-event-component.js';
import type { trainingComponents } from '../components/training-components.js';

export type InputChannels<T> = { [K in keyof T]: ParameterChannel };
type Components = ReturnType<typeof trainingComponents>;

/** The snapshot and its task. */
export const snapshotInputs = {
  training_data_uri: param.string({ description: 'gs:// URI of the training snapshot exported from BigQuery.' }),
  target_column: param.string(),
  task_type: param.string({ default: 'regression', oneOf: TASK_TYPES }),
};

/** How the snapshot is checked and split; with the same values, the same rows land in the test split. */
export const splitInputs = {
  split_strategy: param.string({ default: 'random', oneOf: SPLIT_STRATEGIES }),
  time_column: param.string({ default: '' }),
  validation_fraction: param.double({ default: 0.15 }),
  test_fraction: param.double({ default: 0.15 }),
  random_seed: param.int({ default: 42 }),
  min_row_count: param.int({ default: 100 }),
  max_null_fraction: param.double({ default: 0.2 }),
  column_ranges: param.struct({ default: {} }),
};

/** The gate's thresholds and the champion/challenger policy. */
export const judgingInputs = {
  thresholds: param.struct({ default: { r2: { min: 0.0 } }, keysOneOf: GATE_METRICS }),
  champion_model_uri: param.string({
    default: '',
    description: "The champion version's Vertex Model artifactUri (its serving directory); '' when there is no champion yet.",
  }),
  comparison_metric: param.string({ default: 'rmse', oneOf: COMPARISON_METRICS }),
  min_improvement: param.double({ default: 0.0, description: "How much better the challenger must be, in the metric's units." }),
  confidence: param.double({ default: 0.95 }),
  bootstrap_samples: param.int({ default: 1000 }),
};

/** What the completion event carries. */
export const runEventInputs = {
  events_topic: param.string({ default: '', description: "projects/{project}/topics/{topic} for the run's completion event; '' publishes nothing." }),
  model_name: param.string({ default: '', description: 'The managed model this run trains (e.g. flight-delay), echoed in the completion event.' }),
  request_id: param.string({ default: '', description: 'The retraining request this run serves, echoed in the completion event.' }),
};

/**
 * Runs `body` inside an exit handler whose exit task publishes the run's end to Pub/Sub. KFP
 * allows no pipeline outputs from inside an exit handler, so readers use the tasks' details.
 */
export function announcedRun(p: PipelineBuilder, image: string, inputs: InputChannels<typeof runEventInputs>, body: () => void): void {
  // Created first, as KFP's Python does; it runs last, whatever happened, and must not be cached.
  const runEvent = p
    .task(runEventComponent(image), { events_topic: inputs.events_topic, model_name: inputs.model_name, request_id: inputs.request_id })
    .setCachingOptions(false);
  p.exitHandler(runEvent, body);
}

export interface Split {
  readonly train: ArtifactChannel;
  readonly validation: ArtifactChannel;
  readonly test: ArtifactChannel;
  readonly schema: ArtifactChannel;
}

/** Imports the snapshot, validates it (a failed check fails the run) and splits it. */
export function validatedSplit(
  p: PipelineBuilder,
  c: Components,
  inputs: InputChannels<typeof snapshotInputs & typeof splitInputs>,
): Split {
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
  return {
    train: split.outputs.train_data,
    validation: split.outputs.validation_data,
    test: split.outputs.test_data,
    schema: split.outputs.feature_schema,
  };
}

/**
 * Evaluates `model` on the test split, gates it, and compares it with the champion on the same
 * rows (outside the gate's condition: the comparison is recorded for rejected models too).
 * Returns the gate's `approved` output, which later steps may depend on.
 */
export function judgedModel(
  p: PipelineBuilder,
  c: Components,
  inputs: InputChannels<typeof snapshotInputs & Pick<typeof splitInputs, 'random_seed'> & typeof judgingInputs>,
  model: ArtifactChannel,
  testData: ArtifactChannel,
): ParameterChannel {
  const evaluation = p.task(c.evaluate, {
    model,
    test_data: testData,
    target_column: inputs.target_column,
    task_type: inputs.task_type,
  });
  const gate = p.task(c.gate, { evaluation: evaluation.outputs.evaluation, thresholds: inputs.thresholds });
  p.task(c.compareWithChampion, {
    model,
    test_data: testData,
    target_column: inputs.target_column,
    task_type: inputs.task_type,
    champion_model_uri: inputs.champion_model_uri,
    comparison_metric: inputs.comparison_metric,
    min_improvement: inputs.min_improvement,
    confidence: inputs.confidence,
    bootstrap_samples: inputs.bootstrap_samples,
    random_seed: inputs.random_seed,
  }).after(evaluation);
  return gate.outputs.approved;
}
