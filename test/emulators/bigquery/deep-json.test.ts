// Deeply nested JSON in BigQuery requests (row values, JSON columns, RECORD schemas, dataset
// access): a 400 with nothing created, never a stack overflow. The handlers are called directly
// (no HTTP kit, so none of its generic limits), and a few cases go through the official client.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { GoogleApiError } from '../../../emulators/kit/google-error.js';
import type { EmulatorServer, Handler, RequestContext } from '../../../emulators/kit/server.js';
import { Catalog } from '../../../emulators/bigquery/catalog.js';
import { Engine } from '../../../emulators/bigquery/engine.js';
import { InsertIdWindow, ModifiedTimes } from '../../../emulators/bigquery/insert-all.js';
import { RowCoercer } from '../../../emulators/bigquery/row-coercion.js';
import { registerDatasetRoutes } from '../../../emulators/bigquery/routes/datasets.js';
import { registerTableRoutes } from '../../../emulators/bigquery/routes/tables.js';
import type { Harness } from './support.js';
import { apiError, startHarness } from './support.js';

const PROJECT = 'deep-project';
const DS = `/projects/{projectId}/datasets`;
const TABLES = `${DS}/{datasetId}/tables`;

/** `[[[...1...]]]`, `depth` arrays deep. */
function nestedArrays(depth: number): unknown {
  let v: unknown = 1;
  for (let i = 0; i < depth; i++) v = [v];
  return v;
}

/** `{"a": {"a": ... 1}}`, `depth` objects deep. */
function nestedObjects(depth: number): unknown {
  let v: unknown = 1;
  for (let i = 0; i < depth; i++) v = { a: v };
  return v;
}

/** A RECORD field `r`, `depth` RECORDs deep around a STRING leaf. */
function nestedRecord(depth: number): Record<string, unknown> {
  let f: Record<string, unknown> = { name: 'leaf', type: 'STRING' };
  for (let i = 0; i < depth; i++) f = { name: 'r', type: 'RECORD', fields: [f] };
  return f;
}

const tooDeepMessage = `Schema nested too deeply for field ${Array(15).fill('r').join('.')}, maximum allowed depth is 15.`;

let dir: string;
let engine: Engine;
let catalog: Catalog;
const handlers = new Map<string, Handler>();

/** Call a registered handler as the HTTP kit would, with the body already parsed. */
async function call(method: string, template: string, params: Record<string, string>, body?: unknown): Promise<unknown> {
  const handler = handlers.get(`${method} ${template}`);
  if (!handler) throw new Error(`no handler for ${method} ${template}`);
  const ctx = { method, path: template, params, query: new URLSearchParams(), json: () => Promise.resolve(body) } as unknown as RequestContext;
  return await handler(ctx);
}

/** The 400 a call answers (a GoogleApiError, not a RangeError from a blown stack). */
async function badRequest(promise: Promise<unknown>): Promise<GoogleApiError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(GoogleApiError);
  expect((error as GoogleApiError).code).toBe(400);
  return error as GoogleApiError;
}

const datasetIds = async () => ((await call('GET', DS, { projectId: PROJECT })) as { datasets?: { datasetReference: { datasetId: string } }[] }).datasets?.map((d) => d.datasetReference.datasetId) ?? [];
const tableIds = async () => ((await call('GET', TABLES, { projectId: PROJECT, datasetId: 'deep' })) as { tables?: { tableReference: { tableId: string } }[] }).tables?.map((t) => t.tableReference.tableId) ?? [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'bq-deep-'));
  engine = await Engine.open(dir);
  catalog = new Catalog(engine, () => 'http://emulator/bigquery/v2');
  await engine.run((db) => Catalog.init(db));
  const server = { route: (method: string, path: string, handler: Handler) => handlers.set(`${method} ${path}`, handler) } as unknown as EmulatorServer;
  registerDatasetRoutes(server, catalog);
  registerTableRoutes(server, catalog, { window: new InsertIdWindow(60_000), modified: new ModifiedTimes() });
  await call('POST', DS, { projectId: PROJECT }, { datasetReference: { datasetId: 'deep' } });
  await call('POST', TABLES, { projectId: PROJECT, datasetId: 'deep' }, { tableReference: { tableId: 'docs' }, schema: { fields: [{ name: 'id', type: 'INTEGER' }, { name: 'doc', type: 'JSON' }, { name: 'note', type: 'STRING' }] } });
});

afterEach(() => {
  vi.restoreAllMocks();
});

