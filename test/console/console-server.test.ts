// The console's server and loaders against a stand-in mlopsApi (its JSON over HTTP) and stand-in
// Vertex clients: a request target that `new URL` refuses is a 400 and the server keeps serving; a
// hung API is given up; pipeline runs are one filtered, ordered page; a run, rollout or tuning run
// of another model is not found under this one; experiment runs page up to a cap and say so; an
// unknown model's experiments are a 404; the report links only sections it has; drift series are
// cut to a bounded number of points; the report's deployed mode drops emulator variables.
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../../console/api-client.js';
import type { Loaded } from '../../console/api-client.js';
import { ModelList } from '../../console/api-schemas.js';
import { deployedEnv } from '../../console/cloud-env.js';
import type { FeatureSeries } from '../../console/google-sources.js';
import { GoogleSources, PIPELINE_RUNS_PAGE } from '../../console/google-sources.js';
import { pageFor } from '../../console/pages.js';
import { buildReport } from '../../console/report.js';
import { startConsoleServer } from '../../console/server.js';
import type { Sources } from '../../console/sources.js';
import { experimentsBody, loadExperiments, MAX_EXPERIMENT_RUNS } from '../../console/views/experiments.js';
import { downsample, MAX_SERIES_POINTS } from '../../console/views/drift.js';
import type { VertexClients } from '../../google-clients/vertex.js';

type Route = (query: URLSearchParams) => [number, unknown];
const notFound = (what: string): [number, unknown] => [404, { error: { code: 404, message: `${what} not found`, status: 'NOT_FOUND' } }];
const rollout = (id: string, model: string) => ({ id, model, phase: 'ABORTED', stepIndex: 0, stable: { version: `${model}@1` }, canary: { version: `${model}@2` }, policy: { steps: [{ setWeight: 5 }] }, createTime: '2026-12-03T10:00:00.000Z' });
const run = (i: number) => ({ name: `e/runs/r${i}`, runId: `r${i}`, displayName: `run-${i}`, createTime: new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString(), params: { i }, metrics: { rmse: 100 - (i % 50) } });

const routes: Record<string, Route> = {
  '/v1/models': () => [200, { models: [{ name: 'models/m', displayName: 'm' }] }],
  '/v1/models/m': () => [200, { name: 'models/m', displayName: 'm', versions: [{ name: 'x@1', versionId: '1' }, { name: 'x@2', versionId: '2' }], latestRuns: [{ id: 't1', state: 'SUCCEEDED', pipelineJob: 'projects/p/locations/us-central1/pipelineJobs/job-old' }] }],
  '/v1/models/m/rollouts': () => [200, { rollouts: [rollout('r-new', 'm'), rollout('r-old', 'm')] }],
  '/v1/rollouts/r-new': () => [200, rollout('r-new', 'm')],
  '/v1/rollouts/r-old': () => [200, rollout('r-old', 'm')],
  '/v1/rollouts/r-other': () => [200, rollout('r-other', 'other')],
  '/v1/models/m/experimentRuns': () => [200, { experimentRuns: [run(1)] }],
  // Page after page without end: the console stops at its cap.
  '/v1/models/many/experimentRuns': (q) => {
    const from = Number(q.get('pageToken') ?? '0');
    const size = Number(q.get('pageSize'));
    return [200, { experimentRuns: Array.from({ length: size }, (_, i) => run(1_000_000 - from - i)), nextPageToken: String(from + size) }];
  },
  '/v1/models/two-pages/experimentRuns': (q) => (q.get('pageToken') === 'p2' ? [200, { experimentRuns: [run(1)] }] : [200, { experimentRuns: [run(3), run(2)], nextPageToken: 'p2' }]),
  '/v1/models/nope/experimentRuns': () => [404, { error: { code: 404, message: 'models/nope is not a managed model (did you mean m?)', status: 'NOT_FOUND' } }],
};
const requests: string[] = [];

function apiServer(): Server {
  return createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://api.local');
    requests.push(`${url.pathname}${url.search}`);
    const [status, body] = routes[url.pathname]?.(url.searchParams) ?? notFound(url.pathname);
    res.writeHead(status, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(body));
  });
}

const job = (id: string, model: string, created: number) => ({ name: `projects/p/locations/us-central1/pipelineJobs/${id}`, displayName: id, state: 'PIPELINE_STATE_SUCCEEDED', createTime: { seconds: created }, labels: { model } });

