// The demo's view of the product: mlopsApi over HTTP, as curl would use it. It polls (a person
// watching may; the functions never do) and reports each task's state changes.
import { z } from 'zod';
import { ListDecisionsResponse } from '../../control-plane/api/decisions.js';
import type { DecisionView as AuditedDecisionView } from '../../control-plane/api/decisions.js';
import { LineageView, ListExperimentRunsResponse } from '../../control-plane/api/tracking-views.js';
import type { ExperimentRunView } from '../../control-plane/api/tracking-views.js';
import { ModelCheckRecord } from '../../control-plane/drift/drift-check-record.js';
import { CostEstimate } from '../../control-plane/governance/cost-estimate.js';

const Task = z.object({ name: z.string(), state: z.string(), startTime: z.string().optional(), error: z.string().optional() });
const Decision = z.object({ outcome: z.string(), reasons: z.array(z.string()), metrics: z.record(z.string(), z.number()).default({}) }).loose();
const Run = z.object({
  id: z.string(),
  name: z.string(),
  state: z.string(),
  trigger: z.string().optional(),
  reason: z.string().optional(),
  driftedFeatures: z.array(z.string()).optional(),
  createTime: z.string().optional(),
  pipelineJob: z.string().optional(),
  pipelineJobState: z.string().optional(),
  snapshot: z.object({ uri: z.string(), rowCount: z.number(), schema: z.array(z.object({ name: z.string(), type: z.string() })) }).optional(),
  tasks: z.array(Task).optional(),
  decision: Decision.optional(),
  modelVersion: z.string().optional(),
  rollout: z.object({ id: z.string().optional(), skipped: z.string().optional() }).optional(),
  error: z.object({ task: z.string().optional(), message: z.string() }).optional(),
}).loose();
const Endpoint = z.object({ name: z.string(), trafficSplit: z.record(z.string(), z.number()), deployedModels: z.array(z.object({ id: z.string(), model: z.string() })) });
const Model = z.object({
  name: z.string(),
  versions: z.array(z.object({ versionId: z.string(), aliases: z.array(z.string()), labels: z.record(z.string(), z.string()), modelCard: z.object({ markdownUri: z.string(), htmlUri: z.string() }).optional() })),
  champion: z.string().optional(),
  challenger: z.string().optional(),
  endpoint: Endpoint.optional(),
  latestRuns: z.array(z.object({ id: z.string(), state: z.string(), trigger: z.string().optional(), createTime: z.string().optional() }).loose()),
}).loose();

const Check = z.object({ name: z.string(), value: z.number().optional(), limit: z.number().optional(), outcome: z.string(), detail: z.string() });
const Measurement = z.object({ at: z.string(), windowStart: z.string(), windowEnd: z.string(), checks: z.array(Check), result: z.string(), error: z.string().optional() }).loose();
const RolloutDecision = z.object({ id: z.string(), kind: z.string(), at: z.string(), actor: z.string(), reason: z.string(), stepIndex: z.number().optional() }).loose();
const Rollout = z.object({
  id: z.string(),
  phase: z.string(),
  stepIndex: z.number(),
  canaryWeight: z.number(),
  stable: z.object({ version: z.string(), deployedModelId: z.string() }),
  canary: z.object({ version: z.string(), deployedModelId: z.string() }),
  policy: z.object({ steps: z.array(z.record(z.string(), z.unknown())) }).loose(),
  steps: z.array(z.object({ index: z.number(), startedAt: z.string().optional(), finishedAt: z.string().optional(), verdict: z.string().optional(), measurements: z.array(Measurement) }).loose()),
  history: z.array(RolloutDecision),
  stableUndeployed: z.boolean().optional(),
  abortReason: z.string().optional(),
  createTime: z.string(),
}).loose();

const TuningTrialView = z.object({
  id: z.string(),
  state: z.string(),
  modelType: z.string(),
  hyperparameters: z.record(z.string(), z.union([z.number(), z.string()])),
  value: z.number().optional(),
  earlyStopped: z.boolean().optional(),
  infeasibleReason: z.string().optional(),
}).loose();
const TuningRun = z.object({
  id: z.string(),
  state: z.string(),
  study: z.object({ modelTypes: z.array(z.string()), metric: z.object({ id: z.string(), goal: z.string() }), algorithm: z.string(), maxTrialCount: z.number(), parallelTrialCount: z.number(), earlyStopping: z.string() }).loose(),
  snapshot: z.object({ uri: z.string(), rowCount: z.number() }).loose().optional(),
  pipelineJob: z.string().optional(),
  tuningJob: z.string().optional(),
  result: z.object({
    trials: z.array(TuningTrialView),
    bestTrialId: z.string().optional(),
    bestPerModelType: z.record(z.string(), z.string()),
    parameterImportance: z.array(z.object({ parameter: z.string(), importance: z.number() })),
  }).loose().optional(),
  results: z.object({ uri: z.string(), plots: z.array(z.object({ name: z.string(), title: z.string(), svg: z.string() }).loose()), plotsError: z.string().optional() }).optional(),
  trainingRun: z.string().optional(),
  error: z.object({ task: z.string().optional(), message: z.string() }).optional(),
}).loose();

