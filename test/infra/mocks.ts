// Pulumi's in-process mocks for the infrastructure tests: every resource the program registers is
// recorded (type, logical name, inputs) and answered with its inputs plus the computed outputs the
// program reads (a function's URL, a service account's email, a bucket's name...), so that the
// program runs to the end without the CLI or the gcp provider plugin.
import * as pulumi from '@pulumi/pulumi';

/** What the mocked `gcp:organizations/getProject` answers. */
export const PROJECT_NUMBER = '123456789012';

export interface RecordedResource {
  /** The Pulumi type token, e.g. `gcp:storage/bucket:Bucket`. */
  readonly type: string;
  /** The logical (Pulumi) name. */
  readonly name: string;
  readonly inputs: Readonly<Record<string, unknown>>;
  /** What the mock answered: the inputs plus computed outputs. */
  readonly state: Readonly<Record<string, unknown>>;
  readonly id: string;
}

export interface RecordedCall {
  readonly token: string;
  readonly inputs: Readonly<Record<string, unknown>>;
}

export interface Recorder {
  readonly resources: RecordedResource[];
  readonly calls: RecordedCall[];
}

type State = Record<string, unknown>;

function record(value: unknown): State {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as State) : {};
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** A gen2 function's `url` output: its cloudfunctions.net URL. */
export function mockFunctionUrl(name: string, project: string, region: string): string {
  return `https://${region}-${project}.cloudfunctions.net/${name}`;
}

/** A gen2 function's Cloud Run URL (`serviceConfig.uri`): the service is the function's name in lower case. */
export function mockFunctionRunUri(name: string, region: string): string {
  return `https://${name.toLowerCase()}-${PROJECT_NUMBER}.${region}.run.app`;
}

/** Computed outputs of the resource types whose outputs the program reads. */
function computedOutputs(type: string, name: string, inputs: State, project: string): State {
  const own = text(inputs.name) ?? name;
  const inProject = text(inputs.project) ?? project;
  const location = text(inputs.location) ?? text(inputs.region) ?? 'us-central1';
  switch (type) {
    case 'gcp:cloudfunctionsv2/function:Function': {
      return {
        name: own,
        url: mockFunctionUrl(own, inProject, location),
        serviceConfig: { ...record(inputs.serviceConfig), uri: mockFunctionRunUri(own, location), service: `projects/${inProject}/locations/${location}/services/${own.toLowerCase()}` },
        state: 'ACTIVE',
      };
    }
    case 'gcp:serviceaccount/account:Account': {
      const email = `${text(inputs.accountId) ?? name}@${inProject}.iam.gserviceaccount.com`;
      return { email, member: `serviceAccount:${email}`, name: `projects/${inProject}/serviceAccounts/${email}`, uniqueId: '100000000000000000001' };
    }
    case 'gcp:storage/bucket:Bucket':
      return { name: own, url: `gs://${own}`, selfLink: `https://www.googleapis.com/storage/v1/b/${own}` };
    case 'gcp:storage/bucketObject:BucketObject':
      return { name: own, outputName: own, md5hash: 'bW9jaw==', mediaLink: `https://storage.googleapis.com/download/${own}` };
    case 'gcp:pubsub/topic:Topic':
      return { name: own, id: `projects/${inProject}/topics/${own}` };
    case 'gcp:pubsub/subscription:Subscription':
      return { name: own, id: `projects/${inProject}/subscriptions/${own}` };
    case 'gcp:vertex/aiEndpoint:AiEndpoint':
      return { name: own, id: `projects/${inProject}/locations/${location}/endpoints/${own}` };
    case 'gcp:monitoring/notificationChannel:NotificationChannel':
      return { name: `projects/${inProject}/notificationChannels/${name}` };
    case 'gcp:projects/serviceIdentity:ServiceIdentity': {
      const domain = text(inputs.service) === 'pubsub.googleapis.com' ? 'gcp-sa-pubsub' : text(inputs.service) === 'monitoring.googleapis.com' ? 'gcp-sa-monitoring-notification' : `gcp-sa-${name}`;
      const email = `service-${PROJECT_NUMBER}@${domain}.iam.gserviceaccount.com`;
      return { email, member: `serviceAccount:${email}` };
    }
    case 'gcp:monitoring/alertPolicy:AlertPolicy':
      return { name: `projects/${inProject}/alertPolicies/${name}` };
    case 'gcp:bigquery/dataset:Dataset':
      return { selfLink: `https://bigquery.googleapis.com/bigquery/v2/projects/${inProject}/datasets/${text(inputs.datasetId) ?? name}` };
    default:
      return {};
  }
}

/**
 * Installs the mocks for one run of the program; a new call starts a fresh record (and a fresh
 * mock monitor). Call it before the program registers anything.
 */
export async function installMocks(project: string, stack = 'test'): Promise<Recorder> {
  const recorder: Recorder = { resources: [], calls: [] };
  await pulumi.runtime.setMocks(
    {
      newResource(args: pulumi.runtime.MockResourceArgs): pulumi.runtime.MockResourceResult {
        const inputs = record(args.inputs);
        const state = { ...inputs, ...computedOutputs(args.type, args.name, inputs, project) };
        // Google's full resource name where the provider's id is one (a topic's `id` is what a subscription or dead-letter policy takes).
        const id = typeof state.id === 'string' ? state.id : `${args.name}-id`;
        recorder.resources.push({ type: args.type, name: args.name, inputs, state, id });
        return { id, state };
      },
      call(args: pulumi.runtime.MockCallArgs): pulumi.runtime.MockCallResult {
        const inputs = record(args.inputs);
        recorder.calls.push({ token: args.token, inputs });
        if (args.token.startsWith('gcp:organizations/getProject')) {
          const projectId = text(inputs.projectId) ?? project;
          return { ...inputs, id: `projects/${projectId}`, projectId, number: PROJECT_NUMBER, name: projectId };
        }
        return inputs;
      },
    },
    'mlops',
    stack,
    false,
  );
  return recorder;
}

/** The value of an Output (the mocks are not a preview: every value is known). */
export function outputValue<T>(output: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => {
    output.apply((value) => {
      resolve(value);
      return value;
    });
  });
}

/** `value` with every Output in it (at any depth of plain objects and arrays) replaced by its value. */
export type Resolved<T> =
  T extends pulumi.Output<infer U> ? U : T extends readonly (infer E)[] ? Resolved<E>[] : T extends Record<string, unknown> ? { [K in keyof T]: Resolved<T[K]> } : T;

export async function resolveDeep<T>(value: T): Promise<Resolved<T>> {
  if (pulumi.Output.isInstance(value)) return (await outputValue(value as pulumi.Output<unknown>)) as Resolved<T>;
  if (Array.isArray(value)) return (await Promise.all(value.map((v) => resolveDeep(v as unknown)))) as Resolved<T>;
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const entries = await Promise.all(Object.entries(value).map(async ([k, v]) => [k, await resolveDeep(v as unknown)] as const));
    return Object.fromEntries(entries) as Resolved<T>;
  }
  return value as Resolved<T>;
}

/**
 * Waits until the runtime's queue of registrations and invokes is drained, so that every resource
 * (including those created inside `apply`) has reached the mocks. `waitForRPCs` is exported by the
 * runtime's settings module but left out of its typings.
 */
export async function settle(): Promise<void> {
  const runtime = pulumi.runtime as unknown as { waitForRPCs?: () => Promise<void> };
  if (typeof runtime.waitForRPCs !== 'function') throw new Error('@pulumi/pulumi no longer exports runtime.waitForRPCs: update test/infra/mocks.ts');
  await runtime.waitForRPCs();
}
