// The BigQuery tables the control plane writes, declared once: the Pulumi program (infra/) creates
// them, and the control plane creates a missing one from the same declaration (on the local cloud,
// a fresh project). Schemas in the REST API's TableFieldSchema form.

export interface TableDeclaration {
  readonly datasetId: string;
  readonly tableId: string;
  readonly description: string;
  readonly schema: readonly { readonly name: string; readonly type: string; readonly mode: 'REQUIRED' | 'NULLABLE' | 'REPEATED'; readonly description: string }[];
  /** Partitioned by this TIMESTAMP column (by day). */
  readonly timePartitioningField?: string;
}

/** Every decision the control plane makes (design §4): appended once, keyed by `decision_id` (the insertId). */
export const AUDIT_TABLE: TableDeclaration = {
  datasetId: 'mlops_audit',
  tableId: 'decisions',
  description: 'Control-plane decisions and their numbers: training runs (submission with its trigger, gate and champion/challenger outcome with the cost estimate, registration), tuning runs, retrain triggers, rollouts (steps, analyses, promotions, rollbacks, approvals).',
  timePartitioningField: 'decided_at',
  schema: [
    { name: 'decision_id', type: 'STRING', mode: 'REQUIRED', description: 'Unique per decision; the streaming insertId.' },
    { name: 'decided_at', type: 'TIMESTAMP', mode: 'REQUIRED', description: 'When the decision was made.' },
    { name: 'model', type: 'STRING', mode: 'REQUIRED', description: "The model spec's name." },
    { name: 'version', type: 'STRING', mode: 'NULLABLE', description: 'The model version concerned (projects/.../models/m@N).' },
    { name: 'subject', type: 'STRING', mode: 'REQUIRED', description: 'What was decided about: a rollout id, a training or tuning run id, a monitoring incident.' },
    { name: 'kind', type: 'STRING', mode: 'REQUIRED', description: 'TRAINING_RUN_SUBMITTED, REGISTER_AS_CHALLENGER, REJECT, VERSION_REGISTERED, PROMOTED, ABORTED, ANALYSIS_FAILED, APPROVAL_GRANTED, APPROVAL_DENIED, RETRAIN_TRIGGERED, TUNING_SUCCEEDED, ...' },
    { name: 'actor', type: 'STRING', mode: 'REQUIRED', description: 'Who or what decided: an email, or reconciler / analysis.' },
    { name: 'reason', type: 'STRING', mode: 'REQUIRED', description: 'Why, in words, with the numbers.' },
    { name: 'details', type: 'STRING', mode: 'NULLABLE', description: 'The numbers behind the decision, as JSON text.' },
  ],
};

/** Every scheduled check's result (design §1: checkDrift): one row per version and feature (drift), or per check (performance, age). */
export const MODEL_CHECKS_TABLE: TableDeclaration = {
  datasetId: 'mlops_monitoring',
  tableId: 'model_checks',
  description: 'Results of the scheduled model checks: feature drift against the training baseline, performance on the actuals, model age.',
  timePartitioningField: 'checked_at',
  schema: [
    { name: 'check_id', type: 'STRING', mode: 'REQUIRED', description: 'The check run (one checkDrift invocation for one model).' },
    { name: 'checked_at', type: 'TIMESTAMP', mode: 'REQUIRED', description: 'When the check ran.' },
    { name: 'model', type: 'STRING', mode: 'REQUIRED', description: "The model spec's name." },
    { name: 'version', type: 'STRING', mode: 'NULLABLE', description: 'The model version checked (projects/.../models/m@N).' },
    { name: 'deployed_model_id', type: 'STRING', mode: 'NULLABLE', description: 'The deployed model whose traffic was checked.' },
    { name: 'check', type: 'STRING', mode: 'REQUIRED', description: 'drift, performance or age.' },
    { name: 'subject', type: 'STRING', mode: 'REQUIRED', description: 'The feature (drift), the metric (performance) or "age".' },
    { name: 'metric', type: 'STRING', mode: 'REQUIRED', description: 'jensen_shannon, l_infinity, r2, rmse, age_seconds, ...' },
    { name: 'value', type: 'FLOAT', mode: 'NULLABLE', description: 'The measured value; null when there was too little data.' },
    { name: 'threshold', type: 'FLOAT', mode: 'NULLABLE', description: 'The bound the value is judged against.' },
    { name: 'breached', type: 'BOOLEAN', mode: 'REQUIRED', description: 'Whether the value is beyond its bound.' },
    { name: 'window_start', type: 'TIMESTAMP', mode: 'NULLABLE', description: 'The traffic window checked.' },
    { name: 'window_end', type: 'TIMESTAMP', mode: 'NULLABLE', description: 'The traffic window checked.' },
    { name: 'details', type: 'STRING', mode: 'NULLABLE', description: 'The rest (PSI and its tier, KS, counts) as JSON text.' },
  ],
};
