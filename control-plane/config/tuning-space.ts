// The tuning vocabulary of a model spec (and of a tuning run's request): the hyperparameters each
// model type can tune, the metrics a trial reports, the search algorithms, and the readable search
// space entries (`max_depth: {type: integer, min: 3, max: 20}`) turned into Vertex
// StudySpec.ParameterSpec JSON over the pipeline's default space (pipelines/definitions/search-spaces.ts).
import type { JsonValue } from '../../pipelines/ir/index.js';
import type { ModelType, TaskType } from '../../pipelines/components/closed-sets.js';
import { EVALUATION_METRICS, METRIC_DIRECTIONS } from '../../pipelines/components/closed-sets.js';
import { DEFAULT_SEARCH_SPACE } from '../../pipelines/definitions/search-spaces.js';

/**
 * What a trial may be given, per model type: the estimator's parameters that both tasks' estimators
 * accept (mlops_components.models.build_estimator; `ridge` takes `alpha` for both, as C = 1/alpha for
 * classification), less plumbing (threads, seeds, verbosity, warm starts). A test holds this to the
 * Python estimators.
 */
export const TUNABLE_HYPERPARAMETERS: Readonly<Record<ModelType, readonly string[]>> = {
  random_forest: [
    'n_estimators', 'max_depth', 'min_samples_split', 'min_samples_leaf', 'min_weight_fraction_leaf', 'max_features',
    'max_leaf_nodes', 'min_impurity_decrease', 'bootstrap', 'max_samples', 'ccp_alpha', 'criterion',
  ],
  gradient_boosting: [
    'n_estimators', 'learning_rate', 'max_depth', 'subsample', 'min_samples_split', 'min_samples_leaf', 'min_weight_fraction_leaf',
    'max_features', 'max_leaf_nodes', 'min_impurity_decrease', 'ccp_alpha', 'n_iter_no_change', 'validation_fraction', 'tol', 'loss', 'criterion',
  ],
  ridge: ['alpha', 'fit_intercept', 'max_iter', 'tol'],
  xgboost: [
    'n_estimators', 'learning_rate', 'max_depth', 'max_leaves', 'min_child_weight', 'gamma', 'subsample', 'colsample_bytree',
    'colsample_bylevel', 'colsample_bynode', 'reg_alpha', 'reg_lambda', 'max_delta_step', 'max_bin', 'grow_policy', 'booster',
    'tree_method', 'scale_pos_weight', 'num_parallel_tree', 'sampling_method', 'max_cat_to_onehot',
  ],
};

/**
 * The metrics a trial can report as its hypertune metric: the validation metrics the train step
 * computes (our flat names; the camelCase ones are Vertex's schema names for the same numbers).
 */
export const TUNING_METRICS: Readonly<Record<TaskType, readonly string[]>> = {
  regression: EVALUATION_METRICS.regression.filter((m) => /^[a-z][a-z0-9_]*$/.test(m)),
  classification: EVALUATION_METRICS.classification.filter((m) => /^[a-z][a-z0-9_]*$/.test(m)),
};

/** The train step's DEFAULT_TUNING_METRIC (steps/train.py): what a trial reports when told nothing else. */
export const DEFAULT_TUNING_METRIC: Readonly<Record<TaskType, string>> = { regression: 'rmse', classification: 'accuracy' };

export type MetricGoal = 'MAXIMIZE' | 'MINIMIZE';

/** The study's goal follows from the metric: errors and losses are minimized, scores maximized. */
export function tuningMetricGoal(metric: string): MetricGoal {
  return METRIC_DIRECTIONS[metric] === 'lower' ? 'MINIMIZE' : 'MAXIMIZE';
}

/** Readable names for Vertex's StudySpec.Algorithm (ALGORITHM_UNSPECIFIED is Vizier's Gaussian-process bandit). */
export const TUNING_ALGORITHMS = { bayesian: 'ALGORITHM_UNSPECIFIED', random: 'RANDOM_SEARCH', grid: 'GRID_SEARCH' } as const;
export type TuningAlgorithm = keyof typeof TUNING_ALGORITHMS;
export const TUNING_ALGORITHM_NAMES = Object.keys(TUNING_ALGORITHMS) as [TuningAlgorithm, ...TuningAlgorithm[]];

/** The tuning pipeline's `early_stopping`: decay-curve or median automated stopping, or none. */
export const EARLY_STOPPING = ['decay_curve', 'median', 'none'] as const;
export type EarlyStopping = (typeof EARLY_STOPPING)[number];

export const SCALES = { linear: 'UNIT_LINEAR_SCALE', log: 'UNIT_LOG_SCALE', reverse_log: 'UNIT_REVERSE_LOG_SCALE' } as const;
export type Scale = keyof typeof SCALES;

