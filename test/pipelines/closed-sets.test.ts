// The project pipelines' closed sets (model_type, task_type, split_strategy, gate metrics): refused
// at submission with a did-you-mean, absent from the IR, and shared with the Python components.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  CLOSED_SETS_FILE,
  closedSetsJson,
  COMPARISON_METRICS,
  EVALUATION_METRICS,
  GATE_METRICS,
  METRIC_DIRECTIONS,
  MODEL_TYPES,
  SPLIT_STRATEGIES,
  TASK_TYPES,
} from '../../pipelines/components/closed-sets.js';
import { compilePipeline } from '../../pipelines/compiler/index.js';
import { specToJson } from '../../pipelines/compiler/yaml.js';
import { param } from '../../pipelines/dsl/index.js';
import type { IOSpec } from '../../pipelines/dsl/index.js';
import type { PipelineDefinition } from '../../pipelines/dsl/pipeline-definition.js';
import { projectPipelines } from '../../pipelines/definitions/index.js';
import { parameterChoices, projectPipelineJobRequest } from '../../vertex/requests/project-pipeline-job.js';
import { closestName } from '../../common/suggest.js';
import { VertexRequestError } from '../../vertex/shared/errors.js';
import type { JsonValue } from '../../vertex/shared/struct.js';
import { pythonStack, runPython } from '../components/support.js';

const submit = (definition: PipelineDefinition, values: Record<string, JsonValue>) =>
  projectPipelineJobRequest(definition, {
    project: 'my-project',
    location: 'us-central1',
    runKey: 'r1',
    gcsOutputDirectory: 'gs://my-bucket/root',
    parameterValues: {
      training_data_uri: 'gs://my-bucket/snapshot.csv',
      target_column: 'delay',
      ...('project' in definition.inputs ? { project: 'my-project' } : {}),
      ...(definition.name === 'evaluation-pipeline' ? { candidate_model_uri: 'gs://my-bucket/models/3' } : {}),
      ...values,
    },
  });

function refusal(run: () => unknown): VertexRequestError {
  try {
    run();
  } catch (err) {
    if (err instanceof VertexRequestError) return err;
    throw err;
  }
  throw new Error('the submission was accepted');
}

/** The closed sets each pipeline declares: the evaluation pipeline trains nothing, so it has no model_type. */
const DECLARED_SETS: Readonly<Record<string, readonly string[]>> = {
  'training-pipeline': ['comparison_metric', 'model_type', 'split_strategy', 'task_type', 'thresholds'],
  'training-pipeline-hpt': ['comparison_metric', 'model_type', 'split_strategy', 'task_type', 'thresholds'],
  'evaluation-pipeline': ['comparison_metric', 'split_strategy', 'task_type', 'thresholds'],
  // The tuning pipeline judges no model: no thresholds, no comparison; its study picks the model types.
  'tuning-pipeline': ['algorithm', 'early_stopping', 'metric_goal', 'split_strategy', 'task_type'],
};

describe.each(projectPipelines().map((d) => [d.name, d] as const))('%s: closed sets at submission', (name, definition) => {
  const declared = DECLARED_SETS[name] ?? [];
  it.each([
    ['model_type', 'random_forrest', 'parameterValues.model_type', 'random_forest'],
    ['model_type', 'XGBoost', 'parameterValues.model_type', 'xgboost'],
    ['task_type', 'clasification', 'parameterValues.task_type', 'classification'],
    ['split_strategy', 'stratifed', 'parameterValues.split_strategy', 'stratified'],
    ['comparison_metric', 'log_los', 'parameterValues.comparison_metric', 'log_loss'],
  ] as const)('refuses %s %s, naming the field and suggesting the closest value', (parameter, value, field, suggestion) => {
    if (!declared.includes(parameter)) {
      // Not a parameter of this pipeline at all: refused as unknown, whatever its value.
      expect(refusal(() => submit(definition, { [parameter]: value })).field).toBe(field);
      return;
    }
    const error = refusal(() => submit(definition, { [parameter]: value }));
    expect(error.field).toBe(field);
    expect(error.problem).toBe(`'${value}' is not one of ${parameterChoices(definition)[parameter]!.values.join(', ')}; did you mean \`${suggestion}\`?`);
  });

  it.skipIf(!declared.includes('thresholds'))('refuses a gate threshold on a metric outside the set, naming the key', () => {
    const error = refusal(() => submit(definition, { thresholds: { r2: { min: 0.5 }, rmsee: { max: 10 } } }));
    expect(error.field).toBe('parameterValues.thresholds.rmsee');
    expect(error.problem).toMatch(/^'rmsee' is not one of mse, rmse, .*; did you mean `rmse`\?$/);
    // A camelCase Vertex name written in snake_case is the likeliest slip.
    expect(refusal(() => submit(definition, { thresholds: { root_mean_squared_error: { max: 10 } } })).problem).toMatch(/did you mean `rootMeanSquaredError`\?$/);
  });

  it('refuses a value far from every choice without a suggestion, and accepts every valid value', () => {
    expect(refusal(() => submit(definition, { split_strategy: 'linear' })).problem).toBe(`'linear' is not one of ${SPLIT_STRATEGIES.join(', ')}`);
    if (declared.includes('model_type')) expect(refusal(() => submit(definition, { model_type: 'linear' })).problem).toBe(`'linear' is not one of ${MODEL_TYPES.join(', ')}`);
    const modelTypes: readonly (string | undefined)[] = declared.includes('model_type') ? MODEL_TYPES : [undefined];
    for (const model_type of modelTypes) {
      for (const task_type of TASK_TYPES) {
        for (const split_strategy of SPLIT_STRATEGIES) {
          const thresholds: Record<string, JsonValue> = declared.includes('thresholds') ? { thresholds: Object.fromEntries(GATE_METRICS.map((m) => [m, { min: 0 }])) } : {};
          const values = { ...(model_type ? { model_type } : {}), task_type, split_strategy, ...thresholds };
          expect(() => submit(definition, values)).not.toThrow();
        }
      }
    }
  });

  it('keeps the sets out of the IR: compiling without them writes the same bytes', () => {
    const inputs = Object.fromEntries(
      Object.entries(definition.inputs).map(([k, spec]) => [k, Object.fromEntries(Object.entries(spec).filter(([key]) => key !== 'closedSet')) as IOSpec]),
    );
    expect(Object.keys(parameterChoices(definition)).sort()).toEqual(declared);
    expect(specToJson(compilePipeline({ ...definition, inputs }))).toBe(specToJson(compilePipeline(definition)));
  });
});

