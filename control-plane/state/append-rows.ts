// Streaming inserts into a table the control plane declares (config/bigquery-tables.ts). A fresh
// project (the local cloud) lacks the table: the first 404 creates the dataset and the table from
// the declaration and the insert is repeated. Each row's insertId makes a repeated append a no-op.
import type { BigQuery } from '@google-cloud/bigquery';
import type { TableDeclaration } from '../config/bigquery-tables.js';
import { httpStatus } from '../errors.js';

export interface InsertRow {
  readonly insertId: string;
  readonly json: Readonly<Record<string, unknown>>;
}

/** Creates the dataset and table when missing (the Pulumi program creates them in the cloud). */
export async function ensureTable(bigquery: BigQuery, table: TableDeclaration): Promise<void> {
  const dataset = bigquery.dataset(table.datasetId);
  try {
    await dataset.create();
  } catch (err) {
    if (httpStatus(err) !== 409) throw err;
  }
  try {
    await dataset.createTable(table.tableId, {
      description: table.description,
      schema: { fields: table.schema.map((f) => ({ ...f })) },
      ...(table.timePartitioningField ? { timePartitioning: { type: 'DAY', field: table.timePartitioningField } } : {}),
    });
  } catch (err) {
    if (httpStatus(err) !== 409) throw err;
  }
}

export async function appendRows(bigquery: BigQuery, table: TableDeclaration, rows: readonly InsertRow[]): Promise<void> {
  if (rows.length === 0) return;
  const insert = () => bigquery.dataset(table.datasetId).table(table.tableId).insert(rows.map((r) => ({ insertId: r.insertId, json: r.json })), { raw: true });
  try {
    await insert();
  } catch (err) {
    if (httpStatus(err) !== 404) throw err;
    await ensureTable(bigquery, table);
    await insert();
  }
}
