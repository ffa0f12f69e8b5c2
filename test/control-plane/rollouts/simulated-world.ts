// An in-memory world for the rollout reconciler: a Vertex endpoint with Vertex's rules (etags,
// splits summing to 100 over deployed models, deployments that take a while, ALREADY_EXISTS for a
// deployed id), model versions with aliases and labels, a compare-and-swap object store, and an
// audit table that drops repeated insertIds as BigQuery does. Every mutation is a numbered "point"
// where the test can crash the process (before or after the mutation lands), so crash safety is
// checked at every point of a whole rollout in milliseconds.
/* eslint-disable @typescript-eslint/require-await -- the fakes keep the clients' async signatures; their work is synchronous */
import type { ControlPlaneContext } from '../../../control-plane/runtime/context.js';
import { ModelCatalog } from '../../../control-plane/config/load-model-specs.js';
import type { AuditedDecision } from '../../../control-plane/audit/decision-log.js';
import type { RolloutPorts } from '../../../control-plane/rollouts/reconcile.js';
import { CLOUD_PORTS } from '../../../control-plane/rollouts/reconcile.js';
import { Rollouts } from '../../../control-plane/rollouts/rollout-store.js';
import type { Measurement, RolloutRecord } from '../../../control-plane/rollouts/rollout-record.js';
import { judge } from '../../../control-plane/rollouts/verdict.js';
import { criteriaAt } from '../../../control-plane/rollouts/transitions.js';
import type { JsonObjectStore } from '../../../control-plane/state/json-object-store.js';

export const PROJECT = 'sim-project';
export const REGION = 'us-central1';
export const MODEL = 'flight-delay';
export const ENDPOINT = `projects/${PROJECT}/locations/${REGION}/endpoints/${MODEL}`;
export const MODEL_NAME = `projects/${PROJECT}/locations/${REGION}/models/${MODEL}`;
export const STABLE_ID = '1000000001';

export class Crash extends Error {
  constructor(point: number, what: string) {
    super(`crash at point ${point} (${what})`);
  }
}

interface Deployed {
  id: string;
  model: string;
  modelVersionId: string;
}

function grpcError(code: number, message: string): Error {
  return Object.assign(new Error(message), { code });
}

export class SimulatedWorld {
  points = 0;
  crashAt: number | undefined;
  crashMode: 'before' | 'after' = 'after';
  /** A log of the mutations, for messages. */
  readonly trail: string[] = [];

  deployed: Deployed[] = [{ id: STABLE_ID, model: MODEL_NAME, modelVersionId: '1' }];
  traffic: Record<string, number> = { [STABLE_ID]: 100 };
  etag = 'e1';
  endpointExists = true;
  /** Deployments under way: they land after `delay` more observations. */
  pending: { id: string; version: string; remaining: number; op: string }[] = [];
  ops = new Map<string, { done: boolean; error?: string }>();
  deployDelay = 2;
  deployCalls = 0;
  aliases = new Map<string, Set<string>>([['1', new Set(['champion', 'default'])], ['2', new Set(['challenger'])]]);
  labels = new Map<string, Record<string, string>>([['1', {}], ['2', {}]]);
  /** Audit table rows by insertId, and how many appends were attempted. */
  readonly audit = new Map<string, AuditedDecision>();
  auditAppends = 0;
  objects = new Map<string, { value: string; generation: number }>();
  generation = 1;

  /** Calls that fail (a gRPC error code) instead of happening, by the first word of the point's name. */
  readonly failing = new Map<string, number>();

  /** A numbered mutation point: crash before or after `act` when it is the chosen one. */
  private point<T>(what: string, act: () => T): T {
    const code = this.failing.get(what.split(' ')[0]!);
    if (code !== undefined) throw grpcError(code, `${what}: injected failure`);
    this.points += 1;
    const n = this.points;
    if (this.crashAt === n && this.crashMode === 'before') {
      this.crashAt = undefined;
      throw new Crash(n, what);
    }
    const result = act();
    this.trail.push(`${n}: ${what}`);
    if (this.crashAt === n && this.crashMode === 'after') {
      this.crashAt = undefined;
      throw new Crash(n, what);
    }
    return result;
  }

