// GET /v1/models/{model}/experimentRuns: the runs of the model's Vertex AI experiment (training runs
// and tuning trials) with their params, metrics, state and links, a page at a time, for comparing
// them side by side. GET /v1/models/{model}/versions/{version}/lineage: the version's lineage graph
// in ML Metadata (queryArtifactLineageSubgraph on its google.VertexModel artifact) as nodes and
// edges, and the chain snapshot → pipeline run → version → deployments and rollouts.
import type { protos } from '@google-cloud/aiplatform';
import { ControlPlaneError, RpcCode, grpcCode, invalidArgument } from '../errors.js';
import type { ControlPlaneContext } from '../runtime/context.js';
import { vertexModelName } from '../runtime/context.js';
import { fromStruct } from '../../vertex/shared/struct.js';
import * as conventionsModule from '../tracking/conventions.js';
import { sameMetadataName } from '../tracking/metadata-store.js';
import { metadataStore } from '../tracking/store.js';
import type { JsonObject, JsonValue } from '../../vertex/shared/struct.js';
import type { LineageChainStep, LineageEdge, LineageNode } from './tracking-views.js';
import { ExperimentRunView, LineageView, ListExperimentRunsQuery, ListExperimentRunsResponse } from './tracking-views.js';

type IContext = protos.google.cloud.aiplatform.v1.IContext;
type IArtifact = protos.google.cloud.aiplatform.v1.IArtifact;
type IExecution = protos.google.cloud.aiplatform.v1.IExecution;
type ILineageSubgraph = protos.google.cloud.aiplatform.v1.ILineageSubgraph;
type Timestamp = { seconds?: number | string | { toString(): string } | null; nanos?: number | null } | string | null | undefined;

const { NOT_FOUND } = RpcCode;

function iso(t: Timestamp): string | undefined {
  if (t === null || t === undefined) return undefined;
  if (typeof t === 'string') return t;
  if (t.seconds === undefined || t.seconds === null) return undefined;
  return new Date(Number(t.seconds.toString()) * 1000 + Math.floor(Number(t.nanos ?? 0) / 1e6)).toISOString();
}

const scalars = (v: JsonValue | undefined): Record<string, number | string> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).filter((e): e is [string, number | string] => typeof e[1] === 'number' || typeof e[1] === 'string')) : {};
const text = (v: JsonValue | undefined): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** One experiment run context as the console shows it. */
export function experimentRunView(context: IContext): ExperimentRunView {
  const conventions = conventionsModule;
  const m = fromStruct(context.metadata);
  const links = {
    trainingRun: text(m.training_run),
    tuningRun: text(m.tuning_run),
    trial: text(m.trial),
    tuningJob: text(m.tuning_job),
    pipelineJob: text(m.pipeline_job),
    modelVersion: text(m.model_version),
    decision: text(m.decision),
  };
  const createTime = iso(context.createTime);
  const updateTime = iso(context.updateTime);
  return ExperimentRunView.parse({
    name: context.name ?? '',
    runId: context.displayName ?? '',
    kind: m[conventions.RUN_KIND_KEY] === 'tuning-trial' ? 'tuning-trial' : 'training',
    state: text(m[conventions.STATE_KEY]) ?? 'STATE_UNSPECIFIED',
    params: scalars(m[conventions.PARAMS_KEY]),
    metrics: scalars(m[conventions.METRICS_KEY]),
    ...(context.description ? { description: context.description } : {}),
    ...(createTime ? { createTime } : {}),
    ...(updateTime ? { updateTime } : {}),
    links: Object.fromEntries(Object.entries(links).filter(([, v]) => v !== undefined)),
  });
}

