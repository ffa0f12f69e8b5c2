// Unit tests for the BigQuery → DuckDB SQL translation (no database involved).
import { describe, expect, it } from 'vitest';
import { SqlError } from '../../../emulators/bigquery/sql/sql-error.js';
import { tokenize } from '../../../emulators/bigquery/sql/tokenizer.js';
import type { QueryParamsSql, TranslateContext } from '../../../emulators/bigquery/sql/translator.js';
import { translate } from '../../../emulators/bigquery/sql/translator.js';

const ctx: TranslateContext = { defaultProject: 'proj', catalogFor: (p) => p };

function one(sql: string, extra: Partial<TranslateContext> = {}) {
  const statements = translate(sql, { ...ctx, ...extra });
  expect(statements).toHaveLength(1);
  return statements[0]!;
}

const sqlOf = (sql: string, extra: Partial<TranslateContext> = {}) => one(sql, extra).sql;

function fails(sql: string, extra: Partial<TranslateContext> = {}): SqlError {
  try {
    translate(sql, { ...ctx, ...extra });
  } catch (e) {
    expect(e).toBeInstanceOf(SqlError);
    return e as SqlError;
  }
  throw new Error(`expected ${sql} to fail`);
}

describe('tokenizer', () => {
  it('decodes strings, raw strings, bytes and quoted names, and skips comments', () => {
    const tokens = tokenize(`SELECT "a\\nb", r'\\d+', b'\\x01A', '''x'y''', \`p-1.d.t\` -- c\n # c2\n /* c3 */ 1`);
    const kinds = tokens.map((t) => t.kind);
    expect(kinds).toEqual(['ident', 'string', 'op', 'string', 'op', 'bytes', 'op', 'string', 'op', 'quoted', 'number', 'eof']);
    expect(tokens[1]!.value).toBe('a\nb');
    expect(tokens[3]!.value).toBe('\\d+');
    expect([...tokens[5]!.bytes!]).toEqual([1, 65]);
    expect(tokens[7]!.value).toBe("x'y");
    expect(tokens[9]!.value).toBe('p-1.d.t');
  });

  it('reports unclosed strings with their position', () => {
    expect(() => tokenize("SELECT\n  'abc")).toThrow(/Unclosed string literal at \[2:3\]/);
  });
});

describe('table names', () => {
  it('maps project.dataset.table and dataset.table to catalog.schema.table', () => {
    const s = one('SELECT * FROM `other-proj.ds.t` AS a JOIN ds.u b ON a.id = b.id');
    expect(s.sql).toBe('SELECT * FROM "other-proj"."ds"."t" AS "a" JOIN "proj"."ds"."u" AS "b" ON a.id = b.id');
    expect(s.reads).toEqual([
      { projectId: 'other-proj', datasetId: 'ds', tableId: 't' },
      { projectId: 'proj', datasetId: 'ds', tableId: 'u' },
    ]);
  });

  it('accepts unquoted project ids with dashes and split backticks', () => {
    expect(sqlOf('SELECT x FROM my-proj-1.ds.t')).toBe('SELECT x FROM "my-proj-1"."ds"."t"');
    expect(sqlOf('SELECT x FROM `p`.`d`.`t`, `d.u`')).toBe('SELECT x FROM "p"."d"."t", "proj"."d"."u"');
  });

  it('uses the default dataset for single names and keeps CTE names', () => {
    const s = one('WITH recent AS (SELECT * FROM events) SELECT * FROM recent', { defaultDataset: { projectId: 'p2', datasetId: 'dd' } });
    expect(s.sql).toBe('WITH recent AS (SELECT * FROM "p2"."dd"."events") SELECT * FROM recent');
    expect(s.reads).toEqual([{ projectId: 'p2', datasetId: 'dd', tableId: 'events' }]);
  });

  it('requires a dataset without a default dataset', () => {
    expect(fails('SELECT * FROM events').message).toBe('Table "events" must be qualified with a dataset (e.g. dataset.table). at [1:15]');
  });

  it('does not rewrite names inside strings or comments', () => {
    expect(sqlOf("SELECT 'FROM ds.t' AS s -- FROM ds.u\n")).toBe(`SELECT 'FROM ds.t' AS s`);
  });

  it('turns correlated array paths and UNNEST into DuckDB unnest', () => {
    expect(sqlOf('SELECT item FROM ds.orders o, o.items AS item')).toBe('SELECT item FROM "proj"."ds"."orders" AS "o", (SELECT UNNEST("o"."items") AS "item") AS "item"');
    expect(sqlOf('SELECT x FROM ds.t CROSS JOIN UNNEST(t.arr) AS x')).toBe('SELECT x FROM "proj"."ds"."t" CROSS JOIN (SELECT UNNEST(t.arr) AS "x") AS "x"');
    expect(sqlOf('SELECT x FROM UNNEST([1, 2])')).toBe('SELECT x FROM UNNEST([1, 2])');
    expect(sqlOf('SELECT x, off FROM ds.t, UNNEST(t.arr) AS x WITH OFFSET AS off')).toBe(
      'SELECT x, off FROM "proj"."ds"."t", (SELECT UNNEST(t.arr) AS "x", generate_subscripts(t.arr, 1) - 1 AS "off") AS "_unnest_1"',
    );
    expect(sqlOf('SELECT x, off FROM UNNEST([1, 2]) AS x WITH OFFSET AS off')).toContain('WITH ORDINALITY AS _u("x", _ordinal)');
  });
});

