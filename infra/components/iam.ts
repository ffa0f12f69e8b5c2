// Applies IAM_BINDINGS (infra/iam-bindings.ts): each row becomes one additive member resource on
// exactly its scope (bucket, dataset, topic, subscription, Cloud Run service, service account),
// project-level only for `project` rows; a bucket row with an object prefix carries an IAM condition
// on the objects' names. Member resources leave every other binding as it is. The
// `approvers` row becomes one `user:<email>` member per approver. Subscription-scoped rows wait for
// grantOnSubscriptions: the push subscriptions are created after the grants their pushes need.
import * as gcp from '@pulumi/gcp';
import * as pulumi from '@pulumi/pulumi';
import type { StackConfig } from '../config.js';
import { kebabCase } from '../config.js';
import type { IamBinding, Principal, Scope, ServiceAgent } from '../iam-bindings.js';
import { IAM_BINDINGS, objectPrefixCondition } from '../iam-bindings.js';
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
  /** Given here, subscription-scoped rows are applied at once; otherwise by `grantOnSubscriptions`. */
  readonly subscriptions?: Subscriptions;
  /** The people of the `approvers` principal (iam-bindings.ts approverEmails). */
  readonly approvers?: readonly string[];
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
  /** The resources granting the rows `match` accepts. */
  bindingsWhere(match: (binding: IamBinding) => boolean): pulumi.CustomResource[];
  /** Applies the subscription-scoped rows (once; only when `subscriptions` was not given up front). */
  grantOnSubscriptions(subscriptions: Subscriptions): void;
  /** The service agents made to exist (a fresh project has no Monitoring notification agent until asked). */
  readonly serviceIdentities: Readonly<Record<ServiceAgent, gcp.projects.ServiceIdentity>>;
}

