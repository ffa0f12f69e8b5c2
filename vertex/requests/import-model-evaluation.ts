// ImportModelEvaluationRequest: attaches evaluation metrics computed elsewhere (e.g. in a
// pipeline) to a model version, in the schema the Vertex console understands.
import type { IImportModelEvaluationRequest } from '../shared/proto-types.js';
import { fail, failOn, requireInteger } from '../shared/errors.js';
import { displayNameProblem } from '../shared/limits.js';
import { parseModelName } from '../shared/resource-names.js';
import type { JsonObject } from '../shared/struct.js';
import { toProtoValue } from '../shared/struct.js';

const SCHEMA_BASE = 'gs://google-cloud-aiplatform/schema/modelevaluation';
export const REGRESSION_METRICS_SCHEMA_URI = `${SCHEMA_BASE}/regression_metrics_1.0.0.yaml`;
export const CLASSIFICATION_METRICS_SCHEMA_URI = `${SCHEMA_BASE}/classification_metrics_1.0.0.yaml`;

/** Field names of regression_metrics_1.0.0.yaml. */
export interface RegressionMetrics {
  readonly rootMeanSquaredError?: number;
  readonly meanAbsoluteError?: number;
  readonly meanAbsolutePercentageError?: number;
  readonly rSquared?: number;
  readonly rootMeanSquaredLogError?: number;
}

/** One row of classification_metrics_1.0.0.yaml `confidenceMetrics`. */
export interface ConfidenceMetricsEntry {
  readonly confidenceThreshold: number;
  readonly maxPredictions?: number;
  readonly recall?: number;
  readonly precision?: number;
  readonly falsePositiveRate?: number;
  readonly f1Score?: number;
  readonly f1ScoreMicro?: number;
  readonly f1ScoreMacro?: number;
  readonly recallAt1?: number;
  readonly precisionAt1?: number;
  readonly falsePositiveRateAt1?: number;
  readonly f1ScoreAt1?: number;
  readonly truePositiveCount?: number;
  readonly falsePositiveCount?: number;
  readonly falseNegativeCount?: number;
  readonly trueNegativeCount?: number;
}

export interface ConfusionMatrixInput {
  readonly annotationSpecs: readonly { readonly id?: string; readonly displayName: string }[];
  /** rows[i][j]: items of true class i predicted as class j. */
  readonly rows: readonly (readonly number[])[];
}

/** Field names of classification_metrics_1.0.0.yaml. */
export interface ClassificationMetrics {
  readonly auPrc?: number;
  readonly auRoc?: number;
  readonly logLoss?: number;
  readonly confidenceMetrics?: readonly ConfidenceMetricsEntry[];
  readonly confusionMatrix?: ConfusionMatrixInput;
}

export type EvaluationMetricsInput =
  | { readonly kind: 'regression'; readonly metrics: RegressionMetrics }
  | { readonly kind: 'classification'; readonly metrics: ClassificationMetrics };

export interface ImportModelEvaluationInput {
  /** Full model name, optionally with @version. */
  readonly model: string;
  readonly displayName?: string;
  readonly evaluation: EvaluationMetricsInput;
}

const UNIT_INTERVAL = new Set(['auPrc', 'auRoc', 'confidenceThreshold', 'recall', 'precision', 'falsePositiveRate', 'f1Score',
  'f1ScoreMicro', 'f1ScoreMacro', 'recallAt1', 'precisionAt1', 'falsePositiveRateAt1', 'f1ScoreAt1']);
const NON_NEGATIVE = new Set(['rootMeanSquaredError', 'meanAbsoluteError', 'meanAbsolutePercentageError', 'rootMeanSquaredLogError', 'logLoss']);
const COUNTS = new Set(['truePositiveCount', 'falsePositiveCount', 'falseNegativeCount', 'trueNegativeCount', 'maxPredictions']);

