// Shared by the reliability tests: the fixture model specs, a control plane over the local cloud,
// clients that fail fast (so that a fault surfaces in a second, not after the client's own retries),
// and a census of what one retraining request left behind (export jobs, snapshot folders,
// PipelineJobs, run records, model versions, decision records).
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Message, PubSub } from '@google-cloud/pubsub';
import type { PipelineRunEvent } from '../../../control-plane/retraining/messages.js';
import { BigQuery } from '@google-cloud/bigquery';
import { Storage } from '@google-cloud/storage';
import type { CloudEvent } from '@google-cloud/functions-framework';
import { ModelCatalog } from '../../../control-plane/config/load-model-specs.js';
import { isTransient } from '../../../control-plane/errors.js';
import type { RetrainingRequest } from '../../../control-plane/retraining/messages.js';
import { toLabelValue } from '../../../vertex/shared/labels.js';
import { snapshotFolder } from '../../../control-plane/retraining/snapshot.js';
import type { ControlPlaneClients } from '../../../control-plane/runtime/clients.js';
import { lazyClients } from '../../../control-plane/runtime/clients.js';
import type { ControlPlaneContext } from '../../../control-plane/runtime/context.js';
import { controlPlaneContext, vertexModelName, vertexParent } from '../../../control-plane/runtime/context.js';
import { readSettings } from '../../../control-plane/runtime/settings.js';
import { trainingRunId } from '../../../control-plane/state/training-runs.js';
import { buildFunctionsBundle, REPO_ROOT } from '../../../emulators/functions/bundle.js';
import { ensureControlPlaneBuckets } from '../../../emulators/launcher/buckets.js';
import { findPubSubEmulatorJar } from '../../../emulators/pubsub/emulator-process.js';
import type { ClientEnvironment } from '../../../google-clients/environment.js';
import { emulatorAuth, parseEmulatorHost } from '../../../google-clients/environment.js';
import { EndpointServiceClient, JobServiceClient, MetadataServiceClient, ModelServiceClient, PipelineServiceClient, vertexClientOptions } from '../../../google-clients/vertex.js';
import type { LocalCloud } from '../../../emulators/launcher/local-cloud.js';

const require = createRequire(import.meta.url);

export const FIXTURE_MODELS_DIR = fileURLToPath(new URL('./fixtures/models', import.meta.url));
/** Trains on the 2,000-row flights fixture (a pipeline run takes 10–30 s here). */
export const MODEL = 'fixture-delay';
/** Its source table does not exist: every snapshot fails with BigQuery's 404. */
export const MISSING_SOURCE_MODEL = 'missing-source';
export const REGION = 'us-central1';

function pythonStackProblem(): string | undefined {
  const python = spawnSync('/usr/bin/python3', ['-c', 'import sklearn, pandas, xgboost'], { encoding: 'utf8' });
  return python.status === 0 ? undefined : `/usr/bin/python3 lacks sklearn/pandas/xgboost: ${python.stderr?.trim().split('\n').at(-1) ?? ''}`;
}

/** Why a suite cannot run here (the training stack, Google's Pub/Sub emulator), or undefined. */
export function missingPrerequisite(needs: { python?: boolean; pubsub?: boolean }): string | undefined {
  const reasons = [
    needs.python ? pythonStackProblem() : undefined,
    needs.pubsub && findPubSubEmulatorJar() === undefined ? "Google's Pub/Sub emulator is not installed (google-cloud-cli-pubsub-emulator)" : undefined,
  ].filter((r): r is string => r !== undefined);
  if (reasons.length === 0) return undefined;
  console.warn(`reliability tests skipped: ${reasons.join('; ')}`);
  return reasons.join('; ');
}

/** The control plane's environment on this local cloud, as the functions get it (`--set-env-vars`). */
export function controlPlaneEnv(cloud: LocalCloud): Record<string, string> {
  return { ...cloud.env, MLOPS_ENVIRONMENT: 'local', MLOPS_REGION: REGION, MLOPS_MODEL_SPECS_DIR: FIXTURE_MODELS_DIR };
}

export function clientEnvironmentOf(cloud: LocalCloud): ClientEnvironment {
  return { projectId: cloud.projectId, env: controlPlaneEnv(cloud) };
}

