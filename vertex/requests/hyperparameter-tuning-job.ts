// CreateHyperparameterTuningJobRequest: a Vizier study whose trials run a CustomJobSpec.
import type {
  IConditionalParameterSpec,
  ICreateHyperparameterTuningJobRequest,
  IParameterSpec,
  IStudySpec,
} from '../shared/proto-types.js';
import { fail, requireDisplayName, requireInteger, requireNonEmpty } from '../shared/errors.js';
import { validateLabels } from '../shared/labels.js';
import type { LocationRef } from '../shared/resource-names.js';
import { locationName, requireKmsKeyName } from '../shared/resource-names.js';
import type { CustomJobSpecInput } from './custom-job.js';
import { buildCustomJobSpec } from './custom-job.js';

export type ScaleType = 'UNIT_LINEAR_SCALE' | 'UNIT_LOG_SCALE' | 'UNIT_REVERSE_LOG_SCALE';

export interface ConditionalParameterInput<ParentValue> {
  /** The child is only sampled when the parent takes one of these values. */
  readonly parentValues: readonly ParentValue[];
  readonly parameter: ParameterInput;
}

export interface DoubleParameterInput {
  readonly type: 'double';
  readonly parameterId: string;
  readonly min: number;
  readonly max: number;
  readonly scale?: ScaleType;
  readonly default?: number;
}

export interface IntegerParameterInput {
  readonly type: 'integer';
  readonly parameterId: string;
  readonly min: number;
  readonly max: number;
  readonly scale?: ScaleType;
  readonly default?: number;
  readonly conditionalParameters?: readonly ConditionalParameterInput<number>[];
}

export interface DiscreteParameterInput {
  readonly type: 'discrete';
  readonly parameterId: string;
  /** Strictly increasing. */
  readonly values: readonly number[];
  readonly scale?: ScaleType;
  readonly default?: number;
  readonly conditionalParameters?: readonly ConditionalParameterInput<number>[];
}

export interface CategoricalParameterInput {
  readonly type: 'categorical';
  readonly parameterId: string;
  readonly values: readonly string[];
  readonly default?: string;
  readonly conditionalParameters?: readonly ConditionalParameterInput<string>[];
}

export type ParameterInput = DoubleParameterInput | IntegerParameterInput | DiscreteParameterInput | CategoricalParameterInput;

export interface MetricInput {
  readonly metricId: string;
  /** Always explicit: an unspecified goal means MAXIMIZE, the wrong way round for a loss. */
  readonly goal: 'MAXIMIZE' | 'MINIMIZE';
}

export type StoppingInput =
  | { readonly type: 'median'; readonly useElapsedDuration?: boolean }
  | { readonly type: 'decayCurve'; readonly useElapsedDuration?: boolean }
  | {
      readonly type: 'convex';
      readonly maxStepCount?: number;
      readonly minStepCount?: number;
      readonly minMeasurementCount?: number;
      readonly learningRateParameterName?: string;
      readonly useElapsedDuration?: boolean;
      readonly updateAllStoppedTrials?: boolean;
    };

/** ALGORITHM_UNSPECIFIED lets Vizier choose (Bayesian optimisation); there is no BAYESIAN value. */
export type SearchAlgorithm = 'ALGORITHM_UNSPECIFIED' | 'GRID_SEARCH' | 'RANDOM_SEARCH';

export interface StudySpecInput {
  readonly metrics: readonly MetricInput[];
  readonly parameters: readonly ParameterInput[];
  readonly algorithm?: SearchAlgorithm;
  readonly measurementSelection?: 'LAST_MEASUREMENT' | 'BEST_MEASUREMENT';
  /** At most one automated stopping rule (the proto's oneof). */
  readonly stopping?: StoppingInput;
}

export interface HyperparameterTuningJobInput extends LocationRef {
  readonly displayName: string;
  readonly study: StudySpecInput;
  readonly maxTrialCount: number;
  readonly parallelTrialCount: number;
  /** Failed trials tolerated before the job fails; 0 or unset lets Vertex decide. */
  readonly maxFailedTrialCount?: number;
  readonly trialJobSpec: CustomJobSpecInput;
  readonly labels?: Readonly<Record<string, string>>;
  readonly encryptionKmsKeyName?: string;
}

