// Default search spaces per model type, as Vertex StudySpec.ParameterSpec JSON objects.
import type { JsonValue } from '../dsl/types.js';
import type { ModelType } from '../components/closed-sets.js';

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