/** The control plane over the fixture specs, with the product's clients unless others are given. */
export async function controlPlaneOn(cloud: LocalCloud, clients?: ControlPlaneClients): Promise<ControlPlaneContext> {
  const env = controlPlaneEnv(cloud);
  const settings = readSettings(env);
  const ce = { projectId: settings.projectId, env };
  await ensureControlPlaneBuckets(ce);
  return controlPlaneContext(settings, ModelCatalog.load(settings.environment, FIXTURE_MODELS_DIR), clients ?? lazyClients(ce, settings.region), ce);
}

/**
 * The product's clients, except that Storage and BigQuery make one attempt (no client-side retries)
 * and every Vertex call has a `deadlineMs` deadline. With the product's own settings a fault on
 * every attempt surfaces after 9 s (Storage) or 16 s (BigQuery) of backoff, and a Vertex call that
 * never answers after 60 s; what the control plane then does with the error is the same.
 */
export function fastFailingClients(ce: ClientEnvironment, region: string, deadlineMs: number): ControlPlaneClients {
  const product = lazyClients(ce, region);
  const storage = new Storage({ projectId: ce.projectId, apiEndpoint: parseEmulatorHost(ce.env.STORAGE_EMULATOR_HOST!).url, authClient: emulatorAuth(), retryOptions: { autoRetry: false, maxRetries: 0 } });
  const bigquery = new BigQuery({ projectId: ce.projectId, apiEndpoint: parseEmulatorHost(ce.env.BIGQUERY_EMULATOR_HOST!).url, authClient: emulatorAuth(), autoRetry: false, maxRetries: 0 });
  // gax takes a deadline per method: each method of the service, with no retries, `deadlineMs`.
  const deadline = (service: string, configFile: string) => {
    const config = require(`@google-cloud/aiplatform/build/src/v1/${configFile}`) as { interfaces: Record<string, { methods: Record<string, unknown> }> };
    const methods = Object.keys(config.interfaces[`google.cloud.aiplatform.v1.${service}`]!.methods);
    return {
      ...vertexClientOptions(region, ce),
      clientConfig: {
        interfaces: {
          [`google.cloud.aiplatform.v1.${service}`]: {
            retry_codes: { none: [] },
            retry_params: { deadline: { initial_retry_delay_millis: 100, retry_delay_multiplier: 1, max_retry_delay_millis: 100, initial_rpc_timeout_millis: deadlineMs, rpc_timeout_multiplier: 1, max_rpc_timeout_millis: deadlineMs, total_timeout_millis: deadlineMs } },
            methods: Object.fromEntries(methods.map((m) => [m, { timeout_millis: deadlineMs, retry_codes_name: 'none', retry_params_name: 'deadline' }])),
          },
        },
      },
    };
  };
  const pipelines = new PipelineServiceClient(deadline('PipelineService', 'pipeline_service_client_config.json'));
  const models = new ModelServiceClient(deadline('ModelService', 'model_service_client_config.json'));
  const endpoints = new EndpointServiceClient(deadline('EndpointService', 'endpoint_service_client_config.json'));
  const jobs = new JobServiceClient(deadline('JobService', 'job_service_client_config.json'));
  const metadata = new MetadataServiceClient(deadline('MetadataService', 'metadata_service_client_config.json'));
  return {
    storage: () => Promise.resolve(storage),
    // Already without the client's retries: what object reads use.
    mediaStorage: () => Promise.resolve(storage),
    bigquery: () => Promise.resolve(bigquery),
    pubsub: () => product.pubsub(),
    pipelines: () => Promise.resolve(pipelines),
    models: () => Promise.resolve(models),
    endpoints: () => Promise.resolve(endpoints),
    jobs: () => Promise.resolve(jobs),
    metadata: () => Promise.resolve(metadata),
    monitoring: () => product.monitoring(),
    close: async () => {
      await Promise.allSettled([product.close(), pipelines.close(), models.close(), endpoints.close(), jobs.close(), metadata.close()]);
    },
  };
}

