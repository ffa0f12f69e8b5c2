// The console's view renderers on fixed data: every value escaped, the best run and best trial
// marked, a rollout's timeline and the numbers behind its verdicts, the task graph coloured by
// state, drift plotted against its threshold, "not available" where an endpoint is missing.
import { describe, expect, it } from 'vitest';
import { escapeHtml, html, page } from '../../console/html.js';
import { driftSpec, renderSvg } from '../../console/plots.js';
import { pageLinks, reportLinks } from '../../console/sources.js';
import { bestRun, experimentsBody, primaryMetric } from '../../console/views/experiments.js';
import { modelBody, modelsListBody } from '../../console/views/models.js';
import { pipelineRunBody } from '../../console/views/pipelines.js';
import { decisionsBody, lineageBody } from '../../console/views/records.js';
import { rolloutBody, trafficPoints } from '../../console/views/rollouts.js';
import { taskGraph, taskGraphSvg } from '../../console/views/task-graph.js';
import { tuningRunBody } from '../../console/views/tuning.js';
import type { Evaluations, ExperimentRun } from '../../console/api-schemas.js';
import { Rollout } from '../../console/api-schemas.js';
import { compilePipeline } from '../../pipelines/compiler/index.js';
import { containerComponent, definePipeline, param } from '../../pipelines/dsl/index.js';

const HOSTILE = `<script>alert("x")</script><img src=x onerror=alert(1)>`;

describe('html', () => {
  it('escapes interpolated values and keeps nested markup', () => {
    const inner = html`<b>${HOSTILE}</b>`;
    const out = html`<p title="${'"quoted" & <b>'}">${inner}${[1, 'a<b', null, undefined]}</p>`.value;
    expect(out).toBe(`<p title="&quot;quoted&quot; &amp; &lt;b&gt;"><b>${escapeHtml(HOSTILE)}</b>1a&lt;b</p>`);
    expect(out).not.toContain('<script>');
  });

  it('a page escapes its title and breadcrumbs', () => {
    const text = page(HOSTILE, [{ label: HOSTILE, href: '/x?a="b"' }], html`<p>body</p>`);
    expect(text).not.toContain('<script>');
    expect(text).toContain('href="/x?a=&quot;b&quot;"');
    expect(text).toMatch(/^<!doctype html>/);
  });
});

describe('models', () => {
  it('lists models with links to their pages, escaping a hostile display name', () => {
    const body = modelsListBody([{ name: 'models/flight-delay', displayName: HOSTILE, description: '', task: 'regression', pipeline: 'training', environment: 'local' }], pageLinks).value;
    expect(body).toContain('<a href="/models/flight-delay">flight-delay</a>');
    expect(body).toContain('&lt;script&gt;');
    expect(body).not.toContain('<script>');
  });

  it('shows versions with aliases, evaluation metrics, decisions and a model card link', () => {
    const body = modelBody(
      {
        model: {
          name: 'models/flight-delay',
          displayName: 'Flight delay',
          description: HOSTILE,
          versions: [
            { name: 'm@2', versionId: '2', aliases: ['challenger'], labels: { model_card: 'md-html' }, description: 'see https://example.com/card | model card: gs://b/m2/model_card.html (Markdown: gs://b/m2/model_card.md)', modelCard: { htmlUri: 'gs://b/m2/model_card.html', markdownUri: 'gs://b/m2/model_card.md' } },
            { name: 'm@1', versionId: '1', aliases: ['champion', 'default'], labels: {} },
          ],
          latestRuns: [{ id: 'run-1', state: 'SUCCEEDED', pipelineJob: 'projects/p/locations/r/pipelineJobs/job-1' }],
        },
        evaluations: new Map<string, Evaluations | string>([
          ['2', { evaluations: [{ name: 'e/1', displayName: 'test split', metrics: { rootMeanSquaredError: 12.3456, meanAbsoluteError: 7 } }], decisions: [{ id: 'run-1', outcome: 'CHALLENGER', reasons: ['better by 3%'], metrics: { rmse: 12.35 } }] }],
          ['1', 'models/flight-delay@1 not found'],
        ]),
      },
      pageLinks,
    ).value;
    expect(body).not.toContain('<script>');
    expect(body).toMatch(/<tr data-version="2"><td>2<\/td><td><span class="badge idle">challenger<\/span>/);
    expect(body).toContain('<span class="badge good">champion</span>');
    expect(body).toContain('<a href="https://example.com/card">https://example.com/card</a>');
    expect(body).toContain('<a class="model-card" href="/models/flight-delay/versions/2/modelCard">model card</a> <code>gs://b/m2/model_card.html</code> <code>gs://b/m2/model_card.md</code> <a href="https://example.com/card">');
    expect(body.match(/gs:\/\/b\/m2\/model_card\.html/g)).toHaveLength(2); // the link cell once, the description once
    expect(body).toContain('<code>rootMeanSquaredError</code> 12.35');
    expect(body).toContain('better by 3%');
    expect(body).toContain('Evaluations not available: models/flight-delay@1 not found');
    expect(body).toContain('href="/models/flight-delay/pipelineRuns/job-1"');
    expect(body).toContain('href="/models/flight-delay/versions/2/lineage"');
  });
});