/** One hyperparameter's range as a spec or a request writes it. */
export type SearchSpaceEntry =
  | { readonly type: 'integer'; readonly min: number; readonly max: number; readonly scale?: Scale | undefined }
  | { readonly type: 'double'; readonly min: number; readonly max: number; readonly scale?: Scale | undefined }
  | { readonly type: 'discrete'; readonly values: readonly number[]; readonly scale?: Scale | undefined }
  | { readonly type: 'categorical'; readonly values: readonly string[] };

/** Per model type, hyperparameter → its range; replaces or adds to the type's default space. */
export type SearchSpaceOverrides = Partial<Record<ModelType, Readonly<Record<string, SearchSpaceEntry>>>>;

/** What is wrong with one entry (beyond its shape), or undefined. */
export function entryProblem(entry: SearchSpaceEntry): { path: string[]; message: string } | undefined {
  if (entry.type === 'integer' || entry.type === 'double') {
    if (entry.type === 'integer' && (!Number.isSafeInteger(entry.min) || !Number.isSafeInteger(entry.max))) {
      return { path: [Number.isSafeInteger(entry.min) ? 'max' : 'min'], message: 'an integer range needs integer bounds' };
    }
    if (entry.min > entry.max) return { path: ['min'], message: `min ${entry.min} is above max ${entry.max}` };
    // Vertex refuses a double range without width (the emulator only refuses min > max); one value is a discrete list.
    if (entry.type === 'double' && entry.min === entry.max) {
      return { path: ['max'], message: `a double range needs min below max, got min = max = ${entry.min}: for one value use {type: discrete, values: [${entry.min}]}` };
    }
    if ((entry.scale === 'log' || entry.scale === 'reverse_log') && entry.min <= 0) {
      return { path: ['min'], message: `a ${entry.scale} scale needs a positive range, got min ${entry.min}` };
    }
    return undefined;
  }
  const values: readonly (number | string)[] = entry.values;
  const twice = values.find((v, i) => values.indexOf(v) !== i);
  if (twice !== undefined) return { path: ['values'], message: `lists ${JSON.stringify(twice)} twice` };
  if (entry.type === 'discrete' && (entry.scale === 'log' || entry.scale === 'reverse_log') && entry.values.some((v) => v <= 0)) {
    return { path: ['values'], message: `a ${entry.scale} scale needs positive values` };
  }
  return undefined;
}

/**
 * scikit-learn reads these as a count when given an int and as a fraction when given a float, but
 * a trial's value (`--max_features=1.0`) reaches the refit as JSON, where 1.0 is 1. So one rule,
 * the same in train.py (hyperparameters.fraction_or_count): a value in (0, 1) is a fraction, a
 * whole number from 2 a count, and exactly 1 means "all" for max_features and max_samples, one
 * sample for min_samples_leaf, and is refused for min_samples_split (a count needs 2).
 */
export const FRACTION_OR_COUNT_HYPERPARAMETERS = {
  max_features: { one: 'all', minCount: 2 },
  max_samples: { one: 'all', minCount: 2 },
  min_samples_leaf: { one: 'count', minCount: 1 },
  min_samples_split: { one: 'refused', minCount: 2 },
} as const satisfies Record<string, { one: 'all' | 'count' | 'refused'; minCount: number }>;

/** What is wrong with an entry for this hyperparameter (beyond entryProblem), or undefined. */
export function hyperparameterProblem(name: string, entry: SearchSpaceEntry): { path: string[]; message: string } | undefined {
  if (!Object.hasOwn(FRACTION_OR_COUNT_HYPERPARAMETERS, name)) return undefined;
  const rule = FRACTION_OR_COUNT_HYPERPARAMETERS[name as keyof typeof FRACTION_OR_COUNT_HYPERPARAMETERS];
  const why = `${name} is a count as an integer and a fraction below 1 as a number, and a trial's 1.0 reaches the refit as 1`;
  if (entry.type === 'integer') {
    if (entry.min < rule.minCount) {
      const one = rule.one === 'all' ? ` (1 would mean all, not one: ${why})` : '';
      return { path: ['min'], message: `a count of ${name} starts at ${rule.minCount}, got min ${entry.min}${one}` };
    }
    return undefined;
  }
  if (entry.type === 'categorical') return undefined;
  // A fraction range may reach 1 only where 1 means what 1.0 means to scikit-learn: all of them.
  const aboveFractions = (v: number): boolean => (rule.one === 'all' ? v > 1 : v >= 1);
  const fractions = rule.one === 'all' ? 'fractions in (0, 1] (1: all)' : 'fractions in (0, 1)';
  if (entry.type === 'double') {
    if (entry.min <= 0) return { path: ['min'], message: `a double range of ${name} holds ${fractions}, got min ${entry.min}; for counts use {type: integer}` };
    if (aboveFractions(entry.max)) return { path: ['max'], message: `a double range of ${name} holds ${fractions}, got max ${entry.max}: ${why}; for counts use {type: integer}` };
    return undefined;
  }
  const bad = entry.values.find((v) => v <= 0 || aboveFractions(v));
  if (bad !== undefined) return { path: ['values'], message: `discrete values of ${name} are ${fractions}, got ${bad}: ${why}; for counts use {type: integer}` };
  return undefined;
}

