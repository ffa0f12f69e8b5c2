// Create the declared topics and subscriptions (idempotently) through the official client.
import type { PubSub } from '@google-cloud/pubsub';
import type { TopicDeclaration } from '../../infra/pubsub-topology.js';

const ALREADY_EXISTS = 6;

function isAlreadyExists(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === ALREADY_EXISTS;
}

export interface ApplyTopologyOptions {
  /** URL that receives pushes for a function; undefined keeps the subscription pull-only. */
  pushEndpointFor?: (functionName: string) => string | undefined;
}

export async function applyPubSubTopology(pubsub: PubSub, topology: readonly TopicDeclaration[], options: ApplyTopologyOptions = {}): Promise<void> {
  // Topics first: dead-letter policies refer to topics that must exist.
  for (const topic of topology) {
    try {
      await pubsub.createTopic(topic.name);
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
    }
  }
  for (const topic of topology) {
    for (const sub of topic.subscriptions) {
      const pushEndpoint = sub.pushToFunction ? options.pushEndpointFor?.(sub.pushToFunction) : undefined;
      try {
        await pubsub.topic(topic.name).createSubscription(sub.name, {
          ackDeadlineSeconds: sub.ackDeadlineSeconds,
          ...(sub.retainAckedMessages ? { retainAckedMessages: true } : {}),
          ...(sub.deadLetter
            ? { deadLetterPolicy: { deadLetterTopic: pubsub.topic(sub.deadLetter.topic).name, maxDeliveryAttempts: sub.deadLetter.maxDeliveryAttempts } }
            : {}),
          ...(sub.retryPolicy
            ? { retryPolicy: { minimumBackoff: { seconds: sub.retryPolicy.minimumBackoffSeconds }, maximumBackoff: { seconds: sub.retryPolicy.maximumBackoffSeconds } } }
            : {}),
          ...(pushEndpoint ? { pushConfig: { pushEndpoint } } : {}),
        });
      } catch (err) {
        if (!isAlreadyExists(err)) throw err;
      }
    }
  }
}
