// ListOptimalTrials: with one metric the SUCCEEDED trials whose final measurement is best (ties
// included); with several, the Pareto front (no other trial at least as good in every metric and
// better in one). Trials without every metric in their final measurement take no part.
import type { Study } from '../hyperparameter-tuning-jobs/study-spec.js';
import { metricOf } from './measurements.js';
import type { StoredTrial } from './trials.js';

export function optimalTrials(trials: readonly StoredTrial[], study: Study): StoredTrial[] {
  // Each metric turned into "bigger is better".
  const scored = trials.flatMap((trial) => {
    if (trial.state !== 'SUCCEEDED') return [];
    const values = study.metrics.map((m) => metricOf(trial.finalMeasurement, m.metricId));
    if (values.some((v) => v === undefined || !Number.isFinite(v))) return [];
    return [{ trial, score: values.map((v, i) => (study.metrics[i]!.goal === 'MAXIMIZE' ? v! : -v!)) }];
  });
  const dominates = (a: number[], b: number[]) => a.every((x, i) => x >= b[i]!) && a.some((x, i) => x > b[i]!);
  return scored.filter((c) => !scored.some((o) => dominates(o.score, c.score))).map((c) => c.trial);
}
