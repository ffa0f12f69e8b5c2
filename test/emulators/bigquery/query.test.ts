// Queries through the official client: parameters, result typing, paging, destination tables,
// the translated BigQuery functions, DML/DDL, and BigQuery-shaped errors.
import type { Table } from '@google-cloud/bigquery';
import { BigQuery, BigQueryDate, BigQueryDatetime, BigQueryInt, BigQueryTime, BigQueryTimestamp } from '@google-cloud/bigquery';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Harness } from './support.js';
import { PROJECT, apiError, metadataOf, startHarness } from './support.js';

let h: Harness;
let events: Table;

beforeAll(async () => {
  h = await startHarness();
  const [ds] = await h.bigquery.createDataset('analytics');
  [events] = await ds.createTable('events', {
    schema: [
      { name: 'id', type: 'INTEGER' },
      { name: 'user', type: 'STRING' },
      { name: 'amount', type: 'FLOAT' },
      { name: 'at', type: 'TIMESTAMP' },
    ],
  });
  await events.insert(
    Array.from({ length: 25 }, (_, i) => ({ id: i + 1, user: `u${i % 3}`, amount: i === 0 ? 0 : i * 1.5, at: new Date(Date.UTC(2024, 0, 1 + i, 12, 30)) })),
    { raw: false },
  );
});

afterAll(async () => {
  await h.close();
});

describe('query parameters', () => {
  it('binds named parameters of every kind the client sends', async () => {
    const [rows] = await h.bigquery.query({
      query: 'SELECT @i AS i, @f AS f, @s AS s, @b AS b, @ts AS ts, @d AS d, @arr AS arr, @st.name AS name, @st.n AS n',
      params: { i: 42, f: 2.5, s: "it's", b: true, ts: new Date('2024-05-06T07:08:09.123Z'), d: BigQuery.date('2024-02-29'), arr: ['x', 'y'], st: { name: 'a', n: 7 } },
    });
    expect(rows).toHaveLength(1);
    const row = rows[0] as Record<string, unknown>;
    expect(row).toMatchObject({ i: 42, f: 2.5, s: "it's", b: true, arr: ['x', 'y'], name: 'a', n: 7 });
    expect((row.ts as BigQueryTimestamp).value).toBe('2024-05-06T07:08:09.123Z');
    expect((row.d as BigQueryDate).value).toBe('2024-02-29');
  });

  it('binds positional parameters and typed NULLs', async () => {
    const [rows] = await h.bigquery.query({ query: 'SELECT ? AS a, ? AS b, ? IS NULL AS c', params: ['x', 3, null], types: ['STRING', 'INT64', 'STRING'] });
    expect(rows).toEqual([{ a: 'x', b: 3, c: true }]);
  });

  it('filters with parameters, including IN UNNEST(@array)', async () => {
    const [rows] = await h.bigquery.query({ query: 'SELECT id FROM analytics.events WHERE user = @user AND id IN UNNEST(@ids) ORDER BY id', params: { user: 'u1', ids: [2, 5, 6, 8] } });
    expect(rows).toEqual([{ id: 2 }, { id: 5 }, { id: 8 }]);
  });

  it('fails for a parameter the query uses but the request lacks', async () => {
    expect(await apiError(h.bigquery.query({ query: 'SELECT @missing AS x', params: { other: 1 } }))).toMatchObject({
      code: 400,
      reason: 'invalidQuery',
      message: "Query parameter 'missing' not found at [1:8]",
    });
  });
});

