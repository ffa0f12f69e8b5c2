// The pipeline a model spec names, and the parameters the spec may set for it: checked against
// the pipeline definition's own inputs (types and closed sets), so that a typo or a model type
// the components don't know fails when the spec loads, not in a task hours later.
import type { JsonValue } from '../../pipelines/ir/index.js';
import type { PipelineDefinition } from '../../pipelines/dsl/pipeline-definition.js';
import { isParameterSpec } from '../../pipelines/dsl/types.js';
import { trainingPipeline, trainingPipelineWithTuning } from '../../pipelines/definitions/training-pipeline.js';
import { EVALUATION_PIPELINE_NAME, evaluationPipeline } from '../../pipelines/definitions/evaluation-pipeline.js';
import { TUNING_PIPELINE_NAME, tuningPipeline } from '../../pipelines/definitions/tuning-pipeline.js';
import { closestName } from '../../common/suggest.js';
import { parameterTypeProblem } from '../../vertex/shared/pipeline-parameters.js';
import { notOneOf, suggestion } from './suggestion.js';
import type { ModelSpec } from './model-spec.js';

/** The pipelines a spec may name (`pipelineInfo.name` of each). */
export const PIPELINE_NAMES = ['training-pipeline', 'training-pipeline-hpt'] as const;
export type PipelineName = (typeof PIPELINE_NAMES)[number];

/** Every pipeline the control plane submits: a spec's training pipeline, the evaluation pipeline (evaluation requests) or the tuning pipeline (tuning runs). */
export type ProjectPipelineName = PipelineName | typeof EVALUATION_PIPELINE_NAME | typeof TUNING_PIPELINE_NAME;

const DEFINITIONS: Readonly<Record<ProjectPipelineName, () => PipelineDefinition>> = {
  'training-pipeline': trainingPipeline,
  'training-pipeline-hpt': trainingPipelineWithTuning,
  [EVALUATION_PIPELINE_NAME]: evaluationPipeline,
  [TUNING_PIPELINE_NAME]: tuningPipeline,
};

const cache = new Map<ProjectPipelineName, PipelineDefinition>();

/** The project's pipeline of that name, with the default component image. */
export function pipelineDefinition(name: ProjectPipelineName): PipelineDefinition {
  let definition = cache.get(name);
  if (definition === undefined) {
    definition = DEFINITIONS[name]();
    cache.set(name, definition);
  }
  return definition;
}

/**
 * Pipeline parameters a spec may not set in `pipeline.parameters`, and who sets them: the control
 * plane on each run, or another field of the spec (one place for each fact).
 */
export const RESERVED_PIPELINE_PARAMETERS: Readonly<Record<string, string>> = {
  training_data_uri: 'the control plane (the run\'s snapshot)',
  champion_model_uri: 'the control plane (the current champion)',
  candidate_model_uri: 'the control plane (the version an evaluation run evaluates)',
  events_topic: 'the control plane',
  model_name: 'the control plane',
  request_id: 'the control plane',
  project: 'the control plane',
  location: 'the control plane',
  trial_service_account: "the control plane (pipeline.serviceAccount, else the pipelines' account)",
  tuning_job_labels: 'the control plane (the tuning run)',
  target_column: 'source.target',
  task_type: 'task',
  time_column: 'source.timeColumn',
  thresholds: 'evaluation.thresholds',
  comparison_metric: 'evaluation.championChallenger.metric',
  min_improvement: 'evaluation.championChallenger.minImprovement',
  confidence: 'evaluation.championChallenger.confidence',
  bootstrap_samples: 'evaluation.championChallenger.bootstrapSamples',
};

export interface ParameterProblem {
  /** Path below `pipeline.parameters`: the parameter name, then a key of its value where that is what is wrong. */
  readonly path: readonly string[];
  readonly message: string;
}

/** Everything wrong with `parameters` as the spec-set parameters of `pipeline`. */
export function pipelineParameterProblems(pipeline: PipelineName, parameters: Readonly<Record<string, JsonValue>>): ParameterProblem[] {
  const inputs = Object.entries(pipelineDefinition(pipeline).inputs);
  const settable = inputs.filter(([name, spec]) => isParameterSpec(spec) && RESERVED_PIPELINE_PARAMETERS[name] === undefined);
  const problems: ParameterProblem[] = [];
  for (const [name, value] of Object.entries(parameters)) {
    const reservedBy = RESERVED_PIPELINE_PARAMETERS[name];
    const spec = settable.find(([input]) => input === name)?.[1];
    if (reservedBy !== undefined) {
      problems.push({ path: [name], message: reservedBy.startsWith('the control plane') ? `is set by ${reservedBy} on each run; remove it here` : `is set from ${reservedBy}; set it there` });
    } else if (spec === undefined || !isParameterSpec(spec)) {
      const guess = closestName(name, settable.map(([input]) => input));
      problems.push({ path: [name], message: `is not a parameter of ${pipeline}${suggestion(guess)}` });
    } else {
      const typeProblem = parameterTypeProblem(spec.type, value);
      if (typeProblem !== undefined) {
        problems.push({ path: [name], message: typeProblem });
        continue;
      }
      const set = spec.closedSet;
      if (set?.appliesTo === 'value' && !set.values.includes(value as string)) problems.push({ path: [name], message: notOneOf(value, set.values) });
      if (set?.appliesTo === 'keys') {
        for (const key of Object.keys(value as Record<string, JsonValue>)) {
          if (!set.values.includes(key)) problems.push({ path: [name, key], message: notOneOf(key, set.values) });
        }
      }
    }
  }
  for (const [name, spec] of settable) {
    if (isParameterSpec(spec) && !spec.optional && parameters[name] === undefined) {
      problems.push({ path: [name], message: `is required by ${pipeline} (it has no default)` });
    }
  }
  return problems;
}

/**
 * The parameter values a spec fixes for its pipeline: `pipeline.parameters` plus those derived
 * from other fields, limited to the parameters the pipeline declares. The control plane adds the
 * run's own (training_data_uri, champion_model_uri, events_topic, model_name, request_id, ...).
 */
export function specPipelineParameters(spec: Pick<ModelSpec, 'pipeline' | 'source' | 'task' | 'evaluation'>): Record<string, JsonValue> {
  const thresholds: Record<string, JsonValue> = {};
  for (const [metric, bound] of Object.entries(spec.evaluation.thresholds)) {
    thresholds[metric] = { ...(bound.min === undefined ? {} : { min: bound.min }), ...(bound.max === undefined ? {} : { max: bound.max }) };
  }
  const comparison = spec.evaluation.championChallenger;
  const derived: Record<string, JsonValue | undefined> = {
    target_column: spec.source.target,
    task_type: spec.task,
    time_column: spec.source.timeColumn,
    thresholds,
    comparison_metric: comparison.metric,
    min_improvement: comparison.minImprovement,
    confidence: comparison.confidence,
    bootstrap_samples: comparison.bootstrapSamples,
  };
  const declared = pipelineDefinition(spec.pipeline.name).inputs;
  const values: Record<string, JsonValue> = { ...spec.pipeline.parameters };
  for (const [name, value] of Object.entries(derived)) {
    if (value !== undefined && name in declared) values[name] = value;
  }
  return values;
}
