// Every emulator refuses, before anything is written, what a web page or a hostile body can send:
// a cross-site request (403), a JSON body sent as text/plain (415), and JSON nested 10,000 deep in
// a free-form field (400), each checked through HTTP and then through the official clients.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BigQuery } from '@google-cloud/bigquery';
import { Storage } from '@google-cloud/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_JSON_DEPTH } from '../../../emulators/kit/json-body.js';
import { startBigQueryEmulator, type BigQueryEmulator } from '../../../emulators/bigquery/server.js';
import { startStorageEmulator, type StorageEmulator } from '../../../emulators/storage/server.js';
import { emulatorAuth } from '../bigquery/support.js';
import { PARENT as MONITORING_PARENT, startTestEmulator, type TestEmulator } from '../monitoring/support.js';
import { PARENT as VERTEX_PARENT, startTestVertex, type TestVertex } from '../vertex/support.js';

const PROJECT = 'local-project';
const DEEP = 10_000;
/** Stands for a value nested DEEP levels; spliced in as text (JSON.stringify itself would overflow). */
const DEEP_VALUE = '__deep__';
const deepText = `${'['.repeat(DEEP)}1${']'.repeat(DEEP)}`;

let dir: string;
let storage: StorageEmulator;
let bigquery: BigQueryEmulator;
let monitoring: TestEmulator;
let vertex: TestVertex;
let gcs: Storage;
let bq: BigQuery;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'emulators-hardening-'));
  storage = await startStorageEmulator({ dataDir: join(dir, 'gcs') });
  bigquery = await startBigQueryEmulator({ dataDir: join(dir, 'bq'), storage: storage.store });
  monitoring = await startTestEmulator(join(dir, 'monitoring'));
  vertex = await startTestVertex({ dataDir: join(dir, 'vertex'), storageRoot: join(dir, 'vertex-gcs') });
  gcs = new Storage({ projectId: PROJECT, apiEndpoint: storage.url, authClient: emulatorAuth() });
  bq = new BigQuery({ projectId: PROJECT, apiEndpoint: bigquery.url, authClient: emulatorAuth() });
}, 120_000);
afterAll(async () => {
  await vertex?.stop();
  await monitoring?.stop();
  await bigquery?.close();
  await storage?.close();
  rmSync(dir, { recursive: true, force: true });
});

interface ErrorBody {
  error: { code: number; message: string };
}

type Headers = Record<string, string>;
const JSON_TYPE: Headers = { 'content-type': 'application/json' };
/** What a page on another site can send without a CORS preflight. */
const CROSS_SITE: Headers = { origin: 'http://evil.example', 'content-type': 'text/plain' };

async function post(url: string, body: unknown, headers: Headers): Promise<{ status: number; message: string }> {
  const res = await fetch(url, { method: 'POST', headers, body: JSON.stringify(body).replace(`"${DEEP_VALUE}"`, deepText) });
  const json = (await res.json()) as Partial<ErrorBody>;
  return { status: res.status, message: json.error?.message ?? '' };
}

const tooDeep = new RegExp(`too deep.*${MAX_JSON_DEPTH}`);

describe('Vertex AI', () => {
  const customJobs = () => `${vertex.emulator.url}/v1/${VERTEX_PARENT}/customJobs`;
  const marker = () => join(dir, 'pwned');
  const job = () => ({
    displayName: 'from-a-web-page',
    jobSpec: { workerPoolSpecs: [{ machineSpec: { machineType: 'n1-standard-4' }, replicaCount: 1, containerSpec: { imageUri: 'alpine:3.20', command: ['sh', '-c', `touch ${marker()}`] } }] },
  });

  it('refuses a cross-site or text/plain CustomJob: no job is created', async () => {
    expect((await post(customJobs(), job(), CROSS_SITE)).status).toBe(403);
    expect((await post(customJobs(), job(), { 'content-type': 'text/plain' })).status).toBe(415);
    const [jobs] = await vertex.clients.jobs.listCustomJobs({ parent: VERTEX_PARENT });
    expect(jobs).toEqual([]);
  });

  it('refuses a pipelineSpec nested 10,000 deep with 400: no pipeline job is created', async () => {
    const body = { displayName: 'deep', pipelineSpec: { root: DEEP_VALUE }, runtimeConfig: { parameterValues: {} } };
    const res = await post(`${vertex.emulator.url}/v1/${VERTEX_PARENT}/pipelineJobs`, body, JSON_TYPE);
    expect(res.status).toBe(400);
    expect(res.message).toMatch(tooDeep);
    const [jobs] = await vertex.clients.pipelines.listPipelineJobs({ parent: VERTEX_PARENT });
    expect(jobs).toEqual([]);
  });
});

