// A tuning run's page from mlopsApi over HTTP (a stand-in server answering the API's JSON): with
// plots stored in Cloud Storage the page shows those files (as images); before they exist it draws
// the four plots from the run's live result with the same Vega-Lite specs the completion uses.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../../console/api-client.js';
import type { Loaded } from '../../console/api-client.js';
import { GoogleSources } from '../../console/google-sources.js';
import { loadTuningRun, tuningRunBody } from '../../console/views/tuning.js';

const result = {
  job: 'projects/p/locations/us-central1/hyperparameterTuningJobs/1',
  metric: { id: 'rmse', goal: 'MINIMIZE' },
  trials: [
    { id: '1', state: 'SUCCEEDED', modelType: 'ridge', hyperparameters: { alpha: 0.5 }, value: 14.5 },
    { id: '2', state: 'SUCCEEDED', modelType: 'xgboost', hyperparameters: { max_depth: 4, learning_rate: 0.1 }, value: 12.25 },
    { id: '3', state: 'INFEASIBLE', modelType: 'xgboost', hyperparameters: { max_depth: 9, learning_rate: 0.3 }, infeasibleReason: 'out of memory' },
  ],
  bestTrialId: '2',
  bestPerModelType: { ridge: '1', xgboost: '2' },
  parameterImportance: [],
};
const study = { modelTypes: ['ridge', 'xgboost'], metric: { id: 'rmse', goal: 'MINIMIZE' }, algorithm: 'ALGORITHM_UNSPECIFIED', maxTrialCount: 6 };
const runs: Record<string, unknown> = {
  live: { id: 'live', model: 'm', state: 'RUNNING', study, result },
  stored: { id: 'stored', model: 'm', state: 'SUCCEEDED', study, result, results: { uri: 'gs://b/tuning-runs/stored/results.json', plots: [{ name: 'optimization-history', title: 'History', svg: 'gs://b/tuning-runs/stored/plots/optimization-history.svg', spec: 'gs://b/x.vl.json' }] } },
};

describe('tuning run page', () => {
  let url = '';
  const server = createServer((req, res) => {
    const id = /^\/v1\/tuningRuns\/([^/]+)$/.exec(req.url ?? '')?.[1];
    const run = id ? runs[id] : undefined;
    res.writeHead(run ? 200 : 404, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(run ?? { error: { code: 404, message: `tuningRuns/${id} not found`, status: 'NOT_FOUND' } }));
  });
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  /** Storage answered by a stand-in: the stored SVG file's text. */
  class StoredPlots extends GoogleSources {
    readonly read: string[] = [];
    override readObject(uri: string): Promise<Loaded<string>> {
      this.read.push(uri);
      return Promise.resolve({ ok: true, value: '<svg xmlns="http://www.w3.org/2000/svg"><text>stored history</text></svg>' });
    }
  }
  const google = () => new StoredPlots({ projectId: 'p', env: { VERTEX_EMULATOR_HOST: '127.0.0.1:9', MONITORING_EMULATOR_HOST: '127.0.0.1:9', STORAGE_EMULATOR_HOST: 'http://127.0.0.1:9' } }, 'us-central1');

  it('draws the four plots from the live result while none are stored', async () => {
    const g = google();
    const data = await loadTuningRun({ api: new ApiClient(url), google: g }, 'm', 'live');
    if (typeof data === 'string') throw new Error(data);
    expect(g.read).toEqual([]);
    expect(data.plots.map((p) => [p.name, p.origin])).toEqual([
      ['optimization-history', 'drawn'],
      ['parallel-coordinates', 'drawn'],
      ['parameter-importance', 'drawn'],
      ['model-types', 'drawn'],
    ]);
    const body = tuningRunBody(data).value;
    expect(body.match(/<figure class="plot" data-plot="[a-z-]+"><svg/g)).toHaveLength(4);
    expect(body).toMatch(/<tr class="best"><td>2 \(best\)<\/td><td><span class="badge good">SUCCEEDED<\/span><\/td><td>xgboost<\/td>/);
  });

  it('shows the stored plot files once the run wrote them', async () => {
    const g = google();
    const data = await loadTuningRun({ api: new ApiClient(url), google: g }, 'm', 'stored');
    if (typeof data === 'string') throw new Error(data);
    expect(g.read).toEqual(['gs://b/tuning-runs/stored/plots/optimization-history.svg']);
    expect(data.plots).toMatchObject([{ name: 'optimization-history', origin: 'stored', source: 'gs://b/tuning-runs/stored/plots/optimization-history.svg' }]);
    expect(tuningRunBody(data).value).toContain(`src="data:image/svg+xml;base64,${Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><text>stored history</text></svg>').toString('base64')}"`);
  });

  it('an unknown run is the API’s message', async () => {
    expect(await loadTuningRun({ api: new ApiClient(url), google: google() }, 'm', 'nope')).toBe('tuningRuns/nope not found');
  });

  it('a run of another model is not found under this one', async () => {
    expect(await loadTuningRun({ api: new ApiClient(url), google: google() }, 'other', 'live')).toBe('tuningRuns/live not found for models/other');
  });
});
