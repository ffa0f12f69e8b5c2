// What the request-response log analyses share: validated table references and column names
// (identifiers are written into SQL, so they are checked first), the window filter as named
// parameters, and one aggregate query through the injected BigQuery client.
import type { BigQuery } from '@google-cloud/bigquery';
import { z } from 'zod';

/** A BigQuery table: Vertex's request-response log or the actuals table. */
export interface TableRef {
  readonly projectId: string;
  readonly datasetId: string;
  readonly tableId: string;
}

/** The log rows one comparison reads: one endpoint, two deployed models, `[start, end)`. */
export interface LogWindow {
  readonly logTable: TableRef;
  /** `projects/P/locations/L/endpoints/E`, as Vertex writes it in the log's `endpoint` column. */
  readonly endpoint: string;
  readonly stableDeployedModelId: string;
  readonly canaryDeployedModelId: string;
  readonly start: Date;
  readonly end: Date;
}

// BigQuery's id rules (projects may carry a `domain:` prefix); none of them admits a backtick.
const projectId = z.string().regex(/^(?:[a-z][a-z0-9.-]*[a-z0-9]:)?[a-z][a-z0-9-]{4,61}[a-z0-9]$/, 'a BigQuery project id');
const datasetId = z.string().regex(/^\w{1,1024}$/, 'letters, digits and underscores');
const tableId = z.string().regex(/^[\w-]{1,1024}$/, 'letters, digits, underscores and hyphens');
export const tableRefSchema = z.object({ projectId, datasetId, tableId }).strict();

/** A column name written into SQL, and a JSON key in a JSONPath (`$.name`). */
export const columnNameSchema = z.string().regex(/^[A-Za-z_]\w{0,299}$/, 'a column name (letters, digits, underscores)');

export const logWindowSchema = z
  .object({
    logTable: tableRefSchema,
    endpoint: z.string().regex(/^projects\/[^/]+\/locations\/[^/]+\/endpoints\/[^/]+$/, 'projects/P/locations/L/endpoints/E'),
    stableDeployedModelId: z.string().min(1),
    canaryDeployedModelId: z.string().min(1),
    start: z.date(),
    end: z.date(),
  })
  .refine((w) => w.start.getTime() < w.end.getTime(), { message: 'start must be before end', path: ['end'] })
  .refine((w) => w.stableDeployedModelId !== w.canaryDeployedModelId, { message: 'the canary and the stable deployed model must differ', path: ['canaryDeployedModelId'] });

/** `` `project.dataset.table` `` for a validated reference. */
export function tableSql(table: TableRef): string {
  return `\`${table.projectId}.${table.datasetId}.${table.tableId}\``;
}

/** The WHERE clause over the log (alias `log`) and its parameters. */
export function windowFilter(window: LogWindow): { sql: string; params: Record<string, unknown>; types: Record<string, string> } {
  return {
    sql: [
      'log.endpoint = @endpoint',
      'log.deployed_model_id IN (@stable_deployed_model_id, @canary_deployed_model_id)',
      'log.logging_time >= @window_start',
      'log.logging_time < @window_end',
    ].join('\n    AND '),
    params: {
      endpoint: window.endpoint,
      stable_deployed_model_id: window.stableDeployedModelId,
      canary_deployed_model_id: window.canaryDeployedModelId,
      window_start: window.start,
      window_end: window.end,
    },
    types: {
      endpoint: 'STRING',
      stable_deployed_model_id: 'STRING',
      canary_deployed_model_id: 'STRING',
      window_start: 'TIMESTAMP',
      window_end: 'TIMESTAMP',
    },
  };
}

/** Runs a Standard SQL aggregate and parses its (few) rows. */
export async function aggregateRows<T>(
  bigquery: BigQuery,
  query: { sql: string; params: Record<string, unknown>; types: Record<string, string> },
  rowSchema: z.ZodType<T>,
): Promise<T[]> {
  const [rows] = await bigquery.query({ query: query.sql, params: query.params, types: query.types, useLegacySql: false });
  return z.array(rowSchema).parse(rows);
}

/** Which version a log row's deployed model id is, or undefined for neither. */
export function versionOf(window: LogWindow, deployedModelId: string): 'stable' | 'canary' | undefined {
  if (deployedModelId === window.stableDeployedModelId) return 'stable';
  if (deployedModelId === window.canaryDeployedModelId) return 'canary';
  return undefined;
}
