// Seed data for the local cloud, loaded the way a user would load it: the file goes to Cloud
// Storage, then a BigQuery load job reads it. `flights` is the US flights sample (3 million rows,
// shipped in the vega-datasets package); `fixture` is a 2,000-row slice for tests.
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { bigQueryClient, storageClient } from '../../google-clients/index.js';
import { emulatorLog } from '../kit/log.js';
import type { ObjectStore } from '../storage/object-store.js';

export type SeedChoice = 'none' | 'fixture' | 'flights' | 'all';

export const SAMPLES_DATASET = 'samples';
export const FLIGHTS_TABLE = 'flights';
export const FIXTURE_TABLE = 'flights_fixture';
const FLIGHTS_ROWS = 3_000_000;

const require = createRequire(import.meta.url);

/** The package exports only its JS entry (build/index.js); its data files sit beside it in data/. */
function vegaDataFile(name: string): string {
  return join(dirname(require.resolve('vega-datasets')), '..', 'data', name);
}

const FLIGHTS_SCHEMA = [
  { name: 'date', type: 'TIMESTAMP' },
  { name: 'delay', type: 'INTEGER' },
  { name: 'distance', type: 'INTEGER' },
  { name: 'origin', type: 'STRING' },
  { name: 'destination', type: 'STRING' },
];

interface SeedContext {
  projectId: string;
  env: Record<string, string>;
  store: ObjectStore;
}

export async function seedLocalData(choice: SeedChoice, ctx: SeedContext): Promise<void> {
  if (choice === 'none') return;
  const bucket = `${ctx.projectId}-samples`;
  const storage = storageClient({ projectId: ctx.projectId, env: ctx.env });
  const [exists] = await storage.bucket(bucket).exists();
  if (!exists) await storage.createBucket(bucket);
  const bigquery = bigQueryClient({ projectId: ctx.projectId, env: ctx.env });
  const dataset = bigquery.dataset(SAMPLES_DATASET);
  const [datasetExists] = await dataset.exists();
  if (!datasetExists) await dataset.create({ location: 'US' });

  if (choice === 'fixture' || choice === 'all') {
    await loadIfMissing(dataset.table(FIXTURE_TABLE), 2000, async () => {
      // The fixture is newline-delimited JSON with BigQuery's timestamp text.
      const rows = JSON.parse(readFileSync(vegaDataFile('flights-2k.json'), 'utf8')) as { date: string }[];
      const ndjson = rows.map((r) => JSON.stringify({ ...r, date: `${r.date.replaceAll('/', '-')}:00` })).join('\n');
      await storage.bucket(bucket).file('flights/flights-2k.json').save(ndjson, { contentType: 'application/x-ndjson', resumable: false });
      await dataset.table(FIXTURE_TABLE).load(storage.bucket(bucket).file('flights/flights-2k.json'), {
        sourceFormat: 'NEWLINE_DELIMITED_JSON',
        schema: { fields: FLIGHTS_SCHEMA },
        writeDisposition: 'WRITE_TRUNCATE',
      });
    });
  }
  if (choice === 'flights' || choice === 'all') {
    await loadIfMissing(dataset.table(FLIGHTS_TABLE), FLIGHTS_ROWS, async () => {
      // 45 MB: copy the file straight into the bucket's directory, as a local process may.
      const staging = mkdtempSync(join(tmpdir(), 'seed-'));
      try {
        const copy = join(staging, 'flights-3m.parquet');
        copyFileSync(vegaDataFile('flights-3m.parquet'), copy);
        await ctx.store.importFile(bucket, 'flights/flights-3m.parquet', copy, { contentType: 'application/vnd.apache.parquet' });
      } finally {
        rmSync(staging, { recursive: true, force: true });
      }
      await dataset.table(FLIGHTS_TABLE).load(storage.bucket(bucket).file('flights/flights-3m.parquet'), {
        sourceFormat: 'PARQUET',
        writeDisposition: 'WRITE_TRUNCATE',
      });
    });
  }
}

async function loadIfMissing(table: { id?: string; getMetadata(): Promise<unknown[]> }, rows: number, load: () => Promise<void>): Promise<void> {
  try {
    const [metadata] = (await table.getMetadata()) as [{ numRows?: string }];
    if (Number(metadata.numRows) === rows) return;
  } catch {
    // Missing table: load it.
  }
  const started = performance.now();
  emulatorLog('INFO', 'seeding BigQuery table', { table: table.id, rows });
  await load();
  emulatorLog('INFO', 'seeded BigQuery table', { table: table.id, rows, seconds: Number(((performance.now() - started) / 1000).toFixed(1)) });
}