  private newEtag(): void {
    this.etag = `e${Number(this.etag.slice(1)) + 1}`;
  }

  endpointMessage() {
    return {
      name: ENDPOINT,
      etag: this.etag,
      trafficSplit: { ...this.traffic },
      deployedModels: this.deployed.map((d) => ({ ...d })),
    };
  }

  /** Time passes for deployments: one observation = one tick. */
  private tick(): void {
    for (const p of this.pending) p.remaining -= 1;
    for (const p of this.pending.filter((x) => x.remaining <= 0)) {
      if (this.deployed.some((d) => d.id === p.id)) this.ops.set(p.op, { done: true, error: `ALREADY_EXISTS: ${p.id}` });
      else {
        this.deployed.push({ id: p.id, model: MODEL_NAME, modelVersionId: p.version.split('@')[1]! });
        this.traffic[p.id] ??= 0;
        this.newEtag();
        this.ops.set(p.op, { done: true });
      }
    }
    this.pending = this.pending.filter((p) => p.remaining > 0);
  }

  /** A person changes the traffic (outside the rollout). */
  setTrafficByHand(traffic: Record<string, number>): void {
    this.traffic = { ...traffic };
    this.newEtag();
  }

  readonly endpoints = {
    getEndpoint: async ({ name }: { name: string }) => {
      this.tick();
      if (!this.endpointExists || name !== ENDPOINT) throw grpcError(5, `Endpoint ${name} not found`);
      return [this.endpointMessage()];
    },
    deployModel: async (req: { endpoint: string; deployedModel: { id: string; model: string } }) =>
      this.point(`deployModel ${req.deployedModel.id}`, () => {
        this.deployCalls += 1;
        if (this.deployed.some((d) => d.id === req.deployedModel.id)) throw grpcError(6, 'already deployed');
        const op = `${ENDPOINT}/operations/${this.deployCalls}`;
        this.ops.set(op, { done: false });
        this.pending.push({ id: req.deployedModel.id, version: req.deployedModel.model, remaining: this.deployDelay, op });
        return [{ name: op }];
      }),
    checkDeployModelProgress: async (name: string) => {
      const op = this.ops.get(name);
      if (!op) throw grpcError(5, 'no such operation');
      return { done: op.done, latestResponse: { error: op.error ? { code: op.error.startsWith('ALREADY_EXISTS') ? 6 : 13, message: op.error } : undefined } };
    },
    updateEndpoint: async (req: { endpoint: { etag: string; trafficSplit: Record<string, number> } }) =>
      this.point(`updateEndpoint ${JSON.stringify(req.endpoint.trafficSplit)}`, () => {
        if (req.endpoint.etag !== this.etag) throw grpcError(10, 'stale etag');
        const split = req.endpoint.trafficSplit;
        const total = Object.values(split).reduce((a, b) => a + b, 0);
        if (total !== 100) throw grpcError(3, `split sums to ${total}`);
        for (const id of Object.keys(split)) if (!this.deployed.some((d) => d.id === id)) throw grpcError(3, `${id} not deployed`);
        this.traffic = Object.fromEntries(Object.entries(split));
        this.newEtag();
        return [this.endpointMessage()];
      }),
    undeployModel: async (req: { deployedModelId: string; trafficSplit?: Record<string, number> }) =>
      this.point(`undeployModel ${req.deployedModelId}`, () => {
        if (!this.deployed.some((d) => d.id === req.deployedModelId)) throw grpcError(5, 'not deployed');
        const carried = this.traffic[req.deployedModelId] ?? 0;
        if (carried > 0 && !req.trafficSplit) throw grpcError(9, 'still has traffic');
        this.deployed = this.deployed.filter((d) => d.id !== req.deployedModelId);
        if (req.trafficSplit && Object.keys(req.trafficSplit).length > 0) this.traffic = { ...req.trafficSplit };
        delete this.traffic[req.deployedModelId];
        this.newEtag();
        return [{ name: `${ENDPOINT}/operations/undeploy-${req.deployedModelId}` }];
      }),
  };

