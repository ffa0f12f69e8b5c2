// Lineage of a model version in Vertex ML Metadata: the registration (an execution whose INPUTs are
// the training snapshot's Dataset and the pipeline's model artifact, whose OUTPUT is the version's
// `google.VertexModel`), then every release of the version on its endpoint, the first champion's
// deployment or a rollout attempt (an execution, INPUT the VertexModel, OUTPUT the endpoint's
// `google.VertexEndpoint`, with its outcome). The pipeline engine records the pipeline's own
// executions and artifacts; the two meet at the model artifact the pipeline exported.
import { isTransient } from '../errors.js';
import type { ResolvedModelSpec } from '../config/load-model-specs.js';
import type { FirstDeployment } from '../registry/first-deployment.js';
import { endpointName } from '../registry/first-deployment.js';
import type { RolloutRecord } from '../rollouts/rollout-record.js';
import type { ControlPlaneContext } from '../runtime/context.js';
import { vertexModelName } from '../runtime/context.js';
import type { TrainingRunRecord } from '../state/training-runs.js';
import {
  RESOURCE_NAME_KEY, ROLLOUT_LINEAGE_DECISIONS, SCHEMA, SCHEMA_VERSION, deploymentExecutionId, endpointArtifactId, modelArtifactId, registrationExecutionId,
  rolloutExecutionId, vertexResourceUri,
} from './conventions.js';
import type { ExecutionState, MetadataStore } from './metadata-store.js';
import { ensureSnapshotDataset, trainingRunContextId } from './experiments.js';
import { metadataStore } from './store.js';

/**
 * `projects/{project id}/locations/{region}/models/{model}@{version}` whatever Vertex answered with
 * (it may name the project by number): one version, one artifact id.
 */
export function canonicalVersionName(ctx: ControlPlaneContext, versionName: string): string {
  const tail = versionName.slice(versionName.lastIndexOf('/models/') + '/models/'.length);
  const [model, version] = tail.split('@') as [string, string | undefined];
  return `${vertexModelName(ctx.settings, model)}@${version ?? ''}`;
}

/** The version's `google.VertexModel` artifact; returns its resource name. */
export async function ensureModelArtifact(ctx: ControlPlaneContext, store: MetadataStore, versionName: string, extra: Record<string, string> = {}): Promise<string> {
  const version = canonicalVersionName(ctx, versionName);
  const [model, versionId] = version.slice(version.lastIndexOf('/') + 1).split('@') as [string, string];
  const id = modelArtifactId(version);
  const artifact = await store.ensureArtifact({
    id,
    schemaTitle: SCHEMA.vertexModel,
    schemaVersion: SCHEMA_VERSION,
    displayName: `${model}@${versionId}`,
    uri: vertexResourceUri(ctx.settings.region, version),
    metadata: { [RESOURCE_NAME_KEY]: version, model, versionId, ...extra },
  });
  return artifact.name ?? store.artifactName(id);
}

async function ensureEndpointArtifact(ctx: ControlPlaneContext, store: MetadataStore, endpoint: string): Promise<string> {
  const id = endpointArtifactId(endpoint);
  const artifact = await store.ensureArtifact({
    id,
    schemaTitle: SCHEMA.vertexEndpoint,
    schemaVersion: SCHEMA_VERSION,
    displayName: endpoint.slice(endpoint.lastIndexOf('/') + 1),
    uri: vertexResourceUri(ctx.settings.region, endpoint),
    metadata: { [RESOURCE_NAME_KEY]: endpoint },
  });
  return artifact.name ?? store.artifactName(id);
}

/** The artifact the pipeline engine recorded for the exported model (same uri), if it did. */
async function pipelineModelArtifact(store: MetadataStore, uri: string): Promise<string | undefined> {
  try {
    const client = await store.metadataClient();
    const [artifacts] = await client.listArtifacts({ parent: store.name, filter: `uri = ${JSON.stringify(uri)}`, pageSize: 10 }, { autoPaginate: false });
    return artifacts.find((a) => a.uri === uri && a.schemaTitle !== SCHEMA.vertexModel)?.name ?? undefined;
  } catch (err) {
    // Optional: a store that cannot filter by uri leaves the pipeline's side of the graph unjoined.
    if (isTransient(err)) throw err;
    return undefined;
  }
}

