// The model spec's `tuning` block: the shipped study, its defaults, and each mistake refused naming
// the field (with a did-you-mean where there is a known name close to it). The hyperparameter names
// a spec may tune are held to the Python estimators the trials build.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { parseModelSpec } from '../../../control-plane/config/load-model-specs.js';
import { tuningModelTypes } from '../../../control-plane/config/model-spec.js';
import { effectiveSpace, gridSize, gridSizeProblem, hyperparameterProblem, parameterSpec, TUNABLE_HYPERPARAMETERS, TUNING_METRICS, tuningMetricGoal } from '../../../control-plane/config/tuning-space.js';
import { MODEL_TYPES } from '../../../pipelines/components/closed-sets.js';
import { DEFAULT_SEARCH_SPACE } from '../../../pipelines/definitions/search-spaces.js';
import { edited, expectSpecError, shippedText, SHIPPED_FILE } from './support.js';

describe('the shipped tuning block', () => {
  const spec = parseModelSpec(shippedText, SHIPPED_FILE);

  it('searches ridge, random forest and xgboost on validation RMSE, 12 trials, 3 at a time', () => {
    expect(spec.tuning).toMatchObject({ modelTypes: ['ridge', 'random_forest', 'xgboost'], metric: 'rmse', algorithm: 'bayesian', maxTrials: 12, parallelTrials: 3, maxFailedTrials: 3, earlyStopping: 'decay_curve' });
    expect(tuningModelTypes(spec)).toEqual(['ridge', 'random_forest', 'xgboost']);
  });

  it('keeps trials small: no tree ensemble grows more than 150 estimators', () => {
    for (const type of ['random_forest', 'xgboost'] as const) {
      const estimators = effectiveSpace(type, spec.tuning!.space[type]).find((p) => (p as { parameterId: string }).parameterId === 'n_estimators');
      expect(estimators, type).toMatchObject({ integerValueSpec: { maxValue: '150' } });
    }
  });
});

describe('defaults', () => {
  const minimal = `
name: tiny
displayName: Tiny
source: { table: d.t, target: y, features: [x] }
task: classification
pipeline: { name: training-pipeline, parameters: { model_type: xgboost } }
evaluation: { championChallenger: { metric: accuracy } }
endpoint: { displayName: tiny }
`;

  it('an empty block studies the pipeline model type with Vizier, 12 trials, 3 in parallel, no early stopping', () => {
    const spec = parseModelSpec(`${minimal}tuning: {}\n`, 'models/tiny.yaml');
    expect(spec.tuning).toEqual({ algorithm: 'bayesian', maxTrials: 12, parallelTrials: 3, maxFailedTrials: 3, earlyStopping: 'none', space: {} });
    expect(tuningModelTypes(spec)).toEqual(['xgboost']);
  });

  it('without a pipeline model_type, the pipeline default (random_forest) is studied', () => {
    const spec = parseModelSpec(minimal.replace(', parameters: { model_type: xgboost }', ''), 'models/tiny.yaml');
    expect(spec.tuning).toBeUndefined();
    expect(tuningModelTypes(spec)).toEqual(['random_forest']);
  });

  it('classification metrics are tunable on a classification spec, and goals follow the metric', () => {
    expect(() => parseModelSpec(`${minimal}tuning: { metric: roc_auc }\n`, 'models/tiny.yaml')).not.toThrow();
    expect(TUNING_METRICS.classification).toContain('log_loss');
    expect(TUNING_METRICS.classification).not.toContain('logLoss');
    expect(tuningMetricGoal('rmse')).toBe('MINIMIZE');
    expect(tuningMetricGoal('log_loss')).toBe('MINIMIZE');
    expect(tuningMetricGoal('r2')).toBe('MAXIMIZE');
    expect(tuningMetricGoal('roc_auc')).toBe('MAXIMIZE');
  });
});