export type TuningRunView = z.infer<typeof TuningRun>;
export type TuningTrialView = z.infer<typeof TuningTrialView>;
export type RolloutView = z.infer<typeof Rollout>;
export type RolloutDecisionView = z.infer<typeof RolloutDecision>;
export type RunView = z.infer<typeof Run>;
export type DecisionView = z.infer<typeof Decision>;
export type TaskView = z.infer<typeof Task>;

const TERMINAL = ['SUCCEEDED', 'REJECTED', 'FAILED'];

export interface WatcherOptions {
  onTask(run: RunView, task: TaskView): void;
  status(line: string): void;
  timeoutMs: number;
}

export class ApiWatcher {
  constructor(
    private readonly baseUrl: string,
    private readonly options: WatcherOptions,
  ) {}

  private async call<S extends z.ZodType>(schema: S, path: string, init?: RequestInit): Promise<z.output<S>> {
    const response = await fetch(`${this.baseUrl}${path}`, init);
    const text = await response.text();
    if (!response.ok) throw new Error(`${init?.method ?? 'GET'} ${path}: HTTP ${response.status} ${text.slice(0, 500)}`);
    return schema.parse(JSON.parse(text));
  }

  model(name: string) {
    return this.call(Model, `/v1/models/${name}`);
  }

  /** Every experiment run of the model's experiment (all pages). */
  async experimentRuns(model: string): Promise<{ experiment: string; runs: ExperimentRunView[] }> {
    const page = (token?: string) => this.call(ListExperimentRunsResponse, `/v1/models/${model}/experimentRuns?pageSize=100${token ? `&pageToken=${encodeURIComponent(token)}` : ''}`);
    const first = await page();
    const runs = [...first.experimentRuns];
    for (let token = first.nextPageToken; token; ) {
      const next = await page(token);
      runs.push(...next.experimentRuns);
      token = next.nextPageToken;
    }
    return { experiment: first.experiment, runs };
  }

  lineage(model: string, version: string) {
    return this.call(LineageView, `/v1/models/${model}/versions/${encodeURIComponent(version)}/lineage`);
  }

  /** The model's whole audit trail, newest first. */
  async decisions(model: string): Promise<AuditedDecisionView[]> {
    const all: AuditedDecisionView[] = [];
    let token: string | undefined;
    do {
      const page = await this.call(ListDecisionsResponse, `/v1/models/${model}/decisions?pageSize=500${token ? `&pageToken=${encodeURIComponent(token)}` : ''}`);
      all.push(...page.decisions);
      token = page.nextPageToken;
    } while (token);
    return all;
  }

  /** A training run's cost estimate, once its completion recorded one. */
  async trainingRunCost(id: string): Promise<CostEstimate | undefined> {
    return (await this.call(z.object({ costEstimate: CostEstimate.optional() }).loose(), `/v1/trainingRuns/${id}`)).costEstimate;
  }

  /** The latest drift, performance and age check; undefined before the first. */
  async driftCheck(model: string): Promise<ModelCheckRecord | undefined> {
    const response = await fetch(`${this.baseUrl}/v1/models/${model}/drift`);
    if (response.status === 404) return undefined;
    const text = await response.text();
    if (!response.ok) throw new Error(`GET /v1/models/${model}/drift: HTTP ${response.status} ${text.slice(0, 500)}`);
    return ModelCheckRecord.parse(JSON.parse(text));
  }

  /** Waits for a drift check of `model` that `accept` accepts; returns it. */
  async waitForDriftCheck(model: string, what: string, accept: (check: ModelCheckRecord) => boolean): Promise<ModelCheckRecord> {
    return this.until(what, async () => {
      const check = await this.driftCheck(model);
      return check && accept(check) ? check : undefined;
    });
  }

  /** Waits for a run of `model` that `pick` accepts; returns it. */
  async waitForRun(model: string, what: string, pick: (run: { id: string; state: string; trigger?: string | undefined }) => boolean): Promise<RunView> {
    const { id } = await this.until(what, async () => (await this.model(model)).latestRuns.find(pick));
    return this.run(id);
  }