export interface RegistrationTracking {
  readonly spec: ResolvedModelSpec;
  readonly run: TrainingRunRecord;
  readonly pipelineJob: string;
  /** The pipeline's exported serving directory (the `serving_model` output's uri). */
  readonly artifactUri: string;
  readonly modelVersion: string;
  readonly alias: string;
  readonly decision?: string;
}

/** The registration of a training run's version: Dataset (+ pipeline model) → register → VertexModel. */
export async function recordRegistration(ctx: ControlPlaneContext, t: RegistrationTracking): Promise<string> {
  const store = metadataStore(ctx);
  const version = canonicalVersionName(ctx, t.modelVersion);
  const model = await ensureModelArtifact(ctx, store, version, { trainingRun: t.run.name, pipelineJob: t.pipelineJob, artifactUri: t.artifactUri });
  const inputs: string[] = [];
  if (t.run.snapshot) inputs.push(await ensureSnapshotDataset(store, ctx.settings.projectId, t.spec, t.run.snapshot, t.run.sourceParameters));
  const exported = await pipelineModelArtifact(store, t.artifactUri);
  if (exported) inputs.push(exported);
  const id = registrationExecutionId(t.run.id);
  const execution = await store.ensureExecution({
    id,
    schemaTitle: SCHEMA.containerExecution,
    schemaVersion: SCHEMA_VERSION,
    displayName: `register ${version.slice(version.lastIndexOf('/') + 1)}`,
    state: 'COMPLETE',
    metadata: { kind: 'registration', trainingRun: t.run.name, pipelineJob: t.pipelineJob, modelVersion: version, alias: t.alias, artifactUri: t.artifactUri, ...(t.decision ? { decision: t.decision } : {}) },
  });
  const executionName = execution.name ?? store.executionName(id);
  await store.addEvents(executionName, [...inputs.map((artifact) => ({ artifact, type: 'INPUT' as const })), { artifact: model, type: 'OUTPUT' }]);
  await store.addToContext(store.contextName(trainingRunContextId(t.spec.name, t.run.id)), [model], [executionName]);
  return executionName;
}

/** The first champion's deployment at 100% (nothing when none was made). */
export async function recordFirstDeployment(ctx: ControlPlaneContext, spec: ResolvedModelSpec, runId: string, versionName: string, deployment: FirstDeployment): Promise<string | undefined> {
  if (deployment.skipped !== undefined || deployment.deployedModelId === undefined) return undefined;
  const store = metadataStore(ctx);
  const version = canonicalVersionName(ctx, versionName);
  const model = await ensureModelArtifact(ctx, store, version);
  const endpoint = await ensureEndpointArtifact(ctx, store, endpointName(ctx, spec.name));
  const id = deploymentExecutionId(version);
  const execution = await store.ensureExecution({
    id,
    schemaTitle: SCHEMA.containerExecution,
    schemaVersion: SCHEMA_VERSION,
    displayName: `deploy ${version.slice(version.lastIndexOf('/') + 1)} (first champion)`,
    state: 'COMPLETE',
    metadata: { kind: 'deployment', outcome: 'deployed', trafficPercent: 100, modelVersion: version, endpoint: endpointName(ctx, spec.name), deployedModelId: deployment.deployedModelId, ...(deployment.operation ? { operation: deployment.operation } : {}) },
  });
  const executionName = execution.name ?? store.executionName(id);
  await store.addEvents(executionName, [{ artifact: model, type: 'INPUT' }, { artifact: endpoint, type: 'OUTPUT' }]);
  await store.addToContext(store.contextName(trainingRunContextId(spec.name, runId)), [endpoint], [executionName]);
  return executionName;
}

/** A rollout attempt's state and outcome, from its phase. */
export function rolloutOutcome(r: Pick<RolloutRecord, 'phase'>): { state: ExecutionState; outcome: string } {
  switch (r.phase) {
    case 'PROMOTED':
      return { state: 'COMPLETE', outcome: 'promoted' };
    case 'ABORTED':
      return { state: 'FAILED', outcome: 'rolled back' };
    case 'DEGRADED':
      return { state: 'FAILED', outcome: 'degraded' };
    case 'ABORTING':
      return { state: 'RUNNING', outcome: 'rolling back' };
    case 'PROMOTING':
      return { state: 'RUNNING', outcome: 'promoting' };
    default:
      return { state: 'RUNNING', outcome: 'in progress' };
  }
}

