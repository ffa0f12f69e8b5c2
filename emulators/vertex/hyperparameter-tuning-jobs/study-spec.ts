// A StudySpec as the tuner uses it, with the checks Vertex makes beyond the proto: one value spec
// per parameter, sane ranges, positive ranges for log scales, conditions matching the parent's
// type, and GRID_SEARCH only over enumerable (integer, discrete, categorical) parameters. Used by
// HyperparameterTuningJobs (one metric) and the Vizier API's studies (one or more metrics).
import { invalidArgument } from '../api/errors.js';
import type { JsonObject } from '../api/wire-json.js';
import { isPlainObject, text } from '../api/wire-json.js';

export type ParameterValue = number | string;

export interface ParameterSpec {
  id: string;
  kind: 'double' | 'integer' | 'categorical' | 'discrete';
  min: number;
  max: number;
  /** Discrete or categorical values, in the order given. */
  values: ParameterValue[];
  scale: 'UNIT_LINEAR_SCALE' | 'UNIT_LOG_SCALE' | 'UNIT_REVERSE_LOG_SCALE';
  /** Parameters that exist only when this one takes one of `parentValues`. */
  children: { spec: ParameterSpec; parentValues: ParameterValue[] }[];
}

export type Goal = 'MAXIMIZE' | 'MINIMIZE';
/** What runs: ALGORITHM_UNSPECIFIED is Vizier's default, a Gaussian-process bandit (vizier/designer.ts). */
export type Algorithm = 'GRID_SEARCH' | 'RANDOM_SEARCH' | 'GAUSSIAN_PROCESS_BANDIT';

export interface MetricGoal {
  metricId: string;
  goal: Goal;
}

export interface Study {
  /** The first (for tuning jobs: the only) metric: the one suggestions and stopping rules optimise. */
  metricId: string;
  goal: Goal;
  /** Every metric of the study, in order (several only where `multipleMetrics` allowed them). */
  metrics: MetricGoal[];
  parameters: ParameterSpec[];
  algorithm: Algorithm;
  requestedAlgorithm: string;
  measurementSelection: 'LAST_MEASUREMENT' | 'BEST_MEASUREMENT';
  medianStopping: boolean;
  decayCurveStopping: boolean;
  /** The stopping rule compares by elapsed time, not step count (`use_elapsed_duration`). */
  stoppingByElapsedTime: boolean;
  /** Automated stopping specs the emulator does not implement (their trials just run to the end). */
  unsupportedStopping: string[];
}

export interface ParseStudyOptions {
  /** Vizier studies may have several metrics (a Pareto front); tuning jobs optimise exactly one. */
  multipleMetrics?: boolean;
}

const numbers = (v: unknown): number[] => (Array.isArray(v) ? v.map(Number) : []);

export function parseStudySpec(spec: JsonObject, field: string, options: ParseStudyOptions = {}): Study {
  const rawMetrics = Array.isArray(spec.metrics) ? spec.metrics.filter(isPlainObject) : [];
  if (rawMetrics.length === 0) throw invalidArgument(`${field}.metrics must name the metric to optimize.`, `${field}.metrics`);
  if (rawMetrics.length > 1 && !options.multipleMetrics) {
    throw invalidArgument(`${field}.metrics: hyperparameter tuning optimizes exactly one metric, got ${rawMetrics.length}.`, `${field}.metrics`);
  }
  const metrics: MetricGoal[] = rawMetrics.map((m) => ({ metricId: text(m.metricId), goal: m.goal === 'MINIMIZE' ? 'MINIMIZE' : 'MAXIMIZE' }));
  metrics.forEach((m, i) => {
    if (metrics.findIndex((o) => o.metricId === m.metricId) !== i) {
      throw invalidArgument(`${field}.metrics[${i}]: metric_id "${m.metricId}" is used twice.`, `${field}.metrics[${i}].metric_id`);
    }
  });
  const { metricId, goal } = metrics[0]!;

  const rawParams = Array.isArray(spec.parameters) ? spec.parameters : [];
  const parameters = rawParams.map((p: unknown, i) => parseParameter(isPlainObject(p) ? p : {}, `${field}.parameters[${i}]`));
  const seen = new Set<string>();
  const visit = (p: ParameterSpec, at: string) => {
    if (seen.has(p.id)) throw invalidArgument(`${at}: parameter_id "${p.id}" is used twice.`, at);
    seen.add(p.id);
    p.children.forEach((c, i) => visit(c.spec, `${at}.conditional_parameter_specs[${i}]`));
  };
  parameters.forEach((p, i) => visit(p, `${field}.parameters[${i}]`));

  const requested = typeof spec.algorithm === 'string' ? spec.algorithm : 'ALGORITHM_UNSPECIFIED';
  const algorithm: Algorithm = requested === 'GRID_SEARCH' || requested === 'RANDOM_SEARCH' ? requested : 'GAUSSIAN_PROCESS_BANDIT';
  if (algorithm === 'GRID_SEARCH') {
    const check = (p: ParameterSpec, at: string) => {
      if (p.kind === 'double') {
        throw invalidArgument(`${at}: GRID_SEARCH needs every parameter to be integer, discrete or categorical; "${p.id}" is a double_value_spec.`, at);
      }
      p.children.forEach((c, i) => check(c.spec, `${at}.conditional_parameter_specs[${i}].parameter_spec`));
    };
    parameters.forEach((p, i) => check(p, `${field}.parameters[${i}]`));
  }
  const stopping = [spec.decayCurveStoppingSpec, spec.medianAutomatedStoppingSpec].find(isPlainObject);
  return {
    metricId,
    goal,
    metrics,
    parameters,
    algorithm,
    requestedAlgorithm: requested,
    measurementSelection: spec.measurementSelectionType === 'BEST_MEASUREMENT' ? 'BEST_MEASUREMENT' : 'LAST_MEASUREMENT',
    medianStopping: spec.medianAutomatedStoppingSpec !== undefined,
    decayCurveStopping: spec.decayCurveStoppingSpec !== undefined,
    stoppingByElapsedTime: stopping?.useElapsedDuration === true,
    unsupportedStopping: spec.convexAutomatedStoppingSpec !== undefined ? ['convexAutomatedStoppingSpec'] : [],
  };
}