describe('result typing', () => {
  const TYPED = `SELECT 1.25 AS f, NUMERIC '123.456' AS num, TRUE AS b, 'text' AS s, b'\\x01\\x02' AS bytes,
    TIMESTAMP '2024-01-02 03:04:05.678901 UTC' AS ts, DATE '2024-01-02' AS d, DATETIME '2024-01-02 03:04:05' AS dt, TIME '03:04:05' AS t,
    [1, 2, 3] AS arr, STRUCT(1 AS x, ['p', 'q'] AS ys, STRUCT(TRUE AS deep) AS inner) AS rec, CAST(NULL AS STRING) AS nothing`;

  it('returns values typed as the client documents', async () => {
    const [wrapped] = await h.bigquery.query({ query: 'SELECT 9007199254740993 AS big', wrapIntegers: true });
    const big = (wrapped[0] as { big: BigQueryInt }).big;
    expect(big).toBeInstanceOf(BigQueryInt);
    expect(big.value).toBe('9007199254740993');
    const [rows] = await h.bigquery.query(TYPED);
    const row = rows[0] as Record<string, unknown>;
    expect(row.f).toBe(1.25);
    expect(String(row.num)).toBe('123.456');
    expect((row.num as { constructor: { name: string } }).constructor.name).toBe('Big');
    expect(row.b).toBe(true);
    expect(row.s).toBe('text');
    expect(row.bytes).toEqual(Buffer.from([1, 2]));
    expect(row.ts).toBeInstanceOf(BigQueryTimestamp);
    expect((row.ts as BigQueryTimestamp).value).toBe('2024-01-02T03:04:05.678901000Z');
    expect(row.d).toBeInstanceOf(BigQueryDate);
    expect((row.d as BigQueryDate).value).toBe('2024-01-02');
    expect(row.dt).toBeInstanceOf(BigQueryDatetime);
    expect((row.dt as BigQueryDatetime).value).toBe('2024-01-02T03:04:05');
    expect(row.t).toBeInstanceOf(BigQueryTime);
    expect((row.t as BigQueryTime).value).toBe('03:04:05');
    expect(row.arr).toEqual([1, 2, 3]);
    expect(row.rec).toEqual({ x: 1, ys: ['p', 'q'], inner: { deep: true } });
    expect(row.nothing).toBeNull();
  });

  it('writes the REST shapes BigQuery writes (INT64 as strings, TIMESTAMP as float seconds by default)', async () => {
    const res = await fetch(`${h.emulator.url}/projects/${PROJECT}/queries`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: "SELECT 5 AS n, TIMESTAMP '2023-11-14 22:13:20.5 UTC' AS ts, [1, 2] AS arr, STRUCT(1 AS a) AS s", useLegacySql: false }),
    });
    const body = (await res.json()) as { schema: { fields: unknown[] }; rows: unknown[]; totalRows: string; jobComplete: boolean };
    expect(body.jobComplete).toBe(true);
    expect(body.totalRows).toBe('1');
    expect(body.schema.fields).toEqual([
      { name: 'n', type: 'INTEGER', mode: 'NULLABLE' },
      { name: 'ts', type: 'TIMESTAMP', mode: 'NULLABLE' },
      { name: 'arr', type: 'INTEGER', mode: 'REPEATED' },
      { name: 's', type: 'RECORD', mode: 'NULLABLE', fields: [{ name: 'a', type: 'INTEGER', mode: 'NULLABLE' }] },
    ]);
    expect(body.rows).toEqual([{ f: [{ v: '5' }, { v: '1.7000000005E9' }, { v: [{ v: '1' }, { v: '2' }] }, { v: { f: [{ v: '1' }] } }] }]);
  });

  it('names anonymous columns f0_, f1_', async () => {
    const [rows] = await h.bigquery.query('SELECT 1, UPPER("a"), 3 AS named');
    expect(rows).toEqual([{ f0_: 1, f1_: 'A', named: 3 }]);
  });
});

