// Governance without a cloud: the cost estimate against a hand computation from the price table,
// the unknown-machine case, the model card's sections, numbers, escaping and determinism, the
// approval state of a rollout, and the decisions query's field violations.
import { readFileSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import { ListDecisionsQuery } from '../../../control-plane/api/decisions.js';
import { createHash } from 'node:crypto';
import { googleError } from '../../../control-plane/api/google-error.js';
import { ControlPlaneError } from '../../../control-plane/errors.js';
import { listDecisions } from '../../../control-plane/governance/decision-trail.js';
import type { ControlPlaneContext } from '../../../control-plane/runtime/context.js';
import { parseModelSpec, resolveForEnvironment } from '../../../control-plane/config/load-model-specs.js';
import type { DecisionRecord } from '../../../control-plane/evaluation/decision.js';
import { approvalState } from '../../../control-plane/governance/approval-state.js';
import { describeCost, estimatePipelineJobCost, estimateTrialsCost, machineFor } from '../../../control-plane/governance/cost-estimate.js';
import { renderHtml, renderMarkdown } from '../../../control-plane/governance/model-card.js';
import type { ModelCardInput } from '../../../control-plane/governance/model-card.js';
import { MODEL_CARD_LABEL, versionModelCard, withModelCardLink } from '../../../control-plane/governance/model-card-link.js';
import { PIPELINE_RUN_FEE_USD, TRAINING_ACCELERATOR_USD_PER_HOUR, TRAINING_MACHINE_USD_PER_HOUR } from '../../../control-plane/governance/price-table.js';
import { completionDecisions, estimateRunCost, submissionDecision } from '../../../control-plane/governance/training-governance.js';
import type { RolloutRecord } from '../../../control-plane/rollouts/rollout-record.js';
import type { TrainingRunRecord } from '../../../control-plane/state/training-runs.js';
import type { IPipelineJob } from '../../../vertex/shared/proto-types.js';
import { toStruct } from '../../../vertex/shared/struct.js';

const ts = (iso: string) => ({ seconds: Math.floor(Date.parse(iso) / 1000), nanos: (Date.parse(iso) % 1000) * 1e6 });

/** A compiled pipeline (the parts the estimate reads) and its task details, as Vertex returns them. */
function pipelineJob(resources: Record<string, unknown>): IPipelineJob {
  const spec = {
    root: { dag: { tasks: {
      'exit-handler-1': { taskInfo: { name: 'exit-handler-1' }, componentRef: { name: 'comp-exit-handler-1' } },
      'publish-run-event': { taskInfo: { name: 'publish-run-event' }, componentRef: { name: 'comp-publish' } },
    } } },
    components: {
      'comp-exit-handler-1': { dag: { tasks: {
        'preprocess-split': { taskInfo: { name: 'preprocess-split' }, componentRef: { name: 'comp-pre' } },
        train: { taskInfo: { name: 'train' }, componentRef: { name: 'comp-train' } },
        'gpu-step': { taskInfo: { name: 'gpu-step' }, componentRef: { name: 'comp-gpu' } },
        importer: { taskInfo: { name: 'importer' }, componentRef: { name: 'comp-importer' } },
      } } },
      'comp-pre': { executorLabel: 'exec-pre' },
      'comp-train': { executorLabel: 'exec-train' },
      'comp-gpu': { executorLabel: 'exec-gpu' },
      'comp-publish': { executorLabel: 'exec-publish' },
      'comp-importer': { executorLabel: 'exec-importer' },
    },
    deploymentSpec: { executors: {
      'exec-pre': { container: { image: 'python:3.11' } },
      'exec-train': { container: { image: 'python:3.11', resources: { cpuLimit: 4, memoryLimit: 16, resourceCpuLimit: '4', resourceMemoryLimit: '16G' } } },
      'exec-gpu': { container: { image: 'python:3.11', resources: resources as never } },
      'exec-publish': { container: { image: 'python:3.11' } },
      'exec-importer': { importer: { artifactUri: { constant: 'gs://b/x' }, typeSchema: { schemaTitle: 'system.Artifact' } } },
    } },
  };
  const task = (taskName: string, start: string, end: string | undefined, state = 'SUCCEEDED') => ({ taskId: taskName.length, taskName, state, startTime: ts(start), ...(end ? { endTime: ts(end) } : {}) });
  return {
    name: 'projects/p/locations/us-central1/pipelineJobs/j',
    pipelineSpec: toStruct(spec, 'pipelineSpec'),
    jobDetail: {
      taskDetails: [
        { taskId: 1, taskName: 'training-pipeline', state: 'RUNNING', startTime: ts('2026-01-05T03:00:00Z') },
        task('exit-handler-1', '2026-01-05T03:00:01Z', '2026-01-05T03:40:00Z'),
        task('preprocess-split', '2026-01-05T03:00:02Z', '2026-01-05T03:06:02Z'), // 6 min on the default machine
        task('train', '2026-01-05T03:06:10Z', '2026-01-05T03:36:10Z'), // 30 min, 4 vCPUs / 16 GB
        task('gpu-step', '2026-01-05T03:36:10Z', '2026-01-05T03:39:10Z'), // 3 min
        task('importer', '2026-01-05T03:00:02Z', '2026-01-05T03:00:03Z'),
        task('publish-run-event', '2026-01-05T03:40:01Z', undefined, 'RUNNING'),
      ] as never,
    },
  };
}

describe('cost estimate of a PipelineJob', () => {
  it('prices each task that ran from its start and end times, at its machine\'s list price, plus the run fee (by hand)', () => {
    const estimate = estimatePipelineJobCost(pipelineJob({ cpuLimit: 8, memoryLimit: 30 }));
    const e2std4 = TRAINING_MACHINE_USD_PER_HOUR['e2-standard-4']!;
    const e2std8 = TRAINING_MACHINE_USD_PER_HOUR['e2-standard-8']!;
    expect(e2std4).toBe(0.154114);
    // Hand computation: 0.1 h and 0.5 h on e2-standard-4, 0.05 h on e2-standard-8, and the $0.03 run fee.
    const byHand = 0.1 * 0.154114 + 0.5 * 0.154114 + 0.05 * 0.308228 + 0.03;
    expect(estimate.total).toBeCloseTo(byHand, 6);
    expect(estimate.total).toBe(0.13788);
    expect(estimate.items).toEqual([
      expect.objectContaining({ task: 'gpu-step', machineType: 'e2-standard-8', accelerator: null, hours: 0.05, usd: Number((0.05 * e2std8).toFixed(6)) }),
      expect.objectContaining({ task: 'preprocess-split', machineType: 'e2-standard-4', hours: 0.1, usd: Number((0.1 * e2std4).toFixed(6)), note: expect.stringContaining('default machine') as string }),
      expect.objectContaining({ task: 'train', machineType: 'e2-standard-4', hours: 0.5, usd: Number((0.5 * e2std4).toFixed(6)) }),
    ]);
    expect(estimate.fees).toEqual([{ name: 'Vertex AI Pipelines run', usd: PIPELINE_RUN_FEE_USD }]);
    // The exit handler's last task announced the end and was still running: named, not counted.
    expect(estimate.unfinished).toEqual(['publish-run-event']);
    expect(estimate.unpriced).toEqual([]);
    expect(estimate).toMatchObject({ currency: 'USD', region: 'us-central1', pricesAsOf: expect.stringMatching(/^2026-\d\d-\d\d$/) as string, source: expect.stringContaining('cloud.google.com/vertex-ai/pricing') as string });
  });

  it('an accelerator step or a machine beyond the table is unpriced, named with why, never counted as zero', () => {
    const gpu = estimatePipelineJobCost(pipelineJob({ accelerator: { type: 'NVIDIA_H100_80GB', count: '1', resourceType: 'NVIDIA_H100_80GB', resourceCount: '1' } }));
    const item = gpu.items.find((i) => i.task === 'gpu-step')!;
    expect(item).toMatchObject({ machineType: null, accelerator: { type: 'NVIDIA_H100_80GB', count: 1 }, hours: 0.05, usd: null });
    expect(gpu.unpriced).toEqual([{ task: 'gpu-step', reason: expect.stringContaining('NVIDIA_H100_80GB') as string }]);
    // The total is the priced part only (a lower bound), and says so.
    expect(gpu.total).toBeCloseTo(0.6 * 0.154114 + 0.03, 6);
    const huge = estimatePipelineJobCost(pipelineJob({ cpuLimit: 96, memoryLimit: 624 }));
    expect(huge.unpriced).toEqual([{ task: 'gpu-step', reason: expect.stringContaining('96 vCPUs') as string }]);
    expect(machineFor({ cpuLimit: 2, memoryLimitGb: 4 })).toMatchObject({ machineType: 'e2-standard-2' });
    expect(TRAINING_ACCELERATOR_USD_PER_HOUR.NVIDIA_TESLA_T4).toBeGreaterThan(0);
  });

  /** The job with training-pipeline-hpt's tune step: 1 h of trials outside the PipelineJob, its job named by `gcp_resources`. */
  const TUNING_JOB = 'projects/p/locations/us-central1/hyperparameterTuningJobs/42';
  const withTuning = (): IPipelineJob => {
    const job = pipelineJob({});
    const resources = JSON.stringify({ resources: [{ resourceType: 'HyperparameterTuningJob', resourceUri: `https://us-central1-aiplatform.googleapis.com/v1/${TUNING_JOB}` }] });
    job.jobDetail!.taskDetails!.push({ taskId: 99, taskName: 'tune-hyperparameters', state: 'SUCCEEDED', startTime: ts('2026-01-05T03:06:02Z'), endTime: ts('2026-01-05T03:06:05Z'), execution: { metadata: toStruct({ 'output:gcp_resources': resources }, 'metadata') } } as never);
    return job;
  };
  // Two trials, 40 and 20 minutes, as the JobServiceClient returns them (protobuf Timestamps), and one never started.
  const trials = [
    { id: '1', startTime: ts('2026-01-05T03:07:00Z'), endTime: ts('2026-01-05T03:47:00Z') },
    { id: '2', startTime: ts('2026-01-05T03:07:00Z'), endTime: ts('2026-01-05T03:27:00Z') },
    { id: '3' },
  ];
  const n1std4 = () => TRAINING_MACHINE_USD_PER_HOUR['n1-standard-4']!;

  it("a tuning task's trials are priced when given, else named unpriced (they run outside the PipelineJob), never silently left out", () => {
    const base = estimatePipelineJobCost(pipelineJob({}));
    const unread = estimatePipelineJobCost(withTuning());
    expect(unread.unpriced).toEqual([{ task: 'tune-hyperparameters', reason: 'HyperparameterTuningJob trials run outside the PipelineJob' }]);
    expect(unread.total).toBe(base.total);
    expect(describeCost(unread)).toContain('1 task unpriced');
    const read = estimatePipelineJobCost(withTuning(), new Map([['tune-hyperparameters', trials]]));
    expect(read.unpriced).toEqual([]);
    // By hand: 1 trial-hour on n1-standard-4 on top of the PipelineJob's own tasks.
    expect(read.total).toBeCloseTo(base.total + n1std4(), 5);
    expect(read.items.find((i) => i.task === 'tune-hyperparameters (trials)')).toMatchObject({ machineType: 'n1-standard-4', hours: 1, usd: Number(n1std4().toFixed(6)), note: expect.stringContaining(TUNING_JOB) as string });
  });

  it("the run's estimate reads the tuning job's trials with the JobServiceClient; a job it may not read leaves them unpriced, a transient failure throws", async () => {
    const ctxWith = (get: (r: { name: string }) => Promise<unknown>) => ({ clients: { jobs: () => Promise.resolve({ getHyperparameterTuningJob: get }) } }) as unknown as ControlPlaneContext;
    const asked: string[] = [];
    const read = await estimateRunCost(ctxWith((r) => { asked.push(r.name); return Promise.resolve([{ name: r.name, trials }]); }), withTuning());
    expect(asked).toEqual([TUNING_JOB]);
    expect(read.unpriced).toEqual([]);
    expect(read.total).toBeCloseTo(estimatePipelineJobCost(pipelineJob({})).total + n1std4(), 5);
    const denied = await estimateRunCost(ctxWith(() => Promise.reject(Object.assign(new Error('PERMISSION_DENIED'), { code: 7 }))), withTuning());
    expect(denied.unpriced).toEqual([{ task: 'tune-hyperparameters', reason: 'HyperparameterTuningJob trials run outside the PipelineJob' }]);
    await expect(estimateRunCost(ctxWith(() => Promise.reject(Object.assign(new Error('UNAVAILABLE'), { code: 14 }))), withTuning())).rejects.toThrow('UNAVAILABLE');
    // No tuning task: nothing to read.
    expect((await estimateRunCost(ctxWith(() => Promise.reject(new Error('read'))), pipelineJob({}))).unpriced).toEqual([]);
  });

  it('a cache hit (SKIPPED) costs nothing', () => {
    const job = pipelineJob({});
    const details = job.jobDetail!.taskDetails!;
    details.find((t) => t.taskName === 'train')!.state = 'SKIPPED';
    expect(estimatePipelineJobCost(job).items.map((i) => i.task)).toEqual(['gpu-step', 'preprocess-split']);
  });
});

// ---- the model card --------------------------------------------------------------------------------

const HOSTILE = '<script>alert("x")</script> & `rm -rf` | **bold** [link](javascript:1)';

function cardInput(): ModelCardInput {
  const text = readFileSync(new URL('../../../models/flight-delay.yaml', import.meta.url), 'utf8')
    .replace('task: regression', `intendedUse: '${HOSTILE.replace(/'/g, "''")}'\nknownLimits: ['Not for international flights ${HOSTILE.replace(/'/g, "''")}']\ntask: regression`);
  const spec = resolveForEnvironment(parseModelSpec(text, 'models/flight-delay.yaml'), 'local');
  const costEstimate = estimatePipelineJobCost(pipelineJob({}));
  const run: TrainingRunRecord = {
    name: 'trainingRuns/flight-delay-r1', id: 'flight-delay-r1', model: 'flight-delay', requestId: 'r1', trigger: 'drift', reason: `drift on date_month ${HOSTILE}`,
    requestedBy: 'drift-check', state: 'SUCCEEDED', createTime: '2026-01-05T03:00:00.000Z', updateTime: '2026-01-05T03:41:00.000Z',
    sourceParameters: { since: '2001-06-01T00:00:00Z' }, driftedFeatures: ['date_month'],
    snapshot: { uri: 'gs://pipelines/snapshots/flight-delay/r1/', bigqueryJob: 'projects/p/jobs/export-r1', rowCount: 30123, schema: [], createTime: '2026-01-05T03:00:05.000Z' },
    pipelineJob: 'projects/p/locations/us-central1/pipelineJobs/j', champion: 'projects/p/locations/us-central1/models/flight-delay@3', costEstimate,
  };
  const decision: DecisionRecord = {
    name: 'decisions/flight-delay-r1', id: 'flight-delay-r1', model: 'flight-delay', trainingRun: run.name, pipelineJob: run.pipelineJob!, kind: 'training',
    outcome: 'REGISTER_AS_CHALLENGER', reasons: ['gate: rmse 38.2 <= 60', 'beats the champion: rmse difference -1.234'],
    gate: { approved: true, reason: 'rmse 38.2 <= 60' },
    comparison: { metric: 'rmse', direction: 'lower', challenger: 38.2114, champion: 39.4456, difference: -1.2342, ci_low: -1.9021, ci_high: -0.5513, confidence: 0.95, n_rows: 6025, bootstrap_samples: 1000, verdict: 'better', reason: '' },
    metrics: { rmse: 38.2114, r2: 0.0312, mae: 21.75 }, champion: run.champion!, createTime: '2026-01-05T03:41:00.000Z',
  };
  return { spec, run, decision, modelType: 'xgboost', alias: 'challenger', artifactUri: 'gs://pipelines/runs/j/export/serving_model', costEstimate };
}

describe('model card', () => {
  it('has every section, with the run\'s real numbers', () => {
    const input = cardInput();
    const md = renderMarkdown(input);
    for (const section of ['Overview', 'Intended use', 'Training data', 'Evaluation', 'Comparison with the champion', 'Cost estimate', 'Known limits']) expect(md).toContain(`## ${section}`);
    expect(md).not.toContain('## Tuning');
    expect(md).toContain('| Rows | 30123 |');
    expect(md).toContain('gs://pipelines/snapshots/flight\\-delay/r1/'.replace(/\\-/g, '-'));
    expect(md).toContain('| since | 2001\\-06\\-01T00:00:00Z |'.replace(/\\-/g, '-'));
    expect(md).toContain('| rmse | 38.2114 |');
    expect(md).toContain('95% CI \\[\\-1.9021, \\-0.5513\\]'.replace(/\\-/g, '-'));
    expect(md).toContain('| Rows compared | 6025 |');
    expect(md).toContain(`Estimated USD ${Number(input.costEstimate!.total.toPrecision(6))}`);
    expect(md).toContain('| train | e2-standard-4 | — | 0.5 | 0.077057 |');
    expect(md).toContain('Not for international flights');
    expect(md).toContain('held\\-out split of the same snapshot'.replace(/\\-/g, '-'));
    // Markdown markup in spec strings is shown, not interpreted.
    expect(md).toContain('\\<script\\>');
    expect(md).not.toContain('<script>');
    expect(md).toContain('\\*\\*bold\\*\\* \\[link\\](javascript:1)');
    expect(md).toContain('| Champion version | projects/p/locations/us\\-central1/models/flight\\-delay@3 |'.replace(/\\-/g, '-'));
  });

  it('the HTML page is self-contained and escapes every string', () => {
    const html = renderHtml(cardInput());
    expect(html).toMatch(/^<!DOCTYPE html>/);
    expect(html).not.toMatch(/<script|<link|src=|href=/i);
    // Opened from a bucket or a console, the page loads nothing and runs nothing.
    expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">`);
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; `rm -rf`');
    expect(html).toContain('<h2>Comparison with the champion</h2>');
    expect(html).toContain('<td>[-1.9021, -0.5513]</td>');
  });

  it('the same records give the same bytes (a redelivered completion rewrites the card unchanged)', () => {
    expect(renderMarkdown(cardInput())).toBe(renderMarkdown(cardInput()));
    expect(renderHtml(cardInput())).toBe(renderHtml(cardInput()));
  });

  it('a tuned run shows its tuning result', () => {
    const input = { ...cardInput(), tuningRun: {
      name: 'tuningRuns/t1', id: 't1', model: 'flight-delay', requestId: 't1', reason: 'tune', state: 'SUCCEEDED' as const, train: true, createTime: 'x', updateTime: 'x',
      study: { modelTypes: ['ridge', 'random_forest', 'xgboost'], metric: { id: 'rmse', goal: 'MINIMIZE' as const }, algorithm: 'ALGORITHM_UNSPECIFIED' as const, maxTrialCount: 12, parallelTrialCount: 3, maxFailedTrialCount: 0, earlyStopping: 'decay_curve' as const, parameters: [] },
      bestTrial: { id: '7', state: 'SUCCEEDED' as const, modelType: 'xgboost', hyperparameters: { max_depth: 6, learning_rate: 0.1 }, value: 37.9 },
      bestPerModelType: { ridge: '2', random_forest: '5', xgboost: '7' },
    }, tuningCost: estimateTrialsCost([
      { id: '1', startTime: '2026-01-05T03:00:00Z', endTime: '2026-01-05T03:30:00Z' },
      { id: '2', startTime: '2026-01-05T03:00:00Z', endTime: '2026-01-05T04:00:00Z' },
      { id: '3', startTime: '2026-01-05T03:00:00Z' },
    ]) };
    // By hand: 1.5 trial-hours on n1-standard-4; the unfinished trial is not counted.
    expect(input.tuningCost).toMatchObject({ trials: 2, hours: 1.5, usd: Number((1.5 * TRAINING_MACHINE_USD_PER_HOUR['n1-standard-4']!).toFixed(6)), machineType: 'n1-standard-4' });
    const md = renderMarkdown(input);
    expect(md).toContain('## Tuning');
    expect(md).toContain('| Model types tried | ridge, random\\_forest, xgboost |');
    expect(md).toContain('| Best trial | 7: xgboost, rmse 37.9 |');
    expect(md).toContain('learning\\_rate=0.1, max\\_depth=6');
    expect(md).toContain(`2 trials, 1.5 h on n1-standard-4: USD ${Number((1.5 * 0.2185).toPrecision(6))}`);
  });

  it('the version links to its card: description link (never cut), label, URIs derived from the artifacts', () => {
    const card = { markdownUri: 'gs://b/m/model_card.md', htmlUri: 'gs://b/m/model_card.html' };
    const description = withModelCardLink('x'.repeat(2000), card);
    expect(description.length).toBeLessThanOrEqual(1000);
    expect(description.endsWith(' | model card: gs://b/m/model_card.html (Markdown: gs://b/m/model_card.md)')).toBe(true);
    expect(versionModelCard({ artifactUri: 'gs://b/m/', labels: { model_card: MODEL_CARD_LABEL } })).toEqual(card);
    expect(versionModelCard({ artifactUri: 'gs://b/m', labels: {} })).toBeUndefined();
  });

  it('the reasons are cut between code points (never inside an emoji), and a link too long for both URIs links the HTML card only', () => {
    const card = { markdownUri: 'gs://b/m/model_card.md', htmlUri: 'gs://b/m/model_card.html' };
    const link = ' | model card: gs://b/m/model_card.html (Markdown: gs://b/m/model_card.md)';
    // An emoji (two UTF-16 units) straddling the cut: it is dropped whole.
    const budget = 1000 - link.length;
    const description = withModelCardLink(`${'x'.repeat(budget - 1)}😀 and more`, card);
    expect(description).toBe(`${'x'.repeat(budget - 1)}${link}`);
    expect(Buffer.from(description, 'utf8').toString('utf8')).toBe(description);
    expect(description.isWellFormed()).toBe(true);
    expect(withModelCardLink('😀'.repeat(600), undefined)).toBe('😀'.repeat(500));
    // An artifact path so long that both URIs do not fit in 1000 characters: the HTML card only, within the cap.
    const folder = `gs://b/${'d'.repeat(600)}`;
    const long = { markdownUri: `${folder}/model_card.md`, htmlUri: `${folder}/model_card.html` };
    const linked = withModelCardLink('reasons 😀', long);
    expect(linked.length).toBeLessThanOrEqual(1000);
    expect(linked.endsWith(` | model card: ${long.htmlUri}`)).toBe(true);
    expect(linked.startsWith('reasons')).toBe(true);
    // Longer still: no link at all rather than a description over the cap.
    const huge = { markdownUri: `gs://b/${'d'.repeat(1200)}/model_card.md`, htmlUri: `gs://b/${'d'.repeat(1200)}/model_card.html` };
    expect(withModelCardLink('reasons', huge)).toBe('reasons');
  });
});

describe('audit rows of a training run', () => {
  it('submission, decision and registration rows have deterministic ids and carry the numbers', () => {
    const { run, decision, costEstimate } = cardInput();
    // A redelivery reads the run back from storage (JSON), later: the very same row, id included.
    const submitted = submissionDecision(run, run.pipelineJob!);
    vi.useFakeTimers({ now: Date.parse('2031-06-01T00:00:00Z') });
    try {
      expect(submissionDecision(JSON.parse(JSON.stringify(run)) as TrainingRunRecord, run.pipelineJob!)).toStrictEqual(submitted);
    } finally {
      vi.useRealTimers();
    }
    expect(submissionDecision(run, run.pipelineJob!)).toMatchObject({ id: 'submitted-flight-delay-r1', kind: 'TRAINING_RUN_SUBMITTED', actor: 'drift-check', at: run.createTime, details: { trigger: 'drift', driftedFeatures: ['date_month'] } });
    const rows = completionDecisions({ run, decision, modelVersion: 'projects/p/locations/us-central1/models/flight-delay@4', costEstimate: costEstimate!, modelCard: { markdownUri: 'a', htmlUri: 'b' } });
    expect(rows.map((r) => [r.id, r.kind])).toEqual([['decision-flight-delay-r1', 'REGISTER_AS_CHALLENGER'], ['registered-flight-delay-r1', 'VERSION_REGISTERED']]);
    expect(rows[0]!.details).toMatchObject({ comparison: { ci_low: -1.9021 }, costEstimate: { total: costEstimate!.total } });
    expect(rows[0]!.reason).toContain('cost $');
    const first = completionDecisions({ run, decision: { ...decision, outcome: 'REGISTER_AS_CHAMPION' }, modelVersion: 'm@1', deployment: { endpoint: 'e', deployedModelId: 'd1' } });
    expect(first.map((r) => [r.id, r.kind])).toEqual([['decision-flight-delay-r1', 'REGISTER_AS_CHAMPION'], ['registered-flight-delay-r1', 'VERSION_REGISTERED'], ['deployed-flight-delay-r1', 'FIRST_CHAMPION_DEPLOYED']]);
    // A card that could not be written: the version registered without it, and the trail says why.
    const cardless = completionDecisions({ run, decision, modelVersion: 'm@4', modelCardError: '403 Forbidden' });
    expect(cardless.map((r) => [r.id, r.kind])).toEqual([['decision-flight-delay-r1', 'REGISTER_AS_CHALLENGER'], ['registered-flight-delay-r1', 'VERSION_REGISTERED'], ['model-card-flight-delay-r1', 'MODEL_CARD_NOT_WRITTEN']]);
    expect(cardless[2]).toMatchObject({ version: 'm@4', actor: 'onPipelineRunEvent', details: { error: '403 Forbidden' } });
    expect(cardless[1]!.details).not.toHaveProperty('modelCard');
    const skipped = completionDecisions({ run, decision, modelVersion: 'm@4', rollout: { skipped: 'rollout x is in progress' } });
    expect(skipped.at(-1)).toMatchObject({ id: 'rollout-flight-delay-r1', kind: 'ROLLOUT_NOT_STARTED', reason: 'rollout x is in progress' });
    const rejected = completionDecisions({ run, decision: { ...decision, outcome: 'REJECT' } });
    expect(rejected.map((r) => r.kind)).toEqual(['REJECT']);
  });
});

// ---- approvals -----------------------------------------------------------------------------------

describe('approval state of a rollout', () => {
  const d = (kind: string, actor: string, at: string, reason = kind) => ({ id: `r.1.${at}`, kind, actor, at, reason, details: {} });
  it('not required, pending, refused then granted, and a new attempt that waits again', () => {
    expect(approvalState({ phase: 'PROGRESSING', history: [d('ROLLOUT_STARTED', 'a@x', '1')], outbox: [] })).toEqual({ required: false, state: 'NOT_REQUIRED', refusals: [] });
    const waiting: Pick<RolloutRecord, 'phase' | 'history' | 'outbox'> = { phase: 'AWAITING_APPROVAL', history: [d('ROLLOUT_STARTED', 'a@x', '1'), d('AWAITING_APPROVAL', 'policy', '2', 'the prod environment requires an approval by one of lead@x')], outbox: [d('APPROVAL_DENIED', 'intruder@x', '3', 'not an approver')] };
    expect(approvalState(waiting)).toEqual({ required: true, state: 'PENDING', policy: 'the prod environment requires an approval by one of lead@x', refusals: [{ email: 'intruder@x', time: '3', reason: 'not an approver' }] });
    const granted = { ...waiting, phase: 'PROGRESSING' as const, outbox: [...waiting.outbox, d('APPROVAL_GRANTED', 'lead@x', '4')] };
    expect(approvalState(granted)).toMatchObject({ state: 'GRANTED', grantedBy: 'lead@x', grantTime: '4' });
    const retried = { ...granted, phase: 'AWAITING_APPROVAL' as const, history: [...granted.history, ...granted.outbox, d('RETRIED', 'lead@x', '5'), d('AWAITING_APPROVAL', 'policy', '6')], outbox: [] };
    expect(approvalState(retried)).toMatchObject({ state: 'PENDING', refusals: [] });
    expect(approvalState({ ...retried, phase: 'ABORTED' })).toMatchObject({ state: 'NOT_GRANTED' });
  });
});

// ---- the decisions query ---------------------------------------------------------------------------

describe('GET /v1/models/{model}/decisions query', () => {
  const violation = (query: Record<string, unknown>) => {
    const parsed = ListDecisionsQuery.safeParse(query);
    expect(parsed.success, JSON.stringify(query)).toBe(false);
    const response = googleError(parsed.error);
    expect(response.httpStatus).toBe(400);
    return (response.body.error.details as { fieldViolations: { field: string }[] }[])[0]!.fieldViolations.map((v) => v.field);
  };
  it('bad parameters are 400 naming the parameter', () => {
    expect(violation({ pageSize: '0' })).toEqual(['pageSize']);
    expect(violation({ pageSize: '501' })).toEqual(['pageSize']);
    expect(violation({ pageSize: 'ten' })).toEqual(['pageSize']);
    expect(violation({ since: 'yesterday' })).toEqual(['since']);
    expect(violation({ until: '2026-01-05' })).toEqual(['until']);
    expect(violation({ since: '2026-01-06T00:00:00Z', until: '2026-01-05T00:00:00Z' })).toEqual(['until']);
    expect(violation({ kind: 'promoted' })).toEqual(['kind']);
    expect(violation({ version: 'v7' })).toEqual(['version']);
    expect(violation({ pageSize: ['1', '2'] })).toEqual(['pageSize']);
    expect(violation({ knd: 'PROMOTED' })).toEqual(['knd']);
    // BigQuery holds TIMESTAMPs of the years 0001 to 9999 (UTC) only.
    expect(violation({ since: '0000-01-01T00:00:00Z' })).toEqual(['since']);
    expect(violation({ until: '0001-01-01T00:00:00+01:00' })).toEqual(['until']);
    expect(violation({ until: '9999-12-31T23:00:00-02:00' })).toEqual(['until']);
  });
  it('good ones parse: kinds repeated or comma-separated, page size as a number', () => {
    expect(ListDecisionsQuery.parse({ kind: ['PROMOTED,ABORTED', 'APPROVAL_GRANTED'], pageSize: '20', since: '2026-01-05T03:00:00+01:00', version: '7' }))
      .toEqual({ kind: ['PROMOTED', 'ABORTED', 'APPROVAL_GRANTED'], pageSize: 20, since: '2026-01-05T03:00:00+01:00', version: '7' });
    expect(ListDecisionsQuery.parse({})).toEqual({});
  });
});

describe('GET /v1/models/{model}/decisions page token', () => {
  const spec = resolveForEnvironment(parseModelSpec(readFileSync(new URL('../../../models/flight-delay.yaml', import.meta.url), 'utf8'), 'models/flight-delay.yaml'), 'dev');
  // The token is checked before anything is queried: a context that cannot query proves it.
  const ctx = { models: { require: () => spec }, settings: { projectId: 'my-project' }, clients: { bigquery: () => Promise.reject(new Error('queried')) } } as unknown as ControlPlaneContext;
  // The filters key of no filters (decision-trail.ts's filtersKey), so that only `at` is wrong.
  const key = createHash('sha256').update(JSON.stringify(['flight-delay', null, null, null, null])).digest('base64url').slice(0, 16);
  const token = (at: string): string => Buffer.from(JSON.stringify({ at, id: 'x', f: key })).toString('base64url');

  it('a token whose time BigQuery cannot hold (year 0000, +275760) or that is not RFC 3339 is a 400 naming pageToken', async () => {
    for (const at of ['0000-01-01T00:00:00.000Z', '+275760-09-13T00:00:00.000Z', 'Tue, 05 Jan 2026 03:00:00 GMT', '2026-01-05']) {
      const err = await listDecisions(ctx, 'flight-delay', ListDecisionsQuery.parse({ pageToken: token(at) })).catch((e: unknown) => e);
      expect(err, at).toBeInstanceOf(ControlPlaneError);
      expect((err as ControlPlaneError).status, at).toBe('INVALID_ARGUMENT');
      expect(googleError(err).body.error.details, at).toEqual([expect.objectContaining({ fieldViolations: [expect.objectContaining({ field: 'pageToken' })] })]);
    }
    // A good one gets past the token: to the query.
    await expect(listDecisions(ctx, 'flight-delay', ListDecisionsQuery.parse({ pageToken: token('2026-01-05T03:00:00.000Z') }))).rejects.toThrow('queried');
  });
});

describe('Markdown escaping', () => {
  it('markup in a string stays text: emphasis, links, HTML, a leading list marker or heading', async () => {
    const { markdownText } = await import('../../../control-plane/governance/model-card.js');
    expect(markdownText('- not a list')).toBe('\\- not a list');
    expect(markdownText('1. not a list')).toBe('1\\. not a list');
    expect(markdownText('# not a heading\nnext line')).toBe('\\# not a heading next line');
    expect(markdownText('a_b *c* <b>d</b> [e](f) | g')).toBe('a\\_b \\*c\\* \\<b\\>d\\</b\\> \\[e\\](f) \\| g');
  });
  it('every line break becomes a space (CRLF, LF, a lone CR), and `1)` is a list marker too', async () => {
    const { markdownText } = await import('../../../control-plane/governance/model-card.js');
    expect(markdownText('a\r\nb\nc\rd')).toBe('a b c d');
    expect(markdownText('a\r- b')).toBe('a - b');
    expect(markdownText('12) not a list')).toBe('12\\) not a list');
    expect(markdownText('3)')).toBe('3\\)');
    expect(markdownText('f(1) and 2)x')).toBe('f(1) and 2)x');
  });
});

describe('Markdown escaping of numbers', () => {
  it('numbers and negative numbers stay as they are', async () => {
    const { markdownText } = await import('../../../control-plane/governance/model-card.js');
    expect(markdownText('38.2114')).toBe('38.2114');
    expect(markdownText('-1.9')).toBe('-1.9');
  });
});
