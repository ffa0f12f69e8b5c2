// The Pub/Sub topology of infra/pubsub-topology.ts (the declaration the local cloud uses) in the
// cloud. Topics and pull subscriptions come first; the push subscriptions need their function's
// URL, so they are made after the functions (pushSubscriptions).
//
// Why explicit push subscriptions rather than the functions' Eventarc triggers: the subscription
// Eventarc creates for a gen2 trigger cannot be configured (no dead-letter policy), and the
// declared topology dead-letters every push. So each event function is reached by the declared push
// subscription, with an OIDC token of the function's own service account for the function's URL
// and the declared ack deadline, retry backoff and dead-letter policy; the push body is what the
// functions framework turns into the Pub/Sub CloudEvent (as on the local cloud).
import * as gcp from '@pulumi/gcp';
import * as pulumi from '@pulumi/pulumi';
import type { StackConfig } from '../config.js';
import type { SubscriptionDeclaration, TopicDeclaration } from '../pubsub-topology.js';
import { PUBSUB_TOPOLOGY } from '../pubsub-topology.js';

export type Topics = Readonly<Record<string, gcp.pubsub.Topic>>;
export type Subscriptions = Readonly<Record<string, gcp.pubsub.Subscription>>;

/** Where a push subscription delivers: the function's URL and the account its OIDC token is for. */
export interface PushTarget {
  readonly url: pulumi.Input<string>;
  readonly serviceAccountEmail: pulumi.Input<string>;
}

const seconds = (s: number) => `${s}s`;

function subscriptionArgs(
  config: Pick<StackConfig, 'project'>,
  declaration: SubscriptionDeclaration,
  topic: gcp.pubsub.Topic,
  topics: Topics,
): gcp.pubsub.SubscriptionArgs {
  const deadLetterTopic = declaration.deadLetter ? topics[declaration.deadLetter.topic] : undefined;
  if (declaration.deadLetter && deadLetterTopic === undefined) throw new Error(`subscription ${declaration.name}: its dead-letter topic ${declaration.deadLetter.topic} is not declared`);
  return {
    project: config.project,
    name: declaration.name,
    topic: topic.id,
    ackDeadlineSeconds: declaration.ackDeadlineSeconds,
    ...(declaration.retainAckedMessages !== undefined ? { retainAckedMessages: declaration.retainAckedMessages } : {}),
    ...(declaration.deadLetter && deadLetterTopic ? { deadLetterPolicy: { deadLetterTopic: deadLetterTopic.id, maxDeliveryAttempts: declaration.deadLetter.maxDeliveryAttempts } } : {}),
    ...(declaration.retryPolicy ? { retryPolicy: { minimumBackoff: seconds(declaration.retryPolicy.minimumBackoffSeconds), maximumBackoff: seconds(declaration.retryPolicy.maximumBackoffSeconds) } } : {}),
    // The default expiration deletes a subscription idle for 31 days: these must live as long as the stack.
    expirationPolicy: { ttl: '' },
    labels: { managed_by: 'mlops-control-plane' },
  };
}

/** Every declared topic (`topic-<name>`) and every pull subscription (`sub-<name>`). */
export function createTopics(
  config: Pick<StackConfig, 'project'>,
  opts?: pulumi.CustomResourceOptions,
  topology: readonly TopicDeclaration[] = PUBSUB_TOPOLOGY,
): { topics: Topics; subscriptions: Subscriptions } {
  const topics: Record<string, gcp.pubsub.Topic> = {};
  for (const t of topology) {
    topics[t.name] = new gcp.pubsub.Topic(`topic-${t.name}`, { project: config.project, name: t.name, labels: { managed_by: 'mlops-control-plane' } }, opts);
  }
  const subscriptions: Record<string, gcp.pubsub.Subscription> = {};
  for (const t of topology) {
    for (const s of t.subscriptions.filter((sub) => sub.pushToFunction === undefined)) {
      subscriptions[s.name] = new gcp.pubsub.Subscription(`sub-${s.name}`, subscriptionArgs(config, s, topics[t.name]!, topics), opts);
    }
  }
  return { topics, subscriptions };
}

/** The declared push subscriptions (`sub-<name>`), each to its function's URL with an OIDC token for that URL. */
export function pushSubscriptions(
  config: Pick<StackConfig, 'project'>,
  args: { readonly topics: Topics; readonly targets: Readonly<Record<string, PushTarget>> },
  opts?: pulumi.CustomResourceOptions,
  topology: readonly TopicDeclaration[] = PUBSUB_TOPOLOGY,
): Subscriptions {
  const subscriptions: Record<string, gcp.pubsub.Subscription> = {};
  for (const t of topology) {
    for (const s of t.subscriptions) {
      if (s.pushToFunction === undefined) continue;
      const target = args.targets[s.pushToFunction];
      if (target === undefined) throw new Error(`subscription ${s.name}: no deployed function ${s.pushToFunction} to push to`);
      const url = pulumi.output(target.url);
      subscriptions[s.name] = new gcp.pubsub.Subscription(
        `sub-${s.name}`,
        {
          ...subscriptionArgs(config, s, args.topics[t.name]!, args.topics),
          pushConfig: {
            // The functions framework takes the CloudEvent's source (the topic) from this path.
            pushEndpoint: pulumi.interpolate`${url}/projects/${config.project}/topics/${t.name}`,
            oidcToken: { serviceAccountEmail: target.serviceAccountEmail, audience: url },
          },
        },
        opts,
      );
    }
  }
  return subscriptions;
}
