// Datasets and tables through the official client: nested schemas, errors in BigQuery's shape,
// strict bodies, both path styles, and persistence across a restart.
import { BigQuery } from '@google-cloud/bigquery';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Harness } from './support.js';
import { PROJECT, apiError, emulatorAuth, metadataOf, startHarness } from './support.js';

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});

afterAll(async () => {
  await h.close();
});

const NESTED_SCHEMA = [
  { name: 'id', type: 'INT64', mode: 'REQUIRED' },
  { name: 'tags', type: 'STRING', mode: 'REPEATED' },
  {
    name: 'address',
    type: 'RECORD',
    fields: [
      { name: 'city', type: 'STRING' },
      { name: 'geo', type: 'STRUCT', fields: [{ name: 'lat', type: 'FLOAT64' }, { name: 'lon', type: 'FLOAT' }] },
    ],
  },
  { name: 'events', type: 'RECORD', mode: 'REPEATED', fields: [{ name: 'at', type: 'TIMESTAMP' }, { name: 'kind', type: 'STRING', description: 'what happened' }] },
];

describe('datasets', () => {
  it('creates, gets, lists and refuses duplicates', async () => {
    const [dataset] = await h.bigquery.createDataset('sales', { location: 'US', description: 'sales data', labels: { team: 'ml' } });
    expect(dataset.metadata).toMatchObject({ kind: 'bigquery#dataset', id: `${PROJECT}:sales`, datasetReference: { projectId: PROJECT, datasetId: 'sales' }, location: 'US' });
    const meta = await metadataOf(h.bigquery.dataset('sales'));
    expect(meta).toMatchObject({ description: 'sales data', labels: { team: 'ml' } });
    const [datasets] = await h.bigquery.getDatasets();
    expect(datasets.map((d) => d.id)).toContain('sales');
    const dup = await apiError(h.bigquery.createDataset('sales'));
    expect(dup).toMatchObject({ code: 409, reason: 'duplicate', message: `Already Exists: Dataset ${PROJECT}:sales` });
  });

  it('answers 404 for a missing dataset and deletes only empty datasets unless told to', async () => {
    expect(await apiError(h.bigquery.dataset('nope').getMetadata())).toMatchObject({ code: 404, reason: 'notFound', message: `Not found: Dataset ${PROJECT}:nope` });
    const [ds] = await h.bigquery.createDataset('scratch');
    await ds.createTable('t', { schema: 'a:STRING' });
    expect(await apiError(ds.delete())).toMatchObject({ code: 400, reason: 'resourceInUse' });
    await ds.delete({ force: true });
    const [exists] = await ds.exists();
    expect(exists).toBe(false);
  });

  it('rejects unknown fields in request bodies, naming them', async () => {
    const res = await fetch(`${h.emulator.url}/bigquery/v2/projects/${PROJECT}/datasets`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ datasetReference: { datasetId: 'strict' }, descripton: 'typo' }),
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { message: string; errors: { reason: string }[] } };
    expect(body.error.message).toBe(`Invalid JSON payload received. Unknown name "descripton" at 'dataset': Cannot find field.`);
    expect(body.error.errors[0]!.reason).toBe('invalid');
  });

  it('serves the bare paths the client calls with BIGQUERY_EMULATOR_HOST', async () => {
    const previous = process.env.BIGQUERY_EMULATOR_HOST;
    process.env.BIGQUERY_EMULATOR_HOST = h.emulator.url;
    try {
      const bare = new BigQuery({ projectId: PROJECT, authClient: emulatorAuth() });
      const [datasets] = await bare.getDatasets();
      expect(datasets.map((d) => d.id)).toContain('sales');
      const [rows] = await bare.query('SELECT 1 AS one');
      expect(rows).toEqual([{ one: 1 }]);
    } finally {
      if (previous === undefined) delete process.env.BIGQUERY_EMULATOR_HOST;
      else process.env.BIGQUERY_EMULATOR_HOST = previous;
    }
  });
});