const PARAMETER_ID = /^[A-Za-z][A-Za-z0-9_-]*$/;

export function buildCreateHyperparameterTuningJobRequest(input: HyperparameterTuningJobInput): ICreateHyperparameterTuningJobRequest {
  const displayName = requireDisplayName(input.displayName);
  const maxTrialCount = requireInteger(input.maxTrialCount, 'maxTrialCount', 1);
  const parallelTrialCount = requireInteger(input.parallelTrialCount, 'parallelTrialCount', 1);
  if (parallelTrialCount > maxTrialCount) {
    fail('parallelTrialCount', `(${parallelTrialCount}) must not exceed maxTrialCount (${maxTrialCount})`);
  }
  const job: NonNullable<ICreateHyperparameterTuningJobRequest['hyperparameterTuningJob']> = {
    displayName,
    studySpec: buildStudySpec(input.study),
    maxTrialCount,
    parallelTrialCount,
    trialJobSpec: buildCustomJobSpec(input.trialJobSpec, 'trialJobSpec'),
  };
  if (input.maxFailedTrialCount !== undefined) {
    job.maxFailedTrialCount = requireInteger(input.maxFailedTrialCount, 'maxFailedTrialCount', 0, maxTrialCount);
  }
  const labels = validateLabels(input.labels);
  if (labels !== undefined) job.labels = labels;
  if (input.encryptionKmsKeyName !== undefined) {
    job.encryptionSpec = { kmsKeyName: requireKmsKeyName(input.encryptionKmsKeyName, input.location, 'encryptionKmsKeyName') };
  }
  return { parent: locationName(input), hyperparameterTuningJob: job };
}

export function buildStudySpec(input: StudySpecInput, field = 'study'): IStudySpec {
  if (input.metrics.length === 0) fail(`${field}.metrics`, 'needs at least one metric');
  const metricIds = new Set<string>();
  const metrics = input.metrics.map((metric, i) => {
    const metricField = `${field}.metrics[${i}]`;
    requireNonEmpty(metric.metricId, `${metricField}.metricId`);
    if (metricIds.has(metric.metricId)) fail(`${metricField}.metricId`, `duplicate metric ${metric.metricId}`);
    metricIds.add(metric.metricId);
    if (metric.goal !== 'MAXIMIZE' && metric.goal !== 'MINIMIZE') {
      fail(`${metricField}.goal`, `must be MAXIMIZE or MINIMIZE, got ${String(metric.goal)}`);
    }
    return { metricId: metric.metricId, goal: metric.goal };
  });

  if (input.parameters.length === 0) fail(`${field}.parameters`, 'needs at least one parameter');
  const seenIds = new Set<string>();
  const parameters = input.parameters.map((p, i) => buildParameter(p, `${field}.parameters[${i}]`, seenIds));

  const algorithm = input.algorithm ?? 'ALGORITHM_UNSPECIFIED';
  if (algorithm === 'GRID_SEARCH') {
    for (const [path, parameter] of allParameters(input.parameters, `${field}.parameters`)) {
      if (parameter.type === 'double') {
        fail(`${path}.type`, `GRID_SEARCH needs every parameter to be integer, discrete or categorical; ${parameter.parameterId} is double`);
      }
    }
  }

  const spec: IStudySpec = { metrics, parameters };
  if (algorithm !== 'ALGORITHM_UNSPECIFIED') spec.algorithm = algorithm;
  if (input.measurementSelection !== undefined) spec.measurementSelectionType = input.measurementSelection;
  if (input.stopping !== undefined) addStopping(spec, input.stopping, `${field}.stopping`);
  return spec;
}

/** Every parameter including conditional children, with its input path. */
function* allParameters(parameters: readonly ParameterInput[], path: string): Generator<[string, ParameterInput]> {
  for (const [i, parameter] of parameters.entries()) {
    const here = `${path}[${i}]`;
    yield [here, parameter];
    if (parameter.type !== 'double' && parameter.conditionalParameters !== undefined) {
      yield* allParameters(parameter.conditionalParameters.map((c) => c.parameter), `${here}.conditionalParameters`);
    }
  }
}