describe('functions', () => {
  it('SAFE_DIVIDE', () => {
    expect(sqlOf('SELECT SAFE_DIVIDE(a, b) AS r FROM ds.t')).toBe('SELECT (a / NULLIF(b, 0)) AS r FROM "proj"."ds"."t"');
  });

  it('TIMESTAMP_SUB / TIMESTAMP_ADD / DATE_SUB with intervals', () => {
    expect(sqlOf('SELECT TIMESTAMP_SUB(ts, INTERVAL 3 HOUR) AS x')).toBe('SELECT (ts - INTERVAL 3 HOUR) AS x');
    expect(sqlOf('SELECT TIMESTAMP_ADD(ts, INTERVAL @n MINUTE) AS x', { params: { named: new Map([['n', 'CAST(5 AS BIGINT)']]), positional: [] } })).toBe(
      'SELECT (ts + to_minutes(CAST(CAST(5 AS BIGINT) AS BIGINT))) AS x',
    );
    expect(sqlOf('SELECT DATE_SUB(d, INTERVAL 1 MONTH) AS x')).toBe('SELECT CAST((d - INTERVAL 1 MONTH) AS DATE) AS x');
  });

  it('TIMESTAMP_TRUNC, with BigQuery weeks starting on Sunday', () => {
    expect(sqlOf('SELECT TIMESTAMP_TRUNC(ts, DAY) AS d')).toBe("SELECT date_trunc('day', ts) AS d");
    expect(sqlOf('SELECT TIMESTAMP_TRUNC(ts, WEEK) AS d')).toBe("SELECT (date_trunc('week', ts + INTERVAL 1 DAY) - INTERVAL 1 DAY) AS d");
    expect(sqlOf('SELECT TIMESTAMP_TRUNC(ts, WEEK(MONDAY)) AS d')).toBe("SELECT date_trunc('week', ts) AS d");
  });

  it('FORMAT_TIMESTAMP translates format elements', () => {
    expect(sqlOf("SELECT FORMAT_TIMESTAMP('%F %T', ts) AS s")).toBe("SELECT strftime(ts, '%Y-%m-%d %H:%M:%S') AS s");
    expect(sqlOf("SELECT FORMAT_TIMESTAMP('%Y%m%d', ts, 'America/New_York') AS s")).toBe("SELECT strftime(timezone('America/New_York', ts), '%Y%m%d') AS s");
  });

  it('CURRENT_TIMESTAMP() and anonymous columns named f0_', () => {
    expect(sqlOf('SELECT CURRENT_TIMESTAMP(), 1, x')).toBe('SELECT current_timestamp AS "f0_", 1 AS "f1_", x');
  });

  it('SELECT * EXCEPT → EXCLUDE', () => {
    expect(sqlOf('SELECT * EXCEPT(a, b) FROM ds.t')).toBe('SELECT * EXCLUDE (a, b) FROM "proj"."ds"."t"');
    expect(sqlOf('SELECT a FROM ds.t EXCEPT DISTINCT SELECT a FROM ds.u')).toBe('SELECT a FROM "proj"."ds"."t" EXCEPT SELECT a FROM "proj"."ds"."u"');
  });

  it('APPROX_QUANTILES returns n+1 quantiles; OFFSET subscripts become 1-based', () => {
    expect(sqlOf('SELECT APPROX_QUANTILES(x, 4)[OFFSET(2)] AS median FROM ds.t')).toBe(
      'SELECT quantile_disc(x, [0, 0.25, 0.5, 0.75, 1])[(2) + 1] AS median FROM "proj"."ds"."t"',
    );
    expect(sqlOf('SELECT arr[ORDINAL(1)] AS a, arr[0] AS b FROM ds.t')).toBe('SELECT arr[1] AS a, arr[(0) + 1] AS b FROM "proj"."ds"."t"');
  });

  it('casts with BigQuery type names, typed literals, struct and array constructors', () => {
    expect(sqlOf("SELECT CAST(x AS INT64) AS a, SAFE_CAST(y AS FLOAT64) AS b, TIMESTAMP '2024-01-01 00:00:00' AS c")).toBe(
      "SELECT CAST(x AS BIGINT) AS a, TRY_CAST(y AS DOUBLE) AS b, CAST('2024-01-01 00:00:00' AS TIMESTAMPTZ) AS c",
    );
    expect(sqlOf("SELECT STRUCT(1 AS a, 'x' AS b) AS s, ARRAY<STRING>['a'] AS l")).toBe(
      `SELECT struct_pack("a" := 1, "b" := 'x') AS s, CAST(['a'] AS VARCHAR[]) AS l`,
    );
    expect(sqlOf('SELECT CAST(x AS ARRAY<STRUCT<a INT64, b STRING>>) AS y')).toBe('SELECT CAST(x AS STRUCT("a" BIGINT, "b" VARCHAR)[]) AS y');
  });

  it('IN UNNEST(@array)', () => {
    const params: QueryParamsSql = { named: new Map([['ids', 'CAST([1, 2] AS BIGINT[])']]), positional: [] };
    expect(sqlOf('SELECT * FROM ds.t WHERE id IN UNNEST(@ids)', { params })).toBe('SELECT * FROM "proj"."ds"."t" WHERE id IN (SELECT UNNEST(CAST([1, 2] AS BIGINT[])))');
  });

  it('RANGE_BUCKET over a known array (a parameter, a literal of numbers) is an unrolled search, else list_reduce', () => {
    const params: QueryParamsSql = {
      named: new Map([['edges', 'CAST([CAST(1 AS DOUBLE), CAST(2 AS DOUBLE), CAST(3 AS DOUBLE)] AS DOUBLE[])']]),
      positional: [],
      namedArrays: new Map([['edges', ['CAST(1 AS DOUBLE)', 'CAST(2 AS DOUBLE)', 'CAST(3 AS DOUBLE)']]]),
    };
    const unrolled = sqlOf('SELECT RANGE_BUCKET(x, @edges) AS b FROM ds.t', { params });
    expect(unrolled).not.toContain('list_reduce');
    expect(unrolled).toContain('CASE WHEN CAST(2 AS DOUBLE) <= x THEN CASE WHEN CAST(3 AS DOUBLE) <= x THEN 3 ELSE 2 END ELSE CASE WHEN CAST(1 AS DOUBLE) <= x THEN 1 ELSE 0 END END');
    expect(sqlOf('SELECT RANGE_BUCKET(x, [0, -1.5, 2e3]) AS b FROM ds.t')).not.toContain('list_reduce');
    expect(sqlOf('SELECT RANGE_BUCKET(x, [0, y]) AS b FROM ds.t')).toContain('list_reduce');
    expect(sqlOf('SELECT RANGE_BUCKET(x, edges) AS b FROM ds.t')).toContain('list_reduce');
  });

  it('JSON_VALUE calls on one column share one extraction of all their literal paths', () => {
    const sql = sqlOf("SELECT JSON_VALUE(p, '$.b') AS b, JSON_EXTRACT_SCALAR(t.p, '$[0]') AS z, SAFE.JSON_VALUE(p) AS w, JSON_VALUE(p, '$.a') AS a FROM ds.t");
    const shared = "json_extract(p, ['$', '$.a', '$.b'])";
    // Each call reads its own element of the same list expression (so DuckDB computes it once a row).
    expect(sql.split(shared).length - 1).toBe(3 * 3);
    for (const k of [1, 2, 3]) expect(sql).toContain(`(CASE WHEN json_valid(p) THEN ${shared} END)[${k}]`);
    expect(sql).toContain("(CASE WHEN json_valid(t.p) THEN json_extract(t.p, ['$[0]']) END)[1]");
    expect(sql).not.toContain('json_type');
  });

  it('JSON_VALUE on an expression, or with a path that is not a plain literal, keeps a call of its own', () => {
    const params: QueryParamsSql = { named: new Map([['path', "'$.a'"]]), positional: [] };
    for (const query of ["SELECT JSON_VALUE(CONCAT(p, ''), '$.a') AS a FROM ds.t", 'SELECT JSON_VALUE(p, @path) AS a FROM ds.t', "SELECT JSON_VALUE(p, '$.a[*]') AS a FROM ds.t"]) {
      const sql = sqlOf(query, { params });
      expect(sql, query).toContain('json_type(');
      expect(sql, query).not.toContain('json_extract(');
    }
  });

  it('positional parameters in order', () => {
    const params: QueryParamsSql = { named: new Map(), positional: ["'a'", '2'] };
    expect(sqlOf('SELECT ? AS x, ? AS y', { params })).toBe("SELECT 'a' AS x, 2 AS y");
    expect(fails('SELECT ?, ?, ?', { params }).message).toMatch(/Query parameter number 3 not found at \[1:14\]/);
  });

  it('EXTRACT parts that differ', () => {
    expect(sqlOf('SELECT EXTRACT(DAYOFWEEK FROM d) AS w, EXTRACT(YEAR FROM d) AS y')).toBe('SELECT (dayofweek(d) + 1) AS w, extract(year FROM d) AS y');
  });
});

