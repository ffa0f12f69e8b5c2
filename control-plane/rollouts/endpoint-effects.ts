// The rollout's side effects on Vertex, each idempotent: the endpoint read as plan.ts sees it,
// the canary's deployment (its deployed model id is fixed, so a repeat is ALREADY_EXISTS), traffic
// updates carrying the endpoint's etag (a concurrent change fails instead of being overwritten),
// undeployments, alias moves and the rolled-back label.
import type { IEndpoint } from '../../vertex/shared/proto-types.js';
import { buildDeployModelRequest } from '../../vertex/requests/deploy-model.js';
import { currentTraffic, deployedModelIds, planTrafficUpdate } from '../../vertex/requests/traffic-split.js';
import { buildUndeployModelRequest } from '../../vertex/requests/undeploy-model.js';
import { toLabelValue } from '../../vertex/shared/labels.js';
import type { ResolvedModelSpec } from '../config/load-model-specs.js';
import { grpcCode, RetryLater, RpcCode } from '../errors.js';
import type { ControlPlaneContext } from '../runtime/context.js';
import type { DeployOperationView, Effect, EndpointView } from './plan.js';
import type { RolloutRecord } from './rollout-record.js';

const { NOT_FOUND, ALREADY_EXISTS, ABORTED, FAILED_PRECONDITION } = RpcCode;

export interface ObservedEndpoint {
  readonly view: EndpointView;
  readonly endpoint?: IEndpoint;
}

export async function observeEndpoint(ctx: ControlPlaneContext, name: string): Promise<ObservedEndpoint> {
  const endpoints = await ctx.clients.endpoints();
  try {
    const [endpoint] = await endpoints.getEndpoint({ name });
    return { endpoint, view: { exists: true, deployed: deployedModelIds(endpoint), traffic: currentTraffic(endpoint) } };
  } catch (err) {
    if (grpcCode(err) === NOT_FOUND) return { view: { exists: false, deployed: new Set(), traffic: {} } };
    throw err;
  }
}

/**
 * The deployed model serving all of the endpoint's traffic, as a rollout's stable side: its
 * version from the endpoint's own record (`modelBase` where that names no model), or undefined
 * when the traffic is split or absent.
 */
export function soleServing(observed: ObservedEndpoint, modelBase: string): { version: string; deployedModelId: string } | undefined {
  const serving = Object.entries(observed.view.traffic);
  if (serving.length !== 1 || serving[0]![1] !== 100) return undefined;
  const deployedModelId = serving[0]![0];
  const deployed = observed.endpoint?.deployedModels?.find((d) => d.id === deployedModelId);
  return { version: `${deployed?.model ?? modelBase}@${String(deployed?.modelVersionId ?? '')}`, deployedModelId };
}

export async function deployOperationState(ctx: ControlPlaneContext, operation: string): Promise<DeployOperationView | undefined> {
  const endpoints = await ctx.clients.endpoints();
  try {
    const op = await endpoints.checkDeployModelProgress(operation);
    if (!op.done) return { done: false };
    const error = op.latestResponse.error;
    if (error && (error.code ?? 0) !== 0) {
      // A repeated request for a deployment that landed: not a failure.
      if (error.code === ALREADY_EXISTS) return { done: true };
      return { done: true, error: error.message ?? `code ${String(error.code)}` };
    }
    return { done: true };
  } catch (err) {
    if (grpcCode(err) === NOT_FOUND) return undefined;
    throw err;
  }
}

export interface EffectResult {
  /** The DeployModel operation this effect started. */
  readonly operation?: string;
  /** Why Vertex refused the deployment for good (retrying cannot help). */
  readonly refused?: string;
}

/** Answers to a DeployModel request that no retry changes. */
const PERMANENT = new Set<number>([RpcCode.INVALID_ARGUMENT, RpcCode.FAILED_PRECONDITION, RpcCode.PERMISSION_DENIED, RpcCode.RESOURCE_EXHAUSTED, RpcCode.NOT_FOUND]);

export async function applyEffect(ctx: ControlPlaneContext, spec: ResolvedModelSpec, rollout: RolloutRecord, effect: Effect, observed: ObservedEndpoint): Promise<EffectResult> {
  const endpoints = await ctx.clients.endpoints();
  switch (effect.kind) {
    case 'deploy-canary': {
      const versionId = rollout.canary.version.split('@')[1] ?? '';
      try {
        const [operation] = await endpoints.deployModel(
          buildDeployModelRequest({
            endpoint: rollout.endpoint,
            model: rollout.canary.version,
            deployedModelId: rollout.canary.deployedModelId,
            displayName: `${rollout.model}-v${versionId}`,
            resources: { dedicated: { machine: { machineType: spec.endpoint.machineType }, minReplicaCount: spec.endpoint.minReplicaCount, maxReplicaCount: spec.endpoint.maxReplicaCount } },
          }),
        );
        return operation.name ? { operation: operation.name } : {};
      } catch (err) {
        const code = grpcCode(err);
        if (code === ALREADY_EXISTS) return {};
        if (code !== undefined && PERMANENT.has(code)) return { refused: err instanceof Error ? err.message : String(err) };
        throw err;
      }
    }
    case 'set-traffic': {
      if (!observed.endpoint) throw new RetryLater('the endpoint was not read before its traffic update');
      try {
        await endpoints.updateEndpoint(planTrafficUpdate(observed.endpoint, effect.traffic));
      } catch (err) {
        // Changed since it was read: the next pass reads it again and decides anew.
        if (grpcCode(err) === ABORTED) return {};
        throw err;
      }
      return {};
    }
    case 'undeploy': {
      if (!observed.endpoint) throw new RetryLater('the endpoint was not read before the undeployment');
      const remaining = Object.keys(effect.remaining).filter((id) => id !== effect.deployedModelId && observed.view.deployed.has(id));
      try {
        await endpoints.undeployModel(
          buildUndeployModelRequest({
            currentEndpoint: observed.endpoint,
            deployedModelId: effect.deployedModelId,
            ...(remaining.length > 0 ? { trafficSplit: effect.remaining } : {}),
          }),
        );
      } catch (err) {
        // Already gone, or an undeployment is under way: the next pass sees the outcome.
        if (grpcCode(err) === NOT_FOUND || grpcCode(err) === FAILED_PRECONDITION) return {};
        throw err;
      }
      return {};
    }
    case 'move-aliases': {
      const models = await ctx.clients.models();
      // `champion` and `default` move to the promoted version; it stops being the `challenger`
      // (removed only where it holds it: a newer challenger may have taken the alias meanwhile).
      const [version] = await models.getModel({ name: rollout.canary.version });
      const removals = (version.versionAliases ?? []).includes('challenger') ? ['-challenger'] : [];
      await models.mergeVersionAliases({ name: rollout.canary.version, versionAliases: ['champion', 'default', ...removals] });
      return {};
    }
    case 'label-rolled-back': {
      const models = await ctx.clients.models();
      const [model] = await models.getModel({ name: rollout.canary.version });
      await models.updateModel({
        model: { name: rollout.canary.version, labels: { ...(model.labels ?? {}), rollout: 'rolled-back', rollout_id: toLabelValue(rollout.id) } },
        updateMask: { paths: ['labels'] },
      });
      return {};
    }
  }
}
