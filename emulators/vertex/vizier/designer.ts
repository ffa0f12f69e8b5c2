// The suggestion engine behind both HyperparameterTuningJobs (ALGORITHM_UNSPECIFIED) and the
// Vizier API's studies: Gaussian-process Bayesian optimisation and decay-curve early stopping,
// computed by a long-lived Python worker (scikit-learn's GP, SciPy's optimisers) that
// `designer-process.ts` drives. This file is the contract between the two.
import type { Goal, ParameterSpec, ParameterValue } from '../hyperparameter-tuning-jobs/study-spec.js';
import type { Assignment } from '../hyperparameter-tuning-jobs/suggestions.js';

/** A trial's parameter values by parameter id (only the parameters active in that trial). */
export type TrialParameters = Readonly<Record<string, ParameterValue>>;

export interface SuggestInput {
  /** The study's parameters as `parseStudySpec` returns them (conditional children included). */
  readonly parameters: readonly ParameterSpec[];
  readonly goal: Goal;
  /** Completed trials with their objective value (the final measurement's metric). */
  readonly completed: readonly { readonly parameters: TrialParameters; readonly value: number }[];
  /** Failed (INFEASIBLE) trials: the engine avoids suggesting near them again. */
  readonly infeasible: readonly { readonly parameters: TrialParameters }[];
  /** Trials suggested and not finished (REQUESTED, ACTIVE, STOPPING): new suggestions must not collide with them. */
  readonly pending: readonly { readonly parameters: TrialParameters }[];
  /** How many suggestions to return (>= 1); they must not collide with each other either. */
  readonly count: number;
  /** Seeds the engine's randomness: the same input and seed give the same suggestions. */
  readonly seed: number;
}

/** One point of a trial's learning curve: the objective after `step` steps (or seconds). */
export interface CurvePoint {
  readonly step: number;
  readonly value: number;
}

export interface DecayCurveInput {
  readonly goal: Goal;
  /** The running trial's intermediate measurements, in step order. */
  readonly running: readonly CurvePoint[];
  /** Each completed trial's intermediate measurements, in step order. */
  readonly completed: readonly (readonly CurvePoint[])[];
}

export interface DecayCurveVerdict {
  readonly stop: boolean;
  /** Why, for the log: e.g. "P(final better than best 0.41) = 0.003 < 0.05" or "3 completed trials needed". */
  readonly reason: string;
  readonly predictedFinal?: number;
  readonly bestCompleted?: number;
  readonly probabilityOfImprovement?: number;
}

export interface Designer {
  /** `count` new assignments, each with every active parameter (children only under their parent's values). */
  suggest(input: SuggestInput): Promise<Assignment[][]>;
  /** Vizier's decay-curve rule: stop a running trial unlikely to beat the best completed one. */
  decayCurveStop(input: DecayCurveInput): Promise<DecayCurveVerdict>;
  /** Stops the worker process. */
  close(): Promise<void>;
}
