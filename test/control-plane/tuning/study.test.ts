// The study a tuning run submits: the spec's tuning block with a request's overrides, as the tuning
// pipeline takes it (the `model_type` parameter, each type's prefixed ranges conditional on it).
import { describe, expect, it } from 'vitest';
import { parseModelSpec, resolveForEnvironment } from '../../../control-plane/config/load-model-specs.js';
import { ControlPlaneError } from '../../../control-plane/errors.js';
import { resolveStudy } from '../../../control-plane/tuning/study.js';
import { splitTrialParameters } from '../../../pipelines/definitions/search-spaces.js';
import { shippedText, SHIPPED_FILE } from '../config/support.js';

const spec = resolveForEnvironment(parseModelSpec(shippedText, SHIPPED_FILE), 'local');

interface Spec { parameterId: string; categoricalValueSpec?: { values: string[] }; conditionalParameterSpecs?: { parentCategoricalValues: { values: string[] }; parameterSpec: Spec & Record<string, unknown> }[] }

/** The children of the model_type parameter, by their prefixed id. */
function children(parameters: readonly unknown[]): Map<string, { parent: string[]; spec: Record<string, unknown> }> {
  const [root] = parameters as Spec[];
  return new Map((root!.conditionalParameterSpecs ?? []).map((c) => [c.parameterSpec.parameterId, { parent: c.parentCategoricalValues.values, spec: c.parameterSpec }]));
}

function violations(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ControlPlaneError);
    expect((err as ControlPlaneError).status).toBe('INVALID_ARGUMENT');
    return (err as ControlPlaneError).fieldViolations.map((v) => v.field);
  }
  throw new Error('expected a refusal');
}

describe('the study of the shipped spec', () => {
  const study = resolveStudy(spec);

  it('minimizes validation RMSE with Vizier over the three types, as the spec says', () => {
    expect(study).toMatchObject({
      modelTypes: ['ridge', 'random_forest', 'xgboost'],
      metric: { id: 'rmse', goal: 'MINIMIZE' },
      algorithm: 'ALGORITHM_UNSPECIFIED',
      maxTrialCount: 12,
      parallelTrialCount: 3,
      maxFailedTrialCount: 3,
      earlyStopping: 'decay_curve',
    });
  });

  it('is one model_type parameter whose children are each type’s ranges, spec overrides in place', () => {
    expect(study.parameters).toHaveLength(1);
    const [root] = study.parameters as unknown as Spec[];
    expect(root!.parameterId).toBe('model_type');
    expect(root!.categoricalValueSpec!.values.sort()).toEqual(['random_forest', 'ridge', 'xgboost']);
    const byId = children(study.parameters);
    expect(byId.get('ridge__alpha')).toMatchObject({ parent: ['ridge'], spec: { doubleValueSpec: { minValue: 1e-4, maxValue: 100 }, scaleType: 'UNIT_LOG_SCALE' } });
    expect(byId.get('random_forest__n_estimators')?.spec).toMatchObject({ integerValueSpec: { minValue: '20', maxValue: '150' } });
    expect(byId.get('xgboost__learning_rate')?.spec).toMatchObject({ doubleValueSpec: { minValue: 0.02, maxValue: 0.3 }, scaleType: 'UNIT_LOG_SCALE' });
    // The default range the spec leaves alone stays.
    expect(byId.get('xgboost__subsample')?.spec).toMatchObject({ doubleValueSpec: { minValue: 0.5, maxValue: 1 } });
    expect([...byId.keys()].filter((id) => id.startsWith('gradient_boosting'))).toEqual([]);
    // A trial of this study splits back into its type and plain hyperparameters.
    expect(splitTrialParameters({ model_type: 'xgboost', xgboost__max_depth: 4, xgboost__learning_rate: 0.1 })).toEqual({ modelType: 'xgboost', hyperparameters: { max_depth: 4, learning_rate: 0.1 } });
  });
});

describe('a request’s overrides', () => {
  it('narrow the types, change counts and the algorithm, and override ranges over the spec’s', () => {
    const study = resolveStudy(spec, {
      modelTypes: ['xgboost'],
      maxTrialCount: 4,
      algorithm: 'random',
      space: { xgboost: { max_depth: { type: 'integer', min: 2, max: 3 }, booster: { type: 'categorical', values: ['gbtree', 'dart'] } } },
    });
    expect(study).toMatchObject({ modelTypes: ['xgboost'], maxTrialCount: 4, parallelTrialCount: 3, maxFailedTrialCount: 3, algorithm: 'RANDOM_SEARCH' });
    const byId = children(study.parameters);
    expect([...byId.keys()].every((id) => id.startsWith('xgboost__'))).toBe(true);
    expect(byId.get('xgboost__max_depth')?.spec).toMatchObject({ integerValueSpec: { minValue: '2', maxValue: '3' } });
    expect(byId.get('xgboost__booster')?.spec).toMatchObject({ categoricalValueSpec: { values: ['gbtree', 'dart'] } });
    // The spec's override of a range the request does not touch still holds.
    expect(byId.get('xgboost__n_estimators')?.spec).toMatchObject({ integerValueSpec: { maxValue: '150' } });
  });

  it('clamp the spec’s parallelism to a smaller trial count', () => {
    expect(resolveStudy(spec, { maxTrialCount: 2 })).toMatchObject({ maxTrialCount: 2, parallelTrialCount: 2, maxFailedTrialCount: 2 });
  });

  it('are refused naming each field: a type the spec does not tune, counts, a space for an unsearched type, grid over a range', () => {
    expect(violations(() => resolveStudy(spec, { modelTypes: ['ridge', 'gradient_boosting'] }))).toEqual(['modelTypes[1]']);
    expect(violations(() => resolveStudy(spec, { maxTrialCount: 2, parallelTrialCount: 3, maxFailedTrialCount: 5 }))).toEqual(['parallelTrialCount', 'maxFailedTrialCount']);
    expect(violations(() => resolveStudy(spec, { modelTypes: ['ridge'], space: { xgboost: { max_depth: { type: 'integer', min: 2, max: 3 } } } }))).toEqual(['space.xgboost']);
    expect(violations(() => resolveStudy(spec, { modelTypes: ['random_forest'], algorithm: 'grid', space: { random_forest: { max_features: { type: 'double', min: 0.5, max: 1 } } } }))).toEqual(['space.random_forest.max_features']);
    expect(violations(() => resolveStudy(spec, { modelTypes: ['ridge'], algorithm: 'grid' }))).toEqual(['algorithm']);
    // A grid with more points than trials would only ever see its first corner.
    const discreteAlpha = { ridge: { alpha: { type: 'discrete', values: [0.1, 1, 10] } } } as const;
    expect(violations(() => resolveStudy(spec, { modelTypes: ['ridge', 'random_forest'], algorithm: 'grid', space: discreteAlpha }))).toEqual(['algorithm']);
    expect(violations(() => resolveStudy(spec, { modelTypes: ['ridge'], algorithm: 'grid', maxTrialCount: 2, parallelTrialCount: 1, maxFailedTrialCount: 1, space: discreteAlpha }))).toEqual(['maxTrialCount']);
    const grid = resolveStudy(spec, { modelTypes: ['ridge'], algorithm: 'grid', maxTrialCount: 3, space: discreteAlpha });
    expect(grid.algorithm).toBe('GRID_SEARCH');
  });
});