describe('comparison metrics', () => {
  it('each belongs to a task and improves in a known direction: errors and losses downwards, scores upwards', () => {
    for (const metric of COMPARISON_METRICS) {
      expect(TASK_TYPES.some((task) => EVALUATION_METRICS[task].includes(metric)), metric).toBe(true);
      expect(METRIC_DIRECTIONS[metric], metric).toMatch(/^(lower|higher)$/);
    }
    const lower = COMPARISON_METRICS.filter((m) => METRIC_DIRECTIONS[m] === 'lower');
    expect(lower.sort()).toEqual(['logLoss', 'log_loss', 'mae', 'mape', 'meanAbsoluteError', 'meanAbsolutePercentageError', 'mse', 'rmse', 'rootMeanSquaredError'].sort());
  });
});

describe('closed sets in the DSL', () => {
  it('refuses a default outside its own set when the parameter is declared', () => {
    expect(() => param.string({ default: 'ridge', oneOf: ['random_forest'] })).toThrow(/default "ridge" is outside the closed set random_forest/);
    expect(() => param.struct({ default: { r3: {} }, keysOneOf: ['r2'] })).toThrow(/outside the closed set r2/);
  });
});

describe('the Python components read the same sets', () => {
  it('closed_sets.json is what `npm run compile` writes from closed-sets.ts', () => {
    expect(readFileSync(CLOSED_SETS_FILE, 'utf8')).toBe(closedSetsJson());
  });

  const stack = pythonStack('closed sets', 'sklearn, pandas');
  it.skipIf(!stack.ok)('suggest the same value with the same wording, and the evaluation reports exactly the listed metrics', async () => {
    const typos = ['random_forrest', 'XGBoost', 'rigde', 'linear', 'regresion', 'clasification', 'stratifed', 'tme', 'rmsee', 'R2', 'root_mean_squared_error', 'au_roc', 'acuracy', 'zzz'];
    const script = `
import json, sys
import numpy as np
from mlops_components import closed_sets, metrics
from mlops_components.steps import evaluate
typos = json.loads(sys.argv[1])
sets = {"model_type": closed_sets.MODEL_TYPES, "task_type": closed_sets.TASK_TYPES, "split_strategy": closed_sets.SPLIT_STRATEGIES, "metric": closed_sets.METRICS}
suggested = {name: {t: closed_sets.closest_name(t, values) for t in typos} for name, values in sets.items()}
try:
    closed_sets.require("model_type", "random_forrest", closed_sets.MODEL_TYPES)
except ValueError as error:
    refusal = str(error)
regression = metrics.regression_metrics(np.array([1.0, 2.0, 3.0]), np.array([1.1, 1.9, 3.2]))
classification = metrics.classification_metrics(np.array([0, 1, 1, 0]), np.array([[0.8, 0.2], [0.3, 0.7], [0.4, 0.6], [0.6, 0.4]]), 2)
reported = {
    "regression": list(regression) + list(evaluate.vertex_regression(regression)),
    "classification": list(classification) + [k for k in evaluate.vertex_classification(classification, [0, 1], [[1, 0], [0, 1]], []) if k not in ("confidenceMetrics", "confusionMatrix")],
}
print(json.dumps({"suggested": suggested, "refusal": refusal, "reported": reported}))
`;
    const result = await runPython(['-c', script, JSON.stringify(typos)]);
    expect(result.code, result.stderr).toBe(0);
    const out = JSON.parse(result.stdout) as { suggested: Record<string, Record<string, string | null>>; refusal: string; reported: Record<string, string[]> };
    const sets: Record<string, readonly string[]> = { model_type: MODEL_TYPES, task_type: TASK_TYPES, split_strategy: SPLIT_STRATEGIES, metric: GATE_METRICS };
    for (const [name, values] of Object.entries(sets)) {
      for (const typo of typos) expect(out.suggested[name]?.[typo] ?? undefined, `${name} ${typo}`).toBe(closestName(typo, values));
    }
    const submission = refusal(() => submit(projectPipelines()[0]!, { model_type: 'random_forrest' }));
    expect(out.refusal).toBe(`model_type: ${submission.problem}`);
    expect(out.reported.regression!.sort()).toEqual([...EVALUATION_METRICS.regression].sort());
    expect(out.reported.classification!.sort()).toEqual([...EVALUATION_METRICS.classification].sort());
  }, 60_000);
});