  readonly models = {
    getModel: async ({ name }: { name: string }) => {
      const version = name.split('@')[1] ?? '';
      if (!this.labels.has(version)) throw grpcError(5, `${name} not found`);
      return [{ name, labels: { ...this.labels.get(version) }, versionAliases: [...(this.aliases.get(version) ?? [])] }];
    },
    mergeVersionAliases: async ({ name, versionAliases }: { name: string; versionAliases: string[] }) =>
      this.point(`mergeVersionAliases ${versionAliases.join(',')}`, () => {
        const version = name.split('@')[1]!;
        for (const change of versionAliases) {
          if (change.startsWith('-')) this.aliases.get(version)?.delete(change.slice(1));
          else {
            for (const set of this.aliases.values()) set.delete(change);
            this.aliases.get(version)!.add(change);
          }
        }
        return [{}];
      }),
    updateModel: async ({ model }: { model: { name: string; labels: Record<string, string> } }) =>
      this.point(`updateModel labels ${JSON.stringify(model.labels)}`, () => {
        this.labels.set(model.name.split('@')[1]!, { ...model.labels });
        return [{}];
      }),
  };

  /** JsonObjectStore's surface over a map, with generations. */
  readonly store = {
    read: async (path: string, schema: { parse(v: unknown): unknown }) => {
      const found = this.objects.get(path);
      return found ? { value: schema.parse(JSON.parse(found.value)), generation: String(found.generation) } : undefined;
    },
    create: async (path: string, value: unknown) =>
      this.point(`create ${path}`, () => {
        if (this.objects.has(path)) return undefined;
        this.generation += 1;
        this.objects.set(path, { value: JSON.stringify(value), generation: this.generation });
        return String(this.generation);
      }),
    replace: async (path: string, value: unknown, generation: string) =>
      this.point(`replace ${path}`, () => {
        const found = this.objects.get(path);
        if (!found || String(found.generation) !== generation) return undefined;
        this.generation += 1;
        this.objects.set(path, { value: JSON.stringify(value), generation: this.generation });
        return String(this.generation);
      }),
    list: async (prefix: string) => [...this.objects.keys()].filter((k) => k.startsWith(prefix)).sort(),
  };

  /** What the measurement port reports: a healthy canary, or a failing one. */
  canaryHealth: 'good' | 'bad' = 'good';

  ports(): RolloutPorts {
    return {
      ...CLOUD_PORTS,
      measure: async (_ctx, r: RolloutRecord, now: Date): Promise<Measurement> => {
        const step = r.steps.find((s) => s.index === r.stepIndex)!;
        const windowClosed = (now.getTime() - Date.parse(step.startedAt!)) / 1000 >= r.policy.analysisWindowSeconds;
        const canary = this.canaryHealth === 'good' ? { requestCount: 500, predictionCount: 500, errorCount: 1, errorRate: 0.002, latencyP50Ms: 3, latencyP95Ms: 6 } : { requestCount: 500, predictionCount: 500, errorCount: 150, errorRate: 0.3, latencyP50Ms: 3, latencyP95Ms: 6 };
        const evidence = { stable: { requestCount: 5000, predictionCount: 5000, errorCount: 5, errorRate: 0.001, latencyP50Ms: 3, latencyP95Ms: 5 }, canary, qualityExpected: false };
        return { at: now.toISOString(), windowStart: step.startedAt!, windowEnd: now.toISOString(), ...evidence, ...judge(evidence, criteriaAt(r, r.stepIndex), windowClosed) };
      },
      appendDecisions: async (_ctx, decisions) =>
        this.point(`appendDecisions ${decisions.map((d) => d.kind).join(',')}`, () => {
          this.auditAppends += 1;
          for (const d of decisions) if (!this.audit.has(d.id)) this.audit.set(d.id, d);
        }),
    };
  }

  context(clock: { now: Date }, modelsDir: string): ControlPlaneContext {
    const rollouts = new Rollouts(this.store as unknown as JsonObjectStore);
    const context = {
      settings: { projectId: PROJECT, region: REGION, environment: 'local', stateBucket: 'state', pipelineBucket: 'pipelines' },
      models: ModelCatalog.load('local', modelsDir),
      clients: { endpoints: async () => this.endpoints, models: async () => this.models },
      rollouts,
      now: () => new Date(clock.now),
    };
    return context as unknown as ControlPlaneContext;
  }
}
