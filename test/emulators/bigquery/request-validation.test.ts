// Malformed IDs and numbers in BigQuery requests: each is a 400 in BigQuery's error shape
// (errors[].reason `invalid`) with nothing written, never a 500; domain-scoped project IDs work.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { BigQuery } from '@google-cloud/bigquery';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Harness } from './support.js';
import { PROJECT, apiError, emulatorAuth, startHarness } from './support.js';

let h: Harness;
let jobId: string;

beforeAll(async () => {
  h = await startHarness();
  const [ds] = await h.bigquery.createDataset('vals');
  const [table] = await ds.createTable('nums', { schema: [{ name: 'n', type: 'INTEGER' }] });
  await table.insert([{ n: 1 }, { n: 2 }, { n: 3 }]);
  const [job] = await h.bigquery.createQueryJob('SELECT n FROM vals.nums ORDER BY n');
  jobId = job.id!;
  await job.getQueryResults();
});

afterAll(async () => {
  await h.close();
});

interface ErrorBody {
  error: { code: number; message: string; errors: { reason: string; message: string }[] };
}

async function call(method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown }> {
  const res = await fetch(`${h.emulator.url}/bigquery/v2${path}`, {
    method,
    headers: { authorization: 'Bearer test-token', ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, json: await res.json().catch(() => undefined) };
}

/** A 400 in BigQuery's shape: the error's first reason and its message. */
async function invalid(method: string, path: string, body?: unknown): Promise<string> {
  const { status, json } = await call(method, path, body);
  expect(status).toBe(400);
  const error = (json as ErrorBody).error;
  expect(error.errors[0]!.reason).toBe('invalid');
  return error.message;
}

const projectFiles = () => readdirSync(join(h.dataDir, 'bq', 'projects')).sort();

describe('project IDs', () => {
  const bad: Record<string, string> = {
    'a NUL': 'bad\u0000project',
    '300 characters': `p${'a'.repeat(299)}`,
    'upper case': 'My-Project',
    'five characters': 'abcde',
    'a leading digit': '1project',
    'a trailing dash': 'project-',
    'an encoded slash': 'proj/ect-name',
  };

  it.each(Object.entries(bad))('answers 400 invalid for a project ID with %s and writes nothing', async (_, project) => {
    const before = projectFiles();
    const message = await invalid('POST', `/projects/${encodeURIComponent(project)}/datasets`, { datasetReference: { datasetId: 'd1' } });
    expect(message).toBe(
      `Invalid project ID '${project}'. Project IDs must contain 6-63 lowercase letters, digits, or dashes. Some project IDs also include domain name separated by a colon. IDs must start with a letter and may not end with a dash.`,
    );
    for (const path of [`/projects/${encodeURIComponent(project)}/datasets`, `/projects/${encodeURIComponent(project)}/jobs`, `/projects/${encodeURIComponent(project)}/queries/${jobId}`]) {
      await invalid('GET', path);
    }
    await invalid('POST', `/projects/${encodeURIComponent(project)}/queries`, { query: 'CREATE SCHEMA d2' });
    expect(projectFiles()).toEqual(before);
  });

  it('refuses a bad project in DDL the same way, creating nothing', async () => {
    const before = projectFiles();
    const err = await apiError(h.bigquery.query('CREATE SCHEMA `Bad_Project.d3`'));
    expect(err).toMatchObject({ code: 400, reason: 'invalid' });
    expect(err.message).toContain("Invalid project ID 'Bad_Project'");
    expect(projectFiles()).toEqual(before);
  });

  it('accepts domain-scoped and 63-character project IDs', async () => {
    for (const project of ['example.com:my-project', `p${'a'.repeat(62)}`]) {
      const client = new BigQuery({ projectId: project, apiEndpoint: h.emulator.url, authClient: emulatorAuth() });
      const [dataset] = await client.createDataset('scoped');
      expect(dataset.metadata).toMatchObject({ id: `${project}:scoped`, datasetReference: { projectId: project, datasetId: 'scoped' } });
      const [datasets] = await client.getDatasets();
      expect(datasets.map((d) => d.id)).toEqual(['scoped']);
    }
  });
});

describe('dataset, table and job IDs', () => {
  it('answers 400 for malformed dataset IDs, in the path and in the body', async () => {
    await invalid('GET', '/projects/local-project/datasets/has-dash');
    await invalid('GET', `/projects/local-project/datasets/${'d'.repeat(1025)}`);
    expect(await invalid('POST', `/projects/${PROJECT}/datasets`, { datasetReference: { datasetId: 'with\u0000nul' } })).toMatch(/^Invalid dataset ID/);
    const [datasets] = await h.bigquery.getDatasets();
    expect(datasets.map((d) => d.id)).toEqual(['vals']);
  });

  it('counts table IDs in UTF-8 bytes (at most 1,024) and refuses decorators', async () => {
    const ok = 'é'.repeat(512); // 1,024 bytes
    const [table] = await h.bigquery.dataset('vals').createTable(ok, { schema: [{ name: 'x', type: 'STRING' }] });
    expect(table.id).toBe(ok);
    const tooLong = 'é'.repeat(513);
    const err = await apiError(h.bigquery.dataset('vals').createTable(tooLong, { schema: [{ name: 'x', type: 'STRING' }] }));
    expect(err).toMatchObject({ code: 400, reason: 'invalid' });
    expect(err.message).toMatch(/^Invalid table ID/);
    await invalid('GET', `/projects/${PROJECT}/datasets/vals/tables/${encodeURIComponent(tooLong)}`);
    await invalid('GET', `/projects/${PROJECT}/datasets/vals/tables/${encodeURIComponent('nums$20240101')}/data`);
    const [tables] = await h.bigquery.dataset('vals').getTables();
    expect(tables.map((t) => t.id).sort()).toEqual(['nums', ok].sort());
  });

  it('answers 400 for a malformed job ID in the path', async () => {
    await invalid('GET', `/projects/${PROJECT}/jobs/${encodeURIComponent('job id with spaces')}`);
    await invalid('GET', `/projects/${PROJECT}/queries/${'j'.repeat(1025)}`);
  });
});

describe('numbers in query strings', () => {
  const listings = () => ({
    'datasets.list': `/projects/${PROJECT}/datasets`,
    'tables.list': `/projects/${PROJECT}/datasets/vals/tables`,
    'tabledata.list': `/projects/${PROJECT}/datasets/vals/tables/nums/data`,
    'jobs.list': `/projects/${PROJECT}/jobs`,
    'jobs.getQueryResults': `/projects/${PROJECT}/queries/${jobId}`,
  });
  const badNumbers = ['99999999999999999999', '4294967296', '-1', 'abc', '1.5', '1e3', ' 7', '0x10'];

  it('answers maxResults that is not a uint32 with BigQuery’s 400 on every listing', async () => {
    for (const [, path] of Object.entries(listings())) {
      for (const value of badNumbers) {
        expect(await invalid('GET', `${path}?maxResults=${encodeURIComponent(value)}`)).toBe(`Invalid value at 'max_results' (TYPE_UINT32), "${value}"`);
      }
      const { status } = await call('GET', `${path}?maxResults=4294967295`);
      expect(status).toBe(200);
    }
  });

  it('reads startIndex as a uint64 and timeoutMs as a uint32', async () => {
    for (const path of [listings()['tabledata.list'], listings()['jobs.getQueryResults']]) {
      expect(await invalid('GET', `${path}?startIndex=18446744073709551616`)).toBe(`Invalid value at 'start_index' (TYPE_UINT64), "18446744073709551616"`);
      await invalid('GET', `${path}?startIndex=-5`);
      const { status, json } = await call('GET', `${path}?startIndex=18446744073709551615`);
      expect(status).toBe(200);
      expect((json as { rows?: unknown[] }).rows).toBeUndefined();
      const page = await call('GET', `${path}?startIndex=1&maxResults=1`);
      expect((page.json as { rows: { f: { v: string }[] }[] }).rows.map((r) => r.f[0]!.v)).toEqual(['2']);
    }
    expect(await invalid('GET', `${listings()['jobs.getQueryResults']}?timeoutMs=4294967296`)).toBe(`Invalid value at 'timeout_ms' (TYPE_UINT32), "4294967296"`);
    expect(await invalid('GET', `${listings()['jobs.list']}?minCreationTime=abc`)).toBe(`Invalid value at 'min_creation_time' (TYPE_UINT64), "abc"`);
  });

  it('answers out-of-range numbers in a jobs.query body with 400', async () => {
    for (const body of [{ maxResults: 1e20 }, { maxResults: -1 }, { maxResults: 1.5 }, { timeoutMs: 2 ** 32 }]) {
      const message = await invalid('POST', `/projects/${PROJECT}/queries`, { query: 'SELECT 1', useLegacySql: false, ...body });
      expect(message).toMatch(/^Invalid value at 'query_request\.(max_results|timeout_ms)'/);
    }
  });
});
