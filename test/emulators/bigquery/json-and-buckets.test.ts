// JSON_VALUE / JSON_EXTRACT_SCALAR on JSON-formatted strings and RANGE_BUCKET, as BigQuery
// documents them (the constructs the rollout analysis reads the request-response log with).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Harness } from './support.js';
import { startHarness } from './support.js';

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});

afterAll(async () => {
  await h.close();
});

async function one(query: string): Promise<Record<string, unknown>> {
  const [rows] = await h.bigquery.query({ query });
  expect(rows).toHaveLength(1);
  return rows[0] as Record<string, unknown>;
}

describe('JSON_VALUE and JSON_EXTRACT_SCALAR', () => {
  it('return a scalar as text and SQL NULL for objects, arrays, JSON null and missing paths', async () => {
    expect(
      await one(`SELECT JSON_VALUE('{"name": "Jakob", "age": "6"}', '$.name') AS name, JSON_VALUE('{"fruits": ["apple", "banana"]}', '$.fruits') AS arr,
        JSON_VALUE('{"a": {"b": 1}}', '$.a') AS obj, JSON_VALUE('{"a": null}', '$.a') AS jnull, JSON_VALUE('{"a": 1}', '$.b') AS missing,
        JSON_VALUE('2.5') AS num, JSON_VALUE('true') AS bool, JSON_VALUE('{"a": 1}') AS whole, JSON_EXTRACT_SCALAR('{"a": [1]}', '$.a') AS legacy`),
    ).toEqual({ name: 'Jakob', arr: null, obj: null, jnull: null, missing: null, num: '2.5', bool: 'true', whole: null, legacy: null });
  });

  it('return NULL for a string that is not JSON instead of failing the query', async () => {
    const row = await one(`SELECT JSON_VALUE('not json') AS a, JSON_VALUE('}}', '$.x') AS b, JSON_EXTRACT_SCALAR('{"a": ', '$.a') AS c, JSON_VALUE(CAST(NULL AS STRING)) AS d`);
    expect(row).toEqual({ a: null, b: null, c: null, d: null });
  });

  it('skip unreadable payloads row by row with SAFE_CAST', async () => {
    const [rows] = await h.bigquery.query({
      query: `SELECT SAFE_CAST(JSON_VALUE(p) AS FLOAT64) AS v FROM UNNEST(['1.5', '{"value": 2}', 'oops', '"abc"', '-3']) AS p WITH OFFSET AS i ORDER BY i`,
    });
    expect(rows).toEqual([{ v: 1.5 }, { v: null }, { v: null }, { v: null }, { v: -3 }]);
  });
});

describe('JSON_VALUE: many keys of one column (one shared extraction)', () => {
  const PATHS = ['$', '$.s', '$.u', '$.n', '$.big', '$.b', '$.z', '$.o', '$.a', '$.o.k', '$.missing', '$[1]'];
  const select = (path: (p: string, k: number) => string) => PATHS.map((p, k) => `JSON_VALUE(doc, ${path(p, k)}) AS v${k}`).join(', ');

  async function values(docs: (string | null)[], path: (p: string, k: number) => string, params: Record<string, unknown> = {}): Promise<(string | null)[][]> {
    const [rows] = await h.bigquery.query({
      query: `SELECT i, ${select(path)} FROM UNNEST(@docs) AS doc WITH OFFSET AS i ORDER BY i`,
      params: { docs, ...params },
      types: { docs: ['STRING'], ...Object.fromEntries(Object.keys(params).map((k) => [k, 'STRING'])) },
    });
    return (rows as Record<string, string | null>[]).map((r) => PATHS.map((_, k) => r[`v${k}`]!));
  }

  it('unescape strings, keep scalars as text and give NULL for objects, arrays, null, missing keys and text that is not JSON', async () => {
    const docs = [
      String.raw`{"s": "tab\tq\"b\\s\/", "u": "caf\u00e9 \ud83d\ude00 ü", "n": -12.5, "big": 9007199254740993, "b": true, "z": null, "o": {"k": "inner"}, "a": [1, 2]}`,
      '{"s": "x", "n": 1',
      '["zero", "one", {"s": 1}]',
      '"top"',
      'false',
      null,
      '',
    ];
    const none = PATHS.map(() => null);
    const at = (entries: Record<string, string>) => PATHS.map((p) => entries[p] ?? null);
    expect(await values(docs, (p) => `'${p}'`)).toEqual([
      at({ '$.s': 'tab\tq"b\\s/', '$.u': 'café 😀 ü', '$.n': '-12.5', '$.big': '9007199254740993', '$.b': 'true', '$.o.k': 'inner' }),
      none,
      at({ '$[1]': 'one' }),
      at({ $: 'top' }),
      at({ $: 'false' }),
      none,
      none,
    ]);
  });

  it('answer as each key read on its own does (escapes, unicode, numbers, duplicate keys, nesting, bad JSON)', async () => {
    const docs = [
      String.raw`{"s": "\u0041\n\\\"", "u": "\ud83d\ude00", "n": 1.50, "big": 12345678901234567890123, "b": false, "z": null, "o": {"k": [1]}, "a": []}`,
      '{"s": "first", "s": "second", "n": -0.0, "big": -9223372036854775808, "o": {"k": 1e2}, "missing": 0.1}',
      '{"s": "{\\"not\\": \\"an object\\"}", "u": "[1]", "n": 1e-7, "big": 18446744073709551615, "b": "true", "z": "null"}',
      '[[1], "x", 3]',
      '{"s": }',
      '  {"s" : "padded" }  ',
      '{"s": "x"} trailing',
    ];
    // A path given as a parameter is not a literal of the statement: each such call parses on its own.
    const alone = await values(docs, (_, k) => `@p${k}`, Object.fromEntries(PATHS.map((p, k) => [`p${k}`, p])));
    const shared = await values(docs, (p) => `'${p}'`);
    expect(shared).toEqual(alone);
    expect(alone.flat().filter((v) => v !== null).length).toBeGreaterThan(15);
  });
});