function buildParameter(input: ParameterInput, field: string, seenIds: Set<string>): IParameterSpec {
  const id = input.parameterId;
  if (!PARAMETER_ID.test(id)) fail(`${field}.parameterId`, `must start with a letter and use letters, digits, _ or - (it becomes --${id}=...), got ${JSON.stringify(id)}`);
  if (seenIds.has(id)) fail(`${field}.parameterId`, `duplicate parameter id ${id} (ids are unique across the whole study, conditional ones included)`);
  seenIds.add(id);

  const spec: IParameterSpec = { parameterId: id };
  switch (input.type) {
    case 'double': {
      if ('conditionalParameters' in input) fail(`${field}.conditionalParameters`, 'only discrete, integer and categorical parents can have conditional parameters');
      checkRange(input.min, input.max, field, false);
      checkScale(input.scale, input.min, field);
      spec.doubleValueSpec = { minValue: input.min, maxValue: input.max };
      if (input.default !== undefined) {
        checkDefaultInRange(input.default, input.min, input.max, field);
        spec.doubleValueSpec.defaultValue = input.default;
      }
      break;
    }
    case 'integer': {
      checkRange(input.min, input.max, field, true);
      checkScale(input.scale, input.min, field);
      spec.integerValueSpec = { minValue: input.min, maxValue: input.max };
      if (input.default !== undefined) {
        if (!Number.isInteger(input.default)) fail(`${field}.default`, `must be an integer, got ${input.default}`);
        checkDefaultInRange(input.default, input.min, input.max, field);
        spec.integerValueSpec.defaultValue = input.default;
      }
      spec.conditionalParameterSpecs = buildConditionals(input.conditionalParameters, field, seenIds, (v) => Number.isInteger(v) && v >= input.min && v <= input.max,
        (values) => ({ parentIntValues: { values: [...values] } }), `an integer in [${input.min}, ${input.max}]`);
      break;
    }
    case 'discrete': {
      if (input.values.length === 0) fail(`${field}.values`, 'needs at least one value');
      input.values.forEach((v, i) => {
        if (!Number.isFinite(v)) fail(`${field}.values[${i}]`, `must be a finite number, got ${v}`);
        const previous = input.values[i - 1];
        if (previous !== undefined && v <= previous) fail(`${field}.values[${i}]`, `values must be strictly increasing (${previous} then ${v})`);
      });
      checkScale(input.scale, input.values[0] ?? 0, field);
      spec.discreteValueSpec = { values: [...input.values] };
      if (input.default !== undefined) {
        if (!input.values.includes(input.default)) fail(`${field}.default`, `${input.default} is not one of the values`);
        spec.discreteValueSpec.defaultValue = input.default;
      }
      spec.conditionalParameterSpecs = buildConditionals(input.conditionalParameters, field, seenIds, (v) => input.values.includes(v),
        (values) => ({ parentDiscreteValues: { values: [...values] } }), `one of ${input.values.join(', ')}`);
      break;
    }
    case 'categorical': {
      if ('scale' in input) fail(`${field}.scale`, 'categorical parameters take no scale');
      if (input.values.length === 0) fail(`${field}.values`, 'needs at least one value');
      const unique = new Set(input.values);
      if (unique.size !== input.values.length) fail(`${field}.values`, 'categorical values must be unique');
      spec.categoricalValueSpec = { values: [...input.values] };
      if (input.default !== undefined) {
        if (!unique.has(input.default)) fail(`${field}.default`, `${JSON.stringify(input.default)} is not one of the values`);
        spec.categoricalValueSpec.defaultValue = input.default;
      }
      spec.conditionalParameterSpecs = buildConditionals(input.conditionalParameters, field, seenIds, (v) => unique.has(v),
        (values) => ({ parentCategoricalValues: { values: [...values] } }), `one of ${input.values.map((v) => JSON.stringify(v)).join(', ')}`);
      break;
    }
    default:
      return fail(`${field}.type`, `unknown parameter type ${JSON.stringify((input as { type: unknown }).type)}`);
  }
  if (input.type !== 'categorical' && input.scale !== undefined) spec.scaleType = input.scale;
  if (spec.conditionalParameterSpecs?.length === 0) delete spec.conditionalParameterSpecs;
  return spec;
}

