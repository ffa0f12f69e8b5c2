// Vertex's traffic rules for an endpoint's split (deployed model id → percent, summing to 100):
// in DeployModel, key "0" is the model being deployed; a non-empty split replaces the endpoint's,
// an empty one keeps it (the new model gets 0%, or 100% on an empty endpoint). Zero entries are dropped.
import { failedPrecondition, invalidArgument } from '../api/errors.js';

export type TrafficSplit = Record<string, number>;

const NEW_MODEL_KEY = '0';

export function withoutZeros(split: TrafficSplit): TrafficSplit {
  return Object.fromEntries(Object.entries(split).filter(([, p]) => p > 0));
}

/** Ids must be deployed (or "0" where allowed), percents integers in [0, 100] adding up to 100. */
export function checkSplit(split: TrafficSplit, deployed: ReadonlySet<string>, field: string, options: { allowNewModelKey?: boolean } = {}): void {
  let total = 0;
  for (const [id, percent] of Object.entries(split)) {
    if (!(id === NEW_MODEL_KEY && options.allowNewModelKey) && !deployed.has(id)) {
      const known = [...deployed].join(', ') || 'none';
      throw invalidArgument(`${field}["${id}"]: deployed model ${id} is not deployed on this endpoint (deployed: ${known}).`, field);
    }
    if (!Number.isInteger(percent) || percent < 0 || percent > 100) {
      throw invalidArgument(`${field}["${id}"]: traffic percentages are integers from 0 to 100, got ${percent}.`, field);
    }
    total += percent;
  }
  if (total !== 100) throw invalidArgument(`${field} must add up to 100, got ${total}.`, field);
}

/** The endpoint's split once `newId` is deployed with the request's `requested` split. */
export function splitAfterDeploy(current: TrafficSplit, requested: TrafficSplit, newId: string, deployedBefore: number): TrafficSplit {
  if (Object.keys(requested).length > 0) {
    return withoutZeros(Object.fromEntries(Object.entries(requested).map(([id, p]) => [id === NEW_MODEL_KEY ? newId : id, p])));
  }
  return deployedBefore === 0 ? { [newId]: 100 } : withoutZeros(current);
}

/**
 * The split once `removedId` is undeployed. Refused while the model still carries traffic that
 * the request does not move elsewhere (unless it is the last model).
 */
export function splitAfterUndeploy(current: TrafficSplit, requested: TrafficSplit, removedId: string, remaining: ReadonlySet<string>, endpoint: string): TrafficSplit {
  if (Object.keys(requested).length > 0) {
    if ((requested[removedId] ?? 0) > 0) {
      throw invalidArgument(`traffic_split gives ${requested[removedId]}% to deployed model ${removedId}, which this request undeploys.`, 'traffic_split');
    }
    const rest = Object.fromEntries(Object.entries(requested).filter(([id]) => id !== removedId));
    if (remaining.size === 0) return {};
    checkSplit(rest, remaining, 'traffic_split');
    return withoutZeros(rest);
  }
  const carried = current[removedId] ?? 0;
  if (carried > 0 && remaining.size > 0) {
    throw failedPrecondition(
      `Deployed model ${removedId} carries ${carried}% of the traffic of ${endpoint}. Move its traffic to other deployed models first (update the endpoint's traffic_split), or pass traffic_split in the UndeployModel request.`,
    );
  }
  return withoutZeros(Object.fromEntries(Object.entries(current).filter(([id]) => id !== removedId)));
}
