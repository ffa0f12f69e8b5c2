// Shared by the rollout tests against the local cloud: the fixture specs (one model per scenario,
// so scenarios never share an endpoint), a control plane over the emulators, versions of a tiny
// sklearn model uploaded as the registration would, the first champion deployed, prediction traffic
// in the background, and the checks every reconcile pass must leave true.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BigQuery } from '@google-cloud/bigquery';
import { expect } from 'vitest';
import { ModelCatalog } from '../../../control-plane/config/load-model-specs.js';
import { deployFirstChampion } from '../../../control-plane/registry/first-deployment.js';
import type { RolloutRecord } from '../../../control-plane/rollouts/rollout-record.js';
import type { ControlPlaneClients } from '../../../control-plane/runtime/clients.js';
import { lazyClients } from '../../../control-plane/runtime/clients.js';
import type { ControlPlaneContext } from '../../../control-plane/runtime/context.js';
import { controlPlaneContext, vertexModelName } from '../../../control-plane/runtime/context.js';
import { readSettings } from '../../../control-plane/runtime/settings.js';
import { ensureControlPlaneBuckets } from '../../../emulators/launcher/buckets.js';
import type { LocalCloud } from '../../../emulators/launcher/local-cloud.js';
import type { ClientEnvironment } from '../../../google-clients/environment.js';
import { PredictionServiceClient, vertexClientOptions } from '../../../google-clients/vertex.js';
import { AUDIT_TABLE } from '../../../control-plane/config/bigquery-tables.js';
import type { IEndpoint } from '../../../vertex/shared/proto-types.js';
import { toProtoValue } from '../../../vertex/shared/struct.js';
import { SKLEARN_IMAGE, trainModels } from '../../emulators/vertex-serving/support.js';

export const ROLLOUT_MODELS_DIR = fileURLToPath(new URL('./fixtures/models', import.meta.url));
export const REGION = 'us-central1';
/** Where the tiny model's files go: a bucket folder the local Vertex reads from its storage root. */
const ARTIFACT_BUCKET = 'rollout-test-models';
const ARTIFACT_URI = `gs://${ARTIFACT_BUCKET}/sk-reg`;

export function rolloutEnv(cloud: LocalCloud, extra: Record<string, string> = {}): Record<string, string> {
  return { ...cloud.env, MLOPS_ENVIRONMENT: 'local', MLOPS_REGION: REGION, MLOPS_MODEL_SPECS_DIR: ROLLOUT_MODELS_DIR, ...extra };
}

export function rolloutClientEnvironment(cloud: LocalCloud): ClientEnvironment {
  return { projectId: cloud.projectId, env: rolloutEnv(cloud) };
}

/** The control plane over the rollout fixture specs, with the product's clients unless others are given. */
export async function rolloutControlPlane(cloud: LocalCloud, clients?: ControlPlaneClients): Promise<ControlPlaneContext> {
  const env = rolloutEnv(cloud);
  const settings = readSettings(env);
  const ce = { projectId: settings.projectId, env };
  await ensureControlPlaneBuckets(ce);
  return controlPlaneContext(settings, ModelCatalog.load(settings.environment, ROLLOUT_MODELS_DIR), clients ?? lazyClients(ce, settings.region), ce);
}

/** Trains the tiny sklearn regression (x1, x2 → y) into the local cloud's storage root, once per cloud. */
export function trainTinyModel(cloud: LocalCloud): void {
  trainModels(join(cloud.dataDir, 'storage'), ARTIFACT_BUCKET);
}

export type ServerEnv = Readonly<Record<string, string>>;

/**
 * Uploads one version of `model` as registerVersion does (model id = the spec's name, later versions
 * under it as parentModel), with `alias` and the model server's env; returns `projects/.../models/m@N`.
 */
export async function uploadVersion(ctx: ControlPlaneContext, model: string, alias: 'champion' | 'challenger', env: ServerEnv = {}): Promise<string> {
  const models = await ctx.clients.models();
  const name = vertexModelName(ctx.settings, model);
  const exists = await models.getModel({ name }).then(
    () => true,
    () => false,
  );
  const [operation] = await models.uploadModel({
    parent: `projects/${ctx.settings.projectId}/locations/${ctx.settings.region}`,
    ...(exists ? { parentModel: name } : { modelId: model }),
    model: {
      displayName: model,
      artifactUri: ARTIFACT_URI,
      containerSpec: { imageUri: SKLEARN_IMAGE, env: Object.entries(env).map(([n, value]) => ({ name: n, value })) },
      versionAliases: [alias],
      labels: { model },
    },
  });
  const [response] = await operation.promise();
  return `${String(response.model)}@${String(response.modelVersionId)}`;
}

export async function readEndpoint(ctx: ControlPlaneContext, endpoint: string): Promise<IEndpoint> {
  const [found] = await (await ctx.clients.endpoints()).getEndpoint({ name: endpoint });
  return found;
}

