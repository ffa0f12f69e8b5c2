// The study a tuning run submits: the spec's tuning block with the request's overrides, resolved
// once into what the tuning pipeline takes (metric and goal, Vertex's algorithm, trial counts, early
// stopping, and the StudySpec parameters: `model_type` with each type's space conditional on it).
import type { ModelType } from '../../pipelines/components/closed-sets.js';
import { modelTypeStudyParameters } from '../../pipelines/definitions/search-spaces.js';
import type { ResolvedModelSpec } from '../config/load-model-specs.js';
import { tuningModelTypes } from '../config/model-spec.js';
import type { SearchSpaceEntry, SearchSpaceOverrides, TuningAlgorithm } from '../config/tuning-space.js';
import { DEFAULT_TUNING_METRIC, TUNING_ALGORITHMS, effectiveSpace, gridProblemMessage, gridProblems, gridSizeProblem, tuningMetricGoal } from '../config/tuning-space.js';
import type { FieldViolation } from '../errors.js';
import { ControlPlaneError } from '../errors.js';
import type { TuningStudy } from '../state/tuning-runs.js';

/** What a request may change of the spec's study (the API body's fields of the same names). */
export interface StudyOverrides {
  readonly modelTypes?: readonly ModelType[] | undefined;
  readonly maxTrialCount?: number | undefined;
  readonly parallelTrialCount?: number | undefined;
  readonly maxFailedTrialCount?: number | undefined;
  readonly algorithm?: TuningAlgorithm | undefined;
  readonly space?: SearchSpaceOverrides | undefined;
}

/** The spec's tuning block with its defaults (a spec without one tunes its pipeline's model type). */
function specTuning(spec: ResolvedModelSpec) {
  const t = spec.tuning;
  return {
    modelTypes: tuningModelTypes(spec),
    metric: t?.metric ?? DEFAULT_TUNING_METRIC[spec.task],
    algorithm: t?.algorithm ?? 'bayesian',
    maxTrials: t?.maxTrials ?? 12,
    parallelTrials: t?.parallelTrials ?? 3,
    maxFailedTrials: t?.maxFailedTrials ?? 3,
    earlyStopping: t?.earlyStopping ?? 'none',
    space: (t?.space ?? {}) as SearchSpaceOverrides,
  };
}

/**
 * The study for one run; a request that asks for what the spec does not allow (a model type the
 * spec does not search, more parallel trials than trials, grid search over a continuous range) is
 * refused with one field violation per problem, named as the request's fields.
 */
export function resolveStudy(spec: ResolvedModelSpec, overrides: StudyOverrides = {}): TuningStudy {
  const base = specTuning(spec);
  const violations: FieldViolation[] = [];
  const modelTypes = overrides.modelTypes ? [...overrides.modelTypes] : base.modelTypes;
  overrides.modelTypes?.forEach((type, i) => {
    if (!base.modelTypes.includes(type)) violations.push({ field: `modelTypes[${i}]`, description: `models/${spec.name} tunes ${base.modelTypes.join(', ')} (its spec's tuning.modelTypes), not ${type}` });
    else if (overrides.modelTypes!.indexOf(type) !== i) violations.push({ field: `modelTypes[${i}]`, description: `lists ${type} twice` });
  });
  const maxTrialCount = overrides.maxTrialCount ?? base.maxTrials;
  const parallelTrialCount = overrides.parallelTrialCount ?? Math.min(base.parallelTrials, maxTrialCount);
  const maxFailedTrialCount = overrides.maxFailedTrialCount ?? Math.min(base.maxFailedTrials, maxTrialCount);
  if (parallelTrialCount > maxTrialCount) violations.push({ field: 'parallelTrialCount', description: `must be at most the trial count (${maxTrialCount})` });
  if (maxFailedTrialCount > maxTrialCount) violations.push({ field: 'maxFailedTrialCount', description: `must be at most the trial count (${maxTrialCount})` });

  const space: Partial<Record<ModelType, Record<string, SearchSpaceEntry>>> = {};
  for (const type of modelTypes) space[type] = { ...base.space[type], ...overrides.space?.[type] };
  for (const type of Object.keys(overrides.space ?? {}) as ModelType[]) {
    if (!modelTypes.includes(type)) violations.push({ field: `space.${type}`, description: `the study does not search ${type} (model types: ${modelTypes.join(', ')})` });
  }
  const algorithm = overrides.algorithm ?? base.algorithm;
  if (algorithm === 'grid') {
    for (const problem of gridProblems(modelTypes, space)) {
      const fromRequest = overrides.space?.[problem.modelType]?.[problem.parameter] !== undefined;
      violations.push({ field: fromRequest ? `space.${problem.modelType}.${problem.parameter}` : 'algorithm', description: gridProblemMessage(problem) });
    }
    const tooBig = gridSizeProblem(modelTypes, space, maxTrialCount);
    if (tooBig !== undefined) violations.push({ field: overrides.maxTrialCount === undefined ? 'algorithm' : 'maxTrialCount', description: tooBig });
  }
  if (violations.length > 0) throw new ControlPlaneError('INVALID_ARGUMENT', violations.map((v) => `${v.field}: ${v.description}`).join('; '), violations);

  return {
    modelTypes,
    metric: { id: base.metric, goal: tuningMetricGoal(base.metric) },
    algorithm: TUNING_ALGORITHMS[algorithm],
    maxTrialCount,
    parallelTrialCount,
    maxFailedTrialCount,
    earlyStopping: base.earlyStopping,
    parameters: modelTypeStudyParameters(Object.fromEntries(modelTypes.map((type) => [type, effectiveSpace(type, space[type])]))),
  };
}
