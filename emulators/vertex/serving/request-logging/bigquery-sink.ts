// Writes request-response rows with the official BigQuery client (pointed at the BigQuery
// emulator by BIGQUERY_EMULATOR_HOST), creating the dataset and table on first use as Vertex does.
import type { BigQuery, Table } from '@google-cloud/bigquery';
import type { TableRef } from './destination.js';
import { tableKey } from './destination.js';
import type { RequestResponseRow } from './rows.js';
import { REQUEST_RESPONSE_SCHEMA } from './rows.js';

export interface RequestResponseSink {
  write(table: TableRef, rows: RequestResponseRow[]): Promise<void>;
}

export class BigQueryRequestResponseSink implements RequestResponseSink {
  private client: Promise<BigQuery> | undefined;
  private readonly ready = new Map<string, Promise<Table>>();

  /** `env` supplies GOOGLE_CLOUD_PROJECT (else the table's project) and BIGQUERY_EMULATOR_HOST. */
  constructor(private readonly env: Readonly<Record<string, string>>) {}

  async write(ref: TableRef, rows: RequestResponseRow[]): Promise<void> {
    const table = await this.table(ref);
    try {
      await insert(table, rows);
    } catch (error) {
      if (errorCode(error) !== 404) throw error;
      // Deleted since we created it: create it again, once.
      this.ready.delete(tableKey(ref));
      await insert(await this.table(ref), rows);
    }
  }

  private table(ref: TableRef): Promise<Table> {
    const key = tableKey(ref);
    let ready = this.ready.get(key);
    if (!ready) {
      ready = this.createIfMissing(ref);
      // A failure is not cached: the next batch tries again.
      ready.catch(() => this.ready.delete(key));
      this.ready.set(key, ready);
    }
    return ready;
  }

  private async createIfMissing(ref: TableRef): Promise<Table> {
    const bigquery = await this.bigQuery(ref.project);
    const dataset = bigquery.dataset(ref.dataset, { projectId: ref.project });
    await dataset.get({ autoCreate: true });
    const table = dataset.table(ref.table);
    const [exists] = await table.exists();
    if (!exists) {
      try {
        await dataset.createTable(ref.table, { schema: { fields: [...REQUEST_RESPONSE_SCHEMA] } });
      } catch (error) {
        if (errorCode(error) !== 409) throw error; // created meanwhile by someone else
      }
    }
    return table;
  }

  private bigQuery(tableProject: string): Promise<BigQuery> {
    // Loaded on first use: the client factory module pulls in every Google client library.
    this.client ??= import('../../../../google-clients/index.js').then(({ bigQueryClient }) =>
      bigQueryClient({ projectId: this.env.GOOGLE_CLOUD_PROJECT ?? tableProject, env: { ...this.env } }),
    );
    return this.client;
  }
}

async function insert(table: Table, rows: RequestResponseRow[]): Promise<void> {
  // No client-side retries of rejected rows; a table a user made with fewer columns still takes the rest.
  await table.insert(rows, { partialRetries: 0, ignoreUnknownValues: true });
}

function errorCode(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  return typeof error.code === 'number' ? error.code : undefined;
}

/** The first row error of a partial insert failure, else the error's message. */
export function describeSinkError(error: unknown): string {
  if (typeof error === 'object' && error !== null && 'errors' in error && Array.isArray(error.errors)) {
    const first: unknown = error.errors[0];
    if (typeof first === 'object' && first !== null && 'errors' in first && Array.isArray(first.errors)) {
      const inner: unknown = first.errors[0];
      if (typeof inner === 'object' && inner !== null && 'message' in inner && typeof inner.message === 'string') return inner.message;
    }
  }
  return error instanceof Error ? error.message : String(error);
}
