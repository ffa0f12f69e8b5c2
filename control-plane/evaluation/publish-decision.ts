// Every decision is also an event on `deployment-events` (design §4), for audit and notification:
// the record as JSON, with attributes to filter on. Consumers deduplicate by `decisionId`, since a
// redelivered completion publishes again.
import { TOPICS } from '../config/topics.js';
import type { ControlPlaneContext } from '../runtime/context.js';
import type { DecisionRecord } from './decision.js';

export async function publishDecision(ctx: ControlPlaneContext, decision: DecisionRecord, modelVersion: string | undefined): Promise<string> {
  const pubsub = await ctx.clients.pubsub();
  return pubsub.topic(TOPICS.deploymentEvents).publishMessage({
    json: { type: 'decision', decision, ...(modelVersion ? { modelVersion } : {}) },
    attributes: { type: 'decision', model: decision.model, outcome: decision.outcome, decisionId: decision.id },
  });
}