describe('Cloud Storage', () => {
  const buckets = () => `${storage.url}/storage/v1/b?project=${PROJECT}`;

  it('refuses a cross-site or text/plain bucket insert: the bucket does not exist', async () => {
    expect((await post(buckets(), { name: 'cross-site-bucket' }, CROSS_SITE)).status).toBe(403);
    expect((await post(buckets(), { name: 'cross-site-bucket' }, { 'content-type': 'text/plain' })).status).toBe(415);
    expect((await gcs.bucket('cross-site-bucket').exists())[0]).toBe(false);
  });

  it('refuses a lifecycle nested 10,000 deep with 400: the bucket does not exist', async () => {
    const res = await post(buckets(), { name: 'deep-bucket', lifecycle: { rule: DEEP_VALUE } }, JSON_TYPE);
    expect(res.status).toBe(400);
    expect(res.message).toMatch(tooDeep);
    expect((await gcs.bucket('deep-bucket').exists())[0]).toBe(false);
  });
});

describe('BigQuery', () => {
  const datasets = () => `${bigquery.url}/projects/${PROJECT}/datasets`;

  it('refuses a cross-site dataset insert: the dataset does not exist', async () => {
    expect((await post(datasets(), { datasetReference: { datasetId: 'cross_site' } }, CROSS_SITE)).status).toBe(403);
    expect((await bq.dataset('cross_site').exists())[0]).toBe(false);
  });

  it('refuses a dataset access list nested 10,000 deep with 400: the dataset does not exist', async () => {
    const res = await post(datasets(), { datasetReference: { datasetId: 'deep' }, access: DEEP_VALUE }, JSON_TYPE);
    expect(res.status).toBe(400);
    expect(res.message).toMatch(tooDeep);
    expect((await bq.dataset('deep').exists())[0]).toBe(false);
  });
});

describe('Cloud Monitoring', () => {
  const type = 'custom.googleapis.com/hardening/deep';

  it('refuses a cross-site metric descriptor: none is created', async () => {
    const descriptor = { type: 'custom.googleapis.com/hardening/cross_site', metricKind: 'GAUGE', valueType: 'DOUBLE' };
    expect((await post(`${monitoring.emulator.url}/v3/${MONITORING_PARENT}/metricDescriptors`, descriptor, CROSS_SITE)).status).toBe(403);
    const [descriptors] = await monitoring.client.listMetricDescriptors({ name: MONITORING_PARENT, filter: `metric.type = starts_with("custom.googleapis.com/hardening/")` });
    expect(descriptors).toEqual([]);
  });

  it('refuses exemplar attachments nested 10,000 deep with 400: nothing is written', async () => {
    const now = new Date().toISOString();
    const point = {
      interval: { endTime: now },
      value: { distributionValue: { count: '1', bucketOptions: { explicitBuckets: { bounds: [1] } }, bucketCounts: ['1', '0'], exemplars: [{ value: 0.5, timestamp: now, attachments: [{ '@type': 'type.googleapis.com/x', v: DEEP_VALUE }] }] } },
    };
    const body = { timeSeries: [{ metric: { type }, resource: { type: 'global', labels: {} }, metricKind: 'GAUGE', valueType: 'DISTRIBUTION', points: [point] }] };
    const res = await post(`${monitoring.emulator.url}/v3/${MONITORING_PARENT}/timeSeries`, body, JSON_TYPE);
    expect(res.status).toBe(400);
    expect(res.message).toMatch(tooDeep);
    const [descriptors] = await monitoring.client.listMetricDescriptors({ name: MONITORING_PARENT, filter: `metric.type = "${type}"` });
    expect(descriptors).toEqual([]);
  });
});