/** A private build of the real functions bundle (functions/index.ts) with the fixture specs as its models/. */
export async function buildReliabilityBundle(label: string): Promise<{ bundleDir: string; remove(): void }> {
  const bundleDir = join(REPO_ROOT, 'dist', `test-reliability-${label}-${process.pid}`);
  await buildFunctionsBundle({ outDir: bundleDir, modelsDir: FIXTURE_MODELS_DIR });
  return { bundleDir, remove: () => rmSync(bundleDir, { recursive: true, force: true }) };
}

export function retrainingRequest(requestId: string, fields: Partial<RetrainingRequest> = {}): RetrainingRequest {
  return { requestId, model: MODEL, trigger: 'api', reason: 'reliability test', requestTime: '2026-01-05T03:00:00Z', ...fields };
}

/**
 * Calls `deliver` again while it fails with a transient error, as Pub/Sub redelivers (shorter
 * backoff); a permanent error, or transient ones past `attempts`, is thrown.
 */
export async function redeliverWhileTransient<T>(deliver: () => Promise<T>, { attempts = 40, delayMs = 250 } = {}): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await deliver();
    } catch (err) {
      if (!isTransient(err) || attempt >= attempts) throw err;
      await new Promise((resolve) => setTimeout(resolve, delayMs * (0.5 + Math.random())));
    }
  }
}

/** What the promise settled to, without throwing. */
export async function settled<T>(promise: Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: unknown }> {
  try {
    return { ok: true, value: await promise };
  } catch (error) {
    return { ok: false, error };
  }
}

export interface RequestCensus {
  /** BigQuery jobs (not dry runs) whose EXPORT DATA writes the request's snapshot folder. */
  readonly exportJobs: number;
  /** Objects in the request's snapshot folder. */
  readonly snapshotFiles: number;
  /** PipelineJobs labelled with the request id, by name. */
  readonly pipelineJobs: readonly string[];
  /** Run records in the state bucket for the request. */
  readonly runRecords: number;
}

/** Everything one retraining request of `model` produced, counted from the services themselves. */
export async function censusOf(ctx: ControlPlaneContext, requestId: string, model = MODEL): Promise<RequestCensus> {
  const folder = snapshotFolder(ctx.settings.pipelineBucket, model, requestId);
  const bigquery = await ctx.clients.bigquery();
  const [jobs] = await bigquery.getJobs({ autoPaginate: true, allUsers: true });
  const exportJobs = jobs.filter((job) => {
    const configuration = (job.metadata as { configuration?: { dryRun?: boolean; query?: { query?: string } } }).configuration;
    return configuration?.dryRun !== true && (configuration?.query?.query ?? '').includes(`uri='${folder}`);
  }).length;
  const storage = await ctx.clients.storage();
  const prefix = folder.replace(`gs://${ctx.settings.pipelineBucket}/`, '');
  const [files] = await storage.bucket(ctx.settings.pipelineBucket).getFiles({ prefix });
  const [pipelineJobs] = await (await ctx.clients.pipelines()).listPipelineJobs({ parent: vertexParent(ctx.settings) }, { autoPaginate: true });
  const runPaths = await ctx.state.list('training-runs/');
  const runs = await Promise.all(runPaths.map((path) => ctx.runs.get(path.replace(/^training-runs\/|\.json$/g, ''))));
  return {
    exportJobs,
    snapshotFiles: files.length,
    pipelineJobs: pipelineJobs.filter((j) => j.labels?.request_id === toLabelValue(requestId) && j.labels?.model === toLabelValue(model)).map((j) => j.name!),
    runRecords: runs.filter((r) => r?.value.requestId === requestId && r.value.model === model).length,
  };
}

/** The versions of the fixture model that the run registered (label training_run). */
export async function versionsOfRun(ctx: ControlPlaneContext, requestId: string, model = MODEL): Promise<string[]> {
  const models = await ctx.clients.models();
  try {
    const [versions] = await models.listModelVersions({ name: vertexModelName(ctx.settings, model) }, { autoPaginate: true });
    const runLabel = toLabelValue(trainingRunId(model, requestId));
    return versions.filter((v) => v.labels?.training_run === runLabel).map((v) => `${v.name}@${v.versionId}`);
  } catch (err) {
    if ((err as { code?: unknown }).code === 5) return [];
    throw err;
  }
}

