// The Pub/Sub topic names the control plane publishes to and is triggered from, in one place:
// infra/pubsub-topology.ts declares the topics and subscriptions with these names.
export const TOPICS = {
  retrainingRequests: 'retraining-requests',
  tuningRequests: 'tuning-requests',
  pipelineRunEvents: 'pipeline-run-events',
  monitoringAlerts: 'model-monitoring-alerts',
  deploymentEvents: 'deployment-events',
  deadLetter: 'mlops-dead-letter',
} as const;

/** `projects/{project}/topics/{topic}`, the name Pub/Sub's REST API and the pipeline's exit handler use. */
export function topicName(project: string, topic: string): string {
  return `projects/${project}/topics/${topic}`;
}
