// A study across model types: the model_type parameter with each type's space conditional on it,
// and the split of a trial's parameters back into a model type and its hyperparameters, in
// TypeScript and in the Python twin the trials use.
import { describe, expect, it } from 'vitest';
import { MODEL_TYPES } from '../../pipelines/components/closed-sets.js';
import {
  DEFAULT_SEARCH_SPACE,
  MODEL_TYPE_PARAMETER,
  modelTypeStudyParameters,
  prefixedParameterId,
  splitTrialParameters,
} from '../../pipelines/definitions/search-spaces.js';
import type { JsonValue } from '../../pipelines/ir/index.js';
import type { SearchSpaceEntry } from '../../control-plane/config/tuning-space.js';
import { entryProblem, hyperparameterProblem, TUNABLE_HYPERPARAMETERS } from '../../control-plane/config/tuning-space.js';
import { pythonStack, runPython } from '../components/support.js';

interface Conditional {
  parameterSpec: { parameterId: string; conditionalParameterSpecs?: Conditional[] };
  parentCategoricalValues: { values: string[] };
}
interface ModelTypeSpec {
  parameterId: string;
  categoricalValueSpec: { values: string[] };
  conditionalParameterSpecs?: Conditional[];
}

const only = (parameters: JsonValue[]): ModelTypeSpec => {
  expect(parameters).toHaveLength(1);
  return parameters[0] as unknown as ModelTypeSpec;
};

describe('modelTypeStudyParameters', () => {
  it('is one model_type categorical parameter with each type\'s parameters conditional on it, ids prefixed', () => {
    const spec = only(modelTypeStudyParameters(DEFAULT_SEARCH_SPACE));
    expect(spec.parameterId).toBe(MODEL_TYPE_PARAMETER);
    expect(spec.categoricalValueSpec.values).toEqual([...MODEL_TYPES]);
    const children = spec.conditionalParameterSpecs ?? [];
    for (const type of MODEL_TYPES) {
      const own = children.filter((c) => c.parentCategoricalValues.values.length === 1 && c.parentCategoricalValues.values[0] === type);
      expect(own.map((c) => c.parameterSpec), type).toEqual(
        DEFAULT_SEARCH_SPACE[type].map((s) => ({ ...(s as object), parameterId: prefixedParameterId(type, (s as { parameterId: string }).parameterId) })),
      );
    }
    expect(children).toHaveLength(Object.values(DEFAULT_SEARCH_SPACE).flat().length);
    const ids = children.map((c) => c.parameterSpec.parameterId);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toContain('xgboost__max_depth');
    expect(ids).toContain('random_forest__max_depth');
  });

  it('keeps a type with no parameters as a value, in MODEL_TYPES order, and prefixes nested conditions too', () => {
    const nested = {
      parameterId: 'booster', categoricalValueSpec: { values: ['gbtree', 'dart'] },
      conditionalParameterSpecs: [{ parameterSpec: { parameterId: 'rate_drop', doubleValueSpec: { minValue: 0, maxValue: 0.5 } }, parentCategoricalValues: { values: ['dart'] } }],
    };
    const spec = only(modelTypeStudyParameters({ xgboost: [nested], ridge: [] }));
    expect(spec.categoricalValueSpec.values).toEqual(['ridge', 'xgboost']);
    expect(spec.conditionalParameterSpecs).toHaveLength(1);
    const booster = spec.conditionalParameterSpecs![0]!;
    expect(booster.parentCategoricalValues).toEqual({ values: ['xgboost'] });
    expect(booster.parameterSpec.parameterId).toBe('xgboost__booster');
    expect(booster.parameterSpec.conditionalParameterSpecs![0]!.parameterSpec.parameterId).toBe('xgboost__rate_drop');
    expect(only(modelTypeStudyParameters({ ridge: [] }))).toEqual({ parameterId: 'model_type', categoricalValueSpec: { values: ['ridge'] } });
  });

  it('refuses an unknown model type, no types at all, and a spec without parameterId, naming where', () => {
    expect(() => modelTypeStudyParameters({ lasso: [] } as never)).toThrow(/spaces\.lasso: not a model type/);
    expect(() => modelTypeStudyParameters({})).toThrow(/at least one model type/);
    expect(() => modelTypeStudyParameters({ ridge: [{ doubleValueSpec: { minValue: 0, maxValue: 1 } }] })).toThrow(/spaces\.ridge\[0\]: .*parameterId/);
  });
});

const SPLITS: Record<string, number | string>[] = [
  { model_type: 'xgboost', xgboost__max_depth: 6, xgboost__learning_rate: 0.05 },
  { model_type: 'ridge' },
  { model_type: 'random_forest', random_forest__n_estimators: 120, shared: 'x' },
];
const REFUSED: Record<string, number | string>[] = [
  { model_type: 'ridge', xgboost__max_depth: 6 },
  { xgboost__max_depth: 6 },
];

