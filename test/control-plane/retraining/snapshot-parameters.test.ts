// A spec's DATE and TIMESTAMP query parameters reach BigQuery as values, not NULL: the client sends
// a plain string of those types as an empty parameter value, which filtered every row out (seen: a
// drift retrain's `since` gave a 0-row snapshot). Checked through the official client against the
// BigQuery emulator.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { snapshotQuery } from '../../../control-plane/retraining/snapshot.js';
import type { Harness } from '../../emulators/bigquery/support.js';
import { startHarness } from '../../emulators/bigquery/support.js';

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
  const [ds] = await h.bigquery.createDataset('params');
  const [t] = await ds.createTable('flights', { schema: [{ name: 'date', type: 'TIMESTAMP' }, { name: 'day', type: 'DATE' }, { name: 'delay', type: 'INTEGER' }] });
  await t.insert([
    { date: '2001-03-01 10:00:00', day: '2001-03-01', delay: 1 },
    { date: '2001-06-05 10:00:00', day: '2001-06-05', delay: 2 },
    { date: '2001-06-30 23:00:00', day: '2001-06-30', delay: 3 },
  ]);
});

afterAll(async () => {
  await h?.close();
});

async function delays(query: string, parameters: Record<string, { type: 'DATE' | 'TIMESTAMP' | 'FLOAT64'; value: string | number }>): Promise<number[]> {
  const q = snapshotQuery({ query, parameters, target: 'delay', features: ['date'] });
  const [rows] = await h.bigquery.query({ query: q.sql, params: q.params, types: q.types });
  return (rows as { delay: number }[]).map((r) => r.delay).sort();
}

describe('snapshotQuery parameters', () => {
  it('a TIMESTAMP parameter filters (RFC 3339 and BigQuery\'s canonical text)', async () => {
    const query = 'SELECT date, delay FROM `params.flights` WHERE date >= @since AND RAND() < @fraction';
    expect(await delays(query, { since: { type: 'TIMESTAMP', value: '2001-06-01T00:00:00Z' }, fraction: { type: 'FLOAT64', value: 1.01 } })).toEqual([2, 3]);
    expect(await delays(query, { since: { type: 'TIMESTAMP', value: '2001-01-01 00:00:00+00:00' }, fraction: { type: 'FLOAT64', value: 1.01 } })).toEqual([1, 2, 3]);
  });

  it('a DATE parameter filters', async () => {
    expect(await delays('SELECT date, delay FROM `params.flights` WHERE day > @after', { after: { type: 'DATE', value: '2001-06-05' } })).toEqual([3]);
  });
});