/** Stand-in Vertex clients: what was asked of pipelines, and which clients were closed. */
function fakeVertex(jobs: ReturnType<typeof job>[], nextPageToken: string | null) {
  const calls = { list: [] as unknown[], get: [] as string[], built: 0, closed: [] as string[] };
  const closable = (name: string) => ({ close: () => Promise.resolve(void calls.closed.push(name)) });
  const build = (): VertexClients => {
    calls.built += 1;
    const pipelines = {
      ...closable('pipelines'),
      listPipelineJobs: (request: unknown, options: unknown) => {
        calls.list.push([request, options]);
        return Promise.resolve([jobs, null, { pipelineJobs: jobs, nextPageToken }]);
      },
      getPipelineJob: ({ name }: { name: string }) => {
        calls.get.push(name);
        const found = jobs.find((j) => j.name === name);
        return found ? Promise.resolve([found]) : Promise.reject(Object.assign(new Error(`${name} not found`), { code: 5 }));
      },
    };
    return { pipelines, jobs: closable('jobs'), models: closable('models'), endpoints: closable('endpoints'), predictions: closable('predictions'), vizier: closable('vizier'), metadata: closable('metadata') } as unknown as VertexClients;
  };
  return { calls, build };
}

const CE = { projectId: 'p', env: { VERTEX_EMULATOR_HOST: '127.0.0.1:9', MONITORING_EMULATOR_HOST: '127.0.0.1:9', STORAGE_EMULATOR_HOST: 'http://127.0.0.1:9' } };

/** Google sources with stand-in Vertex clients and no drift series (Monitoring is not asked). */
class TestGoogle extends GoogleSources {
  override driftSeries(): Promise<Loaded<FeatureSeries[]>> {
    return Promise.resolve({ ok: true, value: [] });
  }
}

