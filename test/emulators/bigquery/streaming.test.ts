// tabledata.insertAll (streaming) and tabledata.list through the official client.
import type { Table } from '@google-cloud/bigquery';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Harness } from './support.js';
import { startHarness } from './support.js';

let h: Harness;
let table: Table;

beforeAll(async () => {
  h = await startHarness({ insertIdWindowMs: 60_000 });
  const [ds] = await h.bigquery.createDataset('stream');
  [table] = await ds.createTable('readings', {
    schema: [
      { name: 'sensor', type: 'STRING', mode: 'REQUIRED' },
      { name: 'value', type: 'FLOAT' },
      { name: 'count', type: 'INTEGER' },
      { name: 'at', type: 'TIMESTAMP' },
      { name: 'day', type: 'DATE' },
      { name: 'price', type: 'NUMERIC' },
      { name: 'meta', type: 'RECORD', fields: [{ name: 'source', type: 'STRING' }, { name: 'codes', type: 'INTEGER', mode: 'REPEATED' }] },
    ],
  });
});

afterAll(async () => {
  await h.close();
});

async function count(): Promise<number> {
  const [rows] = await h.bigquery.query('SELECT COUNT(*) AS n FROM stream.readings');
  return (rows[0] as { n: number }).n;
}

interface PartialFailure {
  name: string;
  errors: { row: unknown; errors: { reason: string; message: string }[] }[];
  response: { insertErrors: { index: number; errors: { reason: string; location: string; message: string }[] }[] };
}

async function partialFailure(promise: Promise<unknown>): Promise<PartialFailure> {
  try {
    await promise;
  } catch (e) {
    return e as PartialFailure;
  }
  throw new Error('expected a PartialFailureError');
}

describe('insertAll', () => {
  it('de-duplicates rows by insertId within the window', async () => {
    const row = { insertId: 'reading-1', json: { sensor: 's1', value: 1.5, count: '7', at: '2024-01-01 10:00:00 UTC', day: '2024-01-01', price: '9.99', meta: { source: 'a', codes: [1, 2] } } };
    await table.insert([row, { ...row }], { raw: true });
    await table.insert([row], { raw: true });
    expect(await count()).toBe(1);
    await table.insert([{ ...row, insertId: 'reading-2' }], { raw: true });
    expect(await count()).toBe(2);
    const [rows] = await h.bigquery.query("SELECT count, price, meta.codes AS codes, `at` FROM stream.readings WHERE sensor = 's1' LIMIT 1");
    const r = rows[0] as { count: number; price: { toString(): string }; codes: number[]; at: { value: string } };
    expect(r.count).toBe(7);
    expect(r.price.toString()).toBe('9.99');
    expect(r.codes).toEqual([1, 2]);
    expect(r.at.value).toBe('2024-01-01T10:00:00.000Z');
  });

  it('rejects the whole request for one invalid row, reporting the others as stopped', async () => {
    const before = await count();
    const err = await partialFailure(table.insert([{ sensor: 'ok', value: 1 }, { sensor: 'bad', count: 'seven' }, { value: 3 }]));
    expect(err.name).toBe('PartialFailureError');
    expect(err.response.insertErrors).toEqual([
      { index: 0, errors: [{ reason: 'stopped', location: '', debugInfo: '', message: '' }] },
      { index: 1, errors: [{ reason: 'invalid', location: 'count', debugInfo: '', message: 'Cannot convert value to integer (bad value): seven' }] },
      { index: 2, errors: [{ reason: 'invalid', location: 'sensor', debugInfo: '', message: 'Missing required field: sensor.' }] },
    ]);
    expect(await count()).toBe(before);
  });

  it('skipInvalidRows inserts the valid rows; ignoreUnknownValues drops unknown fields', async () => {
    const before = await count();
    const err = await partialFailure(table.insert([{ sensor: 'ok2' }, { sensor: 'x', nope: 1 }], { skipInvalidRows: true, partialRetries: 0 }));
    expect(err.response.insertErrors).toEqual([{ index: 1, errors: [{ reason: 'invalid', location: 'nope', debugInfo: '', message: 'no such field: nope.' }] }]);
    expect(await count()).toBe(before + 1);
    await table.insert([{ sensor: 'ok3', nope: 1, meta: { source: 'b', extra: true } }], { ignoreUnknownValues: true });
    expect(await count()).toBe(before + 2);
  });
});

describe('tabledata.list', () => {
  it('pages rows with maxResults and pageToken', async () => {
    const [ds] = await h.bigquery.createDataset('paging');
    const [t] = await ds.createTable('numbers', { schema: 'n:INTEGER' });
    await t.insert(Array.from({ length: 12 }, (_, n) => ({ n })));
    const [first, next] = await t.getRows({ maxResults: 5, autoPaginate: false });
    expect(first).toEqual([0, 1, 2, 3, 4].map((n) => ({ n })));
    const [second] = await t.getRows({ ...next, autoPaginate: false });
    expect(second).toEqual([5, 6, 7, 8, 9].map((n) => ({ n })));
    const [all] = await t.getRows();
    expect(all).toHaveLength(12);
    const [selected] = await t.getRows({ selectedFields: 'n', startIndex: '10' });
    expect(selected).toEqual([{ n: 10 }, { n: 11 }]);
  });
});