export async function listExperimentRuns(ctx: ControlPlaneContext, model: string, query: ListExperimentRunsQuery): Promise<ListExperimentRunsResponse> {
  const spec = ctx.models.require(model);
  const store = metadataStore(ctx);
  const client = await store.metadataClient();
  const experiment = store.contextName(conventionsModule.experimentId(spec.name));
  let stored: IContext;
  try {
    [stored] = await client.getContext({ name: experiment });
  } catch (err) {
    // No run recorded yet: an empty experiment, not an error.
    if (grpcCode(err) === NOT_FOUND) return ListExperimentRunsResponse.parse({ experiment, experimentRuns: [] });
    throw err;
  }
  // The parent as Vertex names it in parentContexts (with the project number), not as we built it.
  const parent = stored.name ?? experiment;
  const filters = [`schema_title = "${conventionsModule.SCHEMA.experimentRun}"`, `parent_contexts:${JSON.stringify(parent)}`];
  if (query.kind) filters.push(`metadata.${conventionsModule.RUN_KIND_KEY}.string_value = ${JSON.stringify(query.kind)}`);
  // Newest first across pages: Vertex orders, a page is never re-sorted on its own.
  const [contexts, , response] = await client.listContexts(
    { parent: store.name, filter: filters.join(' AND '), orderBy: 'create_time desc', pageSize: query.pageSize, ...(query.pageToken ? { pageToken: query.pageToken } : {}) },
    { autoPaginate: false },
  );
  const runs = contexts.map(experimentRunView);
  const next = response?.nextPageToken;
  return ListExperimentRunsResponse.parse({ experiment, experimentRuns: runs, ...(next ? { nextPageToken: next } : {}) });
}

/** A version id (`3`) or an alias (`champion`) → `projects/.../models/{model}@{versionId}`. */
async function resolveVersion(ctx: ControlPlaneContext, model: string, version: string): Promise<string> {
  if (!/^[a-z0-9][a-z0-9-]{0,127}$/.test(version)) throw invalidArgument('version', `a version id (e.g. "3") or an alias (e.g. "champion"), got ${JSON.stringify(version.slice(0, 80))}`);
  const base = vertexModelName(ctx.settings, model);
  try {
    const [found] = await (await ctx.clients.models()).getModel({ name: `${base}@${version}` });
    return `${base}@${String(found.versionId)}`;
  } catch (err) {
    if (grpcCode(err) === NOT_FOUND) throw new ControlPlaneError('NOT_FOUND', `models/${model} has no version or alias ${version}`, [{ field: 'version', description: 'no such version or alias' }]);
    throw err;
  }
}

function artifactNode(a: IArtifact): LineageNode {
  const metadata = fromStruct(a.metadata);
  const createTime = iso(a.createTime);
  const updateTime = iso(a.updateTime);
  const resource = text(metadata[conventionsModule.RESOURCE_NAME_KEY]);
  return {
    id: a.name ?? '',
    type: 'artifact',
    schemaTitle: a.schemaTitle ?? '',
    displayName: a.displayName ?? '',
    ...(a.uri ? { uri: a.uri } : {}),
    ...(resource ? { resourceName: resource } : {}),
    state: String(a.state ?? 'STATE_UNSPECIFIED'),
    ...(createTime ? { createTime } : {}),
    ...(updateTime ? { updateTime } : {}),
    metadata,
  };
}

function executionNode(e: IExecution): LineageNode {
  const metadata = fromStruct(e.metadata);
  const createTime = iso(e.createTime);
  const updateTime = iso(e.updateTime);
  const resource = text(metadata.rollout) ?? text(metadata.pipelineJob) ?? text(metadata[conventionsModule.RESOURCE_NAME_KEY]);
  return {
    id: e.name ?? '',
    type: 'execution',
    schemaTitle: e.schemaTitle ?? '',
    displayName: e.displayName ?? '',
    ...(resource ? { resourceName: resource } : {}),
    state: String(e.state ?? 'STATE_UNSPECIFIED'),
    ...(createTime ? { createTime } : {}),
    ...(updateTime ? { updateTime } : {}),
    metadata,
  };
}