function parseParameter(raw: JsonObject, at: string): ParameterSpec {
  const id = text(raw.parameterId);
  const scale = raw.scaleType === 'UNIT_LOG_SCALE' || raw.scaleType === 'UNIT_REVERSE_LOG_SCALE' ? raw.scaleType : 'UNIT_LINEAR_SCALE';
  const base = { id, scale, children: [] } as Pick<ParameterSpec, 'id' | 'scale' | 'children'>;
  let spec: ParameterSpec;
  if (isPlainObject(raw.doubleValueSpec)) {
    const min = Number(raw.doubleValueSpec.minValue ?? 0);
    const max = Number(raw.doubleValueSpec.maxValue ?? 0);
    if (!(min <= max)) throw invalidArgument(`${at}.double_value_spec: min_value ${min} is greater than max_value ${max}.`, `${at}.double_value_spec`);
    spec = { ...base, kind: 'double', min, max, values: [] };
  } else if (isPlainObject(raw.integerValueSpec)) {
    const min = Number(raw.integerValueSpec.minValue ?? 0);
    const max = Number(raw.integerValueSpec.maxValue ?? 0);
    if (!(min <= max)) throw invalidArgument(`${at}.integer_value_spec: min_value ${min} is greater than max_value ${max}.`, `${at}.integer_value_spec`);
    spec = { ...base, kind: 'integer', min, max, values: [] };
  } else if (isPlainObject(raw.categoricalValueSpec)) {
    const values = Array.isArray(raw.categoricalValueSpec.values) ? raw.categoricalValueSpec.values.map(String) : [];
    if (values.length === 0) throw invalidArgument(`${at}.categorical_value_spec.values must not be empty.`, `${at}.categorical_value_spec.values`);
    if (raw.scaleType !== undefined && raw.scaleType !== 'SCALE_TYPE_UNSPECIFIED') {
      throw invalidArgument(`${at}.scale_type must not be set for a categorical parameter.`, `${at}.scale_type`);
    }
    spec = { ...base, kind: 'categorical', min: 0, max: 0, values };
  } else if (isPlainObject(raw.discreteValueSpec)) {
    const values = numbers(raw.discreteValueSpec.values);
    if (values.length === 0) throw invalidArgument(`${at}.discrete_value_spec.values must not be empty.`, `${at}.discrete_value_spec.values`);
    if (values.some((v, i) => i > 0 && v <= values[i - 1]!)) {
      throw invalidArgument(`${at}.discrete_value_spec.values must be in increasing order, got [${values.join(', ')}].`, `${at}.discrete_value_spec.values`);
    }
    spec = { ...base, kind: 'discrete', min: values[0]!, max: values[values.length - 1]!, values };
  } else {
    throw invalidArgument(`${at}: set one of double_value_spec, integer_value_spec, categorical_value_spec or discrete_value_spec.`, at);
  }
  if (spec.scale !== 'UNIT_LINEAR_SCALE' && spec.min <= 0) {
    throw invalidArgument(`${at}.scale_type ${spec.scale} needs a positive range, got a minimum of ${spec.min}.`, `${at}.scale_type`);
  }
  const conditionals = Array.isArray(raw.conditionalParameterSpecs) ? raw.conditionalParameterSpecs.filter(isPlainObject) : [];
  spec.children = conditionals.map((c, i) => parseConditional(spec, c, `${at}.conditional_parameter_specs[${i}]`));
  return spec;
}

function parseConditional(parent: ParameterSpec, raw: JsonObject, at: string): { spec: ParameterSpec; parentValues: ParameterValue[] } {
  const child = parseParameter(isPlainObject(raw.parameterSpec) ? raw.parameterSpec : {}, `${at}.parameter_spec`);
  const expected = { discrete: 'parentDiscreteValues', integer: 'parentIntValues', categorical: 'parentCategoricalValues', double: undefined }[parent.kind];
  const given = ['parentDiscreteValues', 'parentIntValues', 'parentCategoricalValues'].find((k) => raw[k] !== undefined);
  if (expected === undefined) throw invalidArgument(`${at}: a double parameter ("${parent.id}") cannot have conditional parameters.`, at);
  if (given !== expected) {
    throw invalidArgument(`${at}: the parent "${parent.id}" is ${parent.kind}; its condition must be ${expected.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)}.`, at);
  }
  const condition = raw[expected];
  const list: unknown[] = isPlainObject(condition) && Array.isArray(condition.values) ? condition.values : [];
  const parentValues = parent.kind === 'categorical' ? list.map(String) : list.map(Number);
  if (parentValues.length === 0) throw invalidArgument(`${at}: the parent condition lists no values.`, at);
  return { spec: child, parentValues };
}
