// A tuning run's result as the API shows it and the plots draw it: every trial as a model type and
// its hyperparameters, the best trial overall and per model type, and how much each parameter
// mattered. The control plane assembles it from the HyperparameterTuningJob's trials (live while
// the run goes on) and the tuning pipeline's `parameter_importance` artifact (at the end); it is
// stored beside the plots as results.json, and read back with this schema.
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
  /**
   * Each tuned parameter's share of the explained variation of the metric (sums to 1 when any),
   * largest first, by study parameter id (`model_type`, `xgboost__learning_rate`); empty until the run ends.
   */
  parameterImportance: z.array(z.strictObject({ parameter: z.string(), importance: z.number().min(0).max(1) })),
});
export type TuningResult = z.infer<typeof TuningResult>;
