// The DuckDB side of the emulator. Layout under dataDir:
//   _emulator.duckdb            the main database: metadata (datasets, tables, jobs) in `main`
//   projects/<project>.duckdb   one file per project, ATTACHed as a catalog named after the project;
//                               each dataset is a schema, each table or view a table or view in it
//   tmp/                        staging for extract files before they move into Cloud Storage
// Query results without a destination table live in an in-memory catalog (`_results`): fast, and
// gone after a restart (getQueryResults then answers 404, as for expired results).
// SQL reaches no file of the host: once open, DuckDB may only touch projects/ and tmp/ (external
// access off, configuration locked), so `FROM '/etc/passwd'`, read_csv, COPY, ATTACH or LOAD of
// anything else fail inside the engine whatever the translator lets through.
// One connection serves every request, one statement sequence at a time (`run`): BigQuery jobs
// are atomic, and DuckDB's optimistic concurrency would turn overlapping writes into conflicts.
import { mkdirSync, readdirSync } from 'node:fs';
import { join, resolve, sep } from 'node:path';
import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import { DuckDBInstance } from '@duckdb/node-api';
import { quoteIdent, quoteString } from './sql/types.js';

export const MAIN_CATALOG = '_emulator';
/** In-memory catalog for the anonymous result tables of query jobs (BigQuery keeps them 24 hours). */
export const RESULTS_CATALOG = '_results';

/** DuckDB's own catalog names; a project so named gets a suffixed catalog. */
const RESERVED_CATALOGS = new Set(['memory', 'system', 'temp', 'main', 'information_schema', 'pg_catalog', MAIN_CATALOG, RESULTS_CATALOG]);

/** A connection, with the few query shapes the emulator uses. */
export class Db {
  constructor(readonly connection: DuckDBConnection) {}

  /** All rows of a query. */
  async rows(sql: string, values?: DuckDBValue[]): Promise<DuckDBValue[][]> {
    const reader = await this.connection.runAndReadAll(sql, values);
    return reader.getRows();
  }

  /** Run statements; the number of rows the last one inserted, changed or created. */
  async exec(sql: string, values?: DuckDBValue[]): Promise<number> {
    const reader = await this.connection.runAndReadAll(sql, values);
    // DML and CREATE TABLE AS report their row count as a single "Count" column.
    if (reader.columnCount === 1 && reader.columnName(0) === 'Count' && reader.currentRowCount === 1) return Number(reader.value(0, 0));
    return Number(reader.rowsChanged);
  }

  /** The first column of the first row. */
  async scalar(sql: string, values?: DuckDBValue[]): Promise<DuckDBValue> {
    const rows = await this.rows(sql, values);
    return rows[0]?.[0] ?? null;
  }
}

/**
 * Limit DuckDB's file access to `directories` for the rest of the instance's life: no other file,
 * no extension install or load, and no SET that could undo it (lock_configuration).
 */
async function confine(db: Db, directories: string[]): Promise<void> {
  const allowed = directories.map((d) => quoteString(d.endsWith(sep) ? d : d + sep)).join(', ');
  await db.exec(
    [
      'SET autoinstall_known_extensions = false',
      'SET autoload_known_extensions = false',
      `SET allowed_directories = [${allowed}]`,
      'SET enable_external_access = false',
      'SET lock_configuration = true',
    ].join('; '),
  );
}

export class Engine {
  private queue: Promise<unknown> = Promise.resolve();
  private readonly attached = new Set<string>();
  private closed = false;

  private constructor(
    readonly dataDir: string,
    private readonly instance: DuckDBInstance,
    private readonly db: Db,
  ) {}

  static async open(dir: string): Promise<Engine> {
    // Absolute, so that the paths the engine builds match the allowed directories DuckDB compares.
    const dataDir = resolve(dir);
    mkdirSync(join(dataDir, 'projects'), { recursive: true });
    mkdirSync(join(dataDir, 'tmp'), { recursive: true });
    const instance = await DuckDBInstance.create(join(dataDir, `${MAIN_CATALOG}.duckdb`));
    const connection = await instance.connect();
    const db = new Db(connection);
    // TIMESTAMP values are instants shown in UTC; BigQuery sorts NULLs first ascending, last descending.
    await db.exec("SET TimeZone = 'UTC'; SET default_null_order = 'nulls_first_on_asc_last_on_desc'");
    await db.exec(`ATTACH ':memory:' AS ${RESULTS_CATALOG}`);
    await confine(db, [join(dataDir, 'projects'), join(dataDir, 'tmp')]);
    const engine = new Engine(dataDir, instance, db);
    for (const file of readdirSync(join(dataDir, 'projects'))) {
      if (file.endsWith('.duckdb')) await engine.attach(decodeURIComponent(file.slice(0, -'.duckdb'.length)));
    }
    return engine;
  }

  /** The main database file (for benchmarks comparing against DuckDB directly). */
  get databasePath(): string {
    return join(this.dataDir, `${MAIN_CATALOG}.duckdb`);
  }

  get tmpDir(): string {
    return join(this.dataDir, 'tmp');
  }

  projectPath(projectId: string): string {
    return join(this.dataDir, 'projects', `${encodeURIComponent(projectId)}.duckdb`);
  }

  catalogFor(projectId: string): string {
    return RESERVED_CATALOGS.has(projectId.toLowerCase()) ? `${projectId}__project` : projectId;
  }

  hasProject(projectId: string): boolean {
    return this.attached.has(projectId);
  }

  /** Serialise work on the connection. */
  run<T>(work: (db: Db) => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new Error('BigQuery emulator engine is closed'));
    const next = this.queue.then(() => work(this.db));
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** Attach a project's database, creating the file when `create`. Call inside `run` (or at open). */
  async ensureProject(db: Db, projectId: string, create: boolean): Promise<boolean> {
    if (this.attached.has(projectId)) return true;
    if (!create) return false;
    await this.attach(projectId, db);
    return true;
  }

  private async attach(projectId: string, db: Db = this.db): Promise<void> {
    await db.exec(`ATTACH ${quoteString(this.projectPath(projectId))} AS ${quoteIdent(this.catalogFor(projectId))}`);
    this.attached.add(projectId);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.run(async (db) => {
      await db.exec('CHECKPOINT').catch(() => undefined);
      for (const p of this.attached) await db.exec(`CHECKPOINT ${quoteIdent(this.catalogFor(p))}`).catch(() => undefined);
    });
    this.closed = true;
    this.db.connection.closeSync();
    this.instance.closeSync();
  }
}
