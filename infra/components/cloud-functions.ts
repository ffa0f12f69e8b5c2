// The product's Cloud Functions (gen2, nodejs24) from infra/functions.ts, one source object for all,
// each running as its own service account, none publicly invocable. The event functions get no
// Eventarc trigger: the subscription Eventarc creates for a gen2 Pub/Sub trigger cannot carry a
// dead-letter policy (nor the declared ack deadline and backoff), so each is reached by the push
// subscription infra/pubsub-topology.ts declares for it (components/pubsub.ts pushSubscriptions,
// with pushTargets from here). The functions framework turns the push body into the CloudEvent the
// function is registered for and answers non-2xx when it throws, so Pub/Sub redelivers and, after
// maxDeliveryAttempts, dead-letters.
import * as gcp from '@pulumi/gcp';
import * as pulumi from '@pulumi/pulumi';
import { FUNCTIONS, type FunctionDeclaration } from '../functions.js';
import { kebabCase, type StackConfig } from '../config.js';
import { childOptions } from './child-options.js';

/** gcloud's OAuth client id: the audience of a user's `gcloud auth print-identity-token` (README, Caller identity). */
export const GCLOUD_OAUTH_CLIENT_ID = '32555940559.apps.googleusercontent.com';

/** Instances a function may scale to when `mlops:functionSizes` says nothing. */
export const DEFAULT_MAX_INSTANCES = 10;

/** The `https://<region>-<project>.cloudfunctions.net/<name>` URL Cloud Functions gives a function (its `url` output). */
export function functionUrl(project: string, region: string, name: string): string {
  return `https://${region}-${project}.cloudfunctions.net/${name}`;
}

/** The function's deterministic Cloud Run URL (its service is the function's name in lower case). */
export function functionRunUrl(projectNumber: string, region: string, name: string): string {
  return `https://${name.toLowerCase()}-${projectNumber}.${region}.run.app`;
}

/** Memory, timeout and instance cap of a function: the stack's `mlops:functionSizes`, else its declaration. */
export function functionSize(config: Pick<StackConfig, 'functionSizes'>, fn: FunctionDeclaration): { memory: string; timeoutSeconds: number; maxInstances: number } {
  const size = config.functionSizes[fn.name] ?? {};
  return { memory: size.memory ?? fn.memory, timeoutSeconds: size.timeoutSeconds ?? fn.timeoutSeconds, maxInstances: size.maxInstances ?? DEFAULT_MAX_INSTANCES };
}

interface Named {
  readonly name: pulumi.Input<string>;
}

export interface CloudFunctionsArgs {
  readonly config: Pick<StackConfig, 'project' | 'region' | 'environment' | 'functionSizes' | 'approvers'>;
  /** Where the bundle was uploaded (FunctionSource.storageSource). */
  readonly source: { readonly bucket: pulumi.Input<string>; readonly object: pulumi.Input<string> };
  /** By principal (`fn:<name>`, `pipelines`, `build`, ...): each function runs as `fn:<name>` and is built as `build`. */
  readonly serviceAccounts: Readonly<Record<string, { readonly email: pulumi.Input<string>; readonly name: pulumi.Input<string> }>>;
  readonly buckets: { readonly state: Named; readonly pipelines: Named };
  /** The project's number (mlopsApi accepts ID tokens for its run.app URL, which carries it). */
  readonly projectNumber: pulumi.Input<string>;
}

export class CloudFunctions extends pulumi.ComponentResource {
  /** By declaration name (`mlopsApi`, ...). */
  readonly functions: Record<string, gcp.cloudfunctionsv2.Function>;
  /**
   * Each function's URL (`url`, `https://<region>-<project>.cloudfunctions.net/<name>`): the stack's
   * apiUrl, and what Scheduler jobs call and name as the token's audience. Computable before the
   * function exists, so mlopsApi can list its own URL among the audiences it accepts.
   */
  readonly urls: Record<string, pulumi.Output<string>>;
  /** Each function's Cloud Run service (`projects/.../services/...`): where run.invoker is granted. */
  readonly services: Record<string, pulumi.Output<string>>;
  /** Each function's Cloud Run URL (`serviceConfig.uri`). */
  readonly runUris: Record<string, pulumi.Output<string>>;
  /**
   * The event functions as their push subscriptions' targets (components/pubsub.ts pushSubscriptions):
   * the Cloud Run URL, pushed to (the topic's path after it) and named as the token's audience, as
   * Pub/Sub push to Cloud Run is documented; and the account the OIDC token is signed as (the
   * function's own, which holds run.invoker on it).
   */
  readonly pushTargets: Record<string, { readonly url: pulumi.Output<string>; readonly serviceAccountEmail: pulumi.Input<string> }>;

