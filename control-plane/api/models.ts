// GET /v1/models, GET /v1/models/{model}, GET /v1/models/{model}/versions/{version}/evaluations:
// each managed model as its spec declares it, joined with the Vertex Model Registry (versions,
// aliases, champion), its endpoint and its latest training runs.
import type { ResolvedModelSpec } from '../config/load-model-specs.js';
import type { DecisionRecord } from '../evaluation/decision.js';
import { RpcCode, grpcCode, invalidArgument } from '../errors.js';
import { endpointName } from '../registry/first-deployment.js';
import type { ControlPlaneContext } from '../runtime/context.js';
import { vertexModelName } from '../runtime/context.js';
import type { TrainingRunRecord } from '../state/training-runs.js';
import { withoutLease } from '../state/training-runs.js';
import { fromProtoValue } from '../../vertex/shared/struct.js';
import { versionModelCard } from '../governance/model-card-link.js';

const { NOT_FOUND } = RpcCode;
const withModelCard = (card: VersionView['modelCard']) => (card ? { modelCard: card } : {});

export interface ModelSummary {
  readonly name: string;
  readonly displayName: string;
  readonly description: string;
  readonly task: string;
  readonly pipeline: string;
  readonly schedule?: { readonly cron: string; readonly timeZone: string; readonly enabled: boolean };
  readonly vertexModel: string;
  readonly environment: string;
}

function summary(ctx: ControlPlaneContext, spec: ResolvedModelSpec): ModelSummary {
  return {
    name: `models/${spec.name}`,
    displayName: spec.displayName,
    description: spec.description,
    task: spec.task,
    pipeline: spec.pipeline.name,
    ...(spec.schedule ? { schedule: spec.schedule } : {}),
    vertexModel: vertexModelName(ctx.settings, spec.name),
    environment: spec.environment,
  };
}

export function listModels(ctx: ControlPlaneContext): { models: ModelSummary[] } {
  return { models: ctx.models.list().map((spec) => summary(ctx, spec)) };
}

export interface VersionView {
  readonly name: string;
  readonly versionId: string;
  readonly aliases: readonly string[];
  readonly createTime?: string;
  readonly artifactUri?: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly description?: string;
  /** The version's model card beside its artifacts, when it was registered with one. */
  readonly modelCard?: { readonly markdownUri: string; readonly htmlUri: string };
}

const timestamp = (t: { seconds?: unknown } | null | undefined) => (t && t.seconds !== undefined && t.seconds !== null ? new Date(Number(t.seconds) * 1000).toISOString() : undefined);

export interface ModelView extends ModelSummary {
  readonly versions: readonly VersionView[];
  readonly champion?: string;
  readonly challenger?: string;
  readonly endpoint?: { readonly name: string; readonly trafficSplit: Readonly<Record<string, number>>; readonly deployedModels: readonly { id: string; model: string; displayName?: string }[] };
  readonly latestRuns: readonly Omit<TrainingRunRecord, "lease">[];
}

export async function getModel(ctx: ControlPlaneContext, model: string): Promise<ModelView> {
  const spec = ctx.models.require(model);
  const modelName = vertexModelName(ctx.settings, spec.name);
  const [versions, endpoint, runs] = await Promise.all([
    (async () => {
      try {
        const [list] = await (await ctx.clients.models()).listModelVersions({ name: modelName }, { autoPaginate: true });
        return list;
      } catch (err) {
        if (grpcCode(err) === NOT_FOUND) return [];
        throw err;
      }
    })(),
    (async () => {
      try {
        return (await (await ctx.clients.endpoints()).getEndpoint({ name: endpointName(ctx, spec.name) }))[0];
      } catch (err) {
        if (grpcCode(err) === NOT_FOUND) return undefined;
        throw err;
      }
    })(),
    ctx.runs.listForModel(spec.name, 10),
  ]);
  const views: VersionView[] = versions.map((v) => ({
    name: `${modelName}@${v.versionId}`,
    versionId: String(v.versionId),
    aliases: v.versionAliases ?? [],
    ...(timestamp(v.versionCreateTime) ? { createTime: timestamp(v.versionCreateTime)! } : {}),
    ...(v.artifactUri ? { artifactUri: v.artifactUri } : {}),
    labels: v.labels ?? {},
    ...(v.versionDescription ? { description: v.versionDescription } : {}),
    ...withModelCard(versionModelCard(v)),
  }));
  const withAlias = (alias: string) => views.find((v) => v.aliases.includes(alias))?.name;
  const champion = withAlias('champion');
  const challenger = withAlias('challenger');
  return {
    ...summary(ctx, spec),
    versions: views,
    ...(champion ? { champion } : {}),
    ...(challenger ? { challenger } : {}),
    ...(endpoint
      ? {
          endpoint: {
            name: endpoint.name ?? '',
            trafficSplit: Object.fromEntries(Object.entries(endpoint.trafficSplit ?? {}).map(([k, v]) => [k, Number(v)])),
            deployedModels: (endpoint.deployedModels ?? []).map((d) => ({ id: d.id ?? '', model: `${d.model ?? ''}@${d.modelVersionId ?? ''}`, ...(d.displayName ? { displayName: d.displayName } : {}) })),
          },
        }
      : {}),
    latestRuns: runs.map(withoutLease),
  };
}

export interface EvaluationView {
  readonly name: string;
  readonly displayName?: string;
  readonly metricsSchemaUri?: string;
  readonly metrics: unknown;
  readonly createTime?: string;
}

export async function listVersionEvaluations(ctx: ControlPlaneContext, model: string, version: string): Promise<{ evaluations: EvaluationView[]; decisions: DecisionRecord[] }> {
  const spec = ctx.models.require(model);
  if (!/^(\d{1,9}|[a-z][a-zA-Z0-9-]{0,126}[a-z0-9])$/.test(version)) throw invalidArgument('version', `is not a version id or alias: ${JSON.stringify(version.slice(0, 80))}`);
  const models = await ctx.clients.models();
  const [resolved] = await models.getModel({ name: `${vertexModelName(ctx.settings, spec.name)}@${version}` });
  const versionName = `${vertexModelName(ctx.settings, spec.name)}@${resolved.versionId}`;
  const [evaluations] = await models.listModelEvaluations({ parent: versionName }, { autoPaginate: true });
  // The decision that registered it, evaluations of it, and runs compared with it as champion.
  const decisions = (await ctx.decisions.listForModel(spec.name)).filter(
    (d) => d.id === resolved.labels?.training_run || d.evaluatedVersion === versionName || d.champion === versionName,
  );
  return {
    evaluations: evaluations.map((e) => ({
      name: e.name ?? '',
      ...(e.displayName ? { displayName: e.displayName } : {}),
      ...(e.metricsSchemaUri ? { metricsSchemaUri: e.metricsSchemaUri } : {}),
      metrics: e.metrics ? fromProtoValue(e.metrics) : null,
      ...(timestamp(e.createTime) ? { createTime: timestamp(e.createTime)! } : {}),
    })),
    decisions,
  };
}
