// Default search spaces per model type, as Vertex StudySpec.ParameterSpec JSON objects.
import type { JsonObject, JsonValue } from '../ir/index.js';
import type { ModelType } from '../components/closed-sets.js';
import { MODEL_TYPES } from '../components/closed-sets.js';

const int = (parameterId: string, minValue: number, maxValue: number): JsonValue => ({
  parameterId,
  integerValueSpec: { minValue: String(minValue), maxValue: String(maxValue) },
  scaleType: 'UNIT_LINEAR_SCALE',
});

const logDouble = (parameterId: string, minValue: number, maxValue: number): JsonValue => ({
  parameterId,
  doubleValueSpec: { minValue, maxValue },
  scaleType: 'UNIT_LOG_SCALE',
});

export const DEFAULT_SEARCH_SPACE: Record<ModelType, JsonValue[]> = {
  random_forest: [int('n_estimators', 50, 400), int('max_depth', 3, 20), int('min_samples_leaf', 1, 20)],
  gradient_boosting: [int('n_estimators', 50, 400), logDouble('learning_rate', 0.01, 0.3), int('max_depth', 2, 8)],
  ridge: [logDouble('alpha', 1e-4, 100)],
  xgboost: [int('n_estimators', 50, 600), logDouble('learning_rate', 0.01, 0.3), int('max_depth', 2, 10), logDouble('subsample', 0.5, 1)],
};

/**
 * One study across model types: the categorical `model_type` parameter, each type's parameters
 * conditional on it. Vertex study parameter ids are global, so a type's ids carry its name
 * (`xgboost__max_depth`): two types may tune the same hyperparameter without a clash.
 */
export const MODEL_TYPE_PARAMETER = 'model_type';
const PREFIX_SEPARATOR = '__';

export function prefixedParameterId(modelType: string, parameterId: string): string {
  return `${modelType}${PREFIX_SEPARATOR}${parameterId}`;
}

function isObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The spec with its id, and its own conditional children's ids, prefixed by the model type. */
function prefixedSpec(modelType: ModelType, spec: JsonValue, at: string): JsonObject {
  if (!isObject(spec) || typeof spec.parameterId !== 'string' || spec.parameterId === '') {
    throw new Error(`${at}: a StudySpec.ParameterSpec needs a parameterId`);
  }
  const prefixed: JsonObject = { ...spec, parameterId: prefixedParameterId(modelType, spec.parameterId) };
  const children = spec.conditionalParameterSpecs;
  if (Array.isArray(children)) {
    prefixed.conditionalParameterSpecs = children.map((child, i) => {
      const childAt = `${at}.conditionalParameterSpecs[${i}]`;
      if (!isObject(child)) throw new Error(`${childAt}: expected an object`);
      return { ...child, parameterSpec: prefixedSpec(modelType, child.parameterSpec ?? null, `${childAt}.parameterSpec`) };
    });
  }
  return prefixed;
}

/**
 * The study parameters of a search across model types: one `model_type` categorical parameter
 * whose values are the given types (in MODEL_TYPES order), each type's parameters conditional
 * on it with prefixed ids. A type with no parameters is still a value: it is trained with its
 * defaults.
 */
export function modelTypeStudyParameters(spaces: Partial<Record<ModelType, readonly JsonValue[]>>): JsonValue[] {
  for (const key of Object.keys(spaces)) {
    if (!(MODEL_TYPES as readonly string[]).includes(key)) throw new Error(`spaces.${key}: not a model type; expected one of ${MODEL_TYPES.join(', ')}`);
  }
  const types = MODEL_TYPES.filter((type) => spaces[type] !== undefined);
  if (types.length === 0) throw new Error('spaces: name at least one model type to search');
  const conditional = types.flatMap((type) =>
    (spaces[type] ?? []).map((spec, i): JsonValue => ({
      parameterSpec: prefixedSpec(type, spec, `spaces.${type}[${i}]`),
      parentCategoricalValues: { values: [type] },
    })),
  );
  return [{
    parameterId: MODEL_TYPE_PARAMETER,
    categoricalValueSpec: { values: [...types] },
    ...(conditional.length > 0 ? { conditionalParameterSpecs: conditional } : {}),
  }];
}

export interface TrialParameters {
  modelType: string;
  /** The chosen type's hyperparameters, unprefixed; unprefixed study parameters pass through. */
  hyperparameters: Record<string, number | string>;
}

/**
 * The inverse of modelTypeStudyParameters for one trial's parameters (study id → value): the
 * model type and its unprefixed hyperparameters. A parameter prefixed for another type means the
 * trial does not belong to this study's shape, and is refused by name.
 */
export function splitTrialParameters(parameters: Record<string, number | string>): TrialParameters {
  const modelType = parameters[MODEL_TYPE_PARAMETER];
  if (typeof modelType !== 'string' || modelType === '') {
    throw new Error(`parameters.${MODEL_TYPE_PARAMETER}: expected the trial's model type (a string), got ${JSON.stringify(modelType ?? null)}`);
  }
  const hyperparameters: Record<string, number | string> = {};
  for (const [id, value] of Object.entries(parameters)) {
    if (id === MODEL_TYPE_PARAMETER) continue;
    const at = id.indexOf(PREFIX_SEPARATOR);
    if (at < 0) {
      hyperparameters[id] = value;
    } else if (id.slice(0, at) === modelType) {
      hyperparameters[id.slice(at + PREFIX_SEPARATOR.length)] = value;
    } else {
      throw new Error(`parameters.${id}: prefixed for model type '${id.slice(0, at)}', but the trial's ${MODEL_TYPE_PARAMETER} is '${modelType}'`);
    }
  }
  return { modelType, hyperparameters };
}