describe('RANGE_BUCKET', () => {
  it('follows the documented examples', async () => {
    expect(
      await one(`SELECT RANGE_BUCKET(20, [0, 10, 20, 30, 40]) AS a, RANGE_BUCKET(20, [0, 10, 20, 20, 40, 40]) AS b, RANGE_BUCKET(25, [0, 10, 20, 30, 40]) AS c,
        RANGE_BUCKET(-10, [5, 10, 20, 30, 40]) AS d, RANGE_BUCKET(80, [0, 10, 20, 30, 40]) AS e, RANGE_BUCKET(80, CAST([] AS ARRAY<INT64>)) AS f,
        RANGE_BUCKET(CAST(NULL AS INT64), [0, 10]) AS g, RANGE_BUCKET(CAST('NaN' AS FLOAT64), [0.0, 10.0]) AS h, RANGE_BUCKET(2.5, [1.0, 2.5, 3.0]) AS i`),
    ).toEqual({ a: 3, b: 4, c: 3, d: 0, e: 5, f: 0, g: null, h: null, i: 2 });
  });

  it('buckets rows against quantile edges from a CTE', async () => {
    const [rows] = await h.bigquery.query({
      query: `WITH v AS (SELECT x FROM UNNEST(GENERATE_ARRAY(1, 100)) AS x), e AS (SELECT APPROX_QUANTILES(x, 4) AS edges FROM v)
        SELECT RANGE_BUCKET(v.x, e.edges) AS bucket, COUNT(*) AS n FROM v CROSS JOIN e GROUP BY bucket ORDER BY bucket`,
    });
    const counts = (rows as { bucket: number; n: number }[]).map((r) => r.n);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(100);
    // Four buckets of about a quarter each between the quantiles, the maximum alone in the last.
    expect(rows.at(-1)).toEqual({ bucket: 5, n: 1 });
    for (const n of counts.slice(0, -1)) expect(Math.abs(n - 25)).toBeLessThanOrEqual(1);
  });

  it('finds the upper bound in sorted arrays of many lengths, duplicates included', async () => {
    // Lengths around the binary search's powers of two; ties every third edge; each array probed
    // below, on, between and above its edges. Expected: the count of edges <= point.
    const lengths = [...Array.from({ length: 34 }, (_, n) => n), 63, 64, 65, 127, 128, 129, 200, 201, 255, 256, 257, 300];
    const cases = lengths.map((n) => {
      const edges = Array.from({ length: n }, (_, i) => i - Math.floor(i / 3));
      const probes = Array.from({ length: 2 * (n + 3) }, (_, k) => k / 2 - 2);
      return { edges, probes };
    });
    const structs = cases.map((c, i) => `STRUCT(${i} AS i, CAST([${c.edges.join(', ')}] AS ARRAY<INT64>) AS edges, [${c.probes.map((p) => p.toFixed(1)).join(', ')}] AS probes)`);
    const [rows] = await h.bigquery.query({
      query: `SELECT c.i AS i, p, RANGE_BUCKET(p, c.edges) AS bucket FROM UNNEST([${structs.join(', ')}]) AS c, UNNEST(c.probes) AS p`,
    });
    const got = rows as { i: number; p: number; bucket: number }[];
    expect(got).toHaveLength(cases.reduce((sum, c) => sum + c.probes.length, 0));
    const wrong = got.filter((r) => r.bucket !== cases[r.i]!.edges.filter((e) => e <= r.p).length);
    expect(wrong.slice(0, 5)).toEqual([]);
  });

  it('finds the same upper bounds when the edges are a query parameter (the search unrolled over them)', async () => {
    for (const n of [0, 1, 2, 3, 7, 8, 9, 20, 21, 64, 65, 300]) {
      const edges = Array.from({ length: n }, (_, i) => (i - Math.floor(i / 3)) / 2);
      const probes = [...Array.from({ length: n + 4 }, (_, k) => k / 4 - 1), ...edges];
      const [rows] = await h.bigquery.query({
        query: 'SELECT p, RANGE_BUCKET(p, @edges) AS bucket FROM UNNEST(@probes) AS p',
        params: { edges, probes },
        types: { edges: ['FLOAT64'], probes: ['FLOAT64'] },
      });
      const got = rows as { p: number; bucket: number }[];
      expect(got).toHaveLength(probes.length);
      expect(got.filter((r) => r.bucket !== edges.filter((e) => e <= r.p).length).slice(0, 3), `${n} edges`).toEqual([]);
    }
    const [edgeRows] = await h.bigquery.query({
      query: 'SELECT RANGE_BUCKET(CAST(NULL AS FLOAT64), @edges) AS a, RANGE_BUCKET(CAST(\'NaN\' AS FLOAT64), @edges) AS b, RANGE_BUCKET(9, @edges) AS c',
      params: { edges: [1, 2] },
      types: { edges: ['FLOAT64'] },
    });
    expect(edgeRows).toEqual([{ a: null, b: null, c: 2 }]);
  });
});
