// For benchmarks: the DuckDB SQL a BigQuery query becomes, and a way to run it straight on the
// emulator's own DuckDB connection — the "DuckDB direct" baseline for query latency (a second
// DuckDB instance cannot open the emulator's files while it runs).
import type { BigQueryEmulator } from './server.js';
import { translate } from './sql/translator.js';

/** The DuckDB SQL of a single-statement BigQuery query, as the emulator would run it. */
export function duckDbSql(emulator: BigQueryEmulator, sql: string, projectId: string): string {
  const statements = translate(sql, { defaultProject: projectId, catalogFor: (p) => emulator.engine.catalogFor(p) });
  if (statements.length !== 1) throw new Error('benchmark queries must be a single statement');
  return statements[0]!.sql;
}

/** Run DuckDB SQL on the emulator's connection (queued behind requests); rows read and wall time. */
export async function runOnDuckDb(emulator: BigQueryEmulator, duckSql: string): Promise<{ rows: number; ms: number }> {
  return emulator.engine.run(async (db) => {
    const started = performance.now();
    const reader = await db.connection.runAndReadAll(duckSql);
    const rows = reader.getRows().length;
    return { rows, ms: performance.now() - started };
  });
}

/** Files of the emulator's data (main metadata database, one database per project). */
export function duckDbFiles(emulator: BigQueryEmulator, projectId: string): { main: string; project: string } {
  return { main: emulator.engine.databasePath, project: emulator.engine.projectPath(projectId) };
}