describe('experiment runs', () => {
  const runs: ExperimentRun[] = [
    { name: 'a', displayName: 'ridge', params: { model_type: 'ridge', alpha: 1 }, metrics: { rmse: 14.2, r2: 0.31 } },
    { name: 'b', displayName: 'xgboost', params: { model_type: 'xgboost', max_depth: 6 }, metrics: { rmse: 12.9, r2: 0.29 } },
    { name: 'c', displayName: HOSTILE, params: { model_type: 'random_forest' }, metrics: { rmse: 13.5, r2: 0.4 } },
  ];

  it('ranks by the error metric (lower is better) and marks each metric’s best', async () => {
    expect(primaryMetric(runs)).toBe('rmse');
    expect(bestRun(runs, 'rmse')?.name).toBe('b');
    expect(bestRun(runs, 'r2')?.name).toBe('c');
    const plot = await renderSvg({ $schema: 'https://vega.github.io/schema/vega-lite/v6.json', data: { values: [{ a: 1 }] }, mark: 'bar', encoding: { x: { field: 'a', type: 'quantitative' } } });
    const body = experimentsBody({ runs, source: 'test', plot }).value;
    expect(body).toMatch(/<tr class="best"><td>xgboost<\/td>/);
    expect(experimentsBody({ runs: [{ name: 'x', runId: 'run-9', params: {}, metrics: { rmse: 3, note: 'n/a' } }], source: 'test' }).value).toContain('<td class="num">n/a</td>');
    expect(body).toContain('<th>alpha</th>');
    expect(body).toContain('<th>max_depth</th>');
    expect(body).toContain('<td class="num best-value">0.4 ★</td>');
    expect(body).not.toContain('<script>');
    expect(body).toContain('<svg');
  });
});

describe('rollouts', () => {
  const rollout = Rollout.parse({
    id: 'flight-delay-v3',
    phase: 'ABORTED',
    stepIndex: 1,
    canaryWeight: 0,
    stable: { version: 'projects/p/locations/r/models/flight-delay@2', deployedModelId: 'd2' },
    canary: { version: 'projects/p/locations/r/models/flight-delay@3', deployedModelId: 'd3' },
    policy: { steps: [{ setWeight: 5 }, { analysis: {} }, { setWeight: 50 }], analysis: { maxLatencyP95Ratio: 1.5, latencyP95SlackMs: 20 } },
    steps: [
      { index: 0, startedAt: '2026-12-03T10:00:00Z', finishedAt: '2026-12-03T10:00:05Z', verdict: 'Successful', measurements: [] },
      {
        index: 1,
        startedAt: '2026-12-03T10:00:05Z',
        verdict: 'Failed',
        measurements: [
          {
            at: '2026-12-03T10:00:20Z',
            windowStart: '2026-12-03T10:00:05Z',
            windowEnd: '2026-12-03T10:00:20Z',
            stable: { requestCount: 400, errorRate: 0, latencyP95Ms: 21.5 },
            canary: { requestCount: 30, errorRate: 0, latencyP95Ms: 172.25 },
            quality: { metric: 'rmse', stable: { n: 300, value: 13.1, ci: [12.5, 13.8] }, canary: { n: 25, value: 13.4, ci: [11.9, 15.2] }, relativeChange: { estimate: 0.023, ci: [-0.08, 0.14] } },
            checks: [{ name: 'latency_p95', value: 172.25, limit: 52.25, outcome: 'fail', detail: 'canary p95 172 ms > 1.5 × stable + 20 ms' }],
            result: 'Failed',
          },
        ],
      },
    ],
    history: [{ id: 'd1', kind: 'ABORT', at: '2026-12-03T10:00:21Z', actor: 'reconcileRollouts', reason: 'latency_p95 failed', stepIndex: 1 }],
    createTime: '2026-12-03T09:59:59Z',
  });

  it('shows each step’s traffic, times and verdict, and the numbers behind the failing check', () => {
    const body = rolloutBody({ rollout }).value;
    expect(trafficPoints(rollout)).toEqual([{ at: '2026-12-03T10:00:00Z', canaryPercent: 5 }, { at: '2026-12-03T10:00:05Z', canaryPercent: 5 }, { at: '2026-12-03T10:00:21Z', canaryPercent: 0 }]);
    expect(body).toMatch(/<tr class="step done"><td>1<\/td><td>set canary traffic to 5%<\/td><td class="num">5%<\/td><td>2026-12-03 10:00:00<\/td>/);
    expect(body).toMatch(/<tr class="step pending"><td>3<\/td><td>set canary traffic to 50%<\/td><td class="num">50%<\/td>/);
    expect(body).toContain('<td>latency_p95</td><td class="num">172.3</td><td class="num">52.25</td><td><span class="badge bad">FAILED</span>');
    expect(body).toContain('rmse: stable 13.1 [12.5, 13.8] (n=300), canary 13.4 [11.9, 15.2] (n=25), relative change 0.023 CI [-0.08, 0.14]');
    expect(body).toContain('<th>maxLatencyP95Ratio</th><td class="num">1.5</td>');
    expect(body).toContain('latency_p95 failed');
  });
});

