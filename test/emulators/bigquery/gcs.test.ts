// Load jobs from gs:// (CSV, newline-delimited JSON, Parquet, wildcards), extract jobs to gs://
// and EXPORT DATA, with the objects made and read through @google-cloud/storage.
import type { Dataset } from '@google-cloud/bigquery';
import type { Bucket as GcsBucket } from '@google-cloud/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { downloadObject } from '../../../google-clients/download-object.js';
import type { Harness } from './support.js';
import { apiError, metadataOf, startHarness } from './support.js';

let h: Harness;
let bucket: GcsBucket;
let ds: Dataset;

const PEOPLE_CSV = 'name,age,joined\nAda,36,2024-01-01 10:00:00\nBob,41,2024-02-02 11:30:00.5\n';

beforeAll(async () => {
  h = await startHarness();
  [bucket] = await h.storage.createBucket('bq-data');
  [ds] = await h.bigquery.createDataset('lake');
  await bucket.file('csv/people.csv').save(PEOPLE_CSV, { resumable: false });
});

afterAll(async () => {
  await h.close();
});

const text = async (name: string) => (await downloadObject(bucket.name, name, { storage: h.storage })).toString('utf8');

describe('load jobs', () => {
  it('loads CSV with a schema and skipLeadingRows', async () => {
    const [job] = await ds.table('people').load(bucket.file('csv/people.csv'), {
      sourceFormat: 'CSV',
      skipLeadingRows: 1,
      schema: { fields: [{ name: 'name', type: 'STRING' }, { name: 'age', type: 'INTEGER' }, { name: 'joined', type: 'TIMESTAMP' }] },
    });
    expect(job.status).toMatchObject({ state: 'DONE' });
    expect((job.statistics as { load: { outputRows: string; inputFiles: string } }).load).toMatchObject({ outputRows: '2', inputFiles: '1' });
    const [rows] = await h.bigquery.query('SELECT name, age, joined FROM lake.people ORDER BY name');
    expect((rows as { joined: { value: string } }[]).map((r) => ({ ...r, joined: r.joined.value }))).toEqual([
      { name: 'Ada', age: 36, joined: '2024-01-01T10:00:00.000Z' },
      { name: 'Bob', age: 41, joined: '2024-02-02T11:30:00.500Z' },
    ]);
  });

  it('autodetects a CSV schema', async () => {
    await ds.table('people_auto').load(bucket.file('csv/people.csv'), { sourceFormat: 'CSV', autodetect: true });
    const meta = await metadataOf<{ schema: { fields: { name: string; type: string }[] }; numRows: string }>(ds.table('people_auto'));
    expect(meta.schema.fields.map((f) => `${f.name}:${f.type}`)).toEqual(['name:STRING', 'age:INTEGER', 'joined:TIMESTAMP']);
    expect(meta.numRows).toBe('2');
  });

  it('loads newline-delimited JSON with nested and repeated fields', async () => {
    const lines = [
      { id: 1, placed: '2024-03-01T10:00:00Z', items: [{ sku: 'a', qty: 2 }, { sku: 'b', qty: 1 }], customer: { name: 'Ada', vip: true } },
      { id: '2', placed: 1709287200, items: [], customer: null },
    ];
    await bucket.file('json/orders.json').save(lines.map((l) => JSON.stringify(l)).join('\n'), { resumable: false });
    const schema = {
      fields: [
        { name: 'id', type: 'INTEGER' },
        { name: 'placed', type: 'TIMESTAMP' },
        { name: 'items', type: 'RECORD', mode: 'REPEATED', fields: [{ name: 'sku', type: 'STRING' }, { name: 'qty', type: 'INTEGER' }] },
        { name: 'customer', type: 'RECORD', fields: [{ name: 'name', type: 'STRING' }, { name: 'vip', type: 'BOOLEAN' }] },
      ],
    };
    await ds.table('orders').load(bucket.file('json/orders.json'), { sourceFormat: 'NEWLINE_DELIMITED_JSON', schema });
    const [rows] = await h.bigquery.query('SELECT id, ARRAY_LENGTH(items) AS n, items[SAFE_OFFSET(0)].sku AS first, customer.vip AS vip, placed FROM lake.orders ORDER BY id');
    expect((rows as { placed: { value: string } }[]).map((r) => ({ ...r, placed: r.placed.value }))).toEqual([
      { id: 1, n: 2, first: 'a', vip: true, placed: '2024-03-01T10:00:00.000Z' },
      { id: 2, n: 0, first: null, vip: null, placed: '2024-03-01T10:00:00.000Z' },
    ]);
    await bucket.file('json/extra.json').save(JSON.stringify({ id: 3, surprise: 1 }), { resumable: false });
    const err = await apiError(ds.table('orders').load(bucket.file('json/extra.json'), { sourceFormat: 'NEWLINE_DELIMITED_JSON' }));
    expect(err.message).toMatch(/No such field: surprise/);
    await ds.table('orders').load(bucket.file('json/extra.json'), { sourceFormat: 'NEWLINE_DELIMITED_JSON', ignoreUnknownValues: true });
    const [count] = await h.bigquery.query('SELECT COUNT(*) AS n FROM lake.orders');
    expect(count).toEqual([{ n: 3 }]);
  });

  it('loads every object a wildcard URI matches, appending by default', async () => {
    await bucket.file('parts/part-1.csv').save('1,one\n2,two\n', { resumable: false });
    await bucket.file('parts/part-2.csv').save('3,three\n', { resumable: false });
    await bucket.file('parts/other.txt').save('not csv\n', { resumable: false });
    const table = ds.table('parts');
    await table.load(bucket.file('parts/part-*.csv'), { sourceFormat: 'CSV', schema: { fields: [{ name: 'n', type: 'INTEGER' }, { name: 'word', type: 'STRING' }] } });
    await table.load(bucket.file('parts/part-2.csv'), { sourceFormat: 'CSV' });
    const [rows] = await h.bigquery.query('SELECT n FROM lake.parts ORDER BY n');
    expect(rows).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }, { n: 3 }]);
    await table.load(bucket.file('parts/part-1.csv'), { sourceFormat: 'CSV', writeDisposition: 'WRITE_TRUNCATE' });
    const [after] = await h.bigquery.query('SELECT COUNT(*) AS n FROM lake.parts');
    expect(after).toEqual([{ n: 2 }]);
  });

  it('fails a load from a missing object with notFound', async () => {
    const err = await apiError(ds.table('ghost').load(bucket.file('csv/missing.csv'), { sourceFormat: 'CSV', autodetect: true }));
    expect(err).toMatchObject({ reason: 'notFound', message: 'Not found: URI gs://bq-data/csv/missing.csv' });
  });
});

