// The tables of a model's serving data, declared once: the request-response log in exactly the
// columns Vertex AI creates it with (the Vertex emulator writes these columns; the Pulumi program
// creates the table with them), and the actuals table the rollout analysis and checkDrift join on.
import type { TableDeclaration } from '../control-plane/config/bigquery-tables.js';

/** Vertex's request-response logging table: one row per request, payloads one JSON string per instance/prediction. */
export const REQUEST_RESPONSE_SCHEMA = [
  { name: 'endpoint', type: 'STRING', mode: 'NULLABLE' },
  { name: 'deployed_model_id', type: 'STRING', mode: 'NULLABLE' },
  { name: 'logging_time', type: 'TIMESTAMP', mode: 'NULLABLE' },
  { name: 'request_id', type: 'NUMERIC', mode: 'NULLABLE' },
  { name: 'request_payload', type: 'STRING', mode: 'REPEATED' },
  { name: 'response_payload', type: 'STRING', mode: 'REPEATED' },
] as const;

const COLUMN_DESCRIPTIONS: Record<(typeof REQUEST_RESPONSE_SCHEMA)[number]['name'], string> = {
  endpoint: 'The endpoint that served the request.',
  deployed_model_id: 'The deployed model that answered.',
  logging_time: 'When Vertex logged the exchange.',
  request_id: 'Vertex-assigned request id.',
  request_payload: 'One JSON string per instance.',
  response_payload: 'One JSON string per prediction.',
};

export function requestResponseLogTable(model: string, table: { datasetId: string; tableId: string }): TableDeclaration {
  return {
    ...table,
    description: `Request-response log of ${model}'s endpoint, written by Vertex AI (predictRequestResponseLoggingConfig).`,
    timePartitioningField: 'logging_time',
    schema: REQUEST_RESPONSE_SCHEMA.map((c) => ({ ...c, description: COLUMN_DESCRIPTIONS[c.name] })),
  };
}

/**
 * The actual outcomes of a model's predictions. The analysis joins `CAST(<idField> AS STRING)`
 * with the id each logged instance carries, so the id is a STRING here; the label is FLOAT64 for
 * regression and STRING (the class) for classification.
 */
export function actualsTable(model: string, task: 'regression' | 'classification', table: { datasetId: string; tableId: string }, columns: { idField: string; labelColumn: string }): TableDeclaration {
  return {
    ...table,
    description: `Actual outcomes of ${model}'s predictions, keyed by ${columns.idField}: what rollouts and checkDrift score the versions on.`,
    schema: [
      { name: columns.idField, type: 'STRING', mode: 'REQUIRED', description: 'The id each predicted instance carries.' },
      { name: columns.labelColumn, type: task === 'regression' ? 'FLOAT' : 'STRING', mode: 'NULLABLE', description: 'The true value.' },
    ],
  };
}
