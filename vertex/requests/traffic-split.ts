// Endpoint traffic splits: deployed-model id → integer percent, summing to 100. Changes go
// through UpdateEndpoint with update mask `traffic_split` and the endpoint's etag, so a
// concurrent change makes the update fail instead of being overwritten.
import type { IEndpoint, IUpdateEndpointRequest } from '../shared/proto-types.js';
import { fail, requireInteger } from '../shared/errors.js';
import { parseEndpointName } from '../shared/resource-names.js';

export type TrafficSplit = Readonly<Record<string, number>>;

/** In DeployModelRequest.trafficSplit, `"0"` stands for the model being deployed. */
export const NEW_DEPLOYED_MODEL_KEY = '0';

// DeployedModel.id: 1-10 digits (endpoint.proto).
const DEPLOYED_MODEL_ID = /^[0-9]{1,10}$/;

export function requireDeployedModelId(id: string, field: string): string {
  if (!DEPLOYED_MODEL_ID.test(id)) fail(field, `deployed model ids are 1-10 digits, got ${JSON.stringify(id)}`);
  return id;
}

export interface TrafficSplitRules {
  readonly field: string;
  /** Ids that may receive traffic (the endpoint's deployed models); unchecked when undefined. */
  readonly deployedIds?: ReadonlySet<string>;
  /** Whether the `"0"` placeholder for a model being deployed is allowed. */
  readonly allowNewModelKey?: boolean;
}

/** Checks ids and percentages; returns a copy. An empty split is returned as is. */
export function validateTrafficSplit(split: TrafficSplit, rules: TrafficSplitRules): Record<string, number> {
  const { field } = rules;
  const entries = Object.entries(split);
  if (entries.length === 0) return {};
  let total = 0;
  for (const [id, percent] of entries) {
    const entryField = `${field}.${id}`;
    if (id === NEW_DEPLOYED_MODEL_KEY) {
      if (rules.allowNewModelKey !== true) fail(entryField, '"0" only means "the model being deployed" in a DeployModel request');
    } else {
      requireDeployedModelId(id, entryField);
      if (rules.deployedIds !== undefined && !rules.deployedIds.has(id)) {
        fail(entryField, `deployed model ${id} is not deployed on this endpoint (deployed: ${[...rules.deployedIds].join(', ') || 'none'})`);
      }
    }
    total += requireInteger(percent, entryField, 0, 100);
  }
  if (total !== 100) fail(field, `percentages must add up to 100, got ${total}`);
  return Object.fromEntries(entries);
}

/** `{stable: 100 - percent, canary: percent}` for one canary step. */
export function canarySplit(stableId: string, canaryId: string, canaryPercent: number): Record<string, number> {
  requireDeployedModelId(stableId, 'stableId');
  requireDeployedModelId(canaryId, 'canaryId');
  if (stableId === canaryId) fail('canaryId', 'must differ from stableId');
  const percent = requireInteger(canaryPercent, 'canaryPercent', 0, 100);
  return { [stableId]: 100 - percent, [canaryId]: percent };
}

/** Ids of the models deployed on an endpoint as read from getEndpoint. */
export function deployedModelIds(endpoint: IEndpoint): Set<string> {
  const ids = new Set<string>();
  for (const deployed of endpoint.deployedModels ?? []) {
    if (typeof deployed.id === 'string' && deployed.id !== '') ids.add(deployed.id);
  }
  return ids;
}

/** The endpoint's current split with zero entries dropped. */
export function currentTraffic(endpoint: IEndpoint): Record<string, number> {
  return Object.fromEntries(Object.entries(endpoint.trafficSplit ?? {}).filter(([, percent]) => percent > 0));
}

/**
 * UpdateEndpointRequest moving traffic to `desired`, for a safe read-modify-write of the
 * endpoint returned by getEndpoint (`current`): its name and etag go into the request.
 */
export function planTrafficUpdate(current: IEndpoint, desired: TrafficSplit): IUpdateEndpointRequest {
  const name = current.name ?? '';
  parseEndpointName(name, 'currentEndpoint.name');
  const etag = current.etag ?? '';
  if (etag === '') {
    fail('currentEndpoint.etag', 'is missing: pass the endpoint as returned by getEndpoint, so a concurrent change is detected instead of overwritten');
  }
  const deployedIds = deployedModelIds(current);
  if (Object.keys(desired).length === 0) fail('desiredSplit', 'must not be empty: percentages must add up to 100');
  const trafficSplit = validateTrafficSplit(desired, { field: 'desiredSplit', deployedIds });
  const receiving = Object.values(trafficSplit).filter((p) => p > 0).length;
  if ((current.network ?? '') !== '' && receiving > 1) {
    fail('desiredSplit', 'private-service-access endpoints serve one model only; traffic cannot be split');
  }
  return {
    endpoint: { name, etag, trafficSplit },
    updateMask: { paths: ['traffic_split'] },
  };
}