describe('mistakes fail naming the field', () => {
  const cases: { what: string; from: string; to: string; field: string; message: RegExp }[] = [
    { what: 'a misspelled hyperparameter', from: 'max_depth: { type: integer, min: 4, max: 16 }', to: 'max_dept: { type: integer, min: 4, max: 16 }', field: 'tuning.space.random_forest.max_dept', message: /not a hyperparameter random_forest tunes \(did you mean 'max_depth'\?\)/ },
    { what: "another type's hyperparameter", from: 'max_depth: { type: integer, min: 4, max: 16 }', to: 'learning_rate: { type: double, min: 0.1, max: 0.2 }', field: 'tuning.space.random_forest.learning_rate', message: /not a hyperparameter random_forest tunes/ },
    { what: 'min above max', from: 'min_samples_leaf: { type: integer, min: 2, max: 30 }', to: 'min_samples_leaf: { type: integer, min: 31, max: 30 }', field: 'tuning.space.random_forest.min_samples_leaf.min', message: /min 31 is above max 30/ },
    { what: 'a log scale over zero', from: 'min: 0.02, max: 0.3, scale: log', to: 'min: 0, max: 0.3, scale: log', field: 'tuning.space.xgboost.learning_rate.min', message: /log scale needs a positive range/ },
    { what: 'a fractional integer bound', from: 'n_estimators: { type: integer, min: 20, max: 150 }\n      max_depth: { type: integer, min: 4', to: 'n_estimators: { type: integer, min: 20.5, max: 150 }\n      max_depth: { type: integer, min: 4', field: 'tuning.space.random_forest.n_estimators.min', message: /integer bounds/ },
    { what: 'a misspelled range type', from: 'max_depth: { type: integer, min: 2, max: 8 }', to: 'max_depth: { type: intger, min: 2, max: 8 }', field: 'tuning.space.xgboost.max_depth.type', message: /did you mean 'integer'/ },
    { what: 'a misspelled range field', from: 'max_depth: { type: integer, min: 2, max: 8 }', to: 'max_depth: { type: integer, min: 2, max: 8, scal: log }', field: 'tuning.space.xgboost.max_depth.scal', message: /did you mean 'scale'/ },
    { what: 'a misspelled model type', from: '    xgboost:\n      n_estimators', to: '    xgbost:\n      n_estimators', field: 'tuning.space.xgbost', message: /did you mean 'xgboost'/ },
    { what: 'a space for a type the study does not search', from: '    xgboost:\n      n_estimators', to: '    gradient_boosting:\n      n_estimators', field: 'tuning.space.gradient_boosting', message: /does not search gradient_boosting/ },
    { what: 'a metric of another task', from: '  metric: rmse\n  algorithm', to: '  metric: accuracy\n  algorithm', field: 'tuning.metric', message: /not a regression metric a trial reports.*got "accuracy"/ },
    { what: "a Vertex schema name a trial does not report", from: '  metric: rmse\n  algorithm', to: '  metric: rootMeanSquaredError\n  algorithm', field: 'tuning.metric', message: /not a regression metric/ },
    { what: 'an unknown algorithm', from: 'algorithm: bayesian', to: 'algorithm: baysian', field: 'tuning.algorithm', message: /did you mean 'bayesian'/ },
    { what: 'grid search over a continuous default range', from: 'algorithm: bayesian', to: 'algorithm: grid', field: 'tuning.algorithm', message: /ridge's alpha is a continuous/ },
    { what: 'grid search over a continuous range the spec sets', from: 'algorithm: bayesian', to: 'algorithm: grid', field: 'tuning.space.xgboost.learning_rate', message: /xgboost's learning_rate is a continuous/ },
    { what: 'more parallel trials than trials', from: 'parallelTrials: 3', to: 'parallelTrials: 13', field: 'tuning.parallelTrials', message: /at most maxTrials \(12\)/ },
    { what: 'an unknown model type to search', from: 'modelTypes: [ridge, random_forest, xgboost]', to: 'modelTypes: [ridge, random_forrest]', field: 'tuning.modelTypes[1]', message: /did you mean 'random_forest'/ },
    { what: 'a model type twice', from: 'modelTypes: [ridge, random_forest, xgboost]', to: 'modelTypes: [ridge, xgboost, random_forest, xgboost]', field: 'tuning.modelTypes[3]', message: /lists xgboost twice/ },
    { what: 'a fraction range of max_features past 1', from: 'min_samples_leaf: { type: integer, min: 2, max: 30 }', to: 'min_samples_leaf: { type: integer, min: 2, max: 30 }\n      max_features: { type: double, min: 0.5, max: 2 }', field: 'tuning.space.random_forest.max_features.max', message: /fractions in \(0, 1\] \(1: all\), got max 2.*reaches the refit as 1/ },
    { what: 'a count of max_features from 1 (1 is all)', from: 'min_samples_leaf: { type: integer, min: 2, max: 30 }', to: 'min_samples_leaf: { type: integer, min: 2, max: 30 }\n      max_features: { type: integer, min: 1, max: 5 }', field: 'tuning.space.random_forest.max_features.min', message: /count of max_features starts at 2, got min 1 \(1 would mean all/ },
    { what: 'discrete min_samples_leaf mixing counts and fractions', from: 'min_samples_leaf: { type: integer, min: 2, max: 30 }', to: 'min_samples_leaf: { type: discrete, values: [0.1, 1] }', field: 'tuning.space.random_forest.min_samples_leaf.values', message: /fractions in \(0, 1\), got 1/ },
    { what: 'a double min_samples_split reaching 1', from: 'min_samples_leaf: { type: integer, min: 2, max: 30 }', to: 'min_samples_leaf: { type: integer, min: 2, max: 30 }\n      min_samples_split: { type: double, min: 0.1, max: 1 }', field: 'tuning.space.random_forest.min_samples_split.max', message: /fractions in \(0, 1\), got max 1/ },
    { what: 'a double range without width', from: 'min: 0.02, max: 0.3, scale: log', to: 'min: 0.3, max: 0.3, scale: log', field: 'tuning.space.xgboost.learning_rate.max', message: /needs min below max, got min = max = 0.3.*discrete, values: \[0.3\]/ },
    { what: 'an unknown early stopping rule', from: 'earlyStopping: decay_curve', to: 'earlyStopping: decay', field: 'tuning.earlyStopping', message: /must be one of decay_curve, median, none/ },
  ];
  it.each(cases)('$what → $field', ({ from, to, field, message }) => {
    expectSpecError(edited(from, to), field, message);
  });

  // ridge 3 points; random_forest 2 × 3 × 2; xgboost 2 × 3 × 3 × 2 (its default subsample is a double, so set here).
  const enumerable = (maxTrials: number): string => edited('maxTrials: 12', `maxTrials: ${maxTrials}`, edited('algorithm: bayesian', 'algorithm: grid', edited(
    'n_estimators: { type: integer, min: 20, max: 150 }\n      max_depth: { type: integer, min: 4, max: 16 }\n      min_samples_leaf: { type: integer, min: 2, max: 30 }',
    'n_estimators: { type: discrete, values: [50, 100] }\n      max_depth: { type: integer, min: 4, max: 6 }\n      min_samples_leaf: { type: integer, min: 2, max: 3 }',
    edited('n_estimators: { type: integer, min: 20, max: 150 }\n      max_depth: { type: integer, min: 2, max: 8 }\n      learning_rate: { type: double, min: 0.02, max: 0.3, scale: log }',
      'n_estimators: { type: discrete, values: [50, 100] }\n      max_depth: { type: integer, min: 2, max: 4 }\n      learning_rate: { type: discrete, values: [0.3, 0.03, 0.1] }\n      subsample: { type: discrete, values: [0.8, 1] }\n    ridge:\n      alpha: { type: discrete, values: [0.01, 1, 100], scale: log }'))));

  it('grid search over more points than maxTrials is refused, saying how many', () => {
    expectSpecError(enumerable(50), 'tuning.maxTrials', /grid search enumerates 51 points \(ridge: 3, random_forest: 12, xgboost: 36\) but maxTrials is 50/);
    const spec = parseModelSpec(enumerable(51), SHIPPED_FILE);
    expect(gridSize(tuningModelTypes(spec), spec.tuning!.space)).toEqual({ total: 51, perType: { ridge: 3, random_forest: 12, xgboost: 36 } });
    expect(gridSizeProblem(['ridge'], {}, 1000)).toBeUndefined();
    expect(gridSize(['random_forest'], {}).total).toBe(351 * 18 * 20);
  });

  it('grid search is accepted once every range is enumerable and the grid fits in maxTrials', () => {
    const spec = parseModelSpec(enumerable(60), SHIPPED_FILE);
    expect(spec.tuning!.algorithm).toBe('grid');
    expect(parameterSpec('learning_rate', spec.tuning!.space.xgboost!.learning_rate!)).toEqual({ parameterId: 'learning_rate', discreteValueSpec: { values: [0.03, 0.1, 0.3] }, scaleType: 'UNIT_LINEAR_SCALE' });
  });
});

describe('fraction-or-count hyperparameters', () => {
  it('take fractions or counts by one rule: 1 is all for max_features and max_samples, one sample for min_samples_leaf', () => {
    expect(hyperparameterProblem('max_features', { type: 'double', min: 0.3, max: 1 })).toBeUndefined();
    expect(hyperparameterProblem('max_samples', { type: 'discrete', values: [0.5, 1] })).toBeUndefined();
    expect(hyperparameterProblem('max_features', { type: 'integer', min: 2, max: 8 })).toBeUndefined();
    expect(hyperparameterProblem('min_samples_leaf', { type: 'integer', min: 1, max: 8 })).toBeUndefined();
    expect(hyperparameterProblem('min_samples_split', { type: 'integer', min: 1, max: 8 })?.path).toEqual(['min']);
    expect(hyperparameterProblem('min_samples_leaf', { type: 'double', min: 0.01, max: 1 })?.path).toEqual(['max']);
    expect(hyperparameterProblem('max_samples', { type: 'discrete', values: [0.5, 3] })?.path).toEqual(['values']);
    expect(hyperparameterProblem('max_depth', { type: 'integer', min: 1, max: 3 })).toBeUndefined();
  });
});

describe('search space entries', () => {
  it('become Vertex parameter specs, and replace the default range in place or add to it', () => {
    expect(parameterSpec('max_depth', { type: 'integer', min: 3, max: 20 })).toEqual({ parameterId: 'max_depth', integerValueSpec: { minValue: '3', maxValue: '20' }, scaleType: 'UNIT_LINEAR_SCALE' });
    expect(parameterSpec('booster', { type: 'categorical', values: ['gbtree', 'dart'] })).toEqual({ parameterId: 'booster', categoricalValueSpec: { values: ['gbtree', 'dart'] } });
    const space = effectiveSpace('xgboost', { learning_rate: { type: 'double', min: 0.05, max: 0.2, scale: 'log' }, booster: { type: 'categorical', values: ['gbtree'] } });
    const ids = space.map((p) => (p as { parameterId: string }).parameterId);
    expect(ids).toEqual([...DEFAULT_SEARCH_SPACE.xgboost.map((p) => (p as { parameterId: string }).parameterId), 'booster']);
    expect(space[ids.indexOf('learning_rate')]).toEqual({ parameterId: 'learning_rate', doubleValueSpec: { minValue: 0.05, maxValue: 0.2 }, scaleType: 'UNIT_LOG_SCALE' });
    expect(effectiveSpace('ridge')).toEqual(DEFAULT_SEARCH_SPACE.ridge);
  });
});

const python = spawnSync('/usr/bin/python3', ['-c', 'import sklearn, xgboost'], { encoding: 'utf8' });

describe.skipIf(python.status !== 0)('the tunable hyperparameters', () => {
  it("are parameters the trainer's estimators accept for both tasks", () => {
    const script = `
import json, sys
from mlops_components.models import build_estimator
out = {}
for m in ${JSON.stringify(MODEL_TYPES)}:
    for t in ['regression', 'classification']:
        names = set(build_estimator(m, t, {}, 0).get_params(deep=False))
        if m == 'ridge':
            names.add('alpha')
        out[m + '/' + t] = sorted(names)
print(json.dumps(out))`;
    const run = spawnSync('/usr/bin/python3', ['-c', script], { encoding: 'utf8', cwd: new URL('../../../pipelines/components/python', import.meta.url).pathname });
    expect(run.status, run.stderr).toBe(0);
    const accepted = JSON.parse(run.stdout) as Record<string, string[]>;
    for (const type of MODEL_TYPES) {
      for (const task of ['regression', 'classification']) {
        const missing = TUNABLE_HYPERPARAMETERS[type].filter((name) => !accepted[`${type}/${task}`]!.includes(name));
        expect(missing, `${type} (${task})`).toEqual([]);
      }
      // The default search space only tunes names a spec may tune too.
      for (const spec of DEFAULT_SEARCH_SPACE[type]) expect(TUNABLE_HYPERPARAMETERS[type]).toContain((spec as { parameterId: string }).parameterId);
    }
  });
});