function buildConditionals<V>(
  conditionals: readonly ConditionalParameterInput<V>[] | undefined,
  field: string,
  seenIds: Set<string>,
  existsInParent: (value: V) => boolean,
  condition: (values: readonly V[]) => Omit<IConditionalParameterSpec, 'parameterSpec'>,
  expected: string,
): IConditionalParameterSpec[] {
  return (conditionals ?? []).map((conditional, i) => {
    const here = `${field}.conditionalParameters[${i}]`;
    if (conditional.parentValues.length === 0) fail(`${here}.parentValues`, 'needs at least one parent value');
    conditional.parentValues.forEach((value, j) => {
      if (!existsInParent(value)) fail(`${here}.parentValues[${j}]`, `${JSON.stringify(value)} is not a value of the parent (expected ${expected})`);
    });
    return { ...condition(conditional.parentValues), parameterSpec: buildParameter(conditional.parameter, `${here}.parameter`, seenIds) };
  });
}

function checkRange(min: number, max: number, field: string, integers: boolean): void {
  for (const [name, value] of [['min', min], ['max', max]] as const) {
    if (!Number.isFinite(value)) fail(`${field}.${name}`, `must be a finite number, got ${value}`);
    if (integers && !Number.isSafeInteger(value)) fail(`${field}.${name}`, `must be an integer, got ${value}`);
  }
  if (min >= max) fail(`${field}.max`, `must be greater than min (${min}), got ${max}`);
}

function checkScale(scale: ScaleType | undefined, smallest: number, field: string): void {
  if (scale === undefined || scale === 'UNIT_LINEAR_SCALE') return;
  if (scale !== 'UNIT_LOG_SCALE' && scale !== 'UNIT_REVERSE_LOG_SCALE') fail(`${field}.scale`, `unknown scale ${String(scale)}`);
  if (smallest <= 0) fail(`${field}.scale`, `${scale} needs a strictly positive range, but the smallest value is ${smallest}`);
}

function checkDefaultInRange(value: number, min: number, max: number, field: string): void {
  if (value < min || value > max) fail(`${field}.default`, `${value} is outside [${min}, ${max}]`);
}

function addStopping(spec: IStudySpec, stopping: StoppingInput, field: string): void {
  switch (stopping.type) {
    case 'median':
      spec.medianAutomatedStoppingSpec = stopping.useElapsedDuration === undefined ? {} : { useElapsedDuration: stopping.useElapsedDuration };
      return;
    case 'decayCurve':
      spec.decayCurveStoppingSpec = stopping.useElapsedDuration === undefined ? {} : { useElapsedDuration: stopping.useElapsedDuration };
      return;
    case 'convex': {
      const convex: NonNullable<IStudySpec['convexAutomatedStoppingSpec']> = {};
      for (const key of ['maxStepCount', 'minStepCount', 'minMeasurementCount'] as const) {
        const value = stopping[key];
        if (value !== undefined) convex[key] = requireInteger(value, `${field}.${key}`, 0);
      }
      if (stopping.minStepCount !== undefined && stopping.maxStepCount !== undefined && stopping.minStepCount > stopping.maxStepCount) {
        fail(`${field}.minStepCount`, 'must not exceed maxStepCount');
      }
      if (stopping.learningRateParameterName !== undefined) convex.learningRateParameterName = stopping.learningRateParameterName;
      if (stopping.useElapsedDuration !== undefined) convex.useElapsedDuration = stopping.useElapsedDuration;
      if (stopping.updateAllStoppedTrials !== undefined) convex.updateAllStoppedTrials = stopping.updateAllStoppedTrials;
      spec.convexAutomatedStoppingSpec = convex;
      return;
    }
    default:
      fail(`${field}.type`, `must be median, decayCurve or convex, got ${JSON.stringify((stopping as { type: unknown }).type)}`);
  }
}