describe('jobs and paging', () => {
  it('pages getQueryResults with maxResults, pageToken and startIndex', async () => {
    const [job] = await h.bigquery.createQueryJob({ query: 'SELECT id FROM analytics.events ORDER BY id' });
    const [page1, next, response] = await job.getQueryResults({ maxResults: 10, autoPaginate: false });
    expect(page1.map((r) => (r as { id: number }).id)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect((response as { totalRows: string }).totalRows).toBe('25');
    expect(next?.pageToken).toBeTruthy();
    const [page2] = await job.getQueryResults({ ...next, autoPaginate: false });
    expect((page2[0] as { id: number }).id).toBe(11);
    const [fromIndex] = await job.getQueryResults({ startIndex: '22', maxResults: 10, autoPaginate: false });
    expect(fromIndex.map((r) => (r as { id: number }).id)).toEqual([23, 24, 25]);
    const [all] = await job.getQueryResults();
    expect(all).toHaveLength(25);
  });

  it('reports the job as BigQuery does', async () => {
    const [job] = await h.bigquery.createQueryJob({ query: 'SELECT COUNT(*) AS n FROM analytics.events', labels: { k: 'v' } });
    const meta = await metadataOf<Record<string, unknown>>(job);
    expect(meta).toMatchObject({
      kind: 'bigquery#job',
      jobReference: { projectId: PROJECT, jobId: job.id, location: 'US' },
      status: { state: 'DONE' },
      configuration: { jobType: 'QUERY', labels: { k: 'v' }, query: { query: 'SELECT COUNT(*) AS n FROM analytics.events', useLegacySql: false } },
    });
    const stats = meta.statistics as { creationTime: string; startTime: string; endTime: string; query: { totalBytesProcessed: string; statementType: string } };
    expect(Number(stats.endTime)).toBeGreaterThanOrEqual(Number(stats.startTime));
    expect(Number(stats.query.totalBytesProcessed)).toBeGreaterThan(0);
    expect(stats.query.statementType).toBe('SELECT');
    const [jobs] = await h.bigquery.getJobs();
    expect(jobs.map((j) => j.id)).toContain(job.id);
  });

  it('writes to a destination table with WRITE_EMPTY, WRITE_APPEND and WRITE_TRUNCATE', async () => {
    const dest = h.bigquery.dataset('analytics').table('top_users');
    const query = 'SELECT user, SUM(amount) AS total FROM analytics.events GROUP BY user';
    const run = async (writeDisposition?: string) => {
      const [job] = await h.bigquery.createQueryJob({ query, destination: dest, ...(writeDisposition ? { writeDisposition } : {}) });
      await job.getQueryResults();
      const meta = await metadataOf<{ numRows: string }>(dest);
      return Number(meta.numRows);
    };
    expect(await run()).toBe(3);
    expect(await run('WRITE_APPEND')).toBe(6);
    expect(await run('WRITE_TRUNCATE')).toBe(3);
    expect(await apiError(run('WRITE_EMPTY'))).toMatchObject({ reason: 'duplicate', message: `Already Exists: Table ${PROJECT}:analytics.top_users` });
    const never = await apiError(
      h.bigquery.createQueryJob({ query, destination: h.bigquery.dataset('analytics').table('absent'), createDisposition: 'CREATE_NEVER' }).then(([job]) => job.getQueryResults()),
    );
    expect(never).toMatchObject({ reason: 'notFound' });
  });

  it('answers a dry run with the schema and no rows', async () => {
    const [job] = await h.bigquery.createQueryJob({ query: 'SELECT id, user FROM analytics.events', dryRun: true });
    const stats = (job.metadata as { statistics: { query: { schema: { fields: { name: string }[] } } } }).statistics;
    expect(stats.query.schema.fields.map((f) => f.name)).toEqual(['id', 'user']);
  });
});

describe('translated BigQuery functions', () => {
  it('arithmetic functions take compound arguments as whole operands', async () => {
    const [rows] = await h.bigquery.query('SELECT DIV(5 + 4, 3) AS d, SAFE_DIVIDE(2 + 4, 1 + 2) AS s, IEEE_DIVIDE(1 + 2, 2 + 2) AS i, SAFE_SUBTRACT(10, 4 - 1) AS m, SAFE_MULTIPLY(2, 3 + 1) AS p');
    expect(rows).toEqual([{ d: 3, s: 2, i: 0.75, m: 7, p: 8 }]);
  });

  it('SAFE_DIVIDE', async () => {
    const [rows] = await h.bigquery.query('SELECT SAFE_DIVIDE(10, 4) AS a, SAFE_DIVIDE(1, 0) AS b');
    expect(rows).toEqual([{ a: 2.5, b: null }]);
  });

  it('TIMESTAMP_SUB, TIMESTAMP_ADD, TIMESTAMP_TRUNC, DATE_SUB, FORMAT_TIMESTAMP', async () => {
    const [rows] = await h.bigquery.query(`SELECT
      TIMESTAMP_SUB(TIMESTAMP '2024-03-10 12:00:00 UTC', INTERVAL 90 MINUTE) AS sub,
      TIMESTAMP_ADD(TIMESTAMP '2024-03-10 12:00:00 UTC', INTERVAL 2 DAY) AS add,
      TIMESTAMP_TRUNC(TIMESTAMP '2024-03-13 15:45:00 UTC', WEEK) AS week,
      TIMESTAMP_TRUNC(TIMESTAMP '2024-03-13 15:45:00 UTC', HOUR) AS hour,
      DATE_SUB(DATE '2024-03-01', INTERVAL 1 DAY) AS prev_day,
      FORMAT_TIMESTAMP('%Y-%m-%d %H:%M', TIMESTAMP '2024-03-10 07:05:00 UTC') AS formatted,
      FORMAT_TIMESTAMP('%F %T %Z', TIMESTAMP '2024-03-10 07:05:00 UTC') AS iso`);
    const r = rows[0] as Record<string, { value: string } | string>;
    expect((r.sub as BigQueryTimestamp).value).toBe('2024-03-10T10:30:00.000Z');
    expect((r.add as BigQueryTimestamp).value).toBe('2024-03-12T12:00:00.000Z');
    expect((r.week as BigQueryTimestamp).value).toBe('2024-03-10T00:00:00.000Z'); // Sunday
    expect((r.hour as BigQueryTimestamp).value).toBe('2024-03-13T15:00:00.000Z');
    expect((r.prev_day as BigQueryDate).value).toBe('2024-02-29');
    expect(r.formatted).toBe('2024-03-10 07:05');
    expect(r.iso).toBe('2024-03-10 07:05:00 UTC');
  });

  it('CURRENT_TIMESTAMP() is now', async () => {
    const [rows] = await h.bigquery.query('SELECT CURRENT_TIMESTAMP() AS now');
    const now = Date.parse((rows[0] as { now: BigQueryTimestamp }).now.value);
    expect(Math.abs(now - Date.now())).toBeLessThan(60_000);
  });

  it('SELECT * EXCEPT', async () => {
    const [rows] = await h.bigquery.query('SELECT * EXCEPT(amount, `at`) FROM analytics.events WHERE id = 1');
    expect(rows).toEqual([{ id: 1, user: 'u0' }]);
  });

  it('APPROX_QUANTILES returns n+1 quantiles', async () => {
    const [rows] = await h.bigquery.query('SELECT APPROX_QUANTILES(id, 4) AS q, APPROX_QUANTILES(id, 2)[OFFSET(1)] AS median FROM analytics.events');
    expect(rows).toEqual([{ q: [1, 7, 13, 19, 25], median: 13 }]);
  });

  it('backticked project.dataset.table and the job default dataset', async () => {
    const [a] = await h.bigquery.query('SELECT COUNT(*) AS n FROM `local-project.analytics.events`');
    const [b] = await h.bigquery.query({ query: 'SELECT COUNT(*) AS n FROM events', defaultDataset: { datasetId: 'analytics' } });
    expect(a).toEqual([{ n: 25 }]);
    expect(b).toEqual([{ n: 25 }]);
  });
});

describe('more translated functions', () => {
  const cases: [string, Record<string, unknown>][] = [
    ["SELECT DATE_DIFF(DATE '2024-03-01', DATE '2024-01-31', MONTH) AS m, TIMESTAMP_DIFF(TIMESTAMP '2024-01-01 11:01:00', TIMESTAMP '2024-01-01 10:59:00', HOUR) AS h", { m: 2, h: 0 }],
    ["SELECT EXTRACT(DAYOFWEEK FROM DATE '2024-03-10') AS dow, FORMAT_DATE('%Y/%m/%d', DATE '2024-03-10') AS f, SAFE.PARSE_DATE('%Y%m%d', 'nope') AS bad", { dow: 1, f: '2024/03/10', bad: null }],
    ["SELECT REGEXP_CONTAINS('abc123', r'\\d+') AS c, REGEXP_EXTRACT('abc123', r'([a-z]+)\\d') AS e, REGEXP_REPLACE('a-b-c', '-', '+') AS r", { c: true, e: 'abc', r: 'a+b+c' }],
    ["SELECT SPLIT('a,b') AS s, ARRAY_LENGTH([1, 2, 3]) AS n, GENERATE_ARRAY(1, 5, 2) AS g", { s: ['a', 'b'], n: 3, g: [1, 3, 5] }],
    ["SELECT STRING_AGG(x, '-' ORDER BY x) AS s, COUNTIF(x > 'a') AS c, ARRAY_AGG(IF(x = 'b', NULL, x) IGNORE NULLS ORDER BY x) AS arr FROM UNNEST(['c', 'a', 'b']) AS x", { s: 'a-b-c', c: 2, arr: ['a', 'c'] }],
    ["SELECT STRING_AGG(CONCAT(x, ':', CAST(off AS STRING)), ',' ORDER BY off) AS s FROM UNNEST(['p', 'q']) AS x WITH OFFSET AS off", { s: 'p:0,q:1' }],
    ["SELECT CONCAT('a', NULL) AS c, TO_JSON_STRING(STRUCT(1 AS a)) AS j, JSON_VALUE('{\"a\":{\"b\":\"v\"}}', '$.a.b') AS jv, LOG(100, 10) AS l, DIV(7, 2) AS d", { c: null, j: '{"a":1}', jv: 'v', l: 2, d: 3 }],
    ["SELECT UNIX_SECONDS(TIMESTAMP '2023-11-14 22:13:20 UTC') AS u, CAST(TIMESTAMP '2024-01-01 10:00:00 UTC' AS STRING) AS s, 1 IS DISTINCT FROM 2 AS dist", { u: 1700000000, s: '2024-01-01 10:00:00+00', dist: true }],
    ['WITH t AS (SELECT 1 AS id, [10, 20] AS vals) SELECT SUM(v) AS total FROM t, t.vals AS v', { total: 30 }],
  ];
  it.each(cases)('%s', async (sql, expected) => {
    const [rows] = await h.bigquery.query(sql);
    expect(rows).toEqual([expected]);
  });

  it('answers jobComplete false when the query outlives timeoutMs, then getQueryResults waits', async () => {
    const res = await fetch(`${h.emulator.url}/projects/${PROJECT}/queries`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: 'SELECT COUNT(*) AS n FROM analytics.events', useLegacySql: false, timeoutMs: 0 }),
    });
    const first = (await res.json()) as { jobComplete: boolean; jobReference: { jobId: string } };
    expect(first.jobComplete).toBe(false);
    const [rows] = await h.bigquery.job(first.jobReference.jobId).getQueryResults();
    expect(rows).toEqual([{ n: 25 }]);
  });
});

