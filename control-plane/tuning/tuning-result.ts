// A finished tuning run's result as the tuning pipeline's summary step writes it (the
// `tuning_summary` artifact, JSON) and the control plane reads it: every trial as a model type
// and its hyperparameters, the best trial overall and per model type, and how much each
// parameter mattered. Read with this schema: it crosses a process boundary.
import { z } from 'zod';

export const TRIAL_STATES = ['SUCCEEDED', 'INFEASIBLE', 'STOPPED'] as const;

export const TuningTrial = z.strictObject({
  /** The HyperparameterTuningJob's trial id ("1", "2", ...). */
  id: z.string().min(1),
  /** SUCCEEDED (early-stopped trials included, with `earlyStopped`), INFEASIBLE (failed) or STOPPED (cancelled). */
  state: z.enum(TRIAL_STATES),
  modelType: z.string().min(1),
  /** The trial's hyperparameters for its model type, unprefixed (`n_estimators`, not `xgboost__n_estimators`). */
  hyperparameters: z.record(z.string(), z.union([z.number(), z.string()])),
  /** The final measurement of the study's metric; absent for failed trials. */
  value: z.number().optional(),
  earlyStopped: z.boolean().optional(),
  infeasibleReason: z.string().optional(),
  startTime: z.string().optional(),
  endTime: z.string().optional(),
});
export type TuningTrial = z.infer<typeof TuningTrial>;

export const TuningResult = z.strictObject({
  /** The HyperparameterTuningJob's resource name. */
  job: z.string(),
  metric: z.strictObject({ id: z.string().min(1), goal: z.enum(['MAXIMIZE', 'MINIMIZE']) }),
  /** In trial order. */
  trials: z.array(TuningTrial),
  /** The best succeeded trial's id, if any succeeded. */
  bestTrialId: z.string().optional(),
  /** Model type → its best succeeded trial's id. */
  bestPerModelType: z.record(z.string(), z.string()),
  /** Each tuned parameter's share of the explained variation of the metric (sums to 1 when any), largest first. */
  /** Keyed by study parameter id (`model_type`, `xgboost__learning_rate`). */
  parameterImportance: z.array(z.strictObject({ parameter: z.string(), importance: z.number().min(0).max(1) })),
});
export type TuningResult = z.infer<typeof TuningResult>;