describe('tables', () => {
  it('creates a table with REPEATED and RECORD fields and reports the schema canonically', async () => {
    const [table] = await h.bigquery.dataset('sales').createTable('customers', { schema: NESTED_SCHEMA, description: 'people' });
    const meta = await metadataOf<Record<string, unknown>>(table);
    expect(meta).toMatchObject({ kind: 'bigquery#table', id: `${PROJECT}:sales.customers`, type: 'TABLE', numRows: '0', description: 'people', location: 'US' });
    expect((meta.schema as { fields: unknown[] }).fields).toEqual([
      { name: 'id', type: 'INTEGER', mode: 'REQUIRED' },
      { name: 'tags', type: 'STRING', mode: 'REPEATED' },
      {
        name: 'address',
        type: 'RECORD',
        mode: 'NULLABLE',
        fields: [
          { name: 'city', type: 'STRING', mode: 'NULLABLE' },
          {
            name: 'geo',
            type: 'RECORD',
            mode: 'NULLABLE',
            fields: [
              { name: 'lat', type: 'FLOAT', mode: 'NULLABLE' },
              { name: 'lon', type: 'FLOAT', mode: 'NULLABLE' },
            ],
          },
        ],
      },
      {
        name: 'events',
        type: 'RECORD',
        mode: 'REPEATED',
        fields: [
          { name: 'at', type: 'TIMESTAMP', mode: 'NULLABLE' },
          { name: 'kind', type: 'STRING', mode: 'NULLABLE', description: 'what happened' },
        ],
      },
    ]);
    await table.insert([{ id: 1, tags: ['a'], address: { city: 'Oslo', geo: { lat: 59.9, lon: 10.7 } }, events: [{ at: '2024-01-01 00:00:00 UTC', kind: 'signup' }] }]);
    const [rows] = await table.getRows();
    expect(rows[0]).toMatchObject({ id: 1, tags: ['a'], address: { city: 'Oslo', geo: { lat: 59.9, lon: 10.7 } }, events: [{ kind: 'signup' }] });
    const after = await metadataOf<{ numRows: string }>(table);
    expect(after.numRows).toBe('1');
  });

  it('answers 404 for a missing table and 409 for a duplicate', async () => {
    expect(await apiError(h.bigquery.dataset('sales').table('missing').getMetadata())).toMatchObject({
      code: 404,
      reason: 'notFound',
      message: `Not found: Table ${PROJECT}:sales.missing`,
    });
    expect(await apiError(h.bigquery.dataset('sales').createTable('customers', { schema: 'a:STRING' }))).toMatchObject({
      code: 409,
      reason: 'duplicate',
      message: `Already Exists: Table ${PROJECT}:sales.customers`,
    });
  });

  it('patches: adds columns, relaxes modes, refuses to drop columns', async () => {
    const table = h.bigquery.dataset('sales').table('customers');
    const meta = await metadataOf<{ schema: { fields: Record<string, unknown>[] } }>(table);
    const fields = [{ ...meta.schema.fields[0], mode: 'NULLABLE' }, ...meta.schema.fields.slice(1), { name: 'score', type: 'NUMERIC' }];
    await table.setMetadata({ schema: { fields }, friendlyName: 'Customers' });
    const patched = await metadataOf<{ friendlyName: string; schema: { fields: { name: string; mode: string }[] } }>(table);
    expect(patched.friendlyName).toBe('Customers');
    expect(patched.schema.fields.map((f) => `${f.name}:${f.mode}`)).toEqual(['id:NULLABLE', 'tags:REPEATED', 'address:NULLABLE', 'events:REPEATED', 'score:NULLABLE']);
    const dropped = await apiError(table.setMetadata({ schema: { fields: fields.slice(1) } }));
    expect(dropped).toMatchObject({ code: 400, message: `Provided Schema does not match Table ${PROJECT}:sales.customers. Field id is missing in new schema` });
  });

  it('creates views, lists tables and deletes', async () => {
    const ds = h.bigquery.dataset('sales');
    const [view] = await ds.createTable('oslo', { view: 'SELECT id, address.city AS city FROM sales.customers WHERE address.city = "Oslo"' });
    const vmeta = await metadataOf<{ type: string; view: { query: string } }>(view);
    expect(vmeta.type).toBe('VIEW');
    expect(vmeta.view.query).toContain('FROM sales.customers');
    const [rows] = await h.bigquery.query('SELECT * FROM `local-project.sales.oslo`');
    expect(rows).toEqual([{ id: 1, city: 'Oslo' }]);
    const [tables] = await ds.getTables();
    expect(tables.map((t) => `${t.id}:${(t.metadata as { type: string }).type}`)).toEqual(['customers:TABLE', 'oslo:VIEW']);
    await view.delete();
    expect((await ds.getTables())[0].map((t) => t.id)).toEqual(['customers']);
  });
});

describe('copy jobs', () => {
  it('copies a table, then appends to the copy', async () => {
    const source = h.bigquery.dataset('sales').table('customers');
    const dest = h.bigquery.dataset('sales').table('customers_copy');
    await source.copy(dest);
    await source.copy(dest, { writeDisposition: 'WRITE_APPEND' });
    const [rows] = await h.bigquery.query('SELECT COUNT(*) AS n FROM sales.customers_copy');
    expect(rows).toEqual([{ n: 2 }]);
    expect(await apiError(source.copy(dest))).toMatchObject({ reason: 'duplicate' });
    await dest.delete();
  });
});

describe('persistence', () => {
  it('keeps datasets, tables, rows and jobs across a restart', async () => {
    const [job] = await h.bigquery.createQueryJob({ query: 'SELECT COUNT(*) AS n FROM sales.customers' });
    await job.getQueryResults();
    await h.restart();
    const [rows] = await h.bigquery.query('SELECT id, address.city AS city FROM sales.customers');
    expect(rows).toEqual([{ id: 1, city: 'Oslo' }]);
    const meta = await metadataOf<{ friendlyName: string; schema: { fields: { name: string }[] } }>(h.bigquery.dataset('sales').table('customers'));
    expect(meta.friendlyName).toBe('Customers');
    expect(meta.schema.fields.at(-1)!.name).toBe('score');
    const jobMeta = await metadataOf<{ status: { state: string } }>(h.bigquery.job(job.id!));
    expect(jobMeta.status.state).toBe('DONE');
  });
});