describe('UNNEST of a column (correlated arrays)', () => {
  const TABLE = `WITH t AS (
    SELECT 1 AS id, ['a', 'b', 'c'] AS xs, [10, 20] AS ys, [STRUCT('p' AS k, 1 AS v), STRUCT('q' AS k, 2 AS v)] AS kv UNION ALL
    SELECT 2, CAST([] AS ARRAY<STRING>), [30], CAST([] AS ARRAY<STRUCT<k STRING, v INT64>>) UNION ALL
    SELECT 3, CAST(NULL AS ARRAY<STRING>), CAST(NULL AS ARRAY<INT64>), NULL UNION ALL
    SELECT 4, ['d'], [40, 50, 60], [STRUCT('r' AS k, 3 AS v)])`;
  const rowsOf = async (query: string): Promise<unknown[]> => (await h.bigquery.query(`${TABLE} ${query}`))[0] as unknown[];

  it('pairs each row with its elements, and rows with empty or NULL arrays with none', async () => {
    expect(await rowsOf('SELECT id, x FROM t, UNNEST(t.xs) AS x ORDER BY id, x')).toEqual([
      { id: 1, x: 'a' }, { id: 1, x: 'b' }, { id: 1, x: 'c' }, { id: 4, x: 'd' },
    ]);
    expect(await rowsOf('SELECT id, x FROM t CROSS JOIN t.xs AS x WHERE id > 1 AND x IS NOT NULL ORDER BY id')).toEqual([{ id: 4, x: 'd' }]);
    expect(await rowsOf('SELECT id, x FROM t LEFT JOIN UNNEST(t.xs) AS x ON TRUE WHERE id > 1 ORDER BY id')).toEqual([
      { id: 2, x: null }, { id: 3, x: null }, { id: 4, x: 'd' },
    ]);
    expect(await rowsOf('SELECT id, e.k AS k, e.v * 10 AS v FROM t, UNNEST(t.kv) AS e ORDER BY id, k')).toEqual([
      { id: 1, k: 'p', v: 10 }, { id: 1, k: 'q', v: 20 }, { id: 4, k: 'r', v: 30 },
    ]);
  });

  it('numbers elements from 0 WITH OFFSET, and the offset reads a parallel array', async () => {
    expect(await rowsOf('SELECT id, x, pos, t.ys[SAFE_OFFSET(pos)] AS y FROM t, UNNEST(t.xs) AS x WITH OFFSET AS pos WHERE id IN (1, 2, 3, 4) ORDER BY id, pos')).toEqual([
      { id: 1, x: 'a', pos: 0, y: 10 }, { id: 1, x: 'b', pos: 1, y: 20 }, { id: 1, x: 'c', pos: 2, y: null }, { id: 4, x: 'd', pos: 0, y: 40 },
    ]);
    expect(await rowsOf('SELECT id, SUM(y * (pos + 1)) AS s FROM t, t.ys AS y WITH OFFSET AS pos GROUP BY id ORDER BY id')).toEqual([
      { id: 1, s: 50 }, { id: 2, s: 30 }, { id: 4, s: 320 },
    ]);
  });
});