/** What the lineage reads of a rollout decision: its id (`{rollout}.{attempt}.{n}`), kind and reason. */
export interface RolloutLineageDecision {
  readonly id: string;
  readonly kind: string;
  readonly reason?: string;
}

/** The attempt a decision was made in, from its id (`{rollout}.{attempt}.{n}`). */
export function decisionAttempt(rolloutId: string, decisionId: string): number | undefined {
  if (!decisionId.startsWith(`${rolloutId}.`)) return undefined;
  const attempt = Number(decisionId.slice(rolloutId.length + 1).split('.')[0]);
  return Number.isInteger(attempt) && attempt > 0 ? attempt : undefined;
}

/**
 * Earlier attempts whose end is in `decisions` (aborted or degraded, then retried, all in one
 * flush): the record only shows the current attempt, so their outcome comes from their own decisions.
 */
function endedEarlierAttempts(r: RolloutRecord, decisions: readonly RolloutLineageDecision[]): Map<number, { phase: 'ABORTED' | 'DEGRADED'; reason?: string }> {
  const ended = new Map<number, { phase: 'ABORTED' | 'DEGRADED'; reason?: string }>();
  for (const d of decisions) {
    const attempt = decisionAttempt(r.id, d.id);
    if (attempt === undefined || attempt >= r.attempt || !ROLLOUT_LINEAGE_DECISIONS.includes(d.kind)) continue;
    // Every earlier attempt ended before the retry; DEGRADED says how, an abort is the default.
    const before = ended.get(attempt);
    const phase = d.kind === 'DEGRADED' || before?.phase === 'DEGRADED' ? 'DEGRADED' : 'ABORTED';
    const reason = d.kind === 'ABORTED' || d.kind === 'DEGRADED' ? d.reason : before?.reason;
    ended.set(attempt, { phase, ...(reason ? { reason } : {}) });
  }
  return ended;
}

/** The rollout attempt as an execution, brought up to date with its phase; only when `decisions` include a lineage decision. */
export async function recordRollout(ctx: ControlPlaneContext, r: RolloutRecord, decisions: readonly RolloutLineageDecision[]): Promise<string | undefined> {
  if (!decisions.some((d) => ROLLOUT_LINEAGE_DECISIONS.includes(d.kind))) return undefined;
  const store = metadataStore(ctx);
  const version = canonicalVersionName(ctx, r.canary.version);
  const model = await ensureModelArtifact(ctx, store, version);
  const endpoint = await ensureEndpointArtifact(ctx, store, r.endpoint);
  for (const [attempt, end] of endedEarlierAttempts(r, decisions)) {
    await recordAttempt(ctx, store, { ...r, attempt, phase: end.phase, ...(end.reason ? { abortReason: end.reason } : {}) }, model, endpoint, false);
  }
  return recordAttempt(ctx, store, r, model, endpoint);
}

/** One attempt's execution (INPUT the version, OUTPUT the endpoint) in the state its phase says; `current`: the record's own attempt (its stable version is this one's). */
async function recordAttempt(ctx: ControlPlaneContext, store: MetadataStore, r: RolloutRecord, model: string, endpoint: string, current = true): Promise<string> {
  const version = canonicalVersionName(ctx, r.canary.version);
  const { state, outcome } = rolloutOutcome(r);
  const id = rolloutExecutionId(r.id, r.attempt);
  const execution = await store.ensureExecution({
    id,
    schemaTitle: SCHEMA.containerExecution,
    schemaVersion: SCHEMA_VERSION,
    displayName: `rollout ${r.id}${r.attempt > 1 ? ` attempt ${r.attempt}` : ''}`,
    state,
    metadata: {
      kind: 'rollout',
      rollout: r.name,
      attempt: r.attempt,
      phase: r.phase,
      outcome,
      modelVersion: version,
      ...(current ? { stableVersion: canonicalVersionName(ctx, r.stable.version) } : {}),
      endpoint: r.endpoint,
      steps: r.policy.steps.length,
      requestedBy: r.requestedBy,
      ...(r.abortReason ? { reason: r.abortReason } : {}),
      ...(r.promotedAt ? { promotedAt: r.promotedAt } : {}),
    },
  });
  const executionName = execution.name ?? store.executionName(id);
  await store.addEvents(executionName, [{ artifact: model, type: 'INPUT' }, { artifact: endpoint, type: 'OUTPUT' }]);
  return executionName;
}