afterAll(async () => {
  await engine.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('RECORD schemas (handlers called directly)', () => {
  it.each([16, 30])('answers a %i-deep RECORD schema with BigQuery’s 400 and creates no table', async (depth) => {
    const err = await badRequest(call('POST', TABLES, { projectId: PROJECT, datasetId: 'deep' }, { tableReference: { tableId: `t${depth}` }, schema: { fields: [nestedRecord(depth)] } }));
    expect(err.message).toBe(tooDeepMessage);
    expect(err.options.reason).toBe('invalid');
    expect(await tableIds()).toEqual(['docs']);
  });

  // Past the JSON nesting limit (two JSON levels per RECORD) the body is refused before any parsing.
  it.each([200, 5_000])('answers a %i-deep RECORD schema with 400 and creates no table', async (depth) => {
    const err = await badRequest(call('POST', TABLES, { projectId: PROJECT, datasetId: 'deep' }, { tableReference: { tableId: `t${depth}` }, schema: { fields: [nestedRecord(depth)] } }));
    expect(err.message).toMatch(/^Invalid JSON payload received\. Message too deep/);
    expect(err.options.reason).toBe('invalid');
    expect(await tableIds()).toEqual(['docs']);
  });

  it('creates a table whose RECORDs nest exactly 15 levels (the leaf at level 16 is a column, not a RECORD)', async () => {
    await call('POST', TABLES, { projectId: PROJECT, datasetId: 'deep' }, { tableReference: { tableId: 'fifteen' }, schema: { fields: [nestedRecord(14)] } });
    expect(await tableIds()).toEqual(['docs', 'fifteen']);
  });

  it.each([16, 200])('refuses a %i-deep RECORD schema on patch and keeps the schema', async (depth) => {
    const before = await call('GET', `${TABLES}/{tableId}`, { projectId: PROJECT, datasetId: 'deep', tableId: 'docs' });
    const fields = [...(before as { schema: { fields: unknown[] } }).schema.fields, nestedRecord(depth)];
    await badRequest(call('PATCH', `${TABLES}/{tableId}`, { projectId: PROJECT, datasetId: 'deep', tableId: 'docs' }, { schema: { fields } }));
    const after = await call('GET', `${TABLES}/{tableId}`, { projectId: PROJECT, datasetId: 'deep', tableId: 'docs' });
    expect((after as { schema: unknown }).schema).toEqual((before as { schema: unknown }).schema);
  });

  it('refuses deep nesting inside a field attribute (policyTags) before writing', async () => {
    const field = { name: 'x', type: 'STRING', policyTags: { names: nestedArrays(10_000) } };
    await badRequest(call('POST', TABLES, { projectId: PROJECT, datasetId: 'deep' }, { tableReference: { tableId: 'tagged' }, schema: { fields: [field] } }));
    expect(await tableIds()).toEqual(['docs', 'fifteen']);
  });
});

describe('dataset access (handlers called directly)', () => {
  it.each([
    ['a 10,000-deep access list', nestedArrays(10_000)],
    ['a 10,000-deep value inside an access entry', [{ role: 'READER', view: { projectId: PROJECT, datasetId: 'deep', tableId: nestedArrays(10_000) } }]],
    ['an access entry with an unknown key', [{ role: 'READER', extra: { deeper: nestedArrays(200) } }]],
  ])('answers %s with 400 and leaves no dataset', async (_, access) => {
    await badRequest(call('POST', DS, { projectId: PROJECT }, { datasetReference: { datasetId: 'acl' }, access }));
    expect(await datasetIds()).toEqual(['deep']);
  });

  it('keeps a well-formed access list', async () => {
    const access = [{ role: 'READER', userByEmail: 'ada@example.com' }, { role: 'WRITER', specialGroup: 'projectWriters' }];
    const created = (await call('POST', DS, { projectId: PROJECT }, { datasetReference: { datasetId: 'acl_ok' }, access })) as { access: unknown };
    expect(created.access).toEqual(access);
    await call('DELETE', `${DS}/{datasetId}`, { projectId: PROJECT, datasetId: 'acl_ok' });
  });
});

describe('failures after validation leave nothing half-created', () => {
  it('drops the dataset again when its metadata cannot be written', async () => {
    vi.spyOn(catalog, 'saveDatasetMeta').mockRejectedValueOnce(new Error('disk full'));
    await expect(call('POST', DS, { projectId: PROJECT }, { datasetReference: { datasetId: 'half' } })).rejects.toThrow('disk full');
    expect(await datasetIds()).toEqual(['deep']);
    // And the ID is free: the same create now succeeds.
    await call('POST', DS, { projectId: PROJECT }, { datasetReference: { datasetId: 'half' } });
    expect(await datasetIds()).toEqual(['deep', 'half']);
    await call('DELETE', `${DS}/{datasetId}`, { projectId: PROJECT, datasetId: 'half' });
  });

  it.each([
    ['table', { schema: { fields: [{ name: 'a', type: 'STRING' }] } }],
    ['view', { view: { query: 'SELECT 1 AS one', useLegacySql: false } }],
  ])('drops the %s again when its metadata cannot be written', async (_, body) => {
    vi.spyOn(catalog, 'updateTableMeta').mockRejectedValueOnce(new Error('disk full'));
    await expect(call('POST', TABLES, { projectId: PROJECT, datasetId: 'deep' }, { tableReference: { tableId: 'half' }, ...body })).rejects.toThrow('disk full');
    expect(await tableIds()).toEqual(['docs', 'fifteen']);
    await call('POST', TABLES, { projectId: PROJECT, datasetId: 'deep' }, { tableReference: { tableId: 'half' }, ...body });
    expect(await tableIds()).toEqual(['docs', 'fifteen', 'half']);
    await call('DELETE', `${TABLES}/{tableId}`, { projectId: PROJECT, datasetId: 'deep', tableId: 'half' });
  });
});

describe('row values (handlers called directly)', () => {
  const insert = (rows: unknown[]) => call('POST', `${TABLES}/{tableId}/insertAll`, { projectId: PROJECT, datasetId: 'deep', tableId: 'docs' }, { rows: rows.map((json) => ({ json })) });
  const count = () => engine.run(async (db) => Number(await db.scalar(`SELECT count(*) FROM "${PROJECT}"."deep"."docs"`)));

  it('answers a 10,000-deep JSON value with 400 and writes no row', async () => {
    await badRequest(insert([{ id: 1, doc: nestedObjects(10_000) }]));
    await badRequest(insert([{ id: 2, note: nestedObjects(10_000) }]));
    expect(await count()).toBe(0);
  });

  it('stores JSON text nested 500 levels (BigQuery’s limit) and refuses JSON text nested 501', async () => {
    expect(await insert([{ id: 1, doc: JSON.stringify(nestedObjects(500)) }])).toEqual({ kind: 'bigquery#tableDataInsertAllResponse' });
    const response = (await insert([{ id: 2, doc: JSON.stringify(nestedObjects(501)) }])) as { insertErrors: { index: number; errors: { reason: string; location: string; message: string }[] }[] };
    expect(response.insertErrors).toEqual([
      { index: 0, errors: [{ reason: 'invalid', location: 'doc', debugInfo: '', message: 'Invalid JSON value for field doc: JSON nesting exceeds the limit of 500 levels.' }] },
    ]);
    expect(await count()).toBe(1);
  });

  it('reports a deep value in a non-JSON column as a row error, without printing it', () => {
    const coercer = new RowCoercer(
      [
        { name: 'doc', type: 'JSON', mode: 'NULLABLE' },
        { name: 'note', type: 'STRING', mode: 'NULLABLE' },
      ],
      false,
    );
    const result = coercer.coerce({ doc: nestedObjects(10_000), note: nestedObjects(10_000) });
    expect(result).toEqual({
      errors: [
        { reason: 'invalid', location: 'doc', debugInfo: '', message: 'Invalid JSON value for field doc: JSON nesting exceeds the limit of 500 levels.' },
        { reason: 'invalid', location: 'note', debugInfo: '', message: 'Cannot convert value to string (bad value): (a value nested more than 500 levels)' },
      ],
    });
  });
});

describe('through the official client', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness();
    await h.bigquery.createDataset('nest');
  });

  afterAll(async () => {
    await h.close();
  });

  it('refuses a 16-level RECORD schema with BigQuery’s message and accepts 15', async () => {
    const ds = h.bigquery.dataset('nest');
    const err = await apiError(ds.createTable('too_deep', { schema: { fields: [nestedRecord(15)] } }));
    expect(err).toMatchObject({ code: 400, reason: 'invalid', message: tooDeepMessage });
    await ds.createTable('deep_enough', { schema: { fields: [nestedRecord(14)] } });
    const [tables] = await ds.getTables();
    expect(tables.map((t) => t.id)).toEqual(['deep_enough']);
  });

  it('refuses a 16-level STRUCT in DDL', async () => {
    const type = `${'STRUCT<r '.repeat(16)}STRING${'>'.repeat(16)}`;
    const err = await apiError(h.bigquery.query(`CREATE TABLE nest.ddl_deep (r ${type})`));
    expect(err).toMatchObject({ code: 400, reason: 'invalidQuery' });
    expect(err.message).toMatch(/^STRUCT types are nested too deeply; the maximum depth is 15/);
    expect((await h.bigquery.dataset('nest').table('ddl_deep').exists())[0]).toBe(false);
  });
});
