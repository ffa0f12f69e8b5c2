// What every aggregate over BigQuery shares: validated table references and column names
// (identifiers are written into SQL, so they are checked first), and one parameterized query
// through the injected client whose (few) rows are parsed with zod.
import type { BigQuery } from '@google-cloud/bigquery';
import { z } from 'zod';

/** A BigQuery table: Vertex's request-response log, an actuals table, … */
export interface TableRef {
  readonly projectId: string;
  readonly datasetId: string;
  readonly tableId: string;
}

// BigQuery's id rules (projects may carry a `domain:` prefix); none of them admits a backtick.
const projectId = z.string().regex(/^(?:[a-z][a-z0-9.-]*[a-z0-9]:)?[a-z][a-z0-9-]{4,61}[a-z0-9]$/, 'a BigQuery project id');
const datasetId = z.string().regex(/^\w{1,1024}$/, 'letters, digits and underscores');
const tableId = z.string().regex(/^[\w-]{1,1024}$/, 'letters, digits, underscores and hyphens');
export const tableRefSchema = z.object({ projectId, datasetId, tableId }).strict();

/** A column name written into SQL, and a JSON key in a JSONPath (`$.name`). */
export const columnNameSchema = z.string().regex(/^[A-Za-z_]\w{0,299}$/, 'a column name (letters, digits, underscores)');

/** A parameter's type as the client takes it: `'STRING'`, or `['FLOAT64']` for an array. */
export type QueryParamType = string | readonly [string];

/** Standard SQL with named parameters, ready for `aggregateRows`. */
export interface ParameterizedQuery {
  readonly sql: string;
  readonly params: Record<string, unknown>;
  readonly types: Record<string, QueryParamType>;
}

/** `` `project.dataset.table` `` for a validated reference. */
export function tableSql(table: TableRef): string {
  return `\`${table.projectId}.${table.datasetId}.${table.tableId}\``;
}

/** Runs a Standard SQL aggregate and parses its (few) rows. */
export async function aggregateRows<T>(bigquery: BigQuery, query: ParameterizedQuery, rowSchema: z.ZodType<T>): Promise<T[]> {
  const types = Object.fromEntries(Object.entries(query.types).map(([name, type]) => [name, typeof type === 'string' ? type : [...type]]));
  const [rows] = await bigquery.query({ query: query.sql, params: query.params, types, useLegacySql: false });
  return z.array(rowSchema).parse(rows);
}