describe('statements', () => {
  it('DML', () => {
    expect(one('INSERT ds.t (a) VALUES (1)')).toMatchObject({ type: 'INSERT', sql: 'INSERT INTO "proj"."ds"."t" (a) VALUES (1)', target: { tableId: 't' } });
    expect(one('DELETE ds.t WHERE a = 1').sql).toBe('DELETE FROM "proj"."ds"."t" WHERE a = 1');
    expect(fails('UPDATE ds.t SET a = 1').message).toMatch(/UPDATE must have a WHERE clause/);
    expect(one('MERGE ds.t T USING ds.s S ON T.id = S.id WHEN NOT MATCHED THEN INSERT ROW').sql).toBe(
      'MERGE INTO "proj"."ds"."t" AS T USING "proj"."ds"."s" AS "S" ON T.id = S.id WHEN NOT MATCHED THEN INSERT *',
    );
  });

  it('CREATE TABLE with nested columns and options', () => {
    const s = one("CREATE TABLE IF NOT EXISTS ds.t (id INT64 NOT NULL, tags ARRAY<STRING>, s STRUCT<a INT64, b ARRAY<DATE>> OPTIONS(description='x')) PARTITION BY DATE(ts) OPTIONS(description='tbl')");
    expect(s.type).toBe('CREATE_TABLE');
    expect(s.sql).toBe('CREATE TABLE IF NOT EXISTS "proj"."ds"."t" ("id" BIGINT NOT NULL, "tags" VARCHAR[], "s" STRUCT("a" BIGINT, "b" DATE[]))');
    expect(s.columns).toEqual([
      { name: 'id', type: 'INTEGER', mode: 'REQUIRED' },
      { name: 'tags', type: 'STRING', mode: 'REPEATED' },
      {
        name: 's',
        type: 'RECORD',
        mode: 'NULLABLE',
        description: 'x',
        fields: [
          { name: 'a', type: 'INTEGER', mode: 'NULLABLE' },
          { name: 'b', type: 'DATE', mode: 'REPEATED' },
        ],
      },
    ]);
    expect(s.options).toEqual({ description: 'tbl' });
  });

  it('CREATE TABLE AS SELECT, views, schemas', () => {
    expect(one('CREATE OR REPLACE TABLE ds.t AS SELECT 1 AS x')).toMatchObject({ type: 'CREATE_TABLE_AS_SELECT', sql: 'CREATE OR REPLACE TABLE "proj"."ds"."t" AS SELECT 1 AS x' });
    expect(one('CREATE VIEW ds.v AS SELECT a FROM ds.t')).toMatchObject({ type: 'CREATE_VIEW', viewQuery: 'SELECT a FROM ds.t', sql: 'CREATE VIEW "proj"."ds"."v" AS SELECT a FROM "proj"."ds"."t"' });
    expect(one("CREATE SCHEMA IF NOT EXISTS p.ds2 OPTIONS(location='EU')")).toMatchObject({ type: 'CREATE_SCHEMA', dataset: { projectId: 'p', datasetId: 'ds2' }, options: { location: 'EU' } });
  });

  it('EXPORT DATA', () => {
    const s = one("EXPORT DATA OPTIONS(uri='gs://b/out/*.csv', format='CSV', overwrite=true, header=true) AS SELECT a FROM ds.t");
    expect(s).toMatchObject({ type: 'EXPORT_DATA', sql: 'SELECT a FROM "proj"."ds"."t"', options: { uri: 'gs://b/out/*.csv', format: 'CSV', overwrite: true, header: true } });
  });

  it('several statements', () => {
    expect(translate('SELECT 1; SELECT 2;', ctx).map((s) => s.sql)).toEqual(['SELECT 1 AS "f0_"', 'SELECT 2 AS "f0_"']);
  });

  it('syntax errors name the token and position', () => {
    expect(fails('SELECT (1').message).toBe('Syntax error: Unexpected end of script at [1:10]');
    expect(fails('DECLARE x INT64').message).toMatch(/not supported/);
    expect(fails('SELECT * FROM ds.events_*').message).toMatch(/Wildcard tables/);
  });
});