/** Cancels a PipelineJob that a test needed only to exist (its pipeline would only take CPU). */
export async function cancelPipelineJob(ctx: ControlPlaneContext, name: string): Promise<void> {
  try {
    await (await ctx.clients.pipelines()).cancelPipelineJob({ name });
  } catch {
    // Already finished: nothing to stop.
  }
}

/** The CloudEvent the functions framework makes of a Pub/Sub push (`messagePublished`). */
export function pubSubCloudEvent(data: unknown, id: string, topic = 'retraining-requests'): CloudEvent<unknown> {
  return {
    specversion: '1.0',
    id,
    type: 'google.cloud.pubsub.topic.v1.messagePublished',
    source: `//pubsub.googleapis.com/projects/local-project/topics/${topic}`,
    time: new Date().toISOString(),
    datacontenttype: 'application/json',
    data,
  };
}

/** A push body's `data` for `payload` (bytes, text or JSON), as Pub/Sub delivers it. */
export function pushData(payload: Buffer | string | object, attributes: Record<string, string>, messageId: string): { message: { data: string; attributes: Record<string, string>; messageId: string }; subscription: string } {
  const bytes = Buffer.isBuffer(payload) ? payload : Buffer.from(typeof payload === 'string' ? payload : JSON.stringify(payload), 'utf8');
  return { message: { data: bytes.toString('base64'), attributes, messageId }, subscription: 'projects/local-project/subscriptions/reliability' };
}

export interface ReceivedMessage {
  readonly data: string;
  readonly attributes: Readonly<Record<string, string>>;
}

/**
 * Collects what arrives on a subscription, acking it, until `done` says enough (asked on each
 * message and every 250 ms) or `timeoutMs` passes. Returns everything received.
 */
export async function receiveUntil(pubsub: PubSub, subscription: string, done: (received: readonly ReceivedMessage[]) => boolean, timeoutMs = 30_000): Promise<ReceivedMessage[]> {
  const received: ReceivedMessage[] = [];
  const sub = pubsub.subscription(subscription);
  let timer: NodeJS.Timeout | undefined;
  try {
    await new Promise<void>((resolve) => {
      const deadline = Date.now() + timeoutMs;
      timer = setInterval(() => {
        if (done(received) || Date.now() > deadline) resolve();
      }, 250);
      sub.on('message', (message: Message) => {
        message.ack();
        received.push({ data: message.data.toString('utf8'), attributes: { ...message.attributes } });
        if (done(received)) resolve();
      });
      sub.on('error', () => undefined);
    });
  } finally {
    clearInterval(timer);
    sub.removeAllListeners();
    await sub.close();
  }
  return received;
}

/** Polls `read` until `done` holds (or `timeoutMs`); returns the last value read. */
export async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 60_000, intervalMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await read();
  while (!done(value) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
    value = await read();
  }
  return value;
}

/** The completion events the pipelines' exit handlers publish, gathered from a subscription of their own. */
export interface RunEvents {
  /** The event of `requestId`'s pipeline, once it arrives (throws after `timeoutMs`). */
  of(requestId: string, timeoutMs?: number): Promise<PipelineRunEvent>;
  close(): Promise<void>;
}

export async function watchRunEvents(pubsub: PubSub, subscriptionName = 'reliability-run-events'): Promise<RunEvents> {
  const events = new Map<string, PipelineRunEvent>();
  const [subscription] = await pubsub.topic('pipeline-run-events').createSubscription(subscriptionName);
  subscription.on('message', (message: Message) => {
    message.ack();
    const event = JSON.parse(message.data.toString('utf8')) as PipelineRunEvent;
    events.set(event.requestId, event);
  });
  return {
    of: async (requestId, timeoutMs = 150_000) => {
      const event = await eventually(() => Promise.resolve(events.get(requestId)), (e) => e !== undefined, timeoutMs);
      if (event === undefined) throw new Error(`no completion event for request ${requestId} within ${timeoutMs} ms`);
      return event;
    },
    close: async () => {
      subscription.removeAllListeners();
      await subscription.close();
    },
  };
}
