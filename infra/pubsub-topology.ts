// The product's Pub/Sub topology, declared once: the local launcher creates it in Google's
// emulator and the Pulumi program creates the same topics and subscriptions in the cloud.
import { TOPICS } from '../control-plane/config/topics.js';
import { FUNCTIONS } from './functions.js';

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
 * Backoff for the functions' push subscriptions: 10 s, doubling, up to 600 s. A delivery that finds
 * another completing the same run (its lease outlives a function timeout: 180 s) throws and is
 * redelivered; pipeline-run-events allows 7 attempts (10+20+40+80+160+320 s), so a crashed
 * delivery's lease expires long before the message would be dead-lettered.
 */
const FUNCTION_RETRY = { minimumBackoffSeconds: 10, maximumBackoffSeconds: 600 } as const;

export interface TopicDeclaration {
  readonly name: string;
  readonly description: string;
  readonly subscriptions: readonly SubscriptionDeclaration[];
}

const DEAD_LETTER_TOPIC = TOPICS.deadLetter;

/** A push is unanswered until the function returns: the ack deadline outlasts the function's timeout. */
function ackDeadlineFor(functionName: string): number {
  const fn = FUNCTIONS.find((f) => f.name === functionName);
  return Math.min(600, (fn?.timeoutSeconds ?? 60) + 30);
}

export const PUBSUB_TOPOLOGY: readonly TopicDeclaration[] = [
  {
    name: TOPICS.retrainingRequests,
    description: 'Requests to retrain: from Cloud Scheduler, drift alerts or a person.',
    subscriptions: [
      { name: 'retraining-requests-submit', pushToFunction: 'submitTrainingRun', ackDeadlineSeconds: ackDeadlineFor('submitTrainingRun'), deadLetter: { topic: DEAD_LETTER_TOPIC, maxDeliveryAttempts: 5 }, retryPolicy: FUNCTION_RETRY },
    ],
  },
  {
    name: TOPICS.tuningRequests,
    description: 'Recorded tuning runs to submit: from POST tuningRuns.',
    subscriptions: [
      { name: 'tuning-requests-submit', pushToFunction: 'submitTuningRun', ackDeadlineSeconds: ackDeadlineFor('submitTuningRun'), deadLetter: { topic: DEAD_LETTER_TOPIC, maxDeliveryAttempts: 5 }, retryPolicy: FUNCTION_RETRY },
    ],
  },
  {
    name: TOPICS.pipelineRunEvents,
    description: 'Vertex AI PipelineJob state changes.',
    subscriptions: [
      { name: 'pipeline-run-events-release', pushToFunction: 'onPipelineRunEvent', ackDeadlineSeconds: ackDeadlineFor('onPipelineRunEvent'), deadLetter: { topic: DEAD_LETTER_TOPIC, maxDeliveryAttempts: 7 }, retryPolicy: FUNCTION_RETRY },
    ],
  },
  {
    name: TOPICS.monitoringAlerts,
    description: 'Cloud Monitoring incidents (drift, skew, latency) delivered through a Pub/Sub notification channel.',
    subscriptions: [
      { name: 'model-monitoring-alerts-triage', pushToFunction: 'onMonitoringAlert', ackDeadlineSeconds: ackDeadlineFor('onMonitoringAlert'), deadLetter: { topic: DEAD_LETTER_TOPIC, maxDeliveryAttempts: 5 }, retryPolicy: FUNCTION_RETRY },
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
