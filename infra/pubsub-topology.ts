// The product's Pub/Sub topology, declared once: the local launcher creates it in Google's
// emulator and the Pulumi program creates the same topics and subscriptions in the cloud.
import { TOPICS } from '../control-plane/config/topics.js';

export interface SubscriptionDeclaration {
  readonly name: string;
  /** Cloud Function that receives pushes (local: the functions framework's URL for it); absent = pull. */
  readonly pushToFunction?: string;
  readonly ackDeadlineSeconds: number;
  /** Dead-letter topic and attempts before a message goes there. */
  readonly deadLetter?: { readonly topic: string; readonly maxDeliveryAttempts: number };
  readonly retainAckedMessages?: boolean;
  /** Redelivery backoff after a failed (nacked) delivery; absent: redeliver at once. */
  readonly retryPolicy?: { readonly minimumBackoffSeconds: number; readonly maximumBackoffSeconds: number };
}

/**
 * Backoff for the functions' push subscriptions. A delivery that finds another one completing the
 * same run (a lease of up to a function timeout, 120 s) throws and is redelivered: with 5 attempts
 * at 10, 20, 40, 80 s the fifth comes after the lease has expired, before the dead-letter topic.
 */
const FUNCTION_RETRY = { minimumBackoffSeconds: 10, maximumBackoffSeconds: 600 } as const;

export interface TopicDeclaration {
  readonly name: string;
  readonly description: string;
  readonly subscriptions: readonly SubscriptionDeclaration[];
}

const DEAD_LETTER_TOPIC = TOPICS.deadLetter;

export const PUBSUB_TOPOLOGY: readonly TopicDeclaration[] = [
  {
    name: TOPICS.retrainingRequests,
    description: 'Requests to retrain: from Cloud Scheduler, drift alerts or a person.',
    subscriptions: [
      { name: 'retraining-requests-submit', pushToFunction: 'submitTrainingRun', ackDeadlineSeconds: 60, deadLetter: { topic: DEAD_LETTER_TOPIC, maxDeliveryAttempts: 5 }, retryPolicy: FUNCTION_RETRY },
    ],
  },
  {
    name: TOPICS.pipelineRunEvents,
    description: 'Vertex AI PipelineJob state changes.',
    subscriptions: [
      { name: 'pipeline-run-events-release', pushToFunction: 'onPipelineRunEvent', ackDeadlineSeconds: 120, deadLetter: { topic: DEAD_LETTER_TOPIC, maxDeliveryAttempts: 5 }, retryPolicy: FUNCTION_RETRY },
    ],
  },
  {
    name: TOPICS.monitoringAlerts,
    description: 'Cloud Monitoring incidents (drift, skew, latency) delivered through a Pub/Sub notification channel.',
    subscriptions: [
      { name: 'model-monitoring-alerts-triage', pushToFunction: 'onMonitoringAlert', ackDeadlineSeconds: 60, deadLetter: { topic: DEAD_LETTER_TOPIC, maxDeliveryAttempts: 5 }, retryPolicy: FUNCTION_RETRY },
    ],
  },
  {
    name: TOPICS.deploymentEvents,
    description: 'Canary steps, promotions and rollbacks, for audit and notification.',
    subscriptions: [{ name: 'deployment-events-audit', ackDeadlineSeconds: 30, retainAckedMessages: true }],
  },
  {
    name: DEAD_LETTER_TOPIC,
    description: 'Messages that failed delivery too many times; kept for inspection and replay.',
    subscriptions: [{ name: `${DEAD_LETTER_TOPIC}-inspect`, ackDeadlineSeconds: 60, retainAckedMessages: true }],
  },
];
