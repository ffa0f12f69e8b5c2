// The tuning pipeline's Python side: a trial of a study across model types trains the type its
// --model_type flag names with its prefixed hyperparameters, and summarize_tuning ranks the study
// parameters by their importance to the metric.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mulberry32 } from '../../emulators/vertex/hyperparameter-tuning-jobs/suggestions.js';
import { flights, writeRegressionCsv } from './fixtures.js';
import { makeWorkDir, pythonStack, readJson, runOk, runPython } from './support.js';

const stack = pythonStack('tuning study', 'sklearn, xgboost, pandas');

describe.skipIf(!stack.ok)('a trial of a study across model types', () => {
  const work = makeWorkDir('tuning-trial');
  const path = (...parts: string[]): string => join(work.dir, ...parts);

  beforeAll(async () => {
    writeRegressionCsv(path('flights.csv'), flights(300));
    await runOk('preprocess_split', [
      '--dataset', path('flights.csv'), '--target-column', 'delay', '--split-strategy', 'random', '--time-column', '',
      '--validation-fraction', '0.15', '--test-fraction', '0.15', '--random-seed', '42',
      '--train-data', path('split', 'train'), '--validation-data', path('split', 'validation'),
      '--test-data', path('split', 'test'), '--feature-schema', path('split', 'schema.json'),
    ]);
  }, 60_000);
  afterAll(() => work.cleanup());

  // What tuning.trial_args passes for such a study (no --model-type), plus what Vertex appends.
  const trial = (name: string, flags: string[]) => runPython(['-m', 'mlops_components.steps.train',
    '--train-data', path('split', 'train'), '--validation-data', path('split', 'validation'),
    '--feature-schema', path('split', 'schema.json'), '--target-column', 'delay', '--task-type', 'regression',
    '--hypertune-metric', 'rmse', '--model', path(name, 'model'), ...flags,
  ], { env: { CLOUD_ML_HP_METRIC_FILE: path(name, 'output.metrics'), CLOUD_ML_TRIAL_ID: name } });

  const metadata = (name: string) => readJson<{ model_type: string; hyperparameters: Record<string, unknown> }>(path(name, 'model', 'model_metadata.json'));

  it('trains the model type the flag names with its unprefixed hyperparameters, ints from doubles', async () => {
    const result = await trial('xgb', ['--model_type=xgboost', '--xgboost__n_estimators=20.0', '--xgboost__max_depth=3.0', '--xgboost__learning_rate=0.3']);
    expect(result.code, result.stderr).toBe(0);
    expect(metadata('xgb').model_type).toBe('xgboost');
    expect(metadata('xgb').hyperparameters).toMatchObject({ n_estimators: 20, max_depth: 3, learning_rate: 0.3 });
    expect(Object.keys(metadata('xgb').hyperparameters).filter((k) => k.includes('__'))).toEqual([]);
  }, 60_000);

  // scikit-learn reads max_features=1.0 as all features and 1 as one feature; JSON between the tune
  // step and the refit (a JavaScript round trip) keeps no difference between them.
  it('a trial and the refit of its parameters train the same fractions and counts, whatever JSON made of 1.0', async () => {
    const estimatorParams = async (name: string): Promise<Record<string, string>> => {
      const script = `import json, joblib\nest = joblib.load(${JSON.stringify(path(name, 'model', 'model.joblib'))}).steps[-1][1]\n`
        + `print(json.dumps({k: repr(v) for k, v in est.get_params().items() if k in ("max_features", "max_samples", "min_samples_leaf", "min_samples_split")}))`;
      const result = await runPython(['-c', script]);
      expect(result.code, result.stderr).toBe(0);
      return JSON.parse(result.stdout) as Record<string, string>;
    };
    const trialRun = await trial('fractions-trial', ['--model_type=random_forest', '--random_forest__n_estimators=10.0', '--random_forest__max_features=1.0',
      '--random_forest__max_samples=0.5', '--random_forest__min_samples_leaf=0.05', '--random_forest__min_samples_split=4.0']);
    expect(trialRun.code, trialRun.stderr).toBe(0);
    const best = JSON.stringify(JSON.parse('{"n_estimators": 10, "max_features": 1.0, "max_samples": 0.5, "min_samples_leaf": 0.05, "min_samples_split": 4.0}'));
    expect(best).toContain('"max_features":1,');
    const refit = await trial('fractions-refit', ['--model-type', 'random_forest', '--hyperparameters', best]);
    expect(refit.code, refit.stderr).toBe(0);
    const expected = { max_features: '1.0', max_samples: '0.5', min_samples_leaf: '0.05', min_samples_split: '4' };
    expect(await estimatorParams('fractions-trial')).toEqual(expected);
    expect(await estimatorParams('fractions-refit')).toEqual(expected);
  }, 120_000);

  it('refuses a fraction-or-count value with no one meaning, naming it', async () => {
    const split = await trial('split-one', ['--model_type=random_forest', '--random_forest__n_estimators=10', '--random_forest__min_samples_split=1']);
    expect(split.code).not.toBe(0);
    expect(split.stderr).toContain('min_samples_split=1 is neither a count (from 2) nor a fraction below 1');
    const leaf = await trial('leaf-part', ['--model_type=random_forest', '--random_forest__n_estimators=10', '--random_forest__min_samples_leaf=2.5']);
    expect(leaf.code).not.toBe(0);
    expect(leaf.stderr).toContain('min_samples_leaf must be a fraction in (0, 1) or a whole count, got 2.5');
  }, 60_000);

  it('the flag overrides --model-type', async () => {
    const result = await trial('ridge', ['--model-type', 'random_forest', '--model_type=ridge', '--ridge__alpha=0.5']);
    expect(result.code, result.stderr).toBe(0);
    expect(metadata('ridge')).toMatchObject({ model_type: 'ridge', hyperparameters: { alpha: 0.5 } });
  }, 60_000);

  it('refuses a hyperparameter prefixed for another model type, naming it', async () => {
    const result = await trial('mixed', ['--model_type=ridge', '--ridge__alpha=0.5', '--xgboost__max_depth=3.0']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("xgboost__max_depth: prefixed for model type 'xgboost', but the trial's model_type is 'ridge'");
  }, 60_000);

  it('refuses a model type outside the closed set', async () => {
    const result = await trial('unknown', ['--model_type=lasso']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/model_type: 'lasso' is not one of random_forest, gradient_boosting, ridge, xgboost/);
  }, 60_000);
});

interface Importance {
  metric: { id: string; goal: string };
  parameterImportance: { parameter: string; importance: number }[];
}

/** Trials of a study over ridge and xgboost whose rmse is driven by `driver` alone (plus a little noise). */
function syntheticTrials(count: number, driver: 'xgboost__learning_rate' | 'model_type', seed = 3) {
  const next = mulberry32(seed);
  const trials = [];
  for (let i = 0; i < count; i += 1) {
    const modelType = next() < 0.5 ? 'xgboost' : 'ridge';
    const parameters: Record<string, number | string> = { model_type: modelType };
    if (modelType === 'xgboost') {
      parameters.xgboost__learning_rate = 10 ** (-2 + 1.5 * next());
      parameters.xgboost__max_depth = 2 + Math.floor(next() * 9);
    } else {
      parameters.ridge__alpha = 10 ** (-4 + 6 * next());
    }
    const signal = driver === 'model_type' ? (modelType === 'xgboost' ? 0 : 5) : 100 * Number(parameters.xgboost__learning_rate ?? 0.05);
    const state = i % 7 === 6 ? 'INFEASIBLE' : 'SUCCEEDED';
    trials.push({ id: String(i + 1), state, parameters, final_metric: state === 'SUCCEEDED' ? 10 + signal + 0.01 * next() : null });
  }
  return { job: 'projects/p/locations/l/hyperparameterTuningJobs/1', metric: { id: 'rmse', goal: 'MINIMIZE' }, trials };
}

describe.skipIf(!stack.ok)('summarize_tuning', () => {
  const work = makeWorkDir('tuning-summary');
  afterAll(() => work.cleanup());

  const summarize = async (name: string, trials: object, extra: string[] = []) => {
    writeFileSync(join(work.dir, `${name}.json`), JSON.stringify(trials));
    const out = join(work.dir, name, 'parameter_importance');
    const result = await runOk('summarize_tuning', ['--trials', join(work.dir, `${name}.json`), '--parameter-importance', out, ...extra]);
    return { importance: readJson<Importance>(out), result };
  };

  it.each(['xgboost__learning_rate', 'model_type'] as const)('ranks the parameter that drives the metric first (%s), shares summing to 1', async (driver) => {
    const { importance } = await summarize(driver, syntheticTrials(40, driver));
    expect(importance.metric).toEqual({ id: 'rmse', goal: 'MINIMIZE' });
    const ranked = importance.parameterImportance;
    expect(ranked.map((r) => r.parameter).sort()).toEqual(['model_type', 'ridge__alpha', 'xgboost__learning_rate', 'xgboost__max_depth']);
    expect(ranked[0]!.parameter).toBe(driver);
    expect(ranked[0]!.importance).toBeGreaterThan(0.5);
    expect(ranked.reduce((sum, r) => sum + r.importance, 0)).toBeCloseTo(1, 9);
    for (const [i, r] of ranked.entries()) {
      expect(r.importance).toBeGreaterThanOrEqual(0);
      if (i > 0) expect(r.importance).toBeLessThanOrEqual(ranked[i - 1]!.importance);
    }
  }, 60_000);

  it('is deterministic', async () => {
    const trials = syntheticTrials(25, 'xgboost__learning_rate', 11);
    const first = await summarize('again-1', trials);
    const second = await summarize('again-2', trials);
    expect(second.importance).toEqual(first.importance);
  }, 60_000);

  it('leaves the list empty, saying why, with too few succeeded trials or a metric that never varied', async () => {
    // 7 trials, the 7th failed: 6 succeeded, under a minimum of 7.
    const few = await summarize('few', syntheticTrials(7, 'model_type'), ['--min-trials', '7']);
    expect(few.importance).toEqual({ metric: { id: 'rmse', goal: 'MINIMIZE' }, parameterImportance: [] });
    expect(few.result.logs.some((l) => l.severity === 'WARNING' && /too few succeeded trials/.test(l.message) && l.succeeded === 6 && l.needed === 7)).toBe(true);
    const flat = syntheticTrials(10, 'model_type');
    for (const t of flat.trials) if (t.final_metric !== null) t.final_metric = 7;
    const constant = await summarize('constant', flat);
    expect(constant.importance.parameterImportance).toEqual([]);
    expect(constant.result.logs.some((l) => /the metric is the same in every succeeded trial/.test(l.message))).toBe(true);
  }, 60_000);
});