/** The entry as Vertex's StudySpec.ParameterSpec JSON (integers as strings, as the REST API writes int64). */
export function parameterSpec(parameterId: string, entry: SearchSpaceEntry): JsonValue {
  switch (entry.type) {
    case 'integer':
      return { parameterId, integerValueSpec: { minValue: String(entry.min), maxValue: String(entry.max) }, scaleType: SCALES[entry.scale ?? 'linear'] };
    case 'double':
      return { parameterId, doubleValueSpec: { minValue: entry.min, maxValue: entry.max }, scaleType: SCALES[entry.scale ?? 'linear'] };
    case 'discrete':
      return { parameterId, discreteValueSpec: { values: [...entry.values].sort((a, b) => a - b) }, scaleType: SCALES[entry.scale ?? 'linear'] };
    case 'categorical':
      return { parameterId, categoricalValueSpec: { values: [...entry.values] } };
  }
}

const idOf = (spec: JsonValue): string => (typeof spec === 'object' && spec !== null && !Array.isArray(spec) && typeof spec.parameterId === 'string' ? spec.parameterId : '');

/** A type's search space: its defaults, each overridden entry replaced in place, new ones appended. */
export function effectiveSpace(modelType: ModelType, overrides: Readonly<Record<string, SearchSpaceEntry>> = {}): JsonValue[] {
  const defaults = DEFAULT_SEARCH_SPACE[modelType];
  const replaced = defaults.map((spec) => {
    const entry = overrides[idOf(spec)];
    return entry === undefined ? spec : parameterSpec(idOf(spec), entry);
  });
  const added = Object.entries(overrides)
    .filter(([name]) => !defaults.some((spec) => idOf(spec) === name))
    .map(([name, entry]) => parameterSpec(name, entry));
  return [...replaced, ...added];
}

/** Grid search enumerates: every parameter of the study must be integer, discrete or categorical. */
export function gridProblems(modelTypes: readonly ModelType[], overrides: SearchSpaceOverrides): { modelType: ModelType; parameter: string; overridden: boolean }[] {
  const problems: { modelType: ModelType; parameter: string; overridden: boolean }[] = [];
  for (const type of modelTypes) {
    for (const spec of effectiveSpace(type, overrides[type])) {
      if (typeof spec === 'object' && spec !== null && !Array.isArray(spec) && spec.doubleValueSpec !== undefined) {
        problems.push({ modelType: type, parameter: idOf(spec), overridden: overrides[type]?.[idOf(spec)] !== undefined });
      }
    }
  }
  return problems;
}

/** The number of points of a parameter spec's grid; Infinity for a double range. */
function specPoints(spec: JsonValue): number {
  if (typeof spec !== 'object' || spec === null || Array.isArray(spec)) return 1;
  const ints = spec.integerValueSpec;
  if (typeof ints === 'object' && ints !== null && !Array.isArray(ints)) return Number(ints.maxValue) - Number(ints.minValue) + 1;
  for (const key of ['discreteValueSpec', 'categoricalValueSpec']) {
    const values = (spec[key] as { values?: unknown } | undefined)?.values;
    if (Array.isArray(values)) return values.length;
  }
  return spec.doubleValueSpec !== undefined ? Infinity : 1;
}

/**
 * How many points grid search would enumerate: per model type the product of its parameters'
 * value counts (a type with none is one point), summed over the types.
 */
export function gridSize(modelTypes: readonly ModelType[], overrides: SearchSpaceOverrides): { total: number; perType: Partial<Record<ModelType, number>> } {
  const perType: Partial<Record<ModelType, number>> = {};
  for (const type of modelTypes) perType[type] = effectiveSpace(type, overrides[type]).reduce((n: number, spec) => n * specPoints(spec), 1);
  return { total: Object.values(perType).reduce((a, b) => a + b, 0), perType };
}

/**
 * Why grid search over this space cannot finish in maxTrials (Vertex would stop part-way through
 * its enumeration, a biased sample), or undefined. For doubles see gridProblems.
 */
export function gridSizeProblem(modelTypes: readonly ModelType[], overrides: SearchSpaceOverrides, maxTrials: number): string | undefined {
  const { total, perType } = gridSize(modelTypes, overrides);
  if (!Number.isFinite(total) || total <= maxTrials) return undefined;
  const parts = Object.entries(perType).map(([type, n]) => `${type}: ${n}`).join(', ');
  return `grid search enumerates ${total} points (${parts}) but maxTrials is ${maxTrials}: narrow the ranges, list fewer discrete values, raise maxTrials or use bayesian or random search`;
}

/** The words of a grid problem, the same in a spec and a request. */
export function gridProblemMessage(problem: { modelType: ModelType; parameter: string }): string {
  return `grid search enumerates its parameters, but ${problem.modelType}'s ${problem.parameter} is a continuous (double) range: give it discrete values (type: discrete) or use bayesian or random search`;
}
