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
  description: 'Control-plane decisions: rollouts (steps, analyses, promotions, rollbacks, approvals) and their numbers.',
  timePartitioningField: 'decided_at',
  schema: [
    { name: 'decision_id', type: 'STRING', mode: 'REQUIRED', description: 'Unique per decision; the streaming insertId.' },
    { name: 'decided_at', type: 'TIMESTAMP', mode: 'REQUIRED', description: 'When the decision was made.' },
    { name: 'model', type: 'STRING', mode: 'REQUIRED', description: "The model spec's name." },
    { name: 'version', type: 'STRING', mode: 'NULLABLE', description: 'The model version concerned (projects/.../models/m@N).' },
    { name: 'subject', type: 'STRING', mode: 'REQUIRED', description: 'What was decided about: a rollout id or a training run id.' },
    { name: 'kind', type: 'STRING', mode: 'REQUIRED', description: 'PROMOTED, ABORTED, ANALYSIS_FAILED, APPROVAL_DENIED, ...' },
    { name: 'actor', type: 'STRING', mode: 'REQUIRED', description: 'Who or what decided: an email, or reconciler / analysis.' },
    { name: 'reason', type: 'STRING', mode: 'REQUIRED', description: 'Why, in words, with the numbers.' },
    { name: 'details', type: 'STRING', mode: 'NULLABLE', description: 'The numbers behind the decision, as JSON text.' },
  ],
};
