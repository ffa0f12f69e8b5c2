// The web console in real Chromium against a local cloud: data put there through public APIs (a
// model version with an evaluation via the Model Registry, a PipelineJob whose second task fails,
// experiment runs in ML Metadata as the Vertex SDK writes them, drift scores in Cloud Monitoring) and the control plane's own state documents (a rollout, the
// latest drift check) in its bucket; then what a person sees: headings, rows with the real values,
// plots, links that navigate, the failed task shown failed, a hostile description shown as text.
// Also `npm run report`: one HTML file with the same views.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConsoleServer } from '../../console/server.js';
import { startConsoleForEnv } from '../../console/server.js';
import { ModelCheckRecord } from '../../control-plane/drift/drift-check-record.js';
import { RolloutRecord } from '../../control-plane/rollouts/rollout-record.js';
import { envFileText } from '../../emulators/launcher/local-cloud.js';
import { metricServiceClient } from '../../google-clients/monitoring.js';
import { storageClient } from '../../google-clients/storage.js';
import { vertexClients } from '../../google-clients/vertex.js';
import { compilePipeline } from '../../pipelines/compiler/index.js';
import { containerComponent, definePipeline, param } from '../../pipelines/dsl/index.js';
import { buildCreatePipelineJobRequest } from '../../vertex/requests/pipeline-job.js';
import { toStruct } from '../../vertex/shared/struct.js';
import type { TestCloud } from '../support/local-cloud.js';
import { startTestCloud } from '../support/local-cloud.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const skip = existsSync(CHROMIUM) ? undefined : `no Chromium at ${CHROMIUM} (set CHROMIUM_PATH; Debian: apt-get install chromium)`;
// On CI a missing browser is a broken machine, not a reason to pass without looking.
if (skip && process.env.CI) throw new Error(skip);
/** The policy every console page carries; a served model card adds `sandbox`. */
const PAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";
const TERMINAL = /(SUCCEEDED|FAILED|CANCELLED)$/;

const HOSTILE = `<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>`;
const MODEL = 'flight-delay';
const REGION = 'us-central1';

const step = containerComponent({
  name: 'step',
  inputs: { text: param.string(), code: param.string() },
  outputs: { Output: param.string() },
  image: 'alpine',
  command: () => ['sh', '-c', 'printf %s "$0" > "$1"; if [ "$2" != 0 ]; then echo "boom" >&2; exit "$2"; fi'],
  args: ({ inputs, outputs }) => [inputs.text, outputs.Output, inputs.code],
});
const pipeline = definePipeline({ name: 'console-test', inputs: { text: param.string() } }, (p, { text }) => {
  const prepare = p.task(step, { text, code: '0' });
  p.task(step, { text: prepare.output, code: '3' });
});

function rolloutDocument(project: string) {
  const model = `projects/${project}/locations/${REGION}/models/${MODEL}`;
  const criteria = { minRequests: 20, maxErrorRateRatio: 2, errorRateSlack: 0.01, maxLatencyP95Ratio: 1.5, latencyP95SlackMs: 20, maxQualityDegradation: 0.05, minQualitySamples: 20, failureLimit: 1, consecutiveErrorLimit: 3 };
  return RolloutRecord.parse({
    id: `${MODEL}-v2`,
    name: `rollouts/${MODEL}-v2`,
    model: MODEL,
    endpoint: `projects/${project}/locations/${REGION}/endpoints/${MODEL}`,
    stable: { version: `${model}@1`, deployedModelId: '101' },
    canary: { version: `${model}@2`, deployedModelId: '102' },
    policy: { steps: [{ setWeight: 5 }, { analysis: {} }, { setWeight: 50 }], analysis: criteria, onManualTrafficChange: 'pause', analysisWindowSeconds: 30, analysisIntervalSeconds: 5, scaleDownDelaySeconds: 5, deployTimeoutSeconds: 60 },
    phase: 'ABORTED',
    abortReason: 'latency_p95 failed at step 2',
    stepIndex: 1,
    attempt: 1,
    steps: [
      { index: 0, startedAt: '2026-12-03T10:00:00.000Z', finishedAt: '2026-12-03T10:00:05.000Z', verdict: 'Successful' },
      {
        index: 1,
        startedAt: '2026-12-03T10:00:05.000Z',
        finishedAt: '2026-12-03T10:00:20.000Z',
        verdict: 'Failed',
        failures: 1,
        measurements: [
          {
            at: '2026-12-03T10:00:20.000Z',
            windowStart: '2026-12-03T10:00:05.000Z',
            windowEnd: '2026-12-03T10:00:20.000Z',
            stable: { requestCount: 400, predictionCount: 400, errorCount: 0, errorRate: 0, latencyP95Ms: 21.5 },
            canary: { requestCount: 31, predictionCount: 31, errorCount: 0, errorRate: 0, latencyP95Ms: 172.25 },
            checks: [{ name: 'latency_p95', value: 172.25, limit: 52.25, outcome: 'fail', detail: 'canary p95 172.25 ms above 1.5 × stable + 20 ms' }],
            result: 'Failed',
          },
        ],
      },
    ],
    traffic: { desired: { '101': 100 }, previous: { '101': 95, '102': 5 } },
    history: [{ id: 'h1', kind: 'ABORT', at: '2026-12-03T10:00:21.000Z', actor: 'reconcileRollouts', reason: 'latency_p95 failed', stepIndex: 1 }],
    requestedBy: 'test@example.com',
    createTime: '2026-12-03T09:59:59.000Z',
    updateTime: '2026-12-03T10:00:21.000Z',
  });
}