describe('extract jobs', () => {
  it('extracts CSV to sharded files for a wildcard URI', async () => {
    const [job] = await ds.table('people').extract(bucket.file('out/people-*.csv'));
    expect((job.statistics as { extract: { destinationUriFileCounts: string[] } }).extract.destinationUriFileCounts).toEqual(['1']);
    expect(await text('out/people-000000000000.csv')).toBe('name,age,joined\nAda,36,2024-01-01 10:00:00 UTC\nBob,41,2024-02-02 11:30:00.500000 UTC\n');
  });

  it('extracts newline-delimited JSON with INT64 as strings', async () => {
    await ds.table('people').extract(bucket.file('out/people.json'), { format: 'JSON' });
    const lines = (await text('out/people.json')).trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toEqual([
      { name: 'Ada', age: '36', joined: '2024-01-01 10:00:00 UTC' },
      { name: 'Bob', age: '41', joined: '2024-02-02 11:30:00.500000 UTC' },
    ]);
  });

  it('extracts Parquet that loads back (Parquet load)', async () => {
    await ds.table('orders').extract(bucket.file('out/orders.parquet'));
    const [meta] = await bucket.file('out/orders.parquet').getMetadata();
    expect(Number(meta.size)).toBeGreaterThan(0);
    await ds.table('orders_copy').load(bucket.file('out/orders.parquet'), { sourceFormat: 'PARQUET' });
    const [rows] = await h.bigquery.query('SELECT id, items[SAFE_OFFSET(1)].qty AS qty, customer.name AS name FROM lake.orders_copy ORDER BY id');
    expect(rows).toEqual([
      { id: 1, qty: 1, name: 'Ada' },
      { id: 2, qty: null, name: null },
      { id: 3, qty: null, name: null },
    ]);
    const copyMeta = await metadataOf<{ schema: { fields: { name: string; type: string; mode: string }[] } }>(ds.table('orders_copy'));
    expect(copyMeta.schema.fields.map((f) => `${f.name}:${f.type}:${f.mode}`)).toEqual(['id:INTEGER:NULLABLE', 'placed:TIMESTAMP:NULLABLE', 'items:RECORD:REPEATED', 'customer:RECORD:NULLABLE']);
  });

  it('refuses CSV for nested schemas', async () => {
    expect(await apiError(ds.table('orders').extract(bucket.file('out/orders.csv')))).toMatchObject({ message: 'Operation cannot be performed on a nested schema. Field: items' });
  });
});

describe('EXPORT DATA', () => {
  it('writes query results through the storage store', async () => {
    const sql = "EXPORT DATA OPTIONS(uri='gs://bq-data/export/people-*.csv', format='CSV', overwrite=true, header=true) AS SELECT name, age FROM lake.people ORDER BY name";
    await h.bigquery.query(sql);
    expect(await text('export/people-000000000000.csv')).toBe('name,age\nAda,36\nBob,41\n');
    const again = await apiError(h.bigquery.query(sql.replace('overwrite=true', 'overwrite=false')));
    expect(again).toMatchObject({ code: 400, reason: 'invalid' });
    await h.bigquery.query("EXPORT DATA OPTIONS(uri='gs://bq-data/export/json/*.json', format='JSON') AS SELECT name FROM lake.people WHERE age > 40");
    expect(JSON.parse(await text('export/json/000000000000.json'))).toEqual({ name: 'Bob' });
  });
});
