// A BigQuery emulator backed by DuckDB, for @google-cloud/bigquery pointed at it with
// BIGQUERY_EMULATOR_HOST=http://host:port (bare REST paths) or apiEndpoint (/bigquery/v2 paths).
// Storage layout and what is modelled: see engine.ts and README.md in this folder.
import type { FaultInjector } from '../kit/faults.js';
import { faultsFromEnv } from '../kit/faults.js';
import { emulatorLog } from '../kit/log.js';
import { EmulatorServer } from '../kit/server.js';
import type { ObjectStore } from '../storage/object-store.js';
import { Catalog } from './catalog.js';
import { Engine } from './engine.js';
import { GcsIo } from './gcs-io.js';
import { InsertIdWindow, ModifiedTimes } from './insert-all.js';
import { JobStore } from './jobs/job-store.js';
import { JobsService } from './jobs/jobs-service.js';
import { ResultTables } from './jobs/query-job.js';
import { registerDatasetRoutes } from './routes/datasets.js';
import { registerJobRoutes } from './routes/jobs.js';
import { API_PREFIXES, route } from './routes/routing.js';
import { registerTableRoutes } from './routes/tables.js';

export interface BigQueryEmulatorOptions {
  /** Where the DuckDB files live; data persists here across restarts. */
  dataDir: string;
  port?: number;
  host?: string;
  faults?: FaultInjector;
  /** Cloud Storage for load and extract jobs and EXPORT DATA (gs:// URIs). */
  storage?: ObjectStore;
  /** insertAll de-duplicates insertIds seen within this window (BigQuery: at least a minute). */
  insertIdWindowMs?: number;
  /** jobs.insert waits this long for a job to finish before answering with its state. */
  insertWaitMs?: number;
  /** Rows per file for wildcard extract URIs. */
  shardRows?: number;
}

export interface BigQueryEmulator {
  host: string;
  port: number;
  /** http://host:port: the value for BIGQUERY_EMULATOR_HOST, or apiEndpoint. */
  url: string;
  /** The DuckDB engine (its database path, the catalog naming) for benchmarks and tools. */
  engine: Engine;
  close(): Promise<void>;
}

export async function startBigQueryEmulator(options: BigQueryEmulatorOptions): Promise<BigQueryEmulator> {
  const engine = await Engine.open(options.dataDir);
  let url = '';
  const catalog = new Catalog(engine, () => `${url}/bigquery/v2`);
  const store = new JobStore();
  await engine.run(async (db) => {
    await Catalog.init(db);
    await JobStore.init(db);
    await store.load(db);
  });
  const jobs = new JobsService({
    engine,
    catalog,
    gcs: new GcsIo(options.storage, engine.tmpDir, options.shardRows),
    results: new ResultTables(),
    store,
    linkBase: () => `${url}/bigquery/v2`,
    insertWaitMs: options.insertWaitMs ?? 5_000,
  });
  const server = new EmulatorServer('bigquery', options.faults ?? faultsFromEnv());
  registerDatasetRoutes(server, catalog);
  registerTableRoutes(server, catalog, { window: new InsertIdWindow(options.insertIdWindowMs ?? 60_000), modified: new ModifiedTimes() });
  registerJobRoutes(server, jobs);
  route(server, 'GET', '/projects', () => ({ kind: 'bigquery#projectList', totalItems: 0, projects: [] }));
  let listening: { host: string; port: number };
  try {
    listening = await server.listen(options.port ?? 0, options.host ?? '127.0.0.1');
  } catch (e) {
    await engine.close();
    throw e;
  }
  url = `http://${listening.host}:${listening.port}`;
  emulatorLog('INFO', 'BigQuery emulator listening', { url, dataDir: options.dataDir, prefixes: API_PREFIXES });
  return {
    ...listening,
    url,
    engine,
    close: async () => {
      await server.close();
      await jobs.flush();
      await engine.close();
    },
  };
}