describe('console server and loaders', () => {
  const api = apiServer();
  let apiUrl = '';
  beforeAll(async () => {
    await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
    apiUrl = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => api.close(() => resolve())));

  const sources = (vertex = fakeVertex([job('job-new', 'm', 2000), job('job-old', 'm', 1000), job('job-x', 'other', 1500)], null)): Sources => ({ api: new ApiClient(apiUrl), google: new TestGoogle(CE, 'us-central1', vertex.build) });

  it('a request target new URL refuses (//, //a:b@/x) is a 400, and the server keeps answering', async () => {
    const server = await startConsoleServer({ apiUrl, clients: CE });
    try {
      const { port } = new URL(server.url);
      const raw = (target: string) =>
        new Promise<string>((resolve, reject) => {
          const socket = connect(Number(port), '127.0.0.1', () => socket.end(`GET ${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`));
          let text = '';
          socket.on('data', (chunk: Buffer) => (text += chunk.toString()));
          socket.on('error', reject);
          socket.on('close', () => resolve(text));
        });
      expect((await raw('//')).split('\r\n')[0]).toBe('HTTP/1.1 400 Bad Request');
      expect((await raw('//a:b@/x')).split('\r\n')[0]).toBe('HTTP/1.1 400 Bad Request');
      const after = await fetch(server.url);
      expect(after.status).toBe(200);
      expect(await after.text()).toContain('<a href="/models/m">m</a>');
    } finally {
      await server.close();
    }
  });

  it('a GET the API never answers is given up after the timeout (status 0, saying so)', async () => {
    const hung = createServer(() => {});
    await new Promise<void>((resolve) => hung.listen(0, '127.0.0.1', resolve));
    try {
      const started = Date.now();
      const got = await new ApiClient(`http://127.0.0.1:${(hung.address() as AddressInfo).port}`, undefined, 200).get(ModelList, '/v1/models');
      expect(got).toMatchObject({ ok: false, status: 0 });
      expect(got.ok ? '' : got.message).toMatch(/did not answer GET \/v1\/models within 0\.2 s$/);
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      hung.closeAllConnections();
      await new Promise<void>((resolve) => hung.close(() => resolve()));
    }
  });

  it('pipeline runs: one page filtered by the model label and ordered by Vertex; a next page says older runs are not shown', async () => {
    const vertex = fakeVertex([job('job-new', 'm', 2000), job('job-x', 'other', 1500), job('job-old', 'm', 1000)], 'next');
    const s = sources(vertex);
    const runs = await s.google.listPipelineRuns('m');
    expect(vertex.calls.list).toEqual([[{ parent: 'projects/p/locations/us-central1', filter: 'labels.model="m"', orderBy: 'create_time desc', pageSize: PIPELINE_RUNS_PAGE }, { autoPaginate: false }]]);
    if (!runs.ok) throw new Error(runs.message);
    expect(runs.value.runs.map((r) => r.id)).toEqual(['job-new', 'job-old']); // another model's run is never shown
    expect(runs.value.more).toBe(true);
    const listed = await pageFor(s, '/models/m/pipelineRuns');
    expect(listed.body.value).toContain('older runs not shown');
    const last = await pageFor(sources(), '/models/m/pipelineRuns');
    expect(last.body.value).not.toContain('older runs not shown');
  });

  it('a pipeline job id that is not [a-z0-9-] is not found without asking Vertex', async () => {
    const vertex = fakeVertex([], null);
    const s = sources(vertex);
    for (const id of ['..', 'a/b', 'A', 'x'.repeat(129), '']) expect(await s.google.getPipelineRun(id)).toMatchObject({ ok: false, status: 404 });
    expect((await pageFor(s, '/models/m/pipelineRuns/job..1')).status).toBe(404);
    expect(vertex.calls.get).toEqual([]);
  });

  it('a rollout or pipeline run of another model is a 404 under this model’s path', async () => {
    const s = sources();
    expect((await pageFor(s, '/models/m/rollouts/r-new')).status).toBe(200);
    const rolloutPage = await pageFor(s, '/models/m/rollouts/r-other');
    expect(rolloutPage.status).toBe(404);
    expect(rolloutPage.body.value).toContain('rollouts/r-other not found for models/m');
    expect((await pageFor(s, '/models/m/pipelineRuns/job-new')).status).toBe(200);
    expect((await pageFor(s, '/models/m/pipelineRuns/job-x')).status).toBe(404);
  });

  it('experiment runs of an unknown model are a 404 page, not "no runs yet"', async () => {
    const p = await pageFor(sources(), '/models/nope/experiments');
    expect(p.status).toBe(404);
    expect(p.body.value).toContain('models/nope is not a managed model');
    expect(p.body.value).not.toContain('No experiment runs yet');
  });

  it('experiment runs follow nextPageToken up to the cap, and say when older runs are left out', async () => {
    requests.length = 0;
    const capped = await loadExperiments(sources(), 'many');
    if (typeof capped === 'string') throw new Error(capped);
    expect(capped.runs).toHaveLength(MAX_EXPERIMENT_RUNS);
    expect(capped.truncated).toBe(true);
    expect(requests).toHaveLength(MAX_EXPERIMENT_RUNS / 100);
    expect(requests[1]).toBe('/v1/models/many/experimentRuns?pageSize=100&pageToken=100');
    expect(experimentsBody(capped).value).toContain(`The newest ${MAX_EXPERIMENT_RUNS} runs; older runs not shown.`);
    const all = await loadExperiments(sources(), 'two-pages');
    if (typeof all === 'string') throw new Error(all);
    expect(all.runs.map((r) => r.runId)).toEqual(['r1', 'r2', 'r3']);
    expect(all.truncated).toBeUndefined();
    expect(experimentsBody(all).value).not.toContain('older runs not shown');
  });

  it('the report links only sections it has (the newest detailLimit of each), and carries its own CSP', async () => {
    const text = await buildReport(sources(), 'm', { detailLimit: 1 });
    expect(text).toContain(`<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`);
    const ids = new Set([...text.matchAll(/ id="([^"]+)"/g)].map((m) => m[1]));
    const anchors = [...text.matchAll(/href="#([^"]*)"/g)].map((m) => m[1]);
    expect(anchors.filter((a) => !ids.has(a))).toEqual([]);
    expect(anchors).toEqual(expect.arrayContaining(['rollout-r-new', 'pipeline-run-job-new', 'lineage-2']));
    expect(text).toContain('<td>r-old</td>');
    expect(text).toContain('<td>job-old</td>');
  });

  it('close() closes the Vertex clients a page built, and builds none when none was used', async () => {
    const used = fakeVertex([], null);
    const g = new GoogleSources(CE, 'us-central1', used.build);
    await g.listPipelineRuns('m');
    await g.close();
    expect(used.calls.closed.sort()).toEqual(['endpoints', 'jobs', 'metadata', 'models', 'pipelines', 'predictions', 'vizier']);
    const unused = fakeVertex([], null);
    await new GoogleSources(CE, 'us-central1', unused.build).close();
    expect(unused.calls.built).toBe(0);
  });
});

describe('drift series', () => {
  it('a week of minutely scores is cut to at most MAX_SERIES_POINTS, keeping each bucket’s peak and the last score', () => {
    const points = Array.from({ length: 10_080 }, (_, i) => ({ at: new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString(), value: i === 5_003 ? 0.9 : 0.01 + (i % 7) / 1000 }));
    const cut = downsample(points);
    expect(cut.length).toBeLessThanOrEqual(MAX_SERIES_POINTS);
    expect(cut.length).toBeGreaterThan(MAX_SERIES_POINTS / 2);
    expect(cut).toContainEqual(points[5_003]);
    expect(cut.at(-1)).toEqual(points.at(-1));
    expect(cut.map((p) => p.at)).toEqual([...cut.map((p) => p.at)].sort());
    expect(downsample(points.slice(0, 20))).toEqual(points.slice(0, 20));
  });
});

describe('report --api-url environment', () => {
  it('drops every variable that points a Google client at an emulator', () => {
    const env = { GOOGLE_CLOUD_PROJECT: 'p', STORAGE_EMULATOR_HOST: 'http://x', VERTEX_EMULATOR_HOST: 'x:1', CLOUDSDK_API_ENDPOINT_OVERRIDES_AIPLATFORM: 'http://x/', PATH: '/bin' };
    expect(deployedEnv(env)).toEqual({ GOOGLE_CLOUD_PROJECT: 'p', PATH: '/bin' });
    expect(env.STORAGE_EMULATOR_HOST).toBe('http://x');
  });
});