describe('DML and DDL', () => {
  it('creates tables, inserts, updates, deletes and reports affected rows', async () => {
    await h.bigquery.query('CREATE TABLE analytics.scores (name STRING NOT NULL, score INT64, tags ARRAY<STRING>)');
    const [, , insert] = await h.bigquery.query("INSERT INTO analytics.scores (name, score, tags) VALUES ('a', 1, ['x']), ('b', 2, []), ('c', 3, NULL)");
    void insert;
    const [job] = await h.bigquery.createQueryJob({ query: 'UPDATE analytics.scores SET score = score * 10 WHERE score >= 2' });
    await job.getQueryResults();
    const meta = await metadataOf<{ statistics: { query: { numDmlAffectedRows: string; statementType: string } } }>(job);
    expect(meta.statistics.query).toMatchObject({ numDmlAffectedRows: '2', statementType: 'UPDATE' });
    await h.bigquery.query("DELETE FROM analytics.scores WHERE name = 'a'");
    const [rows] = await h.bigquery.query('SELECT name, score FROM analytics.scores ORDER BY name');
    expect(rows).toEqual([
      { name: 'b', score: 20 },
      { name: 'c', score: 30 },
    ]);
    const tmeta = await metadataOf<{ schema: { fields: unknown[] } }>(h.bigquery.dataset('analytics').table('scores'));
    expect(tmeta.schema.fields).toEqual([
      { name: 'name', type: 'STRING', mode: 'REQUIRED' },
      { name: 'score', type: 'INTEGER', mode: 'NULLABLE' },
      { name: 'tags', type: 'STRING', mode: 'REPEATED' },
    ]);
    await h.bigquery.query('CREATE OR REPLACE TABLE analytics.by_user AS SELECT user, COUNT(*) AS n FROM analytics.events GROUP BY user');
    const byUser = await metadataOf<{ numRows: string }>(h.bigquery.dataset('analytics').table('by_user'));
    expect(byUser.numRows).toBe('3');
  });
});

