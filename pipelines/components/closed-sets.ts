// The closed sets of values the project's components accept, declared once: the pipelines check
// submissions against them, and the Python components read the same lists from closed_sets.json.
import { fileURLToPath } from 'node:url';

export const MODEL_TYPES = ['random_forest', 'gradient_boosting', 'ridge', 'xgboost'] as const;
export const TASK_TYPES = ['regression', 'classification'] as const;
export const SPLIT_STRATEGIES = ['random', 'stratified', 'time'] as const;

export type ModelType = (typeof MODEL_TYPES)[number];
export type TaskType = (typeof TASK_TYPES)[number];

/**
 * Metrics the evaluation reports, by task: the flat names (`mlops_components.metrics`) and the
 * Vertex model-evaluation schema names the gate also looks up.
 */
export const EVALUATION_METRICS: Readonly<Record<TaskType, readonly string[]>> = {
  regression: [
    'mse', 'rmse', 'mae', 'mape', 'r2', 'explained_variance', 'within_10pct', 'within_20pct',
    'rootMeanSquaredError', 'meanAbsoluteError', 'meanAbsolutePercentageError', 'rSquared',
  ],
  classification: ['accuracy', 'precision', 'recall', 'f1', 'log_loss', 'roc_auc', 'pr_auc', 'auRoc', 'auPrc', 'logLoss'],
};

/** What a gate threshold may name: any metric of either task (the gate rejects one its task lacks). */
export const GATE_METRICS: readonly string[] = [...new Set(Object.values(EVALUATION_METRICS).flat())];

/** Errors and losses improve downwards; every other metric (scores, shares, AUCs, R²) upwards. */
const LOWER_IS_BETTER: ReadonlySet<string> = new Set([
  'mse', 'rmse', 'mae', 'mape', 'rootMeanSquaredError', 'meanAbsoluteError', 'meanAbsolutePercentageError', 'log_loss', 'logLoss',
]);

export type MetricDirection = 'lower' | 'higher';

/** Which way each evaluation metric improves: what a champion/challenger comparison needs to know. */
export const METRIC_DIRECTIONS: Readonly<Record<string, MetricDirection>> = Object.fromEntries(
  GATE_METRICS.map((metric) => [metric, LOWER_IS_BETTER.has(metric) ? 'lower' : 'higher']),
);

/**
 * What `comparison_metric` may name: any evaluation metric (its direction is known). The
 * comparison fails on a metric the run's task lacks, as the gate rejects one.
 */
export const COMPARISON_METRICS: readonly string[] = GATE_METRICS;

/** Where the Python package reads the sets; `npm run compile` rewrites it from the lists above. */
export const CLOSED_SETS_FILE = fileURLToPath(new URL('./python/mlops_components/closed_sets.json', import.meta.url));

/** The file's exact text, keyed by the name the components' flags and errors use. */
export function closedSetsJson(): string {
  const sets = {
    model_type: MODEL_TYPES,
    task_type: TASK_TYPES,
    split_strategy: SPLIT_STRATEGIES,
    metric: GATE_METRICS,
    comparison_metric: COMPARISON_METRICS,
    task_metrics: EVALUATION_METRICS,
    metric_direction: METRIC_DIRECTIONS,
  };
  return `${JSON.stringify({ $comment: 'Generated from pipelines/components/closed-sets.ts by `npm run compile`; edit that file.', ...sets }, null, 2)}\n`;
}
