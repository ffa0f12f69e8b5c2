// The training pipeline's components: validate → preprocess/split → train → evaluate → gate and
// champion comparison → export.
// Interfaces are settled here; the Python modules they run live in `pipelines/components/python`.
import { artifact, containerComponent, param } from '../dsl/index.js';
import { MODEL_TYPES, SPLIT_STRATEGIES, TASK_TYPES } from './closed-sets.js';
import { COMPONENT_IMAGE, flagArgs, moduleCommand } from './image.js';

export function trainingComponents(image: string = COMPONENT_IMAGE) {
  const validateData = containerComponent({
    name: 'validate_data',
    image,
    inputs: {
      dataset: artifact.dataset({ description: 'Training snapshot (CSV or Parquet) exported from BigQuery.' }),
      target_column: param.string(),
      min_row_count: param.int({ default: 100 }),
      max_null_fraction: param.double({ default: 0.2 }),
      /** JSON object: column → {min, max} bounds that values must respect. */
      column_ranges: param.struct({ default: {} }),
    },
    outputs: {
      report: artifact.markdown({ description: 'Schema, null rates, ranges and row count.' }),
      statistics: artifact.generic({ description: 'The same checks as JSON.' }),
      passed: param.bool(),
    },
    command: () => moduleCommand('validate_data'),
    args: (io) => flagArgs(io),
  });

  const preprocessSplit = containerComponent({
    name: 'preprocess_split',
    image,
    inputs: {
      dataset: artifact.dataset(),
      target_column: param.string(),
      split_strategy: param.string({ default: 'random', description: `One of ${SPLIT_STRATEGIES.join(', ')}.` }),
      time_column: param.string({ default: '', description: 'Column ordering rows for the time split.' }),
      validation_fraction: param.double({ default: 0.15 }),
      test_fraction: param.double({ default: 0.15 }),
      random_seed: param.int({ default: 42 }),
    },
    outputs: {
      train_data: artifact.dataset(),
      validation_data: artifact.dataset(),
      test_data: artifact.dataset(),
      feature_schema: artifact.generic({ description: 'Feature names, types and categories as JSON.' }),
    },
    command: () => moduleCommand('preprocess_split'),
    args: (io) => flagArgs(io),
  });

  const train = containerComponent({
    name: 'train_model',
    image,
    inputs: {
      train_data: artifact.dataset(),
      validation_data: artifact.dataset(),
      feature_schema: artifact.generic(),
      target_column: param.string(),
      task_type: param.string({ default: 'regression', description: `One of ${TASK_TYPES.join(', ')}.` }),
      model_type: param.string({ default: 'random_forest', description: `One of ${MODEL_TYPES.join(', ')}.` }),
      hyperparameters: param.struct({ default: {} }),
      random_seed: param.int({ default: 42 }),
    },
    outputs: {
      model: artifact.model(),
      training_metrics: artifact.metrics(),
    },
    command: () => moduleCommand('train'),
    args: (io) => flagArgs(io),
  });

  const evaluate = containerComponent({
    name: 'evaluate_model',
    image,
    inputs: {
      model: artifact.model(),
      test_data: artifact.dataset(),
      target_column: param.string(),
      task_type: param.string({ default: 'regression' }),
    },
    outputs: {
      metrics: artifact.metrics({ description: 'Regression or classification metrics on the test split.' }),
      classification_metrics: artifact.classificationMetrics({ description: 'Confusion matrix and ROC curve (classification only).' }),
      evaluation: artifact.generic({ description: 'All metrics as JSON, for the gate and the Model Registry.' }),
    },
    command: () => moduleCommand('evaluate'),
    args: (io) => flagArgs(io),
  });

  const gate = containerComponent({
    name: 'gate_model',
    image,
    inputs: {
      evaluation: artifact.generic(),
      /** JSON object: metric → {min?, max?}, e.g. {"r2": {"min": 0.6}, "rmse": {"max": 12}}. */
      thresholds: param.struct(),
    },
    outputs: {
      approved: param.bool(),
      decision: artifact.markdown({ description: 'Each threshold, the observed value and the verdict.' }),
      reason: param.string({ description: 'One line: why the model was approved or rejected.' }),
    },
    command: () => moduleCommand('gate'),
    args: (io) => flagArgs(io),
  });

  const compareWithChampion = containerComponent({
    name: 'compare_with_champion',
    image,
    inputs: {
      model: artifact.model({ description: 'The challenger: the model train_model wrote.' }),
      test_data: artifact.dataset(),
      target_column: param.string(),
      task_type: param.string({ default: 'regression' }),
      champion_model_uri: param.string({
        default: '',
        description: "The champion version's Vertex Model artifactUri (a serving directory); '' when there is no champion yet.",
      }),
      comparison_metric: param.string({ default: 'rmse', description: 'An evaluation metric of the task; its direction (lower or higher is better) is known.' }),
      min_improvement: param.double({ default: 0, description: 'In the metric\'s units, counted in the improving direction.' }),
      confidence: param.double({ default: 0.95 }),
      bootstrap_samples: param.int({ default: 1000 }),
      random_seed: param.int({ default: 42 }),
    },
    outputs: {
      champion_comparison: artifact.generic({ description: 'Both models\' metric, the paired bootstrap interval of the difference and the verdict, as JSON.' }),
      verdict: param.string({ description: 'better, not_better, no_champion or champion_unusable.' }),
      comparison: param.struct({ description: 'The champion_comparison JSON, readable from the task details without opening files.' }),
    },
    command: () => moduleCommand('compare_champion'),
    args: (io) => flagArgs(io),
  });

  const exportServing = containerComponent({
    name: 'export_serving_artifact',
    image,
    inputs: {
      model: artifact.model(),
      train_data: artifact.dataset(),
      feature_schema: artifact.generic(),
      target_column: param.string(),
      model_type: param.string(),
      histogram_bins: param.int({ default: 20 }),
    },
    outputs: {
      serving_model: artifact.model({
        description: 'model.joblib or model.bst as Vertex prebuilt serving images load it, plus input schema and baseline statistics.',
      }),
      baseline_statistics: artifact.generic({ description: 'Per-feature histograms of the training data, the drift baseline.' }),
    },
    command: () => moduleCommand('export_serving'),
    args: (io) => flagArgs(io),
  });

  return { validateData, preprocessSplit, train, evaluate, gate, compareWithChampion, exportServing };
}
