// Applies IAM_BINDINGS (infra/iam-bindings.ts): each row becomes one additive member resource on
// exactly its scope (bucket, dataset, topic, subscription, Cloud Run service, service account),
// project-level only for `project` rows. Member resources leave every other binding as it is.
import * as gcp from '@pulumi/gcp';
import * as pulumi from '@pulumi/pulumi';
import type { StackConfig } from '../config.js';
import { kebabCase } from '../config.js';
import type { IamBinding, Principal, Scope, ServiceAgent } from '../iam-bindings.js';
import { IAM_BINDINGS } from '../iam-bindings.js';
import type { Buckets } from './buckets.js';
import type { Datasets } from './bigquery.js';
import type { Subscriptions, Topics } from './pubsub.js';
import type { ServiceAccounts } from './service-accounts.js';
import { accountFor } from './service-accounts.js';

/** Google's service agents by principal: the service whose agent it is and its address's domain. */
export const SERVICE_AGENTS: Readonly<Record<ServiceAgent, { service: string; domain: string }>> = {
  pubsubServiceAgent: { service: 'pubsub.googleapis.com', domain: 'gcp-sa-pubsub.iam.gserviceaccount.com' },
  monitoringNotificationAgent: { service: 'monitoring.googleapis.com', domain: 'gcp-sa-monitoring-notification.iam.gserviceaccount.com' },
};

export function serviceAgentEmail(agent: ServiceAgent, projectNumber: string): string {
  return `service-${projectNumber}@${SERVICE_AGENTS[agent].domain}`;
}

export interface IamArgs {
  readonly config: Pick<StackConfig, 'project' | 'region'>;
  readonly projectNumber: pulumi.Input<string>;
  readonly serviceAccounts: ServiceAccounts;
  readonly buckets: Buckets;
  readonly datasets: Datasets;
  /** The datasets of the `modelDatasets` scope (components/bigquery.ts modelDatasetIds). */
  readonly modelDatasetIds: readonly string[];
  readonly topics: Topics;
  readonly subscriptions: Subscriptions;
  /** Each function's Cloud Run service (`projects/.../services/...`), where run.invoker is granted. */
  readonly functionServices: Readonly<Record<string, pulumi.Input<string>>>;
  readonly bindings?: readonly IamBinding[];
  /** What every grant waits for (the enabled APIs). */
  readonly dependsOn?: readonly pulumi.Resource[];
}

/** The member resources, by their Pulumi name; a principal's rows can be found with `bindingsOf`. */
export interface IamMembers {
  readonly members: Readonly<Record<string, pulumi.CustomResource>>;
  /** The resources granting rows to `principal` (what a resource using that identity should wait for). */
  bindingsOf(principal: Principal): pulumi.CustomResource[];
  /** The service agents made to exist (a fresh project has no Monitoring notification agent until asked). */
  readonly serviceIdentities: Readonly<Record<ServiceAgent, gcp.projects.ServiceIdentity>>;
}