describe('errors', () => {
  it('invalid SQL is a 400 invalidQuery with BigQuery’s message', async () => {
    const err = await apiError(h.bigquery.query('SELECT id FORM analytics.events'));
    expect(err).toMatchObject({ code: 400, reason: 'invalidQuery' });
    expect(err.message).toMatch(/^Syntax error: .* at \[1:\d+\]$/);
    expect(await apiError(h.bigquery.query('SELECT nope FROM analytics.events'))).toMatchObject({ code: 400, reason: 'invalidQuery', message: 'Unrecognized name: nope at [1:8]' });
    expect(await apiError(h.bigquery.query('SELECT NO_SUCH_FN(1)'))).toMatchObject({ code: 400, reason: 'invalidQuery', message: 'Function not found: NO_SUCH_FN at [1:8]' });
  });

  it('a missing table is a 404 notFound', async () => {
    expect(await apiError(h.bigquery.query('SELECT * FROM analytics.missing'))).toMatchObject({
      code: 404,
      reason: 'notFound',
      message: `Not found: Table ${PROJECT}:analytics.missing was not found in location US`,
    });
  });

  it('a failed query job is DONE with an errorResult', async () => {
    const res = await fetch(`${h.emulator.url}/bigquery/v2/projects/${PROJECT}/jobs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ configuration: { query: { query: 'SELECT nope', useLegacySql: false } } }),
    });
    const job = (await res.json()) as { status: { state: string; errorResult: { reason: string; message: string } } };
    expect(job.status).toMatchObject({ state: 'DONE', errorResult: { reason: 'invalidQuery', message: 'Unrecognized name: nope at [1:8]' } });
  });
});
