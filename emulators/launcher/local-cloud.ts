// The local cloud: every emulator on loopback, started and stopped together. `npm run local`
// and the tests use this same function, so what the tests exercise is what users run.
import { mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { startBigQueryEmulator } from '../bigquery/server.js';
import { startIdentityEmulator } from '../identity/server.js';
import { FaultInjector } from '../kit/faults.js';
import { emulatorLog } from '../kit/log.js';
import { startLoggingEmulator } from '../logging/server.js';
import { VertexReplicaLogs } from '../logging/vertex-replica-logs.js';
import { startMonitoringEmulator } from '../monitoring/server.js';
// Spelled from the top: the lint's boundary pattern reads `../functions/` as the top-level functions/ folder.
import type { FunctionsRuntime } from '../functions/runtime.js';
import { functionUrlVariable, startFunctionsRuntime } from '../functions/runtime.js';
import { applyPubSubTopology } from '../pubsub/apply-topology.js';
import type { PubSubEmulator } from '../pubsub/emulator-process.js';
import { PubSubEmulatorMissing, startPubSubEmulator } from '../pubsub/emulator-process.js';
import { freePort } from '../kit/free-port.js';
import { startSchedulerEmulator } from '../scheduler/server.js';
import { startStorageEmulator } from '../storage/server.js';
import { startVertexEmulator } from '../vertex/server.js';
import { cloudSchedulerClient, pubSubClient } from '../../google-clients/index.js';
import type { FunctionDeclaration } from '../../infra/functions.js';
import { PUBSUB_TOPOLOGY } from '../../infra/pubsub-topology.js';
import type { ModelSchedule } from '../../infra/scheduler-jobs.js';
import { driftCheckJob, retrainingSchedulerJobs, rolloutReconcileJob } from '../../infra/scheduler-jobs.js';
import type { DriftAlertModel } from '../../infra/alert-policies.js';
import { driftAlertPolicy, driftNotificationChannel } from '../../infra/alert-policies.js';
import { applyDriftAlerting } from './alert-policies.js';
import { alertPolicyServiceClient, notificationChannelServiceClient } from '../../google-clients/monitoring.js';
import { applySchedulerJobs } from './scheduler-jobs.js';
import type { SeedChoice } from './seed.js';
import { seedLocalData } from './seed.js';
import { ensureControlPlaneBuckets } from './buckets.js';

const LOCAL_PROJECT = 'local-project';
const LOCAL_REGION = 'us-central1';
/** The function whose URL is MLOPS_API_URL and whom the retraining schedules call. */
const API_FUNCTION = 'mlopsApi';
/** The function the rollout reconcile schedule calls. */
const RECONCILE_FUNCTION = 'reconcileRollouts';
/** The function the drift check schedule calls. */
const DRIFT_FUNCTION = 'checkDrift';
/** How often the local Monitoring evaluates alert policies: faster than its own 10 s default, for a responsive demo. */
const LOCAL_ALERT_EVALUATION_INTERVAL_MS = 2_000;

export interface LocalFunctionsOptions {
  /** Serve this bundle directory instead of dist/functions (which is built first when missing or stale). */
  bundleDir?: string;
  /** Which functions to serve (default: infra/functions.ts). */
  declarations?: readonly FunctionDeclaration[];
  /** More environment for every function (MLOPS_* settings), as `--set-env-vars` gives it in the cloud. */
  extraEnv?: Readonly<Record<string, string>>;
}

export interface LocalCloudOptions {
  /** Data directory (default `.local-cloud`); emulators keep their state under it. */
  dataDir?: string;
  /** Wipe the data directory first. */
  reset?: boolean;
  projectId?: string;
  /** Fixed ports (0 = any free port). */
  ports?: Partial<Record<'storage' | 'bigquery' | 'monitoring' | 'pubsub' | 'vertex' | 'logging' | 'scheduler' | 'identity', number>>;
  /** What to load into BigQuery: the flights sample, the small test fixture, both, or nothing. */
  seed?: SeedChoice;
  /** Start Google's Pub/Sub emulator (needs java and the Cloud CLI component). */
  pubsub?: boolean;
  /** Start the Vertex AI emulator (default true). */
  vertex?: boolean;
  /** Shared fault rules for the emulators written here. */
  faults?: FaultInjector;
  /** Push endpoints for subscriptions that deliver to functions (before those of the functions served here). */
  pushEndpointFor?: (functionName: string) => string | undefined;
  /** Serve the Cloud Functions with the functions framework, after the emulators (default false: it builds the bundle). */
  functions?: boolean | LocalFunctionsOptions;
  /** Start the Cloud Scheduler emulator (default true). */
  scheduler?: boolean;
  /** The Scheduler emulator's clock speed-up (60: a real second is a scheduled minute). */
  schedulerClockSpeedup?: number;
  /** Milliseconds between the Monitoring emulator's alert policy evaluations (default 2 000; 0: only on demand). */
  monitoringAlertEvaluationIntervalMs?: number;
  /** Models whose retraining schedules become Scheduler jobs calling mlopsApi (needs functions and the scheduler). */
  retrainingSchedules?: readonly ModelSchedule[];
  /** The Scheduler job that calls reconcileRollouts every (scheduled) minute (needs that function and the scheduler). */
  rolloutReconcileSchedule?: boolean;
  /** The Scheduler job that calls checkDrift, on this unix-cron (the cloud's is hourly; needs that function and the scheduler). */
  driftCheckSchedule?: string;
  /**
   * The models' drift alert policies and their Pub/Sub notification channel, created in the
   * Monitoring emulator as the Pulumi program creates them (needs Pub/Sub for the notifications).
   */
  driftAlerting?: { readonly models: readonly DriftAlertModel[]; readonly alignmentSeconds: number };
}

export interface LocalCloud {
  readonly projectId: string;
  readonly dataDir: string;
  /** Environment that points the official clients at the emulators. */
  readonly env: Readonly<Record<string, string>>;
  readonly endpoints: Readonly<Record<string, string>>;
  readonly faults: FaultInjector;
  /** Why Pub/Sub is not running, when it is not. */
  readonly pubsubUnavailable?: string;
  /** Each served function's local URL by name (empty without functions). */
  readonly functionUrls: Readonly<Record<string, string>>;
  stop(): Promise<void>;
}

function functionsOptions(options: LocalCloudOptions): LocalFunctionsOptions | undefined {
  if (!options.functions) return undefined;
  return options.functions === true ? {} : options.functions;
}

function checkOptions(options: LocalCloudOptions): void {
  const scheduled = [
    options.retrainingSchedules?.length ? 'retrainingSchedules' : undefined,
    options.rolloutReconcileSchedule ? 'rolloutReconcileSchedule' : undefined,
    options.driftCheckSchedule ? 'driftCheckSchedule' : undefined,
  ].filter((s) => s !== undefined);
  if (scheduled.length === 0) return;
  if (!options.functions) throw new Error(`startLocalCloud: ${scheduled.join(' and ')} call functions, so they need functions`);
  if (options.scheduler === false) throw new Error(`startLocalCloud: ${scheduled.join(' and ')} need the Cloud Scheduler emulator (scheduler: false was given)`);
}

/**
 * Google's Storage and BigQuery clients read `*_EMULATOR_HOST` from process.env and prefer it to the
 * endpoint they are given; a shell that sourced an earlier instance's env file would send this
 * instance's own calls (seeding) to a stopped emulator. The launcher's addresses win: drop the rest.
 */
function dropInheritedEmulatorHosts(): void {
  const inherited = Object.entries(process.env).filter(([name, value]) => name.endsWith('_EMULATOR_HOST') && value !== undefined);
  if (!inherited.length) return;
  emulatorLog('WARNING', `ignoring ${inherited.map(([name]) => name).join(', ')} from the environment: the local cloud uses the emulators it starts (see its env file)`, {
    ignored: Object.fromEntries(inherited),
  });
  for (const [name] of inherited) delete process.env[name];
}

export async function startLocalCloud(options: LocalCloudOptions = {}): Promise<LocalCloud> {
  checkOptions(options);
  dropInheritedEmulatorHosts();
  const dataDir = resolve(options.dataDir ?? '.local-cloud');
  const projectId = options.projectId ?? LOCAL_PROJECT;
  if (options.reset) rmSync(dataDir, { recursive: true, force: true });
  mkdirSync(dataDir, { recursive: true });
  const faults = options.faults ?? new FaultInjector();
  const stops: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const s of stops.reverse()) {
      try {
        await s();
      } catch (err) {
        emulatorLog('WARNING', 'stopping an emulator failed', { error: String(err) });
      }
    }
  };
  try {
    const storage = await startStorageEmulator({ dataDir: join(dataDir, 'storage'), port: options.ports?.storage ?? 0, faults });
    stops.push(() => storage.close());
    const bigquery = await startBigQueryEmulator({ dataDir: join(dataDir, 'bigquery'), port: options.ports?.bigquery ?? 0, faults, storage: storage.store });
    stops.push(() => bigquery.close());
    // Alert notifications publish to Pub/Sub, which starts later: Monitoring reads its host when it needs it.
    let pubsubHost: string | undefined;
    const monitoring = await startMonitoringEmulator({
      dataDir: join(dataDir, 'monitoring'),
      port: options.ports?.monitoring ?? 0,
      faults,
      alertEvaluationIntervalMs: options.monitoringAlertEvaluationIntervalMs ?? LOCAL_ALERT_EVALUATION_INTERVAL_MS,
      pubsubEmulatorHost: () => pubsubHost,
    });
    stops.push(() => monitoring.close());

    // The local stand-in for Google sign-in: ID tokens for named users, and the certificates that verify them.
    const identity = await startIdentityEmulator({ dataDir: join(dataDir, 'identity'), port: options.ports?.identity ?? 0, faults });
    stops.push(() => identity.close());

    const env: Record<string, string> = {
      GOOGLE_CLOUD_PROJECT: projectId,
      METADATA_SERVER_DETECTION: 'none',
      STORAGE_EMULATOR_HOST: storage.url,
      BIGQUERY_EMULATOR_HOST: bigquery.url,
      MONITORING_EMULATOR_HOST: `${monitoring.host}:${monitoring.port}`,
      IAM_CREDENTIALS_EMULATOR_HOST: `${identity.host}:${identity.port}`,
      // The functions verify callers' ID tokens against these certificates instead of Google's.
      MLOPS_IDENTITY_CERTS_URL: identity.certsUrl,
    };
    const endpoints: Record<string, string> = { storage: storage.url, bigquery: bigquery.url, monitoring: monitoring.url, identity: identity.url };

    // Pub/Sub before Vertex: pipeline containers get Vertex's env, and their exit handler publishes.
    let pubsubUnavailable: string | undefined;
    if (options.pubsub !== false) {
      let emulator: PubSubEmulator | undefined;
      try {
        emulator = await startPubSubEmulator({ port: options.ports?.pubsub || (await freePort()) });
      } catch (err) {
        if (!(err instanceof PubSubEmulatorMissing)) throw err;
        pubsubUnavailable = err.message;
        emulatorLog('WARNING', 'Pub/Sub emulator not installed; continuing without Pub/Sub', { howToInstall: err.message });
      }
      if (emulator) {
        stops.push(() => emulator.stop());
        env.PUBSUB_EMULATOR_HOST = `${emulator.host}:${emulator.port}`;
        pubsubHost = env.PUBSUB_EMULATOR_HOST;
        endpoints.pubsub = `http://${env.PUBSUB_EMULATOR_HOST}`;
      }
    }

    if (options.vertex !== false) {
      // Vertex's own clients (request-response logging) reach BigQuery through the same env.
      const vertex = await startVertexEmulator({
        dataDir: join(dataDir, 'vertex'),
        storageRoot: join(dataDir, 'storage'),
        port: options.ports?.vertex ?? 0,
        faults,
        env: { ...env },
      });
      stops.push(() => vertex.close());
      env.VERTEX_EMULATOR_HOST = `${vertex.host}:${vertex.port}`;
      // gcloud ai ... honours this override and then calls the same REST paths.
      env.CLOUDSDK_API_ENDPOINT_OVERRIDES_AIPLATFORM = `http://${vertex.host}:${vertex.port}/`;
      // So that `gcloud ai ...` needs no login against the local cloud.
      env.CLOUDSDK_CORE_PROJECT = projectId;
      env.CLOUDSDK_AUTH_ACCESS_TOKEN = 'local-emulator-token';
      endpoints.vertex = `http://${vertex.host}:${vertex.port}`;
      // Cloud Logging over the replica logs, for `gcloud ai custom-jobs stream-logs`.
      const logging = await startLoggingEmulator({ sources: [new VertexReplicaLogs(join(dataDir, 'vertex', 'logs'), projectId)], port: options.ports?.logging ?? 0, faults });
      stops.push(() => logging.close());
      env.LOGGING_EMULATOR_HOST = `${logging.host}:${logging.port}`;
      env.CLOUDSDK_API_ENDPOINT_OVERRIDES_LOGGING = `${logging.url}/`;
      endpoints.logging = logging.url;
    }

    if (options.scheduler !== false) {
      // Its Pub/Sub targets publish through the env it is given.
      const scheduler = await startSchedulerEmulator({
        dataDir: join(dataDir, 'scheduler'),
        port: options.ports?.scheduler ?? 0,
        faults,
        env: { ...env },
        ...(options.schedulerClockSpeedup !== undefined ? { clockSpeedup: options.schedulerClockSpeedup } : {}),
      });
      stops.push(() => scheduler.close());
      env.CLOUD_SCHEDULER_EMULATOR_HOST = `${scheduler.host}:${scheduler.port}`;
      env.CLOUDSDK_API_ENDPOINT_OVERRIDES_CLOUDSCHEDULER = `${scheduler.url}/`;
      endpoints.scheduler = scheduler.url;
    }

    // The functions last: they get the whole env, as their deployed twins reach every Google API.
    let functions: FunctionsRuntime | undefined;
    const chosen = functionsOptions(options);
    if (chosen) {
      functions = await startFunctionsRuntime({
        env: { ...env },
        ...(chosen.extraEnv ? { extraEnv: chosen.extraEnv } : {}),
        ...(chosen.declarations ? { functions: chosen.declarations } : {}),
        ...(chosen.bundleDir ? { bundleDir: chosen.bundleDir } : {}),
      });
      stops.push(() => functions!.stop());
      for (const [name, url] of Object.entries(functions.urls)) {
        env[functionUrlVariable(name)] = url;
        endpoints[name] = url;
      }
    }

    if (env.PUBSUB_EMULATOR_HOST) {
      const pushEndpointFor = (name: string) => options.pushEndpointFor?.(name) ?? functions?.pushEndpointFor(name);
      const client = pubSubClient({ projectId, env });
      try {
        await applyPubSubTopology(client, PUBSUB_TOPOLOGY, { pushEndpointFor });
      } finally {
        await client.close();
      }
    }

    // What the Pulumi program creates for the functions: their buckets (before any schedule fires).
    if (functions) await ensureControlPlaneBuckets({ projectId, env });

    if (options.driftAlerting?.models.length) {
      if (!env.PUBSUB_EMULATOR_HOST) throw new Error('startLocalCloud: driftAlerting notifies through Pub/Sub, which is not running here');
      const ce = { projectId, env };
      const clients = { channels: notificationChannelServiceClient(ce), policies: alertPolicyServiceClient(ce) };
      try {
        const { alignmentSeconds } = options.driftAlerting;
        await applyDriftAlerting(clients, projectId, driftNotificationChannel(projectId), options.driftAlerting.models.map((m) => driftAlertPolicy(m, { project: projectId, alignmentSeconds })));
      } finally {
        await Promise.all([clients.channels.close(), clients.policies.close()]);
      }
    }

    const apiUrl = functions?.urls[API_FUNCTION];
    const reconcileUrl = functions?.urls[RECONCILE_FUNCTION];
    const checkDriftUrl = functions?.urls[DRIFT_FUNCTION];
    if (options.retrainingSchedules?.length || options.rolloutReconcileSchedule || options.driftCheckSchedule) {
      if (options.retrainingSchedules?.length && !apiUrl) throw new Error(`startLocalCloud: retrainingSchedules call ${API_FUNCTION}, which the functions served here do not include`);
      if (options.rolloutReconcileSchedule && !reconcileUrl) throw new Error(`startLocalCloud: rolloutReconcileSchedule calls ${RECONCILE_FUNCTION}, which the functions served here do not include`);
      if (options.driftCheckSchedule && !checkDriftUrl) throw new Error(`startLocalCloud: driftCheckSchedule calls ${DRIFT_FUNCTION}, which the functions served here do not include`);
      const location = chosen?.extraEnv?.MLOPS_REGION ?? LOCAL_REGION;
      const invokerServiceAccount = `mlops-scheduler@${projectId}.iam.gserviceaccount.com`;
      const jobs = [
        ...(options.retrainingSchedules?.length ? retrainingSchedulerJobs(options.retrainingSchedules, { project: projectId, location, apiUrl: apiUrl!, invokerServiceAccount }) : []),
        ...(options.rolloutReconcileSchedule ? [rolloutReconcileJob({ project: projectId, location, reconcileUrl: reconcileUrl!, invokerServiceAccount })] : []),
        ...(options.driftCheckSchedule ? [driftCheckJob({ project: projectId, location, checkDriftUrl: checkDriftUrl!, invokerServiceAccount, schedule: options.driftCheckSchedule })] : []),
      ];
      const client = cloudSchedulerClient({ projectId, env });
      try {
        await applySchedulerJobs(client, jobs);
      } finally {
        await client.close();
      }
    }

    await seedLocalData(options.seed ?? 'none', { projectId, env, store: storage.store });
    return { projectId, dataDir, env, endpoints, faults, functionUrls: functions?.urls ?? {}, stop, ...(pubsubUnavailable ? { pubsubUnavailable } : {}) };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** `export NAME=value` lines, safe to `source` from a shell. */
export function envFileText(env: Readonly<Record<string, string>>): string {
  return Object.entries(env)
    .map(([k, v]) => `export ${k}=${`'${v.replaceAll("'", "'\\''")}'`}`)
    .join('\n')
    .concat('\n');
}
