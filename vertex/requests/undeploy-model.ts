// UndeployModelRequest: Vertex refuses to undeploy a model that still receives traffic
// unless the request's split moves that traffic to the remaining models.
import type { IEndpoint, IUndeployModelRequest } from '../shared/proto-types.js';
import { fail } from '../shared/errors.js';
import { parseEndpointName } from '../shared/resource-names.js';
import type { TrafficSplit } from './traffic-split.js';
import { currentTraffic, deployedModelIds, requireDeployedModelId, validateTrafficSplit } from './traffic-split.js';

export interface UndeployModelInput {
  /** The endpoint as returned by getEndpoint. */
  readonly currentEndpoint: IEndpoint;
  readonly deployedModelId: string;
  /** New split over the models that stay; required when the undeployed model has traffic. */
  readonly trafficSplit?: TrafficSplit;
}

export function buildUndeployModelRequest(input: UndeployModelInput): IUndeployModelRequest {
  const endpoint = input.currentEndpoint.name ?? '';
  parseEndpointName(endpoint, 'currentEndpoint.name');
  const id = requireDeployedModelId(input.deployedModelId, 'deployedModelId');
  const deployed = deployedModelIds(input.currentEndpoint);
  if (!deployed.has(id)) fail('deployedModelId', `${id} is not deployed on ${endpoint} (deployed: ${[...deployed].join(', ') || 'none'})`);
  const remaining = new Set([...deployed].filter((d) => d !== id));
  const carried = currentTraffic(input.currentEndpoint)[id] ?? 0;

  const request: IUndeployModelRequest = { endpoint, deployedModelId: id };
  const split = input.trafficSplit ?? {};
  if (Object.keys(split).length > 0) {
    if (id in split) fail(`trafficSplit.${id}`, 'the model being undeployed cannot stay in the split');
    if (remaining.size === 0) fail('trafficSplit', 'no models remain on the endpoint; leave the split empty');
    request.trafficSplit = validateTrafficSplit(split, { field: 'trafficSplit', deployedIds: remaining });
  } else if (carried > 0 && remaining.size > 0) {
    fail('trafficSplit', `deployed model ${id} still receives ${carried}% of traffic; give a split over the remaining models (${[...remaining].join(', ')})`);
  }
  return request;
}
