// The whole stack, assembled from one component per concern in dependency order: APIs → service
// accounts → buckets, BigQuery, Pub/Sub topics → the functions (from the uploaded bundle) → IAM
// bindings → the push subscriptions (after their push identities' grants) and the grants on them →
// Scheduler jobs → Monitoring → Vertex AI endpoints.
import * as gcp from '@pulumi/gcp';
import type * as pulumi from '@pulumi/pulumi';
import type { ResolvedModelSpec } from '../control-plane/config/load-model-specs.js';
import type { StackConfig } from './config.js';
import { requireApprovers } from './config.js';
import { enableApis } from './components/apis.js';
import { createBigQuery, modelDatasetIds } from './components/bigquery.js';
import { createBuckets } from './components/buckets.js';
import { CloudFunctions } from './components/cloud-functions.js';
import { FunctionSource } from './components/function-source.js';
import { applyIamBindings } from './components/iam.js';
import { approverEmails, isPushDeliveryGrant } from './iam-bindings.js';
import { Monitoring } from './components/monitoring.js';
import { createTopics, pushSubscriptions } from './components/pubsub.js';
import { SchedulerJobs } from './components/scheduler.js';
import { accountFor, createServiceAccounts } from './components/service-accounts.js';
import { VertexEndpoints } from './components/vertex-endpoints.js';
import { TOPICS } from '../control-plane/config/topics.js';

export interface StackOutputs {
  /** mlopsApi's URL. */
  apiUrl: pulumi.Output<string>;
  /** Bucket names by role (state, pipelines, functionSources). */
  buckets: Record<string, pulumi.Output<string>>;
  /** Topic names by topic. */
  topics: Record<string, pulumi.Output<string>>;
  /** Vertex AI endpoint names by model. */
  endpoints: Record<string, pulumi.Output<string>>;
}

export function defineStack(config: StackConfig, specs: readonly ResolvedModelSpec[]): StackOutputs {
  requireApprovers(config, specs);
  const apis = Object.values(enableApis(config));
  // Everything else waits for the APIs it is created through.
  const afterApis = { dependsOn: apis };
  const projectNumber = gcp.organizations.getProjectOutput({ projectId: config.project }).apply((p) => p.number);

  const serviceAccounts = createServiceAccounts(config, afterApis);
  const buckets = createBuckets(config, afterApis);
  const bigquery = createBigQuery(config, specs, afterApis);
  const pubsub = createTopics(config, afterApis);

  const source = new FunctionSource('function-source', { bundleDir: config.bundleDir, bucket: buckets.functionSources.name }, afterApis);
  const functions = new CloudFunctions(
    'functions',
    { config, source: source.storageSource, serviceAccounts, buckets: { state: buckets.state, pipelines: buckets.pipelines }, projectNumber },
    afterApis,
  );

  const iam = applyIamBindings({
    config,
    projectNumber,
    serviceAccounts,
    buckets,
    datasets: bigquery.datasets,
    modelDatasetIds: modelDatasetIds(config, specs),
    topics: pubsub.topics,
    functionServices: functions.services,
    // The specs are resolved for this stack's environment (index.ts).
    approvers: approverEmails(config.approvers, specs),
    dependsOn: apis,
  });
  // A push before its identity may invoke the function (or before Pub/Sub's agent may mint that
  // identity's token) is refused with 403 and, after the retries, dead-lettered.
  const pushGrants = iam.bindingsWhere((b) => Object.keys(functions.pushTargets).some((name) => isPushDeliveryGrant(b, name)));
  const pushed = pushSubscriptions(config, { topics: pubsub.topics, targets: functions.pushTargets }, { dependsOn: [...apis, ...pushGrants] });
  iam.grantOnSubscriptions({ ...pubsub.subscriptions, ...pushed });

  // The jobs' first calls should find their invoker role in place.
  new SchedulerJobs('scheduler', { config, specs, schedulerServiceAccount: accountFor(serviceAccounts, 'scheduler'), urls: functions.urls }, { dependsOn: [...apis, ...iam.bindingsOf('scheduler')] });
  // The channel's first notification needs the notification agent's publisher role on the topic.
  new Monitoring('monitoring', { config, specs, channelDependsOn: [pubsub.topics[TOPICS.monitoringAlerts]!, ...iam.bindingsOf('monitoringNotificationAgent')] }, afterApis);
  // Vertex writes request-response logs into tables that must exist.
  const vertex = new VertexEndpoints('endpoints', { config, specs, dependsOn: Object.values(bigquery.tables) }, afterApis);

  return {
    apiUrl: functions.urls.mlopsApi!,
    buckets: Object.fromEntries(Object.entries(buckets).map(([key, bucket]) => [key, bucket.name])),
    topics: Object.fromEntries(Object.entries(pubsub.topics).map(([name, topic]) => [name, topic.name])),
    endpoints: Object.fromEntries(Object.entries(vertex.endpoints).map(([model, endpoint]) => [model, endpoint.name])),
  };
}