/** The report script as a person runs it; asynchronous, since the emulators serve from this process. */
function report(args: string[]): Promise<{ status: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/report.ts', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stderr }));
  });
}

describe('web console against a local cloud', () => {
  let cloud: TestCloud;
  let pipelineJobId = '';

  beforeAll(async () => {
    cloud = await startTestCloud({ vertex: true, functions: { extraEnv: { MLOPS_ENVIRONMENT: 'local' } } });
    const ce = { projectId: cloud.projectId, env: { ...cloud.env } };
    const vertex = vertexClients(REGION, ce);
    const parent = `projects/${cloud.projectId}/locations/${REGION}`;
    const containerSpec = { imageUri: 'python:3.11', command: ['python3', '-m', 'http.server'] };
    // Version 1 was registered with its model card beside its artifacts (as the training completion does).
    const artifacts = `gs://${cloud.projectId}-pipelines/models/flight-delay-1`;
    await storageClient(ce).bucket(`${cloud.projectId}-pipelines`).file('models/flight-delay-1/model_card.html').save('<!doctype html><html><body><h1>Model card: flight-delay v1</h1><script>window.__pwned=3</script></body></html>', { contentType: 'text/html' });
    const [first] = await vertex.models.uploadModel({ parent, modelId: MODEL, model: { displayName: MODEL, containerSpec, artifactUri: artifacts, versionAliases: ['champion'], versionDescription: HOSTILE, labels: { team: 'ml', model_card: 'md-html' } } });
    const { model } = await first.promise().then(([r]) => ({ model: String(r.model) }));
    const [second] = await vertex.models.uploadModel({ parent, parentModel: model, model: { displayName: MODEL, containerSpec, versionAliases: ['challenger'], versionDescription: 'Model card: https://example.com/cards/flight-delay' } });
    await second.promise();
    await vertex.models.importModelEvaluation({ parent: `${model}@1`, modelEvaluation: { displayName: 'test split', metricsSchemaUri: 'gs://google-cloud-aiplatform/schema/modelevaluation/regression_metrics_1.0.0.yaml', metrics: { structValue: { fields: { rootMeanSquaredError: { numberValue: 12.75 } } } } } });
    const request = buildCreatePipelineJobRequest({ project: cloud.projectId, location: REGION, pipelineSpec: compilePipeline(pipeline), runKey: 'console-test-1', gcsOutputDirectory: `gs://${cloud.projectId}-pipelines/console-test`, parameterValues: { text: 'hi' }, labels: { model: MODEL } });
    const [job] = await vertex.pipelines.createPipelineJob(request);
    pipelineJobId = job.name!.split('/').pop()!;
    // Experiment runs as the Vertex AI SDK lays them out: runs are children of the model's experiment.
    const store = `${parent}/metadataStores/default`;
    await vertex.metadata.createMetadataStore({ parent, metadataStoreId: 'default', metadataStore: {} }).then(([op]) => op.promise()).catch((err: { code?: number }) => {
      if (err.code !== 6) throw err;
    });
    await vertex.metadata.createContext({ parent: store, contextId: MODEL, context: { displayName: MODEL, schemaTitle: 'system.Experiment', metadata: toStruct({ experiment_deleted: false }, 'metadata') } });
    const runs = [
      ['ridge', HOSTILE, { model_type: 'ridge', alpha: 1 }, { rmse: 14.25, mae: 9.5 }],
      ['xgb', 'xgboost-run', { model_type: 'xgboost', max_depth: 6 }, { rmse: 12.5, mae: 9.75 }],
      ['forest', 'forest-run', { model_type: 'random_forest', n_estimators: 200 }, { rmse: 13, mae: 8.25 }],
    ] as const;
    for (const [id, displayName, params, metrics] of runs) {
      await vertex.metadata.createContext({ parent: store, contextId: `${MODEL}-${id}`, context: { displayName, schemaTitle: 'system.ExperimentRun', metadata: toStruct({ _params: { ...params }, _metrics: { ...metrics }, _state: 'COMPLETE' }, 'metadata') } });
    }
    await vertex.metadata.addContextChildren({ context: `${store}/contexts/${MODEL}`, childContexts: runs.map(([id]) => `${store}/contexts/${MODEL}-${id}`) });
    // Drift scores as checkDrift writes them (two checks, 6 s apart), and its latest check record.
    const monitoring = metricServiceClient(ce);
    const now = Date.now();
    for (const [i, value] of [0.04, 0.31].entries()) {
      const seconds = Math.floor((now - 60_000 + i * 6_000) / 1000);
      await monitoring.createTimeSeries({
        name: `projects/${cloud.projectId}`,
        timeSeries: [{ metric: { type: 'custom.googleapis.com/mlops/drift/feature_score', labels: { model: MODEL, version: '1', feature: 'date_month', metric: 'jensen_shannon' } }, resource: { type: 'global', labels: { project_id: cloud.projectId } }, metricKind: 'GAUGE', valueType: 'DOUBLE', points: [{ interval: { endTime: { seconds } }, value: { doubleValue: value } }] }],
      });
    }
    await monitoring.close();
    const check = ModelCheckRecord.parse({
      model: MODEL,
      checkId: 'c1',
      checkedAt: new Date(now - 54_000).toISOString(),
      window: { start: new Date(now - 120_000).toISOString(), end: new Date(now - 54_000).toISOString() },
      versions: [{ version: `${model}@1`, versionId: '1', deployedModelId: '101', trafficPercent: 100, servedInstances: 900, features: [{ feature: 'date_month', kind: 'categorical', servingCount: 900, missingFraction: 0, distance: { metric: 'l_infinity', value: 0.31 }, threshold: 0.2, drifted: true }], drifted: ['date_month'] }],
      retrains: [],
    });
    const state = storageClient(ce).bucket(`${cloud.projectId}-mlops-state`);
    await state.file(`rollouts/${MODEL}-v2.json`).save(JSON.stringify(rolloutDocument(cloud.projectId)));
    await state.file(`model-checks/${MODEL}.json`).save(JSON.stringify(check));
    // Wait for the pipeline to end (two tiny shell tasks; slower on a loaded machine), with a
    // deadline of its own that says where it stood rather than the hook's bare timeout.
    const deadline = Date.now() + 150_000;
    for (let state = ''; !TERMINAL.test(state); ) {
      const [current] = await vertex.pipelines.getPipelineJob({ name: job.name! });
      state = String(current.state);
      if (TERMINAL.test(state)) break;
      if (Date.now() > deadline) throw new Error(`pipeline job ${pipelineJobId} did not end within 150 s: last state ${state}`);
      await new Promise((r) => setTimeout(r, 300));
    }
    await Promise.all(Object.values(vertex).map((c) => c.close()));
  }, 240_000);

  afterAll(async () => {
    await cloud?.teardown();
  }, 60_000);

  describe.skipIf(skip !== undefined)('in Chromium', () => {
    let consoleServer: ConsoleServer;
    let browser: Browser;
    let page: Page;
    const dialogs: string[] = [];

    beforeAll(async () => {
      consoleServer = (await startConsoleForEnv(cloud.env))!;
      browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
      page = await browser.newPage();
      // A locator that never matches fails naming itself, before the test's own timeout.
      page.setDefaultTimeout(15_000);
      page.on('dialog', (d) => {
        dialogs.push(d.message());
        void d.dismiss();
      });
    }, 60_000);

    afterAll(async () => {
      await browser?.close();
      await consoleServer?.close();
    }, 60_000);

    it('models list → model page: versions with aliases, evaluation metrics, a hostile description as text', async () => {
      await page.goto(consoleServer.url);
      expect(await page.locator('h1').textContent()).toBe('Models');
      const [modelPage] = await Promise.all([page.waitForResponse((r) => r.url().endsWith(`/models/${MODEL}`)), page.getByRole('link', { name: MODEL, exact: true }).click()]);
      // The hostile description must be text (the checks below); no script could run anyway.
      expect(modelPage.headers()['content-security-policy']).toBe(PAGE_CSP);
      expect(await page.locator('h1').textContent()).toBe(`Model ${MODEL}`);
      const v1 = page.locator('tr[data-version="1"]');
      expect(await v1.locator('td').nth(1).textContent()).toContain('champion');
      expect(await v1.locator('td').nth(4).textContent()).toBe(HOSTILE);
      const v2 = page.locator('tr[data-version="2"]');
      expect(await v2.locator('td').nth(1).textContent()).toContain('challenger');
      expect(await v2.locator('td').nth(5).locator('a').getAttribute('href')).toBe('https://example.com/cards/flight-delay');
      expect(await page.locator('table.evaluations').first().textContent()).toContain('rootMeanSquaredError 12.75');
      expect(dialogs).toEqual([]);
      // The model card, read from Storage where the API says it lies, served sandboxed: an opaque
      // origin (no cookies, no same-origin reads of the console) and no script.
      const [card] = await Promise.all([page.waitForResponse((r) => r.url().endsWith('/modelCard')), v1.getByRole('link', { name: 'model card' }).click()]);
      expect(card.headers()['content-security-policy']).toBe(`${PAGE_CSP}; sandbox`);
      expect(await page.locator('h1').textContent()).toBe('Model card: flight-delay v1');
      expect(await page.evaluate(() => (globalThis as unknown as { origin: string }).origin)).toBe('null');
    });

    it('rollouts → a rollout: timeline with traffic and the failing check’s numbers', async () => {
      await page.goto(`${consoleServer.url}/models/${MODEL}`);
      await page.getByRole('link', { name: 'rollouts', exact: true }).click();
      const row = page.locator('table.rollouts tbody tr');
      expect(await row.count()).toBe(1);
      expect(await row.locator('td').nth(1).textContent()).toBe('ABORTED');
      await row.getByRole('link', { name: `${MODEL}-v2` }).click();
      expect(await page.locator('h1').textContent()).toBe(`Rollout ${MODEL}-v2`);
      const steps = page.locator('table.timeline tbody tr');
      expect(await steps.allTextContents()).toEqual([
        expect.stringMatching(/^1set canary traffic to 5%5%2026-12-03 10:00:002026-12-03 10:00:05Successful0$/),
        expect.stringMatching(/^2analysis5%.*Failed1$/),
        expect.stringMatching(/^3set canary traffic to 50%50%/),
      ]);
      expect(await page.locator('div.plot.traffic svg').textContent()).toContain('canary traffic');
      const check = page.locator('table.checks tbody tr').first();
      expect(await check.locator('td').allTextContents()).toEqual(['latency_p95', '172.3', '52.25', 'FAILED', 'canary p95 172.25 ms above 1.5 × stable + 20 ms']);
    });

    it('experiment runs side by side: params and metrics, the best run by RMSE highlighted, a plot', async () => {
      await page.goto(`${consoleServer.url}/models/${MODEL}`);
      await page.getByRole('link', { name: 'experiment runs', exact: true }).click();
      expect(await page.locator('h1').textContent()).toBe(`Experiment runs of ${MODEL}`);
      const rows = page.locator('table.experiment-runs tbody tr');
      expect(await rows.count()).toBe(3);
      const best = page.locator('table.experiment-runs tbody tr.best');
      expect(await best.locator('td').first().textContent()).toBe('xgboost-run');
      expect(await best.textContent()).toContain('12.5 ★');
      expect(await page.locator('table.experiment-runs thead th').allTextContents()).toEqual(['run', 'kind', 'state', 'created', 'alpha', 'max_depth', 'model_type', 'n_estimators', 'mae', 'rmse']);
      expect(await page.getByRole('cell', { name: HOSTILE, exact: true }).count()).toBe(1);
      expect(await page.locator('div.plot svg').textContent()).toContain('rmse by run');
    });

    it('drift: the latest check per feature and the Monitoring series plotted', async () => {
      await page.goto(`${consoleServer.url}/models/${MODEL}/drift`);
      expect(await page.locator('table.drift tbody tr td').first().textContent()).toBe('date_month');
      const plot = page.locator('figure.plot[data-feature="date_month"] svg');
      expect(await plot.count()).toBe(1);
      expect(await plot.textContent()).toContain('date_month (jensen_shannon)');
    });

    it('pipeline runs → a run: the task graph with the failed task in red and its row FAILED', async () => {
      await page.goto(`${consoleServer.url}/models/${MODEL}`);
      await page.getByRole('link', { name: 'pipeline runs', exact: true }).click();
      await page.getByRole('link', { name: pipelineJobId }).click();
      expect(await page.locator('h1').textContent()).toBe(`Pipeline run ${pipelineJobId}`);
      expect(await page.locator('svg.task-graph g.task').count()).toBe(2);
      const failed = page.locator('svg.task-graph g.task[data-task="step-2"]');
      expect(await failed.getAttribute('data-state')).toBe('FAILED');
      expect(await failed.locator('rect').getAttribute('stroke')).toBe('#c62828');
      expect(await page.locator('svg.task-graph g.task[data-task="step"]').getAttribute('data-state')).toBe('SUCCEEDED');
      expect(await page.locator('tr[data-task="step-2"] td').nth(1).textContent()).toBe('FAILED');
    });

    it('experiment runs, tuning runs, lineage and decisions pages answer (or say why not)', async () => {
      for (const [path, heading] of [
        [`/models/${MODEL}/experiments`, `Experiment runs of ${MODEL}`],
        [`/models/${MODEL}/tuningRuns`, `Tuning runs of ${MODEL}`],
        [`/models/${MODEL}/versions/1/lineage`, `Lineage of ${MODEL} version 1`],
        [`/models/${MODEL}/decisions`, `Decisions about ${MODEL}`],
      ] as const) {
        const response = await page.goto(`${consoleServer.url}${path}`);
        expect(response?.status(), path).toBe(200);
        expect(await page.locator('h1').textContent()).toBe(heading);
      }
      const missing = await page.goto(`${consoleServer.url}/models/${MODEL}/rollouts/nope-v9`);
      expect(missing?.status()).toBe(404);
      expect(await page.locator('p.na').textContent()).toMatch(/^The rollout not available: /);
    });
  });

  // The file is checked as text; Chromium, where there is one, also opens it from disk.
  describe('npm run report', () => {
    it('writes one self-contained HTML file of the model', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'console-report-'));
      try {
        writeFileSync(join(dir, 'env'), envFileText(cloud.env));
        const out = join(dir, 'report.html');
        const run = await report(['--model', MODEL, '--out', out, '--data-dir', dir]);
        expect(run.status, run.stderr).toBe(0);
        expect(run.stderr).toContain('report: reading rollouts');
        const text = readFileSync(out, 'utf8');
        for (const id of ['model', 'experiments', 'rollouts', `rollout-${MODEL}-v2`, 'drift', 'pipeline-runs', `pipeline-run-${pipelineJobId}`, 'tuning-runs', 'lineage', 'decisions']) expect(text, id).toContain(`<section id="${id}">`);
        expect(text).toContain('class="task-graph"');
        expect(text).toContain('date_month (jensen_shannon)');
        expect(text).toContain('<tr class="best"><td>xgboost-run</td>');
        expect(text).not.toMatch(/<script|src="http|href="\/models/);
        // No server sends a CSP header for a file: the report carries its own.
        expect(text).toContain(`<meta http-equiv="Content-Security-Policy" content="${PAGE_CSP}">`);
        expect(text).toMatch(/<section id="rollout-flight-delay-v2"><h3>Rollout flight-delay-v2<\/h3>[^]*<td>latency_p95<\/td>/);
        if (!skip) {
          // Opened from disk, it shows the same rollout numbers.
          const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
          try {
            const page = await browser.newPage();
            await page.goto(`file://${out}`);
            expect(await page.locator(`#rollout-${MODEL}-v2 table.checks td`).first().textContent()).toBe('latency_p95');
          } finally {
            await browser.close();
          }
        }
        const stale = await report(['--model', MODEL, '--data-dir', join(dir, 'nothing')]);
        expect(stale.status).toBe(1);
        expect(stale.stderr).toContain('the local cloud is not running');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }, 180_000);
  });
});