describe('DEFAULT_SEARCH_SPACE', () => {
  // The defaults must pass the checks a spec's own ranges pass (fraction-or-count names included).
  const asEntry = (spec: JsonValue): SearchSpaceEntry => {
    const s = spec as { integerValueSpec?: { minValue: string; maxValue: string }; doubleValueSpec?: { minValue: number; maxValue: number }; discreteValueSpec?: { values: number[] }; categoricalValueSpec?: { values: string[] }; scaleType?: string };
    const scale = s.scaleType === 'UNIT_LOG_SCALE' ? 'log' : s.scaleType === 'UNIT_REVERSE_LOG_SCALE' ? 'reverse_log' : 'linear';
    if (s.integerValueSpec) return { type: 'integer', min: Number(s.integerValueSpec.minValue), max: Number(s.integerValueSpec.maxValue), scale };
    if (s.doubleValueSpec) return { type: 'double', min: s.doubleValueSpec.minValue, max: s.doubleValueSpec.maxValue, scale };
    if (s.discreteValueSpec) return { type: 'discrete', values: s.discreteValueSpec.values, scale };
    return { type: 'categorical', values: s.categoricalValueSpec?.values ?? [] };
  };

  it('holds only ranges a spec could write: valid, tunable, and one meaning for fraction-or-count names', () => {
    for (const type of MODEL_TYPES) {
      for (const spec of DEFAULT_SEARCH_SPACE[type]) {
        const id = (spec as { parameterId: string }).parameterId;
        expect(TUNABLE_HYPERPARAMETERS[type], `${type}.${id}`).toContain(id);
        expect(entryProblem(asEntry(spec)), `${type}.${id}`).toBeUndefined();
        expect(hyperparameterProblem(id, asEntry(spec)), `${type}.${id}`).toBeUndefined();
      }
    }
    expect(DEFAULT_SEARCH_SPACE.random_forest.map((spec) => (spec as { parameterId: string }).parameterId)).toContain('min_samples_leaf');
  });
});

describe('splitTrialParameters', () => {
  it('gives the model type and its hyperparameters unprefixed; unprefixed ids pass through', () => {
    expect(splitTrialParameters(SPLITS[0]!)).toEqual({ modelType: 'xgboost', hyperparameters: { max_depth: 6, learning_rate: 0.05 } });
    expect(splitTrialParameters(SPLITS[1]!)).toEqual({ modelType: 'ridge', hyperparameters: {} });
    expect(splitTrialParameters(SPLITS[2]!)).toEqual({ modelType: 'random_forest', hyperparameters: { n_estimators: 120, shared: 'x' } });
  });

  it('refuses a parameter prefixed for another type, and a trial without a model type, naming the parameter', () => {
    expect(() => splitTrialParameters(REFUSED[0]!)).toThrow("parameters.xgboost__max_depth: prefixed for model type 'xgboost', but the trial's model_type is 'ridge'");
    expect(() => splitTrialParameters(REFUSED[1]!)).toThrow(/parameters\.model_type: expected/);
  });

  const stack = pythonStack('study twin', 'json');
  it.skipIf(!stack.ok)('the Python twin splits alike and refuses the same trials, naming the parameter', async () => {
    const script = `
import json, sys
from mlops_components.study import split_trial_parameters, prefixed_parameter_id, MODEL_TYPE_PARAMETER
splits, refused = json.loads(sys.argv[1]), json.loads(sys.argv[2])
out = {"splits": [dict(zip(("modelType", "hyperparameters"), split_trial_parameters(p))) for p in splits], "errors": []}
for p in refused:
    try:
        split_trial_parameters(p)
        out["errors"].append(None)
    except ValueError as error:
        out["errors"].append(str(error))
out["prefixed"] = prefixed_parameter_id("xgboost", "subsample")
out["parameter"] = MODEL_TYPE_PARAMETER
print(json.dumps(out))
`;
    const result = await runPython(['-c', script, JSON.stringify(SPLITS), JSON.stringify(REFUSED)]);
    expect(result.code, result.stderr).toBe(0);
    const out = JSON.parse(result.stdout) as { splits: unknown[]; errors: (string | null)[]; prefixed: string; parameter: string };
    expect(out.splits).toEqual(SPLITS.map((p) => splitTrialParameters(p)));
    expect(out.errors[0]).toMatch(/^xgboost__max_depth: prefixed for model type 'xgboost', but the trial's model_type is 'ridge'$/);
    expect(out.errors[1]).toMatch(/^model_type: expected/);
    expect(out.prefixed).toBe(prefixedParameterId('xgboost', 'subsample'));
    expect(out.parameter).toBe(MODEL_TYPE_PARAMETER);
  }, 30_000);
});
