// New parameter assignments for a study, whoever asks (a Vizier client or a tuning job):
// ALGORITHM_UNSPECIFIED asks the Designer's Gaussian-process bandit; GRID_SEARCH continues the grid
// past the points the study's trials already hold; RANDOM_SEARCH samples from a PRNG seeded by the
// study and how many trials it has ever made (deleted ones included, so no batch repeats), so the
// same study asks the same way twice.
import type { Study } from '../hyperparameter-tuning-jobs/study-spec.js';
import type { Assignment } from '../hyperparameter-tuning-jobs/suggestions.js';
import { gridSearch, hashSeed, randomSearch } from '../hyperparameter-tuning-jobs/suggestions.js';
import type { Designer, TrialParameters } from './designer.js';

/** What the study already holds, in the terms every algorithm needs. */
export interface TrialHistory {
  readonly parameters: TrialParameters;
  /** pending: REQUESTED, ACTIVE or STOPPING; completed: SUCCEEDED; infeasible: INFEASIBLE. */
  readonly status: 'pending' | 'completed' | 'infeasible';
  /** The objective in the final measurement (a completed trial without it teaches nothing). */
  readonly value?: number;
}

export interface SuggestRequest {
  readonly designer: Designer;
  readonly study: Study;
  /** The study's or job's resource name: seeds the random algorithms. */
  readonly seedKey: string;
  readonly history: readonly TrialHistory[];
  readonly count: number;
  /** How many trials the study has ever created (its next trial id - 1); default: the history's length (nothing deleted). */
  readonly created?: number;
}

const keyOf = (parameters: TrialParameters): string => JSON.stringify(Object.entries(parameters).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));

export function assignmentParameters(assignment: readonly Assignment[]): TrialParameters {
  return Object.fromEntries(assignment.map((a) => [a.parameterId, a.value]));
}

/** Only a grid can run out: every point is held by some trial. */
export function searchSpaceExhausted(study: Study, history: readonly TrialHistory[]): boolean {
  if (study.algorithm !== 'GRID_SEARCH') return false;
  const used = new Set(history.map((h) => keyOf(h.parameters)));
  for (const point of gridSearch(study.parameters)) if (!used.has(keyOf(assignmentParameters(point)))) return false;
  return true;
}

/**
 * Up to `count` assignments; fewer (possibly none) only when GRID_SEARCH has run out of points.
 */
export async function suggestAssignments(request: SuggestRequest): Promise<Assignment[][]> {
  const { study, history, count, designer } = request;
  if (count < 1) return [];
  const seed = `${request.seedKey}#${request.created ?? history.length}`;
  switch (study.algorithm) {
    case 'GRID_SEARCH': {
      const used = new Set(history.map((h) => keyOf(h.parameters)));
      const out: Assignment[][] = [];
      for (const point of gridSearch(study.parameters)) {
        if (out.length >= count) break;
        if (!used.has(keyOf(assignmentParameters(point)))) out.push(point);
      }
      return out;
    }
    case 'RANDOM_SEARCH': {
      const points = randomSearch(study.parameters, seed);
      return Array.from({ length: count }, () => points.next().value as Assignment[]);
    }
    case 'GAUSSIAN_PROCESS_BANDIT':
      return designer.suggest({
        parameters: study.parameters,
        goal: study.goal,
        completed: history.flatMap((h) => (h.status === 'completed' && h.value !== undefined && Number.isFinite(h.value) ? [{ parameters: h.parameters, value: h.value }] : [])),
        infeasible: history.filter((h) => h.status === 'infeasible').map((h) => ({ parameters: h.parameters })),
        pending: history.filter((h) => h.status === 'pending').map((h) => ({ parameters: h.parameters })),
        count,
        seed: hashSeed(seed),
      });
  }
}