describe('pipeline runs', () => {
  const step = containerComponent({ name: 'step', inputs: { text: param.string() }, outputs: { Output: param.string() }, image: 'alpine', command: () => ['sh', '-c', 'echo'], args: ({ inputs, outputs }) => [inputs.text, outputs.Output] });
  const spec = compilePipeline(
    definePipeline({ name: 'graph-test', inputs: { text: param.string() } }, (p, { text }) => {
      const a = p.task(step, { text });
      const b = p.task(step, { text: a.output });
      p.task(step, { text: b.output });
    }),
  );

  it('draws the DAG with one box per task, coloured by state, and arrows for dependencies', () => {
    const graph = taskGraph(JSON.parse(JSON.stringify(spec)) as unknown)!;
    expect(graph.nodes.map((n) => n.name)).toEqual(['step', 'step-2', 'step-3']);
    expect(graph.edges).toEqual([['step', 'step-2'], ['step-2', 'step-3']]);
    const svg = taskGraphSvg(graph, new Map([['step', 'SUCCEEDED'], ['step-2', 'FAILED']]));
    expect(svg).toContain('<g class="task state-SUCCEEDED" data-task="step"');
    expect(svg).toContain('<g class="task state-FAILED" data-task="step-2"');
    expect(svg).toContain('<g class="task state-PENDING" data-task="step-3"');
    expect(svg.match(/<path d="M[\d.]+,[\d.]+ C/g)).toHaveLength(2);
    // Layers: each task one column further right.
    const xs = [...svg.matchAll(/<rect x="(\d+)"/g)].map((m) => Number(m[1]));
    expect(xs[0]! < xs[1]! && xs[1]! < xs[2]!).toBe(true);
  });

  it('a run page lists tasks with state and the failed task’s error, escaped', () => {
    const body = pipelineRunBody({
      name: 'projects/p/locations/r/pipelineJobs/job-1',
      id: 'job-1',
      displayName: 'x',
      state: 'PIPELINE_STATE_FAILED',
      labels: { model: 'flight-delay' },
      tasks: [
        { taskId: '1', name: 'graph-test', state: 'FAILED' },
        { taskId: '2', parentTaskId: '1', name: 'step', state: 'SUCCEEDED', startTime: '2026-12-03T10:00:00Z', endTime: '2026-12-03T10:00:02Z' },
        { taskId: '3', parentTaskId: '1', name: 'step-2', state: 'FAILED', error: `exit 3: ${HOSTILE}` },
      ],
      pipelineSpec: JSON.parse(JSON.stringify(spec)) as unknown,
    }).value;
    expect(body).toContain('<span class="badge bad">FAILED</span>');
    expect(body).toContain('<tr data-task="step" data-state="SUCCEEDED">');
    expect(body).toContain('<td>2.0 s</td>');
    expect(body).toContain('<tr data-task="step-2" data-state="FAILED">');
    expect(body).toContain('<svg');
    expect(body).not.toContain('<script>');
  });
});

describe('drift', () => {
  it('plots a feature’s score over time with its threshold as a rule', async () => {
    const spec = driftSpec('date_month', 'jensen_shannon', [
      { at: '2026-12-03T10:00:00Z', value: 0.05, version: '1' },
      { at: '2026-12-03T10:01:00Z', value: 0.31, version: '1' },
    ], 0.2);
    expect(JSON.stringify(spec)).toContain('"threshold":0.2');
    const svg = await renderSvg(spec);
    expect(svg).toMatch(/^<svg/);
    expect(svg).toContain('date_month (jensen_shannon)');
  });
});

describe('tuning runs', () => {
  it('highlights the best trial and shows stored plots as images (markup in a file cannot run)', () => {
    const body = tuningRunBody({
      run: {
        id: 't1',
        state: 'SUCCEEDED',
        study: { modelTypes: ['ridge', 'xgboost'], metric: { id: 'rmse', goal: 'MINIMIZE' } },
        result: { trials: [{ id: '1', state: 'SUCCEEDED', modelType: 'ridge', hyperparameters: { alpha: 0.5 }, value: 14 }, { id: '2', state: 'SUCCEEDED', modelType: 'xgboost', hyperparameters: { max_depth: 4 }, value: 12 }], bestTrialId: '2', parameterImportance: [{ parameter: 'model_type', importance: 0.8 }] },
      },
      plots: [{ name: 'optimization-history', title: 'History', svg: '<svg><script>alert(1)</script></svg>', source: 'gs://b/plots/optimization-history.svg', origin: 'stored' }],
    }).value;
    expect(body).toMatch(/<tr class="best"><td>2 \(best\)<\/td>/);
    expect(body).toContain('<img alt="History" src="data:image/svg+xml;base64,');
    expect(body).not.toContain('<script>');
    expect(body).toContain('<td>model_type</td><td class="num">0.8</td>');
  });
});

describe('lineage and decisions', () => {
  it('say "not available" when the API does not serve them, and show records as tables', () => {
    expect(lineageBody('no such resource: GET /v1/models/m/versions/1/lineage').value).toContain('Lineage not available: no such resource');
    const body = decisionsBody({ decisions: [{ id: 'd1', kind: 'PROMOTED', decideTime: '2026-12-03T10:00:00Z', subject: 'flight-delay-v2', version: 'm@2', actor: 'reconciler', reason: HOSTILE, details: { canaryP95Ms: 31.25, nested: { x: 1 } } }] }).value;
    expect(body).toContain('<td>2026-12-03 10:00:00</td><td>PROMOTED</td><td>flight-delay-v2</td><td>2</td><td>reconciler</td>');
    expect(body).toContain('<code>canaryP95Ms</code> 31.25<br>');
    expect(decisionsBody({ decisions: [] }).value).toContain('No decisions recorded yet.');
    expect(body).not.toContain('<script>');
  });

  it('lineage: the chain from snapshot to rollout, and the metadata graph as SVG', () => {
    const body = lineageBody({
      version: 'projects/p/locations/r/models/flight-delay@2',
      chain: [
        { stage: 'snapshot', name: 'gs://b/snapshots/r1/', displayName: 'snapshot r1' },
        { stage: 'pipelineRun', name: 'projects/p/locations/r/pipelineJobs/j1', displayName: 'training j1', state: 'COMPLETE' },
        { stage: 'rollout', name: 'rollouts/flight-delay-v2', displayName: 'rollout', outcome: 'promoted' },
      ],
      nodes: [
        { id: 'a/1', type: 'artifact', schemaTitle: 'system.Dataset', displayName: 'snapshot', state: 'LIVE' },
        { id: 'e/1', type: 'execution', schemaTitle: 'system.Run', displayName: 'train', state: 'FAILED' },
        { id: 'a/2', type: 'artifact', schemaTitle: 'google.VertexModel', displayName: HOSTILE, state: 'LIVE' },
      ],
      edges: [{ source: 'a/1', target: 'e/1', event: 'INPUT' }, { source: 'e/1', target: 'a/2', event: 'OUTPUT' }],
    }).value;
    expect(body).toContain('<tr><td>rollout</td><td>rollout<br><code>rollouts/flight-delay-v2</code></td><td></td><td>promoted</td>');
    expect(body).toContain('<g class="task state-FAILED" data-task="train"');
    expect(body).toContain('<g class="task state-SUCCEEDED" data-task="snapshot"');
    expect(body).not.toContain('<script>');
  });

  it('report links are anchors, console links are paths', () => {
    expect(reportLinks.rollout('m', 'r 1')).toBe('#rollout-r%201');
    expect(pageLinks.rollout('m', 'r 1')).toBe('/models/m/rollouts/r%201');
  });
});