/** Polls `read` until `done` holds; throws with the last value after `timeoutMs`. */
export async function until<T>(what: string, read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 30_000, intervalMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms; last ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** The spec's first champion deployed at 100% on the spec's endpoint, as the first registration does; waits until it serves. */
export async function deployChampion(ctx: ControlPlaneContext, model: string, version: string): Promise<{ endpoint: string; deployedModelId: string }> {
  const deployed = await deployFirstChampion(ctx, ctx.models.require(model), version);
  const deployedModelId = deployed.deployedModelId!;
  await until(`${version} serving on ${deployed.endpoint}`, () => readEndpoint(ctx, deployed.endpoint), (e) => e.trafficSplit?.[deployedModelId] === 100);
  return { endpoint: deployed.endpoint, deployedModelId };
}

/** Callers of the endpoint, in the background: a few concurrent loops of small predict requests. */
export class Traffic {
  private readonly client: PredictionServiceClient;
  private running = false;
  private loops: Promise<void>[] = [];
  /** Answered requests per deployed model id, and failed requests. */
  readonly answered: Record<string, number> = {};
  failed = 0;

  constructor(
    ce: ClientEnvironment,
    private readonly endpoint: string,
    private readonly options = { concurrency: 2, pauseMs: 25 },
  ) {
    this.client = new PredictionServiceClient(vertexClientOptions(REGION, ce));
  }

  start(): this {
    this.running = true;
    this.loops = Array.from({ length: this.options.concurrency }, (_, i) => this.loop(i));
    return this;
  }

  private async loop(seed: number): Promise<void> {
    let i = seed;
    while (this.running) {
      i += 1;
      const instance = toProtoValue({ x1: (i % 7) - 3, x2: (i % 5) / 2 }, 'instance');
      try {
        const [response] = await this.client.predict({ endpoint: this.endpoint, instances: [instance] });
        const id = response.deployedModelId ?? '?';
        this.answered[id] = (this.answered[id] ?? 0) + 1;
      } catch {
        this.failed += 1;
      }
      await new Promise((resolve) => setTimeout(resolve, this.options.pauseMs));
    }
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
    await this.client.close();
  }
}

/** Non-zero traffic of an endpoint, as deployed model id → percent. */
export function trafficOf(endpoint: IEndpoint): Record<string, number> {
  return Object.fromEntries(Object.entries(endpoint.trafficSplit ?? {}).filter(([, percent]) => Number(percent) > 0).map(([id, percent]) => [id, Number(percent)]));
}

/**
 * What must hold after any reconcile pass, finished or not, crashed or not: the traffic sums to 100;
 * the stable version is deployed until the promotion completes and serves until the promotion
 * starts; no version is deployed twice; nothing but the rollout's two versions is deployed.
 */
export function expectInvariants(endpoint: IEndpoint, r: RolloutRecord): void {
  const traffic = trafficOf(endpoint);
  const context = `${r.phase} step ${r.stepIndex}: traffic ${JSON.stringify(traffic)}`;
  expect(Object.values(traffic).reduce((a, b) => a + b, 0), context).toBe(100);
  const deployed = endpoint.deployedModels ?? [];
  const ids = deployed.map((d) => String(d.id));
  if (r.phase !== 'PROMOTED') expect(ids, `${context}: the stable version stays deployed`).toContain(r.stable.deployedModelId);
  if (r.phase !== 'PROMOTING' && r.phase !== 'PROMOTED') expect(traffic[r.stable.deployedModelId] ?? 0, `${context}: the stable version serves`).toBeGreaterThan(0);
  const versions = deployed.map((d) => `${String(d.model)}@${String(d.modelVersionId)}`);
  expect(new Set(versions).size, `${context}: deployed ${versions.join(', ')}`).toBe(versions.length);
  for (const id of ids) expect([r.stable.deployedModelId, r.canary.deployedModelId], context).toContain(id);
  const decisionIds = [...r.history, ...r.outbox].map((d) => d.id);
  expect(new Set(decisionIds).size, 'decision ids are unique').toBe(decisionIds.length);
}

/** How many rows of the audit table each decision id of `subject` has. */
export async function auditedDecisions(bigquery: BigQuery, subject: string): Promise<Map<string, { rows: number; kind: string }>> {
  const [rows] = await bigquery.query({
    query: `SELECT decision_id, ANY_VALUE(kind) AS kind, COUNT(*) AS n FROM \`${AUDIT_TABLE.datasetId}.${AUDIT_TABLE.tableId}\` WHERE subject = @subject GROUP BY decision_id`,
    params: { subject },
  });
  return new Map((rows as { decision_id: string; kind: string; n: number }[]).map((row) => [row.decision_id, { rows: Number(row.n), kind: row.kind }]));
}

/** The model's version aliases, by version id. */
export async function aliasesOf(ctx: ControlPlaneContext, model: string): Promise<Record<string, string[]>> {
  const [versions] = await (await ctx.clients.models()).listModelVersions({ name: vertexModelName(ctx.settings, model) }, { autoPaginate: true });
  return Object.fromEntries(versions.map((v) => [String(v.versionId), [...(v.versionAliases ?? [])].sort()]));
}