  run(id: string) {
    return this.call(Run, `/v1/trainingRuns/${id}`);
  }

  createTrainingRun(model: string, body: Record<string, unknown>) {
    return this.call(Run, `/v1/models/${model}/trainingRuns`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  }

  createTuningRun(model: string, body: Record<string, unknown>) {
    return this.call(TuningRun, `/v1/models/${model}/tuningRuns`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  }

  tuningRun(id: string) {
    return this.call(TuningRun, `/v1/tuningRuns/${id}`);
  }

  /** Polls the tuning run until it ends, reporting each trial once it has finished. */
  async followTuningRun(id: string, onTrial: (trial: TuningTrialView, run: TuningRunView) => void): Promise<TuningRunView> {
    const seen = new Set<string>();
    return this.until(`tuning run ${id} to end`, async () => {
      const run = await this.tuningRun(id);
      for (const trial of run.result?.trials ?? []) {
        if (seen.has(trial.id)) continue;
        seen.add(trial.id);
        onTrial(trial, run);
      }
      this.options.status(`  tuningRuns/${run.id}: ${run.state}, ${seen.size}/${run.study.maxTrialCount} trials finished`);
      if (run.state !== 'SUCCEEDED' && run.state !== 'FAILED') return undefined;
      this.options.status('');
      return run;
    });
  }

  rollout(id: string) {
    return this.call(Rollout, `/v1/rollouts/${id}`);
  }

  command(id: string, verb: 'promote' | 'abort', body: Record<string, unknown>) {
    return this.call(Rollout, `/v1/rollouts/${id}:${verb}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  }

  createRollout(model: string, body: Record<string, unknown>) {
    return this.call(Rollout, `/v1/models/${model}/rollouts`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  }

  /** Polls the rollout until it is promoted (and scaled down), aborted, degraded or paused for a person, reporting each new decision. */
  async followRollout(id: string, onDecision: (d: RolloutDecisionView, r: RolloutView) => void): Promise<RolloutView> {
    const seen = new Set<string>();
    return this.until(`rollout ${id} to end`, async () => {
      const r = await this.rollout(id);
      for (const d of r.history) {
        if (seen.has(d.id)) continue;
        seen.add(d.id);
        onDecision(d, r);
      }
      this.options.status(`  rollouts/${r.id}: ${r.phase}, step ${Math.min(r.stepIndex + 1, r.policy.steps.length)}/${r.policy.steps.length}, canary ${r.canaryWeight}%`);
      const done = (r.phase === 'PROMOTED' && r.stableUndeployed === true) || ['ABORTED', 'DEGRADED', 'PAUSED'].includes(r.phase);
      if (!done) return undefined;
      this.options.status('');
      return r;
    });
  }

  private async until<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
    const deadline = Date.now() + this.options.timeoutMs;
    for (;;) {
      const found = await probe();
      if (found !== undefined) return found;
      if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 1000));
    }
  }

  /** The first run of `model` not in `before` (the one a Scheduler firing created), followed to its end. */
  async followNewRun(model: string, before: ReadonlySet<string>): Promise<RunView> {
    const { id } = await this.until(`a new training run of ${model}`, async () => (await this.model(model)).latestRuns.find((r) => !before.has(r.id)));
    return this.followRun(await this.run(id));
  }

  /** Polls the run until it ends, reporting each task's state changes. */
  async followRun(run: RunView): Promise<RunView> {
    const seen = new Map<string, string>();
    let lastState = '';
    return this.until(`training run ${run.id} to end`, async () => {
      const current = await this.run(run.id);
      if (current.state !== lastState) {
        lastState = current.state;
        this.options.status(`  trainingRuns/${current.id}: ${current.state}${current.pipelineJob ? ` (${current.pipelineJob.split('/').pop()})` : ''}`);
      }
      for (const task of current.tasks ?? []) {
        if (seen.get(task.name) !== task.state) {
          seen.set(task.name, task.state);
          this.options.onTask(current, task);
        }
      }
      if (!TERMINAL.includes(current.state)) return undefined;
      this.options.status('');
      return current;
    });
  }

  /** The model's endpoint once it serves a deployed model. */
  async waitUntilServing(model: string): Promise<z.infer<typeof Endpoint>> {
    return this.until(`models/${model}'s endpoint to serve`, async () => {
      const endpoint = (await this.model(model)).endpoint;
      return endpoint && endpoint.deployedModels.length > 0 ? endpoint : undefined;
    });
  }
}