/**
 * The version's own lineage within the connected subgraph Vertex answers: what it came from (every
 * ancestor) and what came of it (every descendant), not the other versions that share an endpoint
 * with it (reached sideways, through the endpoint artifact).
 */
export function directLineage(root: string, nodes: readonly LineageNode[], edges: readonly LineageEdge[]): { nodes: LineageNode[]; edges: LineageEdge[] } {
  const walk = (next: (id: string) => string[]) => {
    const seen = new Set([root]);
    const queue = [root];
    for (let id = queue.pop(); id !== undefined; id = queue.pop()) {
      for (const n of next(id)) {
        if (seen.has(n)) continue;
        seen.add(n);
        queue.push(n);
      }
    }
    return seen;
  };
  const ancestors = walk((id) => edges.filter((e) => e.target === id).map((e) => e.source));
  const descendants = walk((id) => edges.filter((e) => e.source === id).map((e) => e.target));
  const kept = new Set([...ancestors, ...descendants]);
  return {
    nodes: nodes.filter((n) => kept.has(n.id)),
    edges: edges.filter((e) => (ancestors.has(e.source) && ancestors.has(e.target)) || (descendants.has(e.source) && descendants.has(e.target))),
  };
}

/**
 * Event edges walked from the version's artifact: back, the registration (1), the snapshot and the
 * pipeline's model (2), and the pipeline's tasks to the snapshot (export, evaluate, train,
 * preprocess: up to 8); forward, its releases (1) and their endpoint (2, added separately).
 */
export const LINEAGE_MAX_HOPS = 8;

/** `a` with the nodes and events of `b` it lacks. */
export function mergeSubgraphs(a: ILineageSubgraph, b: ILineageSubgraph): ILineageSubgraph {
  const union = <T extends { name?: string | null }>(x: readonly T[] | null | undefined, y: readonly T[] | null | undefined): T[] => {
    const seen = new Set((x ?? []).map((n) => n.name));
    return [...(x ?? []), ...(y ?? []).filter((n) => !seen.has(n.name))];
  };
  const key = (e: protos.google.cloud.aiplatform.v1.IEvent) => `${e.execution} ${e.artifact} ${String(e.type)}`;
  const events = new Set((a.events ?? []).map(key));
  return {
    artifacts: union(a.artifacts, b.artifacts),
    executions: union(a.executions, b.executions),
    events: [...(a.events ?? []), ...(b.events ?? []).filter((e) => !events.has(key(e)))],
  };
}

/** The readable chain through the graph around the version's artifact. */
export function lineageChain(versionArtifact: string, nodes: readonly LineageNode[], edges: readonly LineageEdge[]): LineageChainStep[] {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const version = byId.get(versionArtifact);
  if (!version) return [];
  const producers = edges.filter((e) => e.event === 'OUTPUT' && e.target === versionArtifact).map((e) => byId.get(e.source)).filter((n): n is LineageNode => n !== undefined);
  const registration = producers.find((n) => n.metadata.kind === 'registration') ?? producers[0];
  const chain: LineageChainStep[] = [];
  if (registration) {
    const inputs = edges.filter((e) => e.event === 'INPUT' && e.target === registration.id).map((e) => byId.get(e.source)).filter((n): n is LineageNode => n !== undefined);
    for (const dataset of inputs.filter((n) => n.schemaTitle === conventionsModule.SCHEMA.dataset)) {
      chain.push({ stage: 'snapshot', name: dataset.uri ?? dataset.id, displayName: dataset.displayName, node: dataset.id, state: dataset.state, ...(dataset.createTime ? { time: dataset.createTime } : {}) });
    }
    const job = text(registration.metadata.pipelineJob);
    const trainingRun = text(registration.metadata.trainingRun);
    if (job) chain.push({ stage: 'pipelineRun', name: job, displayName: job.slice(job.lastIndexOf('/') + 1), ...(trainingRun ? { outcome: `trained by ${trainingRun}` } : {}) });
  }
  chain.push({ stage: 'modelVersion', name: version.resourceName ?? version.id, displayName: version.displayName, node: version.id, state: version.state, ...(version.createTime ? { time: version.createTime } : {}) });
  const releases = edges
    .filter((e) => e.event === 'INPUT' && e.source === versionArtifact)
    .map((e) => byId.get(e.target))
    .filter((n): n is LineageNode => n !== undefined && (n.metadata.kind === 'deployment' || n.metadata.kind === 'rollout'))
    .sort((a, b) => (a.createTime ?? '').localeCompare(b.createTime ?? '') || a.id.localeCompare(b.id));
  for (const r of releases) {
    const m: JsonObject = r.metadata;
    chain.push({
      stage: m.kind === 'rollout' ? 'rollout' : 'deployment',
      name: text(m.rollout) ?? text(m.endpoint) ?? r.id,
      displayName: r.displayName,
      node: r.id,
      state: r.state,
      ...(text(m.outcome) ? { outcome: text(m.outcome)! } : {}),
      ...(r.updateTime ?? r.createTime ? { time: (r.updateTime ?? r.createTime)! } : {}),
    });
  }
  return chain;
}