export function buildImportModelEvaluationRequest(input: ImportModelEvaluationInput): IImportModelEvaluationRequest {
  const ref = parseModelName(input.model, 'model');
  const { kind } = input.evaluation;
  let metrics: JsonObject;
  let metricsSchemaUri: string;
  if (input.evaluation.kind === 'regression') {
    metrics = checkedNumbers(input.evaluation.metrics, 'evaluation.metrics');
    metricsSchemaUri = REGRESSION_METRICS_SCHEMA_URI;
  } else if (input.evaluation.kind === 'classification') {
    metrics = classificationMetrics(input.evaluation.metrics, 'evaluation.metrics');
    metricsSchemaUri = CLASSIFICATION_METRICS_SCHEMA_URI;
  } else {
    return fail('evaluation.kind', `must be regression or classification, got ${JSON.stringify(kind)}`);
  }
  if (Object.keys(metrics).length === 0) fail('evaluation.metrics', 'needs at least one metric');
  const modelEvaluation: NonNullable<IImportModelEvaluationRequest['modelEvaluation']> = {
    metricsSchemaUri,
    metrics: toProtoValue(metrics, 'evaluation.metrics'),
  };
  if (input.displayName !== undefined) {
    failOn(displayNameProblem(input.displayName), 'displayName');
    modelEvaluation.displayName = input.displayName;
  }
  return { parent: ref.version === undefined ? ref.baseName : `${ref.baseName}@${ref.version}`, modelEvaluation };
}

function classificationMetrics(metrics: ClassificationMetrics, field: string): JsonObject {
  const { confidenceMetrics, confusionMatrix, ...scalars } = metrics;
  const out: Record<string, JsonObject[keyof JsonObject]> = { ...checkedNumbers(scalars, field) };
  if (confidenceMetrics !== undefined) {
    out.confidenceMetrics = confidenceMetrics.map((entry, i) => checkedNumbers(entry, `${field}.confidenceMetrics[${i}]`));
  }
  if (confusionMatrix !== undefined) out.confusionMatrix = checkedConfusionMatrix(confusionMatrix, `${field}.confusionMatrix`);
  return out;
}

/** Copies numeric metrics, checking each against the range its meaning allows. */
function checkedNumbers(metrics: object, field: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, value] of Object.entries(metrics)) {
    if (value === undefined) continue;
    const here = `${field}.${name}`;
    if (typeof value !== 'number' || !Number.isFinite(value)) fail(here, `must be a finite number, got ${String(value)}`);
    if (UNIT_INTERVAL.has(name) && (value < 0 || value > 1)) fail(here, `must be in [0, 1], got ${value}`);
    if (NON_NEGATIVE.has(name) && value < 0) fail(here, `must be >= 0, got ${value}`);
    if (COUNTS.has(name)) requireInteger(value, here, 0);
    if (name === 'rSquared' && value > 1) fail(here, `must be <= 1, got ${value}`);
    out[name] = value;
  }
  return out;
}

function checkedConfusionMatrix(matrix: ConfusionMatrixInput, field: string): JsonObject {
  const size = matrix.annotationSpecs.length;
  if (size === 0) fail(`${field}.annotationSpecs`, 'needs at least one class');
  if (matrix.rows.length !== size) fail(`${field}.rows`, `needs one row per annotation spec (${size}), got ${matrix.rows.length}`);
  matrix.rows.forEach((row, i) => {
    if (row.length !== size) fail(`${field}.rows[${i}]`, `needs ${size} columns, got ${row.length}`);
    row.forEach((count, j) => {
      if (!Number.isFinite(count) || count < 0) fail(`${field}.rows[${i}][${j}]`, `must be a non-negative number, got ${count}`);
    });
  });
  return {
    annotationSpecs: matrix.annotationSpecs.map((spec, i): JsonObject => {
      if (spec.displayName === '') fail(`${field}.annotationSpecs[${i}].displayName`, 'must not be empty');
      return spec.id === undefined ? { displayName: spec.displayName } : { id: spec.id, displayName: spec.displayName };
    }),
    rows: matrix.rows.map((row) => [...row]),
  };
}