const slug = (text: string) => kebabCase(text).replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
const roleSlug = (role: string) => slug(role.replace(/^roles\//, ''));

function principalSlug(principal: Principal): string {
  if (principal === 'pubsubServiceAgent') return 'pubsub-agent';
  if (principal === 'monitoringNotificationAgent') return 'monitoring-agent';
  if (principal === 'approvers') return 'approver';
  return slug(principal.startsWith('fn:') ? principal.slice(3) : principal);
}

function scopeSlug(scope: Scope, dataset?: string): string {
  switch (scope.kind) {
    case 'project':
      return 'project';
    case 'bucket':
      return `bucket-${slug(scope.bucket)}${scope.objectPrefix === undefined ? '' : `-${slug(scope.objectPrefix)}`}`;
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

/** `iam-<principal>-<role>-<scope>`, e.g. `iam-mlops-api-storage-object-user-bucket-state`; a person's adds the email (`iam-approver-ml-lead-example-com-...`). */
export function bindingResourceName(binding: Pick<IamBinding, 'principal' | 'role' | 'scope'>, dataset?: string, person?: string): string {
  const who = person === undefined ? principalSlug(binding.principal) : `${principalSlug(binding.principal)}-${slug(person)}`;
  return `iam-${who}-${roleSlug(binding.role)}-${scopeSlug(binding.scope, dataset)}`;
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

  /** The members a row grants to: one per person for `approvers`, else the one account or agent (person undefined). */
  const membersOf = (principal: Principal): { person?: string; member: pulumi.Input<string> }[] => {
    if (principal === 'approvers') return (args.approvers ?? []).map((email) => ({ person: email, member: `user:${email}` }));
    if (principal === 'pubsubServiceAgent' || principal === 'monitoringNotificationAgent') {
      return [{ member: pulumi.output(args.projectNumber).apply((n) => `serviceAccount:${serviceAgentEmail(principal, n)}`) }];
    }
    return [{ member: pulumi.interpolate`serviceAccount:${accountFor(args.serviceAccounts, principal).email}` }];
  };

  const members: Record<string, pulumi.CustomResource> = {};
  const granted: { binding: IamBinding; resource: pulumi.CustomResource }[] = [];
  const add = (binding: IamBinding, name: string, make: (options: pulumi.CustomResourceOptions) => pulumi.CustomResource) => {
    if (members[name] !== undefined) throw new Error(`IAM binding ${name} is listed twice in IAM_BINDINGS`);
    const agent = binding.principal === 'pubsubServiceAgent' || binding.principal === 'monitoringNotificationAgent' ? serviceIdentities[binding.principal] : undefined;
    // A service agent's grant waits for the agent to exist.
    const resource = make({ dependsOn: [...(args.dependsOn ?? []), ...(agent ? [agent] : [])] });
    members[name] = resource;
    granted.push({ binding, resource });
  };

  const apply = (binding: IamBinding, subscriptions: Subscriptions | undefined) => {
    const { role, scope } = binding;
    for (const { person, member: m } of membersOf(binding.principal)) {
      const name = (dataset?: string) => bindingResourceName(binding, dataset, person);
      switch (scope.kind) {
        case 'project':
          add(binding, name(), (o) => new gcp.projects.IAMMember(name(), { project: config.project, role, member: m }, o));
          break;
        case 'bucket': {
          const bucket = args.buckets[scope.bucket].name;
          const prefix = scope.objectPrefix;
          const condition = prefix === undefined ? undefined : {
            title: `objects under ${prefix}`.slice(0, 100),
            description: `only the objects whose names start with ${prefix}`,
            expression: pulumi.output(bucket).apply((b) => objectPrefixCondition(b, prefix)),
          };
          add(binding, name(), (o) => new gcp.storage.BucketIAMMember(name(), { bucket, role, member: m, ...(condition ? { condition } : {}) }, o));
          break;
        }
        case 'dataset':
        case 'modelDatasets':
          for (const id of scope.kind === 'dataset' ? [scope.dataset] : args.modelDatasetIds) {
            const dataset = found(args.datasets, id, 'dataset');
            add(binding, name(id), (o) => new gcp.bigquery.DatasetIamMember(name(id), { project: config.project, datasetId: dataset.datasetId, role, member: m }, o));
          }
          break;
        case 'topic': {
          const topic = found(args.topics, scope.topic, 'topic');
          add(binding, name(), (o) => new gcp.pubsub.TopicIAMMember(name(), { project: config.project, topic: topic.name, role, member: m }, o));
          break;
        }
        case 'subscription': {
          const subscription = found(subscriptions ?? {}, scope.subscription, 'subscription');
          add(binding, name(), (o) => new gcp.pubsub.SubscriptionIAMMember(name(), { project: config.project, subscription: subscription.name, role, member: m }, o));
          break;
        }
        case 'function': {
          const service = found(args.functionServices, scope.function, 'function');
          add(binding, name(), (o) => new gcp.cloudrunv2.ServiceIamMember(name(), { project: config.project, location: config.region, name: service, role, member: m }, o));
          break;
        }
        case 'serviceAccount': {
          const account = accountFor(args.serviceAccounts, scope.account);
          add(binding, name(), (o) => new gcp.serviceaccount.IAMMember(name(), { serviceAccountId: account.name, role, member: m }, o));
          break;
        }
      }
    }
  };

  const onSubscription = (b: IamBinding) => b.scope.kind === 'subscription';
  for (const binding of bindings.filter((b) => args.subscriptions !== undefined || !onSubscription(b))) apply(binding, args.subscriptions);
  let subscriptionsGranted = args.subscriptions !== undefined;
  return {
    members,
    serviceIdentities,
    bindingsOf: (principal) => granted.filter((g) => g.binding.principal === principal).map((g) => g.resource),
    bindingsWhere: (match) => granted.filter((g) => match(g.binding)).map((g) => g.resource),
    grantOnSubscriptions: (subscriptions) => {
      if (subscriptionsGranted) throw new Error('the subscription-scoped IAM rows are already applied');
      subscriptionsGranted = true;
      for (const binding of bindings.filter(onSubscription)) apply(binding, subscriptions);
    },
  };
}
