// BigQuery SQL must not read or write the host's files: every DuckDB file form (path as a table,
// globs, read_* table functions, ATTACH, COPY, INSTALL/LOAD, CREATE TABLE AS) fails through the
// official client, and the engine itself refuses them even for SQL that bypasses the translator.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Harness } from './support.js';
import { apiError, startHarness } from './support.js';

const SECRET = 'hunter2-top-secret';

let h: Harness;
// Made when the file loads: the forms below name its files when the tests are collected.
const dir = mkdtempSync(join(tmpdir(), 'bq-host-secrets-'));
const file = (name: string) => join(dir, name);

beforeAll(async () => {
  writeFileSync(file('secret.csv'), `user,password\nroot,${SECRET}\n`);
  writeFileSync(file('secret.json'), `{"user":"root","password":"${SECRET}"}\n`);
  // Parquet and a DuckDB database holding the secret, written by a DuckDB of the test's own.
  const instance = await DuckDBInstance.create(file('secret.duckdb'));
  const connection = await instance.connect();
  await connection.run(`CREATE TABLE creds AS SELECT 'root' AS "user", '${SECRET}' AS password`);
  await connection.run(`COPY creds TO '${file('secret.parquet')}' (FORMAT parquet)`);
  connection.closeSync();
  instance.closeSync();
  h = await startHarness();
  await h.bigquery.createDataset('lake');
});

afterAll(async () => {
  await h.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The SQL forms by which DuckDB reaches files, against the secret files. */
function fileForms(): Record<string, string> {
  return {
    'CSV path as a table': `SELECT * FROM '${file('secret.csv')}'`,
    'JSON path as a table': `SELECT * FROM '${file('secret.json')}'`,
    'Parquet path as a table': `SELECT * FROM '${file('secret.parquet')}'`,
    'glob path as a table': `SELECT * FROM '${dir}/*.csv'`,
    'path in a JOIN': `SELECT * FROM (SELECT 1 AS x) JOIN '${file('secret.csv')}' ON true`,
    'path in a FROM-first subquery': `SELECT * FROM (FROM '${file('secret.csv')}')`,
    read_csv: `SELECT * FROM read_csv('${file('secret.csv')}')`,
    read_csv_auto: `SELECT * FROM read_csv_auto('${file('secret.csv')}')`,
    read_json: `SELECT * FROM read_json('${file('secret.json')}')`,
    read_parquet: `SELECT * FROM read_parquet('${file('secret.parquet')}')`,
    read_text: `SELECT * FROM read_text('${file('secret.csv')}')`,
    read_blob: `SELECT * FROM read_blob('${file('secret.csv')}')`,
    glob: `SELECT * FROM glob('${dir}/*')`,
    'scalar subquery over read_text': `SELECT (SELECT content FROM read_text('${file('secret.csv')}')) AS c`,
    'CREATE TABLE AS from a path': `CREATE TABLE lake.stolen AS SELECT * FROM '${file('secret.csv')}'`,
    'CREATE TABLE AS from read_csv': `CREATE TABLE lake.stolen AS SELECT * FROM read_csv('${file('secret.csv')}')`,
    'ATTACH a database file': `ATTACH '${file('secret.duckdb')}' AS s`,
    'COPY TO a host file': `COPY (SELECT 1 AS x) TO '${file('written.csv')}'`,
    'COPY FROM a host file': `COPY lake.t FROM '${file('secret.csv')}'`,
    INSTALL: 'INSTALL httpfs',
    LOAD: 'LOAD httpfs',
  };
}

describe('BigQuery SQL and host files', () => {
  it.each(Object.entries(fileForms()))('refuses %s with a BigQuery error and no secret rows', async (_, sql) => {
    const err = await apiError(h.bigquery.query(sql));
    expect(err.code).toBe(400);
    expect(err.reason).toBe('invalidQuery');
    expect(err.message).not.toContain(SECRET);
    expect(existsSync(file('written.csv'))).toBe(false);
    expect((await h.bigquery.dataset('lake').table('stolen').exists())[0]).toBe(false);
  });

  it('answers a quoted string used as a table with BigQuery’s syntax error', async () => {
    expect(await apiError(h.bigquery.query(`SELECT * FROM '${file('secret.csv')}'`))).toMatchObject({
      code: 400,
      reason: 'invalidQuery',
      message: `Syntax error: Unexpected string literal '${file('secret.csv')}' at [1:15]`,
    });
  });
});

describe('the engine behind the translator', () => {
  // SQL run straight on the emulator's DuckDB connection: what any translator gap would reach.
  const raw = (sql: string) => h.emulator.engine.run((db) => db.rows(sql));
  const engineForms = () => ({
    ...fileForms(),
    'ATTACH then read': `ATTACH '${file('secret.duckdb')}' AS s (READ_ONLY)`,
    'COPY FROM a host file': `CREATE TABLE _results.main.copy_target (a VARCHAR, b VARCHAR); COPY _results.main.copy_target FROM '${file('secret.csv')}'`,
    'CREATE TABLE AS from a path': `CREATE TABLE _results.main.stolen AS SELECT * FROM '${file('secret.csv')}'`,
    'CREATE TABLE AS from read_csv': `CREATE TABLE _results.main.stolen AS SELECT * FROM read_csv('${file('secret.csv')}')`,
  });

  it.each(Object.entries(engineForms()))('refuses %s', async (_, sql) => {
    await expect(raw(sql)).rejects.toThrow(/disabled|Permission|not allowed/i);
    expect(existsSync(file('written.csv'))).toBe(false);
  });

  it('cannot be switched back on from SQL', async () => {
    for (const sql of ['SET enable_external_access = true', "SET allowed_directories = ['/']", 'RESET allowed_directories', 'SET lock_configuration = false']) {
      await expect(raw(sql)).rejects.toThrow(/locked|Cannot change/i);
    }
    await expect(raw(`SELECT * FROM '${file('secret.csv')}'`)).rejects.toThrow(/disabled/i);
  });
});
