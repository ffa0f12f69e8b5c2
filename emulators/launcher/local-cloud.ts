// The local cloud: every emulator on loopback, started and stopped together. `npm run local`
// and the tests use this same function, so what the tests exercise is what users run.
import { mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { startBigQueryEmulator } from '../bigquery/server.js';
import { FaultInjector } from '../kit/faults.js';
import { emulatorLog } from '../kit/log.js';
import { startLoggingEmulator } from '../logging/server.js';
import { VertexReplicaLogs } from '../logging/vertex-replica-logs.js';
import { startMonitoringEmulator } from '../monitoring/server.js';
import { applyPubSubTopology } from '../pubsub/apply-topology.js';
import type { PubSubEmulator } from '../pubsub/emulator-process.js';
import { PubSubEmulatorMissing, startPubSubEmulator } from '../pubsub/emulator-process.js';
import { freePort } from '../kit/free-port.js';
import { startStorageEmulator } from '../storage/server.js';
import { startVertexEmulator } from '../vertex/server.js';
import { pubSubClient } from '../../google-clients/index.js';
import { PUBSUB_TOPOLOGY } from '../../infra/pubsub-topology.js';
import type { SeedChoice } from './seed.js';
import { seedLocalData } from './seed.js';

const LOCAL_PROJECT = 'local-project';

export interface LocalCloudOptions {
  /** Data directory (default `.local-cloud`); emulators keep their state under it. */
  dataDir?: string;
  /** Wipe the data directory first. */
  reset?: boolean;
  projectId?: string;
  /** Fixed ports (0 = any free port). */
  ports?: Partial<Record<'storage' | 'bigquery' | 'monitoring' | 'pubsub' | 'vertex' | 'logging', number>>;
  /** What to load into BigQuery: the flights sample, the small test fixture, both, or nothing. */
  seed?: SeedChoice;
  /** Start Google's Pub/Sub emulator (needs java and the Cloud CLI component). */
  pubsub?: boolean;
  /** Start the Vertex AI emulator (default true). */
  vertex?: boolean;
  /** Shared fault rules for the emulators written here. */
  faults?: FaultInjector;
  /** Push endpoints for subscriptions that deliver to functions. */
  pushEndpointFor?: (functionName: string) => string | undefined;
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
  stop(): Promise<void>;
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
    const monitoring = await startMonitoringEmulator({ dataDir: join(dataDir, 'monitoring'), port: options.ports?.monitoring ?? 0, faults });
    stops.push(() => monitoring.close());

    const env: Record<string, string> = {
      GOOGLE_CLOUD_PROJECT: projectId,
      METADATA_SERVER_DETECTION: 'none',
      STORAGE_EMULATOR_HOST: storage.url,
      BIGQUERY_EMULATOR_HOST: bigquery.url,
      MONITORING_EMULATOR_HOST: `${monitoring.host}:${monitoring.port}`,
    };
    const endpoints: Record<string, string> = { storage: storage.url, bigquery: bigquery.url, monitoring: monitoring.url };

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
        endpoints.pubsub = `http://${env.PUBSUB_EMULATOR_HOST}`;
        const client = pubSubClient({ projectId, env });
        await applyPubSubTopology(client, PUBSUB_TOPOLOGY, options.pushEndpointFor ? { pushEndpointFor: options.pushEndpointFor } : {});
        await client.close();
      }
    }
    await seedLocalData(options.seed ?? 'none', { projectId, env, store: storage.store });
    return { projectId, dataDir, env, endpoints, faults, stop, ...(pubsubUnavailable ? { pubsubUnavailable } : {}) };
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