const slug = (text: string) => kebabCase(text).replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
const roleSlug = (role: string) => slug(role.replace(/^roles\//, ''));

function principalSlug(principal: Principal): string {
  if (principal === 'pubsubServiceAgent') return 'pubsub-agent';
  if (principal === 'monitoringNotificationAgent') return 'monitoring-agent';
  return slug(principal.startsWith('fn:') ? principal.slice(3) : principal);
}

function scopeSlug(scope: Scope, dataset?: string): string {
  switch (scope.kind) {
    case 'project':
      return 'project';
    case 'bucket':
      return `bucket-${slug(scope.bucket)}`;
    case 'dataset':
      return `dataset-${slug(scope.dataset)}`;
    case 'modelDatasets':
      return `dataset-${slug(dataset ?? '')}`;
    case 'topic':
      return `topic-${slug(scope.topic)}`;
    case 'subscription':
      return `subscription-${slug(scope.subscription)}`;
    case 'function':
      return `function-${slug(scope.function)}`;
    case 'serviceAccount':
      return `sa-${principalSlug(scope.account)}`;
  }
}

/** `iam-<principal>-<role>-<scope>`, e.g. `iam-mlops-api-storage-object-user-bucket-state`. */
export function bindingResourceName(binding: Pick<IamBinding, 'principal' | 'role' | 'scope'>, dataset?: string): string {
  return `iam-${principalSlug(binding.principal)}-${roleSlug(binding.role)}-${scopeSlug(binding.scope, dataset)}`;
}

function found<T>(map: Readonly<Record<string, T>>, key: string, what: string): T {
  const value = map[key];
  if (value === undefined) throw new Error(`IAM binding on ${what} ${key}: the stack creates no such ${what} (has: ${Object.keys(map).join(', ')})`);
  return value;
}

export function applyIamBindings(args: IamArgs): IamMembers {
  const { config } = args;
  const bindings = args.bindings ?? IAM_BINDINGS;
  const serviceIdentities = Object.fromEntries(
    (Object.keys(SERVICE_AGENTS) as ServiceAgent[]).map((agent) => [
      agent,
      new gcp.projects.ServiceIdentity(`agent-${principalSlug(agent)}`, { project: config.project, service: SERVICE_AGENTS[agent].service }, { dependsOn: [...(args.dependsOn ?? [])] }),
    ]),
  ) as Record<ServiceAgent, gcp.projects.ServiceIdentity>;

  const member = (principal: Principal): pulumi.Output<string> => {
    if (principal === 'pubsubServiceAgent' || principal === 'monitoringNotificationAgent') {
      return pulumi.output(args.projectNumber).apply((n) => `serviceAccount:${serviceAgentEmail(principal, n)}`);
    }
    return pulumi.interpolate`serviceAccount:${accountFor(args.serviceAccounts, principal).email}`;
  };

  const members: Record<string, pulumi.CustomResource> = {};
  const byPrincipal = new Map<Principal, pulumi.CustomResource[]>();
  const add = (binding: IamBinding, name: string, make: (options: pulumi.CustomResourceOptions) => pulumi.CustomResource) => {
    if (members[name] !== undefined) throw new Error(`IAM binding ${name} is listed twice in IAM_BINDINGS`);
    const agent = binding.principal === 'pubsubServiceAgent' || binding.principal === 'monitoringNotificationAgent' ? serviceIdentities[binding.principal] : undefined;
    // A service agent's grant waits for the agent to exist.
    const resource = make({ dependsOn: [...(args.dependsOn ?? []), ...(agent ? [agent] : [])] });
    members[name] = resource;
    byPrincipal.set(binding.principal, [...(byPrincipal.get(binding.principal) ?? []), resource]);
  };

  for (const binding of bindings) {
    const { role, scope } = binding;
    const m = member(binding.principal);
    switch (scope.kind) {
      case 'project':
        add(binding, bindingResourceName(binding), (o) => new gcp.projects.IAMMember(bindingResourceName(binding), { project: config.project, role, member: m }, o));
        break;
      case 'bucket':
        add(binding, bindingResourceName(binding), (o) => new gcp.storage.BucketIAMMember(bindingResourceName(binding), { bucket: args.buckets[scope.bucket].name, role, member: m }, o));
        break;
      case 'dataset':
      case 'modelDatasets':
        for (const id of scope.kind === 'dataset' ? [scope.dataset] : args.modelDatasetIds) {
          const name = bindingResourceName(binding, id);
          const dataset = found(args.datasets, id, 'dataset');
          add(binding, name, (o) => new gcp.bigquery.DatasetIamMember(name, { project: config.project, datasetId: dataset.datasetId, role, member: m }, o));
        }
        break;
      case 'topic': {
        const topic = found(args.topics, scope.topic, 'topic');
        add(binding, bindingResourceName(binding), (o) => new gcp.pubsub.TopicIAMMember(bindingResourceName(binding), { project: config.project, topic: topic.name, role, member: m }, o));
        break;
      }
      case 'subscription': {
        const subscription = found(args.subscriptions, scope.subscription, 'subscription');
        add(binding, bindingResourceName(binding), (o) => new gcp.pubsub.SubscriptionIAMMember(bindingResourceName(binding), { project: config.project, subscription: subscription.name, role, member: m }, o));
        break;
      }
      case 'function': {
        const service = found(args.functionServices, scope.function, 'function');
        add(binding, bindingResourceName(binding), (o) => new gcp.cloudrunv2.ServiceIamMember(bindingResourceName(binding), { project: config.project, location: config.region, name: service, role, member: m }, o));
        break;
      }
      case 'serviceAccount': {
        const account = accountFor(args.serviceAccounts, scope.account);
        add(binding, bindingResourceName(binding), (o) => new gcp.serviceaccount.IAMMember(bindingResourceName(binding), { serviceAccountId: account.name, role, member: m }, o));
        break;
      }
    }
  }
  return { members, serviceIdentities, bindingsOf: (principal) => byPrincipal.get(principal) ?? [] };
}
