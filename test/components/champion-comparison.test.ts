// compare_champion for real: a challenger (train's model directory) against champions exported as
// Vertex serves them (scikit-learn and XGBoost serving directories), on the same test split; and the
// paired bootstrap itself against differences known by construction.
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { flights, writeClassificationCsv, writeRegressionCsv } from './fixtures.js';
import { makeWorkDir, pythonStack, readJson, readText, runComponent, runOk, runPython } from './support.js';

interface Comparison {
  metric: string;
  direction: 'lower' | 'higher';
  challenger: number | null;
  champion: number | null;
  difference: number | null;
  ci_low: number | null;
  ci_high: number | null;
  confidence: number;
  n_rows: number;
  bootstrap_samples: number;
  min_improvement: number;
  champion_model_uri: string;
  verdict: 'better' | 'not_better' | 'no_champion' | 'champion_unusable';
  reason: string;
}

const stack = pythonStack('champion comparison', 'sklearn, xgboost, pandas');

describe.skipIf(!stack.ok)('compare_champion', () => {
  const work = makeWorkDir('champion');
  const path = (...parts: string[]): string => join(work.dir, ...parts);
  const split = (task: string, part: string) => path(task, 'split', part);

  async function trainAndExport(task: 'regression' | 'classification', name: string, modelType: string, hyperparameters: object) {
    const target = task === 'regression' ? 'delay' : 'status';
    const schema = split(task, 'feature_schema.json');
    await runOk('train', [
      '--train-data', split(task, 'train'), '--validation-data', split(task, 'validation'), '--feature-schema', schema,
      '--target-column', target, '--task-type', task, '--model-type', modelType, '--hyperparameters', JSON.stringify(hyperparameters),
      '--random-seed', '42', '--model', path(name, 'model'), '--training-metrics', path(name, 'training_metrics.json'),
    ]);
    await runOk('export_serving', [
      '--model', path(name, 'model'), '--train-data', split(task, 'train'), '--feature-schema', schema, '--target-column', target,
      '--model-type', modelType, '--serving-model', path(name, 'serving'), '--baseline-statistics', path(name, 'baseline.json'),
    ]);
  }

  async function evaluated(name: string): Promise<Record<string, number>> {
    await runOk('evaluate', [
      '--model', path(name, 'model'), '--test-data', split('regression', 'test'), '--target-column', 'delay', '--task-type', 'regression',
      '--metrics', path(name, 'metrics.json'), '--classification-metrics', path(name, 'cm.json'), '--evaluation', path(name, 'evaluation.json'),
    ]);
    return readJson<Record<string, number>>(path(name, 'metrics.json'));
  }

  let runs = 0;
  /** Runs the step; returns the artifact, after checking the two parameters say the same. */
  async function compare(challenger: string, champion: string, options: Record<string, string> = {}): Promise<Comparison> {
    const out = path('comparisons', String((runs += 1)));
    const task = options.task ?? 'regression';
    await runOk('compare_champion', [
      '--model', path(challenger, 'model'), '--test-data', split(task, 'test'), '--target-column', task === 'regression' ? 'delay' : 'status',
      '--task-type', task, '--champion-model-uri', champion, '--comparison-metric', options.metric ?? 'rmse',
      '--min-improvement', options.minImprovement ?? '0', '--confidence', options.confidence ?? '0.95',
      '--bootstrap-samples', options.samples ?? '400', '--random-seed', options.seed ?? '42',
      '--champion-comparison', join(out, 'comparison.json'), '--verdict', join(out, 'verdict'), '--comparison', join(out, 'comparison'),
    ]);
    const artifact = readJson<Comparison>(join(out, 'comparison.json'));
    expect(JSON.parse(readText(join(out, 'comparison')))).toEqual(artifact);
    expect(readText(join(out, 'verdict'))).toBe(artifact.verdict);
    return artifact;
  }

  beforeAll(async () => {
    const rows = flights(400);
    for (const task of ['regression', 'classification'] as const) mkdirSync(path(task), { recursive: true });
    writeRegressionCsv(path('regression', 'data.csv'), rows);
    writeClassificationCsv(path('classification', 'data.csv'), rows);
    await Promise.all((['regression', 'classification'] as const).map((task) => runOk('preprocess_split', [
      '--dataset', path(task, 'data.csv'), '--target-column', task === 'regression' ? 'delay' : 'status',
      '--split-strategy', task === 'regression' ? 'random' : 'stratified', '--time-column', '', '--validation-fraction', '0.15',
      '--test-fraction', '0.15', '--random-seed', '42', '--train-data', split(task, 'train'), '--validation-data', split(task, 'validation'),
      '--test-data', split(task, 'test'), '--feature-schema', split(task, 'feature_schema.json'),
    ])));
    await Promise.all([
      trainAndExport('regression', 'forest', 'random_forest', { n_estimators: 30, min_samples_leaf: 2 }),
      // Regularised until it predicts little more than the mean: a champion any real model beats.
      trainAndExport('regression', 'flat', 'ridge', { alpha: 1e6 }),
      trainAndExport('regression', 'boosted', 'xgboost', { n_estimators: 40, max_depth: 3 }),
      trainAndExport('classification', 'classifier', 'random_forest', { n_estimators: 30 }),
      trainAndExport('classification', 'flat-classifier', 'ridge', { alpha: 1e6 }),
    ]);
  }, 180_000);

  afterAll(() => work.cleanup());

  it('without a champion: no_champion, and the challenger measured exactly as evaluate measures it', async () => {
    const [metrics, result] = await Promise.all([evaluated('forest'), compare('forest', '')]);
    expect(result).toMatchObject({
      metric: 'rmse', direction: 'lower', champion: null, difference: null, ci_low: null, ci_high: null, n_rows: 60,
      verdict: 'no_champion', reason: 'no champion to compare with: champion_model_uri is empty',
    });
    // Random-forest predictions are summed over threads in any order: equal up to the last bits.
    expect(result.challenger).toBeCloseTo(metrics.rmse!, 10);
  }, 60_000);

  it('a clearly better challenger: better, the interval below zero and the point estimates those of evaluate', async () => {
    const [forest, flat, result] = await Promise.all([evaluated('forest'), evaluated('flat'), compare('forest', path('flat', 'serving'))]);
    expect(result.verdict).toBe('better');
    expect(result.challenger).toBeCloseTo(forest.rmse!, 10);
    expect(result.champion).toBeCloseTo(flat.rmse!, 10);
    expect(result.difference).toBeCloseTo(forest.rmse! - flat.rmse!, 10);
    expect(result.ci_high!).toBeLessThan(0);
    expect(result.ci_low!).toBeLessThanOrEqual(result.difference!);
    expect(result.ci_high!).toBeGreaterThanOrEqual(result.difference!);
    expect(result.reason).toMatch(/^better: rmse [\d.]+ vs champion [\d.]+, difference -[\d.]+ \(95% CI -[\d.]+ to -[\d.]+\) lies entirely below 0 \(min_improvement 0\)$/);
  }, 60_000);

  it('the same comparison the other way round, or with a margin the gain does not reach, is not_better', async () => {
    const [worse, unreached] = await Promise.all([
      compare('flat', path('forest', 'serving')),
      compare('forest', path('flat', 'serving'), { minImprovement: '1000' }),
    ]);
    expect(worse.verdict).toBe('not_better');
    expect(worse.ci_low!).toBeGreaterThan(0);
    expect(unreached.verdict).toBe('not_better');
    expect(unreached.ci_high!).toBeLessThan(0);
    expect(unreached.reason).toMatch(/does not lie entirely below -1000 \(min_improvement 1000\)$/);
  }, 60_000);

  it('a challenger against its own export is never better, whatever the rounding', async () => {
    const results = await Promise.all([
      compare('forest', path('forest', 'serving')),
      // model.joblib against model.bst + preprocessor.joblib: the same trees, rounded differently.
      compare('boosted', path('boosted', 'serving')),
      compare('boosted', path('boosted', 'serving'), { metric: 'r2' }),
    ]);
    for (const result of results) {
      expect(result.verdict).toBe('not_better');
      expect(Math.abs(result.ci_low!)).toBeLessThan(1e-5);
      expect(Math.abs(result.ci_high!)).toBeLessThan(1e-5);
    }
  }, 60_000);

  it('an XGBoost champion (model.bst + preprocessor.joblib) scores as its model.joblib does; higher-is-better metrics use the upper side', async () => {
    const [boosted, result] = await Promise.all([evaluated('boosted'), compare('forest', path('boosted', 'serving'), { metric: 'rSquared' })]);
    expect(readFileSync(path('boosted', 'serving', 'model.bst')).length).toBeGreaterThan(0);
    expect(result.metric).toBe('rSquared');
    expect(result.direction).toBe('higher');
    expect(result.champion).toBeCloseTo(boosted.r2!, 5);
    expect(['better', 'not_better']).toContain(result.verdict);
    expect(result.verdict === 'better').toBe(result.ci_low! > 0);
  }, 60_000);

  it('the interval depends on the seed only through the resampling, and is reproducible', async () => {
    // XGBoost and ridge predict bit for bit the same each time (a random forest sums its trees in thread order).
    const [a, b, c] = await Promise.all([
      compare('boosted', path('flat', 'serving'), { seed: '7' }),
      compare('boosted', path('flat', 'serving'), { seed: '7' }),
      compare('boosted', path('flat', 'serving'), { seed: '8' }),
    ]);
    expect(b).toEqual(a);
    expect(c.difference).toBe(a.difference);
    expect([c.ci_low, c.ci_high]).not.toEqual([a.ci_low, a.ci_high]);
  }, 60_000);

  it('classification compares probabilities: log loss (lower) and Vertex\'s auRoc (higher)', async () => {
    const [loss, auc] = await Promise.all([
      compare('classifier', path('flat-classifier', 'serving'), { task: 'classification', metric: 'log_loss' }),
      compare('classifier', path('flat-classifier', 'serving'), { task: 'classification', metric: 'auRoc' }),
    ]);
    expect(loss).toMatchObject({ direction: 'lower', verdict: 'better' });
    expect(auc.direction).toBe('higher');
    expect(auc.challenger!).toBeGreaterThan(auc.champion!);
  }, 60_000);

  describe('an unusable champion is a verdict, with the reason', () => {
    it.each([
      ['a folder with no model', () => path('nowhere'), /unusable: cannot load it: FileNotFoundError: .*model_metadata\.json is missing/],
      ['a classifier against a regression challenger', () => path('classifier', 'serving'), /unusable: it is a classification model, the challenger a regression model$/],
      ['a model file that is not a model', () => {
        cpSync(path('flat', 'serving'), path('broken'), { recursive: true });
        writeFileSync(path('broken', 'model.joblib'), 'not a pickle');
        return path('broken');
      }, /unusable: cannot load it: \w+Error: /],
      ['a champion that takes a feature this split lacks', () => {
        // What a champion trained on another snapshot's columns looks like to the comparison: its metadata names them.
        cpSync(path('flat', 'serving'), path('wider'), { recursive: true });
        const metadata = readJson<{ features: string[]; numeric_features: string[] }>(path('wider', 'model_metadata.json'));
        writeFileSync(path('wider', 'model_metadata.json'), JSON.stringify({
          ...metadata, features: [...metadata.features, 'temperature'], numeric_features: [...metadata.numeric_features, 'temperature'],
        }));
        return path('wider');
      }, /unusable: the test rows lack the features \['temperature'\] it takes$/],
    ])('%s', async (_what, champion, reason) => {
      const uri = champion();
      const result = await compare('forest', uri);
      expect(result).toMatchObject({ verdict: 'champion_unusable', champion: null, difference: null, ci_low: null, champion_model_uri: uri });
      expect(result.challenger).toBeTypeOf('number');
      expect(result.reason).toMatch(new RegExp(`^champion ${uri.replaceAll('/', '\\/')} is unusable: `));
      expect(result.reason).toMatch(reason);
    }, 60_000);

    it('classes that differ', async () => {
      cpSync(path('flat-classifier', 'serving'), path('relabelled'), { recursive: true });
      const metadata = readJson<{ classes: string[] }>(path('relabelled', 'model_metadata.json'));
      writeFileSync(path('relabelled', 'model_metadata.json'), JSON.stringify({ ...metadata, classes: ['delayed', 'on_time'] }));
      const result = await compare('classifier', path('relabelled'), { task: 'classification', metric: 'accuracy' });
      expect(result.verdict).toBe('champion_unusable');
      expect(result.reason).toMatch(/its classes \['delayed', 'on_time'\] differ from the challenger's \['late', 'on_time'\]$/);
    }, 60_000);
  });

  it('refuses a metric of the other task, and nonsense settings, naming the flag', async () => {
    const base = ['--model', path('forest', 'model'), '--test-data', split('regression', 'test'), '--target-column', 'delay',
      '--champion-comparison', path('refused', 'c.json'), '--verdict', path('refused', 'v'), '--comparison', path('refused', 'c')];
    const cases: [string[], RegExp][] = [
      [['--task-type', 'regression', '--comparison-metric', 'accuracy'], /--comparison-metric: 'accuracy' is not a regression metric; one of mse, rmse/],
      [['--comparison-metric', 'rmsee'], /--comparison-metric: .*did you mean `rmse`\?/],
      [['--confidence', '1'], /--confidence: expected a number strictly between 0 and 1, got 1/],
      [['--bootstrap-samples', '0'], /--bootstrap-samples: expected 1 to 100000, got 0/],
    ];
    for (const [args, message] of cases) {
      const result = await runComponent('compare_champion', [...base, ...args]);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(message);
    }
  }, 60_000);
});

describe.skipIf(!stack.ok)('the paired bootstrap', () => {
  it('covers the true difference at about the confidence asked for', async () => {
    // Two models' absolute errors ~ |N(0, 1)| and |N(0, 2)| on the same rows: the true mae
    // difference is sqrt(2/pi) * (1 - 2). Over 200 data sets the 90% interval should hold it ~180 times.
    const script = `
import json, math
import numpy as np
from mlops_components.steps.compare_champion import bootstrap
truth = math.sqrt(2 / math.pi) * (1 - 2)
rng = np.random.default_rng(2024)
hits, widths = 0, []
for trial in range(200):
    actual = rng.normal(size=200) * 10
    noise = rng.normal(size=200)
    challenger = actual + noise
    champion = actual + 2 * rng.normal(size=200)
    interval = bootstrap("mae", actual, challenger, champion, "regression", 0, 300, 0.9, trial)
    hits += interval.low <= truth <= interval.high
    widths.append(interval.high - interval.low)
print(json.dumps({"hits": hits, "median_width": float(np.median(widths))}))
`;
    const result = await runPython(['-c', script], { timeoutMs: 120_000 });
    expect(result.code, result.stderr).toBe(0);
    const { hits, median_width: width } = JSON.parse(result.stdout) as { hits: number; median_width: number };
    // Binomial(200, 0.9): 95% of runs land in 172..188; the percentile bootstrap runs a little narrow at n = 200.
    expect(hits).toBeGreaterThanOrEqual(166);
    expect(hits).toBeLessThanOrEqual(192);
    // An interval that always holds the truth because it is huge would prove nothing.
    expect(width).toBeLessThan(0.4);
  }, 120_000);
});