  constructor(name: string, args: CloudFunctionsArgs, opts?: pulumi.ComponentResourceOptions) {
    super('mlops:infra:CloudFunctions', name, {}, opts);
    const { config } = args;
    const accountOf = (principal: string) => {
      const found = args.serviceAccounts[principal];
      if (!found) throw new Error(`no service account for principal ${principal} (infra/components/service-accounts.ts creates one per function, pipelines, scheduler and build)`);
      return found;
    };
    const account = (principal: string) => accountOf(principal).email;
    // Builds run as the stack's own build account, not the Compute Engine default one (absent or
    // role-less where iam.automaticIamGrantsForDefaultServiceAccounts is enforced). Cloud Functions
    // wants its full name, `projects/<project>/serviceAccounts/<email>` (the account's `name`).
    const buildServiceAccount = accountOf('build').name;

    const sharedEnvironment = {
      GOOGLE_CLOUD_PROJECT: config.project,
      MLOPS_ENVIRONMENT: config.environment,
      MLOPS_REGION: config.region,
      MLOPS_STATE_BUCKET: args.buckets.state.name,
      MLOPS_PIPELINE_BUCKET: args.buckets.pipelines.name,
      MLOPS_PIPELINE_SERVICE_ACCOUNT: account('pipelines'),
      NODE_OPTIONS: '--enable-source-maps',
      // The stack's approvers, honoured besides each spec's (control-plane/rollouts/approvers.ts).
      ...(config.approvers.length > 0 ? { MLOPS_APPROVERS: config.approvers.join(',') } : {}),
    };
    // mlopsApi verifies approvers' ID tokens itself. Its own URLs are computed, not read from its
    // outputs (a resource cannot take its own output): the cloudfunctions.net URL (what `url`
    // reports), the run.app URL, and gcloud's client id for users' tokens.
    const extraEnvironment: Record<string, Record<string, pulumi.Input<string>>> = {
      mlopsApi: {
        MLOPS_IDENTITY_AUDIENCE: pulumi
          .output(args.projectNumber)
          .apply((projectNumber) => [functionUrl(config.project, config.region, 'mlopsApi'), functionRunUrl(projectNumber, config.region, 'mlopsApi'), GCLOUD_OAUTH_CLIENT_ID].join(',')),
      },
    };

    this.functions = {};
    this.urls = {};
    this.runUris = {};
    this.services = {};
    for (const fn of FUNCTIONS) {
      const size = functionSize(config, fn);
      const resource = new gcp.cloudfunctionsv2.Function(
        `fn-${kebabCase(fn.name)}`,
        {
          name: fn.name,
          project: config.project,
          location: config.region,
          description: fn.description,
          labels: { managed_by: 'mlops-control-plane' },
          buildConfig: {
            runtime: 'nodejs24',
            entryPoint: fn.name,
            serviceAccount: buildServiceAccount,
            source: { storageSource: { bucket: args.source.bucket, object: args.source.object } },
          },
          serviceConfig: {
            serviceAccountEmail: account(`fn:${fn.name}`),
            availableMemory: size.memory,
            timeoutSeconds: size.timeoutSeconds,
            maxInstanceCount: size.maxInstances,
            // Reachable from Scheduler, Pub/Sub push and people; every call still needs an ID token
            // of a principal with run.invoker (infra/iam-bindings.ts grants none to allUsers).
            ingressSettings: 'ALLOW_ALL',
            allTrafficOnLatestRevision: true,
            environmentVariables: { ...sharedEnvironment, ...extraEnvironment[fn.name] },
          },
        },
        childOptions(this, opts),
      );
      this.functions[fn.name] = resource;
      this.urls[fn.name] = resource.url;
      this.runUris[fn.name] = resource.serviceConfig.apply((s) => s?.uri ?? '');
      this.services[fn.name] = resource.serviceConfig.apply((s) => s?.service ?? '');
    }

    this.pushTargets = Object.fromEntries(
      FUNCTIONS.filter((f) => f.signatureType === 'cloudevent').map((f) => [f.name, { url: this.runUris[f.name]!, serviceAccountEmail: account(`fn:${f.name}`) }]),
    );

    this.registerOutputs({ urls: this.urls });
  }
}
