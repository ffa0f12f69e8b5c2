// The first champion's release, until rollouts (part 2) exist: the spec's endpoint (id = the spec's
// name, with request-response logging to BigQuery as the spec says), then the version deployed at
// 100%. Idempotent: an existing endpoint is reused, and the deployed model's id derives from the
// version, so a second deployment of it is ALREADY_EXISTS. The deployment is started, not awaited
// (on Vertex it takes minutes): its operation is recorded and the endpoint reports it when done.
import { createHash } from 'node:crypto';
import type { IEndpoint } from '../../vertex/shared/proto-types.js';
import { buildCreateEndpointRequest } from '../../vertex/requests/endpoint.js';
import { buildDeployModelRequest } from '../../vertex/requests/deploy-model.js';
import { RpcCode, grpcCode } from '../errors.js';
import { tableReferenceText } from '../config/bigquery-source.js';
import type { ResolvedModelSpec } from '../config/load-model-specs.js';
import type { ControlPlaneContext } from '../runtime/context.js';
import { vertexParent } from '../runtime/context.js';

const { NOT_FOUND, ALREADY_EXISTS } = RpcCode;

export function endpointName(ctx: ControlPlaneContext, model: string): string {
  return `${vertexParent(ctx.settings)}/endpoints/${model}`;
}

async function ensureEndpoint(ctx: ControlPlaneContext, spec: ResolvedModelSpec): Promise<IEndpoint> {
  const endpoints = await ctx.clients.endpoints();
  const name = endpointName(ctx, spec.name);
  try {
    return (await endpoints.getEndpoint({ name }))[0];
  } catch (err) {
    if (grpcCode(err) !== NOT_FOUND) throw err;
  }
  const logging = spec.endpoint.requestResponseLogging;
  try {
    const [operation] = await endpoints.createEndpoint(
      buildCreateEndpointRequest({
        project: ctx.settings.projectId,
        location: ctx.settings.region,
        endpointId: spec.name,
        displayName: spec.endpoint.displayName,
        labels: { model: spec.name },
        ...(logging ? { requestResponseLogging: { samplingRate: logging.samplingRate, bigqueryDestination: `bq://${tableReferenceText(logging.bigqueryTable, ctx.settings.projectId)}` } } : {}),
      }),
    );
    return (await operation.promise())[0];
  } catch (err) {
    if (grpcCode(err) !== ALREADY_EXISTS) throw err;
    return (await endpoints.getEndpoint({ name }))[0];
  }
}

/** A DeployedModel id (1-10 digits, Vertex's rule) that is the same for every deployment of `version`. */
export function deployedModelIdFor(version: string): string {
  const n = BigInt(`0x${createHash('sha256').update(version).digest('hex').slice(0, 15)}`) % 9_000_000_000n;
  return String(n + 1_000_000_000n);
}

/** Deploys `version` (`projects/.../models/m@N`) at 100% when the endpoint serves nothing yet; returns the endpoint name. */
export interface FirstDeployment {
  readonly endpoint: string;
  readonly deployedModelId?: string;
  /** The DeployModel operation, when this call started it. */
  readonly operation?: string;
  /** Why nothing was deployed. */
  readonly skipped?: string;
}

export async function deployFirstChampion(ctx: ControlPlaneContext, spec: ResolvedModelSpec, version: string): Promise<FirstDeployment> {
  const endpoint = await ensureEndpoint(ctx, spec);
  const [model, versionId] = version.split('@') as [string, string];
  const deployed = endpoint.deployedModels ?? [];
  const same = deployed.find((d) => d.model === model && String(d.modelVersionId) === versionId);
  if (same) return { endpoint: endpoint.name!, deployedModelId: same.id! };
  if (deployed.length > 0) return { endpoint: endpoint.name!, skipped: `the endpoint already serves ${deployed.map((d) => `${d.model}@${d.modelVersionId}`).join(', ')}` };
  const endpoints = await ctx.clients.endpoints();
  const deployedModelId = deployedModelIdFor(version);
  try {
    const [operation] = await endpoints.deployModel(
      buildDeployModelRequest({
        endpoint: endpoint.name!,
        model: version,
        deployedModelId,
        displayName: `${spec.name}-v${versionId}`,
        resources: { dedicated: { machine: { machineType: spec.endpoint.machineType }, minReplicaCount: spec.endpoint.minReplicaCount, maxReplicaCount: spec.endpoint.maxReplicaCount } },
        trafficSplit: { '0': 100 },
      }),
    );
    return { endpoint: endpoint.name!, deployedModelId, ...(operation.name ? { operation: operation.name } : {}) };
  } catch (err) {
    // Another delivery started this very deployment.
    if (grpcCode(err) !== ALREADY_EXISTS) throw err;
    return { endpoint: endpoint.name!, deployedModelId };
  }
}