export async function getVersionLineage(ctx: ControlPlaneContext, model: string, version: string): Promise<LineageView> {
  ctx.models.require(model);
  const resolved = await resolveVersion(ctx, model, version);
  const store = metadataStore(ctx);
  const client = await store.metadataClient();
  const requested = store.artifactName(conventionsModule.modelArtifactId(resolved));
  let graph: ILineageSubgraph;
  try {
    // Bounded, and not through the endpoint: every version released on it shares its artifact, so
    // the whole connected graph grows with the model's history (and Vertex refuses over 1000 nodes).
    [graph] = await client.queryArtifactLineageSubgraph({ artifact: requested, maxHops: LINEAGE_MAX_HOPS, filter: `schema_title != ${JSON.stringify(conventionsModule.SCHEMA.vertexEndpoint)}` });
  } catch (err) {
    if (grpcCode(err) === NOT_FOUND) throw new ControlPlaneError('NOT_FOUND', `no lineage is recorded for ${resolved} (registered before tracking, or its recording failed)`);
    throw err;
  }
  // The version's artifact as Vertex names it (with the project number): the node ids are its names.
  const artifact = (graph.artifacts ?? []).find((a) => sameMetadataName(a.name, requested))?.name ?? requested;
  // Each of the version's own releases with what it released to (the endpoint the filter left out).
  const releases = (graph.executions ?? []).filter((e) => (graph.events ?? []).some((ev) => ev.execution === e.name && String(ev.type) === 'INPUT' && ev.artifact === artifact));
  for (const release of releases) {
    const [io] = await client.queryExecutionInputsAndOutputs({ execution: release.name ?? '' });
    graph = mergeSubgraphs(graph, io);
  }
  const allNodes = [...(graph.artifacts ?? []).map(artifactNode), ...(graph.executions ?? []).map(executionNode)];
  const allEdges: LineageEdge[] = (graph.events ?? []).flatMap((e): LineageEdge[] => {
    const type = String(e.type);
    if (!e.artifact || !e.execution) return [];
    if (type === 'INPUT') return [{ source: e.artifact, target: e.execution, event: 'INPUT' }];
    if (type === 'OUTPUT') return [{ source: e.execution, target: e.artifact, event: 'OUTPUT' }];
    return [];
  });
  const { nodes, edges } = directLineage(artifact, allNodes, allEdges);
  return LineageView.parse({ model: `models/${model}`, version: resolved, artifact, nodes, edges, chain: lineageChain(artifact, nodes, edges) });
}

/** The list's query string (`pageSize`, `pageToken`, `kind`), refused naming the field when wrong. */
export function parseExperimentRunsQuery(query: unknown): ListExperimentRunsQuery {
  return ListExperimentRunsQuery.parse(query ?? {});
}
