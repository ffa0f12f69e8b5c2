// The training pipeline's components run for real, chained as the pipeline chains them:
// validate → preprocess_split → train (every model type, both tasks) → evaluate → gate → export_serving.
import { cpSync, existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { flights, writeClassificationCsv, writeRegressionCsv } from './fixtures.js';
import type { LogRecord } from './support.js';
import { SERVING_CHECK, assertSucceeded, makeWorkDir, pythonStack, readJson, readText, runOk, runPython } from './support.js';

/** Sends the training rows to a serving directory through the model server's predictor. */
const SERVED_PREDICTIONS = join(dirname(fileURLToPath(import.meta.url)), 'served_predictions.py');

const MODEL_TYPES = ['random_forest', 'gradient_boosting', 'ridge', 'xgboost'] as const;
type ModelType = (typeof MODEL_TYPES)[number];

// Few estimators: the data is small and the suite must stay fast on two cores.
const HYPERPARAMETERS: Record<ModelType, Record<string, number>> = {
  random_forest: { n_estimators: 30, min_samples_leaf: 2 },
  gradient_boosting: { n_estimators: 40, max_depth: 3 },
  ridge: { alpha: 1 },
  xgboost: { n_estimators: 40, max_depth: 3 },
};

interface FeatureSchema {
  target: string;
  features: string[];
  numeric_features: string[];
  categorical_features: string[];
  categories: Record<string, string[]>;
  derived_features: { name: string; source: string; part: string }[];
  timestamp_columns: string[];
  task_hints: { suggested_task_type: string; classes?: string[] };
  split: { rows: { train: number; validation: number; test: number } };
}

interface Evaluation {
  task_type: string;
  model_type: string;
  row_count: number;
  metrics: Record<string, number | null>;
  vertex_model_evaluation: { metricsSchemaUri: string; metrics: Record<string, unknown> };
}

interface InputSchema {
  feature_names: string[];
  example_instance: (string | number)[];
  model_file: string;
  preprocessor_file: string | null;
  classes: string[] | null;
}

interface NumericStats {
  type: 'numeric';
  count: number;
  null_count: number;
  mean: number;
  min: number;
  max: number;
  std: number;
  quantiles: Record<string, number>;
  histogram: { bin_edges: number[]; counts: number[] };
}

interface CategoricalStats {
  type: 'categorical';
  count: number;
  counts: Record<string, number>;
  frequencies: Record<string, number>;
}

/** The model's predictions on the training rows: values (regression) or class labels. */
type PredictionStats = (NumericStats & { output: 'value' }) | (CategoricalStats & { output: 'label'; classes: string[] });

interface Baseline {
  row_count: number;
  histogram_bins: number;
  features: Record<string, NumericStats | CategoricalStats>;
  prediction?: PredictionStats;
}

/** What the model server answered for the training rows (served_predictions.py). */
type ServedPredictions = { n: number; mean: number; min: number; max: number } | { n: number; labels: Record<string, number> };

interface ServingCheck {
  loaded: string;
  prediction: number[];
  matches_trained_model: boolean;
}

interface TaskSetup {
  readonly task: 'regression' | 'classification';
  readonly target: string;
  readonly dataset: string;
  readonly split: string;
}

const stack = pythonStack('training components chain');

describe.skipIf(!stack.ok)('training components chain', () => {
  const work = makeWorkDir('chain');
  const path = (...parts: string[]): string => join(work.dir, ...parts);
  // Assigned once the work folder exists (in beforeAll), so a skipped suite creates nothing.
  let regression: TaskSetup;
  let classification: TaskSetup;

  const preprocess = (setup: TaskSetup, strategy: string) => runOk('preprocess_split', [
    '--dataset', setup.dataset, '--target-column', setup.target, '--split-strategy', strategy, '--time-column', '',
    '--validation-fraction', '0.15', '--test-fraction', '0.15', '--random-seed', '42',
    '--train-data', join(setup.split, 'train', 'data'), '--validation-data', join(setup.split, 'validation', 'data'),
    '--test-data', join(setup.split, 'test', 'data'), '--feature-schema', join(setup.split, 'feature_schema.json'),
  ]);

  beforeAll(async () => {
    regression = { task: 'regression', target: 'delay', dataset: path('flights.csv'), split: path('regression') };
    classification = { task: 'classification', target: 'status', dataset: path('status.csv'), split: path('classification') };
    const rows = flights(300);
    writeRegressionCsv(regression.dataset, rows);
    writeClassificationCsv(classification.dataset, rows);
    await Promise.all([preprocess(regression, 'random'), preprocess(classification, 'stratified')]);
  }, 60_000);

  afterAll(() => work.cleanup());

  it('validate_data passes a clean snapshot and writes the report and statistics', async () => {
    const out = path('validation');
    await runOk('validate_data', [
      '--dataset', regression.dataset, '--target-column', 'delay', '--min-row-count', '100', '--max-null-fraction', '0.2',
      '--column-ranges', JSON.stringify({ distance: { min: 0, max: 5000 } }),
      '--report', join(out, 'report.md'), '--statistics', join(out, 'statistics.json'), '--passed', join(out, 'passed'),
    ]);
    expect(readText(join(out, 'passed'))).toBe('true');
    const statistics = readJson<{ row_count: number; passed: boolean; columns: Record<string, { type: string }> }>(join(out, 'statistics.json'));
    expect(statistics.row_count).toBe(300);
    expect(statistics.columns.date?.type).toBe('timestamp');
    expect(statistics.columns.distance?.type).toBe('integer');
    expect(statistics.columns.origin?.type).toBe('string');
    expect(readText(join(out, 'report.md'))).toContain('**PASSED**');
  }, 30_000);

  it('preprocess_split derives calendar features, keeps categories as strings and records the schema', () => {
    const schema = readJson<FeatureSchema>(join(regression.split, 'feature_schema.json'));
    expect(schema.target).toBe('delay');
    expect(schema.numeric_features).toEqual(['distance', 'date_hour', 'date_dayofweek', 'date_month']);
    expect(schema.categorical_features).toEqual(['origin', 'destination']);
    expect(schema.features).toEqual([...schema.numeric_features, ...schema.categorical_features]);
    expect(schema.timestamp_columns).toEqual(['date']);
    expect(schema.derived_features.map((d) => d.part)).toEqual(['hour', 'dayofweek', 'month']);
    expect([...(schema.categories.origin ?? [])].sort()).toEqual(['ATL', 'JFK', 'LAX', 'ORD', 'SFO']);
    expect(schema.task_hints.suggested_task_type).toBe('regression');
    expect(schema.split.rows).toEqual({ train: 210, validation: 45, test: 45 });
    const header = readText(join(regression.split, 'train', 'data')).split('\n')[0];
    expect(header).toBe('date,delay,distance,origin,destination,date_hour,date_dayofweek,date_month');

    const classes = readJson<FeatureSchema>(join(classification.split, 'feature_schema.json'));
    expect(classes.task_hints).toMatchObject({ suggested_task_type: 'classification', classes: ['late', 'on_time'] });
  });

  /** Every export, checked together at the end (one Python process loads them all). */
  const exported: { label: string; modelType: ModelType; serving: string; model: string; setup: TaskSetup; dir: string }[] = [];

  /** train → evaluate → gate → export_serving; returns what the tests assert on. */
  async function chain(setup: TaskSetup, modelType: ModelType, thresholds: object) {
    const dir = path(`${setup.task}-${modelType}`);
    const schema = join(setup.split, 'feature_schema.json');
    const train = await runOk('train', [
      '--train-data', join(setup.split, 'train', 'data'), '--validation-data', join(setup.split, 'validation', 'data'),
      '--feature-schema', schema, '--target-column', setup.target, '--task-type', setup.task, '--model-type', modelType,
      '--hyperparameters', JSON.stringify(HYPERPARAMETERS[modelType]), '--random-seed', '42',
      '--model', join(dir, 'model'), '--training-metrics', join(dir, 'training_metrics.json'),
    ]);
    await runOk('evaluate', [
      '--model', join(dir, 'model'), '--test-data', join(setup.split, 'test', 'data'), '--target-column', setup.target,
      '--task-type', setup.task, '--metrics', join(dir, 'metrics.json'),
      '--classification-metrics', join(dir, 'classification_metrics.json'), '--evaluation', join(dir, 'evaluation.json'),
    ]);
    await runOk('gate', [
      '--evaluation', join(dir, 'evaluation.json'), '--thresholds', JSON.stringify(thresholds),
      '--approved', join(dir, 'approved'), '--decision', join(dir, 'decision.md'), '--reason', join(dir, 'reason'),
    ]);
    await runOk('export_serving', [
      '--model', join(dir, 'model'), '--train-data', join(setup.split, 'train', 'data'), '--feature-schema', schema,
      '--target-column', setup.target, '--model-type', modelType, '--histogram-bins', '8',
      '--serving-model', join(dir, 'serving'), '--baseline-statistics', join(dir, 'baseline.json'),
    ]);
    exported.push({ label: `${setup.task} ${modelType}`, modelType, serving: join(dir, 'serving'), model: join(dir, 'model'), setup, dir });
    return {
      dir,
      trainLogs: train.logs,
      trainingMetrics: readJson<Record<string, number>>(join(dir, 'training_metrics.json')),
      metrics: readJson<Record<string, number>>(join(dir, 'metrics.json')),
      evaluation: readJson<Evaluation>(join(dir, 'evaluation.json')),
      approved: readText(join(dir, 'approved')),
      decision: readText(join(dir, 'decision.md')),
      servingFiles: readdirSync(join(dir, 'serving')).sort(),
      inputSchema: readJson<InputSchema>(join(dir, 'serving', 'input_schema.json')),
      baseline: readJson<Baseline>(join(dir, 'baseline.json')),
      servedBaseline: readJson<Baseline>(join(dir, 'serving', 'baseline_statistics.json')),
    };
  }

  const expectedServingFiles = (modelType: ModelType): string[] => (modelType === 'xgboost'
    ? ['baseline_statistics.json', 'input_schema.json', 'model.bst', 'model_metadata.json', 'preprocessor.joblib']
    : ['baseline_statistics.json', 'input_schema.json', 'model.joblib', 'model_metadata.json']);

  describe.concurrent('regression', () => {
    it.each(MODEL_TYPES)('%s learns the delay, passes the gate and exports a loadable serving model', async (modelType) => {
      const result = await chain(regression, modelType, { r2: { min: 0.5 }, rootMeanSquaredError: { max: 50 } });
      expect(result.trainingMetrics.validation_r2).toBeGreaterThan(0.5);
      expect(result.trainingMetrics).toMatchObject({ train_rows: 210, validation_rows: 45 });
      expect(result.metrics.r2).toBeGreaterThan(0.5);
      for (const name of ['mse', 'rmse', 'mae', 'mape', 'explained_variance', 'within_10pct', 'within_20pct']) {
        expect(result.metrics[name], name).toBeTypeOf('number');
      }
      expect(result.metrics.rmse).toBeCloseTo(Math.sqrt(result.metrics.mse ?? Number.NaN), 9);
      expect(result.metrics.within_20pct).toBeGreaterThanOrEqual(result.metrics.within_10pct ?? 1);
      expect(result.evaluation).toMatchObject({ task_type: 'regression', model_type: modelType, row_count: 45 });
      expect(result.evaluation.vertex_model_evaluation.metricsSchemaUri).toMatch(/regression_metrics_1\.0\.0\.yaml$/);
      expect(Object.keys(result.evaluation.vertex_model_evaluation.metrics).sort())
        .toEqual(['meanAbsoluteError', 'meanAbsolutePercentageError', 'rSquared', 'rootMeanSquaredError']);
      expect(readJson<object>(join(result.dir, 'classification_metrics.json'))).toEqual({});

      expect(result.approved).toBe('true');
      expect(result.decision).toContain('**APPROVED**');

      expect(result.servingFiles).toEqual(expectedServingFiles(modelType));
      expect(result.inputSchema.feature_names).toEqual(['distance', 'date_hour', 'date_dayofweek', 'date_month', 'origin', 'destination']);
      expect(result.inputSchema.model_file).toBe(modelType === 'xgboost' ? 'model.bst' : 'model.joblib');

      expect(result.baseline).toEqual(result.servedBaseline);
      expect(result.baseline.row_count).toBe(210);
      const distance = result.baseline.features.distance;
      if (distance?.type !== 'numeric') throw new Error('distance should have numeric statistics');
      expect(distance.histogram.bin_edges).toHaveLength(9);
      expect(distance.histogram.counts.reduce((a, b) => a + b, 0)).toBe(210);
      expect(distance.quantiles.p50).toBeGreaterThan(distance.quantiles.p05 ?? Infinity);
      const origin = result.baseline.features.origin;
      if (origin?.type !== 'categorical') throw new Error('origin should have categorical statistics');
      expect(Object.values(origin.frequencies).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
      const prediction = result.baseline.prediction;
      if (prediction?.output !== 'value') throw new Error('a regression baseline should carry numeric prediction statistics');
      expect(prediction).toMatchObject({ type: 'numeric', count: 210, null_count: 0 });
      expect(prediction.histogram.bin_edges).toHaveLength(9);
      expect(prediction.histogram.counts.reduce((a, b) => a + b, 0)).toBe(210);
    }, 90_000);
  });

  describe.concurrent('classification', () => {
    it.each(MODEL_TYPES)('%s separates late from on-time flights and exports a loadable serving model', async (modelType) => {
      const result = await chain(classification, modelType, { accuracy: { min: 0.7 }, auRoc: { min: 0.8 } });
      expect(result.metrics.accuracy).toBeGreaterThan(0.7);
      expect(result.metrics.roc_auc).toBeGreaterThan(0.8);
      for (const name of ['precision', 'recall', 'f1', 'pr_auc', 'log_loss']) expect(result.metrics[name], name).toBeTypeOf('number');
      expect(result.evaluation.vertex_model_evaluation.metricsSchemaUri).toMatch(/classification_metrics_1\.0\.0\.yaml$/);
      expect(result.evaluation.vertex_model_evaluation.metrics).toHaveProperty('auRoc');
      expect(result.evaluation.vertex_model_evaluation.metrics).toHaveProperty('confusionMatrix');

      const kfp = readJson<{
        confusionMatrix: { annotationSpecs: { displayName: string }[]; rows: { row: number[] }[]; categories: string[]; matrix: number[][] };
        confidenceMetrics: { confidenceThreshold: number; recall: number; falsePositiveRate: number }[];
      }>(join(result.dir, 'classification_metrics.json'));
      expect(kfp.confusionMatrix.categories).toEqual(['late', 'on_time']);
      expect(kfp.confusionMatrix.annotationSpecs.map((s) => s.displayName)).toEqual(['late', 'on_time']);
      expect(kfp.confusionMatrix.rows.map((r) => r.row)).toEqual(kfp.confusionMatrix.matrix);
      expect(kfp.confusionMatrix.matrix.flat().reduce((a, b) => a + b, 0)).toBe(45);
      expect(kfp.confidenceMetrics.length).toBeGreaterThan(2);
      expect(kfp.confidenceMetrics[0]).toMatchObject({ confidenceThreshold: 0, recall: 1 });

      expect(result.approved).toBe('true');
      expect(result.servingFiles).toEqual(expectedServingFiles(modelType));
      expect(result.inputSchema.classes).toEqual(['late', 'on_time']);
      expect(result.baseline.features.origin?.type).toBe('categorical');
      const prediction = result.baseline.prediction;
      if (prediction?.output !== 'label') throw new Error('a classification baseline should carry predicted-label statistics');
      expect(prediction).toMatchObject({ type: 'categorical', count: 210, classes: ['late', 'on_time'] });
      expect(Object.values(prediction.counts).reduce((a, b) => a + b, 0)).toBe(210);
      expect(Object.keys(prediction.counts).every((label) => prediction.classes.includes(label))).toBe(true);
    }, 90_000);
  });

  it('every exported model loads the way a prebuilt server loads it and predicts input_schema.json\'s example', async () => {
    expect(exported).toHaveLength(2 * MODEL_TYPES.length);
    const check = assertSucceeded(await runPython([SERVING_CHECK, ...exported.flatMap((e) => [e.serving, e.model])]), 'serving check');
    const served = JSON.parse(check.stdout) as Record<string, ServingCheck>;
    for (const e of exported) {
      const result = served[e.serving];
      expect(result?.loaded, e.label).toBe(e.modelType === 'xgboost' ? 'model.bst' : 'model.joblib');
      expect(result?.matches_trained_model, e.label).toBe(true);
      expect(result?.prediction, e.label).toHaveLength(1);
    }
  }, 60_000);

  it('the prediction baseline is what the model server answers for the training rows', async () => {
    expect(exported).toHaveLength(2 * MODEL_TYPES.length);
    for (const setup of [regression, classification]) {
      const mine = exported.filter((e) => e.setup === setup);
      const check = assertSucceeded(await runPython([SERVED_PREDICTIONS, join(setup.split, 'train', 'data'), join(setup.split, 'feature_schema.json'),
        ...mine.map((e) => e.serving)]), 'served predictions');
      const served = JSON.parse(check.stdout) as Record<string, ServedPredictions>;
      for (const e of mine) {
        const answered = served[e.serving];
        const prediction = readJson<Baseline>(join(e.dir, 'baseline.json')).prediction;
        expect(answered?.n, e.label).toBe(210);
        if (answered === undefined || prediction === undefined) throw new Error(`${e.label}: no served predictions or no prediction baseline`);
        if ('labels' in answered) {
          expect(prediction.output, e.label).toBe('label');
          if (prediction.output === 'label') expect(prediction.counts, e.label).toEqual(answered.labels);
        } else {
          if (prediction.output !== 'value') throw new Error(`${e.label}: numeric predictions, but the baseline holds labels`);
          // XGBoost answers float32s; the mean of the same values agrees to their precision.
          const tolerance = 1e-5 * Math.max(1, Math.abs(answered.mean));
          expect(Math.abs(prediction.mean - answered.mean), e.label).toBeLessThanOrEqual(tolerance);
          expect(Math.abs(prediction.min - answered.min), e.label).toBeLessThanOrEqual(tolerance);
          expect(Math.abs(prediction.max - answered.max), e.label).toBeLessThanOrEqual(tolerance);
        }
      }
    }
  }, 60_000);

  it('export_serving leaves the prediction baseline out, and still exports, when the model cannot predict', async () => {
    const dir = path('unscorable');
    cpSync(path('regression-ridge', 'model'), join(dir, 'model'), { recursive: true });
    assertSucceeded(await runPython(['-c', 'import joblib, sys; joblib.dump("not a model", sys.argv[1])', join(dir, 'model', 'model.joblib')]), 'replace model');
    const result = await runOk('export_serving', [
      '--model', join(dir, 'model'), '--train-data', join(regression.split, 'train', 'data'), '--feature-schema', join(regression.split, 'feature_schema.json'),
      '--target-column', 'delay', '--model-type', 'ridge', '--histogram-bins', '8',
      '--serving-model', join(dir, 'serving'), '--baseline-statistics', join(dir, 'baseline.json'),
    ]);
    const baseline = readJson<Baseline>(join(dir, 'baseline.json'));
    expect(baseline.row_count).toBe(210);
    expect(baseline.features.distance?.type).toBe('numeric');
    expect(baseline).not.toHaveProperty('prediction');
    const warning = result.logs.find((l) => l.severity === 'WARNING');
    expect(warning?.message).toMatch(/^prediction baseline left out/);
    expect(warning?.error).toMatch(/AttributeError/);
  }, 30_000);

  it('evaluate scores a serving directory (what the evaluation pipeline imports) as it scored the model directory', async () => {
    // XGBoost's export has no model.joblib (model.bst behind preprocessor.joblib); a scikit-learn one has.
    const chosen = exported.filter((e) => e.modelType === 'xgboost' || e.modelType === 'random_forest');
    expect(chosen).toHaveLength(4);
    await Promise.all(chosen.map(async (e) => {
      const out = join(e.dir, 'served-evaluation');
      await runOk('evaluate', [
        '--model', e.serving, '--test-data', join(e.setup.split, 'test', 'data'), '--target-column', e.setup.target,
        '--task-type', e.setup.task, '--metrics', join(out, 'metrics.json'),
        '--classification-metrics', join(out, 'classification_metrics.json'), '--evaluation', join(out, 'evaluation.json'),
      ]);
      const trained = readJson<Record<string, number>>(join(e.dir, 'metrics.json'));
      const served = readJson<Record<string, number>>(join(out, 'metrics.json'));
      expect(Object.keys(served).sort(), e.label).toEqual(Object.keys(trained).sort());
      // The booster alone and its scikit-learn wrapper round differently in the last bits.
      for (const [name, value] of Object.entries(trained)) expect(Math.abs((served[name] ?? Number.NaN) - value), `${e.label} ${name}`).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(value)));
      expect(readJson<Evaluation>(join(out, 'evaluation.json'))).toMatchObject({ task_type: e.setup.task, model_type: e.modelType, row_count: 45 });
    }));
    // A model of the other task is refused, naming both.
    const regressionModel = chosen.find((e) => e.setup.task === 'regression')!;
    const refused = await runPython(['-m', 'mlops_components.steps.evaluate', '--model', regressionModel.serving, '--test-data', join(classification.split, 'test', 'data'),
      '--target-column', 'status', '--task-type', 'classification', '--metrics', path('refused', 'm'), '--classification-metrics', path('refused', 'c'), '--evaluation', path('refused', 'e')]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('the model was trained for regression, not classification');
  }, 90_000);

  it('gate rejects a model that misses a threshold, and names the metric', async () => {
    const dir = path('regression-ridge');
    await runOk('gate', [
      '--evaluation', join(dir, 'evaluation.json'), '--thresholds', JSON.stringify({ r2: { min: 0.999 } }),
      '--approved', join(dir, 'strict', 'approved'), '--decision', join(dir, 'strict', 'decision.md'), '--reason', join(dir, 'strict', 'reason'),
    ]);
    expect(readText(join(dir, 'strict', 'approved'))).toBe('false');
    expect(readText(join(dir, 'strict', 'reason'))).toMatch(/^rejected: r2: 0\.\d+ is below the minimum 0\.999$/);
    expect(readText(join(dir, 'strict', 'decision.md'))).toMatch(/`r2` \| >= 0\.999 \| 0\.\d+ \| \*\*FAIL\*\*: .* below the minimum 0\.999/);
  }, 30_000);

  it('train reports tuning measurements the Vertex way, with integer hyperparameters from double flags', async () => {
    const metricFile = path('hypertune', 'output.metrics');
    const dir = path('tuned');
    const result = await runOk('train', [
      '--train-data', join(regression.split, 'train', 'data'), '--validation-data', join(regression.split, 'validation', 'data'),
      '--feature-schema', join(regression.split, 'feature_schema.json'), '--target-column', 'delay', '--task-type', 'regression',
      '--model-type', 'gradient_boosting', '--hyperparameters', '{"max_depth": 5}', '--random-seed', '42',
      '--model', join(dir, 'model'), '--training-metrics', join(dir, 'metrics.json'),
      '--n_estimators=30.0', '--learning_rate=0.2', '--max_depth=2.0',
    ], { env: { CLOUD_ML_HP_METRIC_FILE: metricFile, CLOUD_ML_TRIAL_ID: '7' } });
    const lines = readText(metricFile).trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.map((l) => l.global_step)).toEqual(['10', '20', '30']);
    for (const line of lines) {
      expect(Object.keys(line).sort()).toEqual(['checkpoint_path', 'global_step', 'rmse', 'timestamp', 'trial']);
      expect(line.trial).toBe('7');
      expect(line.timestamp).toBeTypeOf('number');
      expect(line.rmse).toMatch(/^\d+\.\d+(e[-+]\d+)?$/);
    }
    const metrics = readJson<Record<string, number>>(join(dir, 'metrics.json'));
    expect(Number(lines.at(-1)?.rmse)).toBeCloseTo(metrics.validation_rmse ?? Number.NaN, 9);
    const metadata = readJson<{ hyperparameters: Record<string, unknown> }>(join(dir, 'model', 'model_metadata.json'));
    // Flags beat the JSON, and doubles become the ints scikit-learn needs.
    expect(metadata.hyperparameters).toMatchObject({ n_estimators: 30, max_depth: 2, learning_rate: 0.2 });
    expect(Number.isInteger(metadata.hyperparameters.n_estimators)).toBe(true);
    const logs: LogRecord[] = result.logs;
    expect(logs.some((l) => l.message === 'reported tuning metric' && l.trial === '7')).toBe(true);
    expect(existsSync(join(dir, 'model', 'model.joblib'))).toBe(true);
  }, 60_000);

  it('train fails clearly on a hyperparameter the model does not have', async () => {
    const result = await runPython(['-m', 'mlops_components.steps.train',
      '--train-data', join(regression.split, 'train', 'data'), '--validation-data', join(regression.split, 'validation', 'data'),
      '--feature-schema', join(regression.split, 'feature_schema.json'), '--target-column', 'delay',
      '--model-type', 'ridge', '--hyperparameters', '{"n_estimators": 10}', '--model', path('bad-model'),
    ]);
    expect(result.code).toBe(1);
    const error = result.logs.find((l) => l.severity === 'ERROR');
    expect(error?.message).toMatch(/unknown hyperparameters for ridge: \['n_estimators'\]/);
  }, 30_000);
});
