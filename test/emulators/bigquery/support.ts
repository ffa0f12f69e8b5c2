// Starts the BigQuery emulator (and the storage emulator for gs:// jobs) for a test file, with the
// official clients pointed at them the way the product points them.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BigQuery } from '@google-cloud/bigquery';
import { Storage } from '@google-cloud/storage';
import { OAuth2Client } from 'google-auth-library';
import type { BigQueryEmulator, BigQueryEmulatorOptions } from '../../../emulators/bigquery/server.js';
import { startBigQueryEmulator } from '../../../emulators/bigquery/server.js';
import type { StorageEmulator } from '../../../emulators/storage/server.js';
import { startStorageEmulator } from '../../../emulators/storage/server.js';

process.env.METADATA_SERVER_DETECTION = 'none';

export const PROJECT = 'local-project';

export function emulatorAuth(): OAuth2Client {
  const client = new OAuth2Client();
  client.setCredentials({ access_token: 'test-token', expiry_date: Date.now() + 3_600_000 });
  return client;
}

export interface Harness {
  dataDir: string;
  bigquery: BigQuery;
  storage: Storage;
  emulator: BigQueryEmulator;
  gcs: StorageEmulator;
  /** Stop and start the BigQuery emulator on the same data directory. */
  restart(): Promise<void>;
  close(): Promise<void>;
}

export async function startHarness(options: Partial<BigQueryEmulatorOptions> = {}): Promise<Harness> {
  const dataDir = mkdtempSync(join(tmpdir(), 'bq-emulator-test-'));
  const gcs = await startStorageEmulator({ dataDir: join(dataDir, 'gcs') });
  const start = () => startBigQueryEmulator({ dataDir: join(dataDir, 'bq'), storage: gcs.store, ...options });
  const harness: Harness = {
    dataDir,
    gcs,
    emulator: await start(),
    bigquery: undefined as unknown as BigQuery,
    storage: new Storage({ projectId: PROJECT, apiEndpoint: gcs.url, authClient: emulatorAuth() }),
    restart: async () => {
      await harness.emulator.close();
      harness.emulator = await start();
      harness.bigquery = client(harness.emulator.url);
    },
    close: async () => {
      await harness.emulator.close();
      await gcs.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  harness.bigquery = client(harness.emulator.url);
  return harness;
}

/** The client as the product builds it: apiEndpoint (paths under /bigquery/v2) and a fixed token. */
export function client(url: string): BigQuery {
  return new BigQuery({ projectId: PROJECT, apiEndpoint: url, authClient: emulatorAuth() });
}

/** The API error a rejected client call carries: {code, errors: [{reason, message}]}. */
export async function apiError(promise: Promise<unknown>): Promise<{ code?: number; message: string; reason?: string }> {
  try {
    await promise;
  } catch (e) {
    const err = e as { code?: number; message: string; errors?: { reason?: string }[] };
    return { code: err.code, message: err.message, reason: err.errors?.[0]?.reason };
  }
  throw new Error('expected the call to fail');
}

/** A resource's metadata, typed by the caller (the client types it loosely). */
export async function metadataOf<T = Record<string, unknown>>(target: { getMetadata(): Promise<unknown> }): Promise<T> {
  const [meta] = (await target.getMetadata()) as unknown[];
  return meta as T;
}
