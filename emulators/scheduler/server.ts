// The Cloud Scheduler (v1) emulator: Google's REST paths for jobs and locations, jobs kept under
// dataDir, and a runner that really fires them on schedule (on a clock that may run faster than
// real time, for demos) at HTTP targets, with Cloud Scheduler's headers and an OIDC token, or at
// Pub/Sub topics on the Pub/Sub emulator. Official clients reach it with
// `{apiEndpoint: host, port, protocol: 'http', fallback: 'rest'}` (google-clients
// cloudSchedulerClient with CLOUD_SCHEDULER_EMULATOR_HOST); gcloud with
// CLOUDSDK_API_ENDPOINT_OVERRIDES_CLOUDSCHEDULER=http://host:port/.
import { mkdir } from 'node:fs/promises';
import type { PubSub } from '@google-cloud/pubsub';
import { pubSubClient } from '../../google-clients/pubsub.js';
import { faultsFromEnv, type FaultInjector } from '../kit/faults.js';
import { KeyedMutex } from '../kit/keyed-mutex.js';
import { emulatorLog } from '../kit/log.js';
import { EmulatorServer } from '../kit/server.js';
import { EmulatedClock } from './clock.js';
import { JobService } from './job-service.js';
import { OidcIssuer } from './oidc.js';
import { registerJobRoutes } from './routes/jobs.js';
import { registerLocationRoutes } from './routes/locations.js';
import { JobRunner } from './runner.js';
import { JobStore } from './store.js';

export interface SchedulerEmulatorOptions {
  /** Where jobs and the OIDC signing key live; both persist across restarts on the same directory. */
  dataDir: string;
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  /** Fault rules shared with other emulators; default: from EMULATOR_FAULTS. */
  faults?: FaultInjector;
  /** GOOGLE_CLOUD_PROJECT, PUBSUB_EMULATOR_HOST ...: used for Pub/Sub targets (publish through google-clients pubSubClient). */
  env: Readonly<Record<string, string>>;
  /** Clock speed-up for demos: 60 means one real second is one scheduled minute. Default 1. */
  clockSpeedup?: number;
}

export interface SchedulerEmulator {
  readonly host: string;
  readonly port: number;
  /** `http://host:port`, the endpoint for REST callers. */
  readonly url: string;
  close(): Promise<void>;
}

export async function startSchedulerEmulator(options: SchedulerEmulatorOptions): Promise<SchedulerEmulator> {
  await mkdir(options.dataDir, { recursive: true });
  const store = await JobStore.open(options.dataDir);
  const oidc = await OidcIssuer.open(options.dataDir);
  const clock = new EmulatedClock(options.clockSpeedup ?? 1, store.savedClock);
  store.useClock(() => clock.now());
  let pubsub: PubSub | undefined;
  const env = { ...options.env };
  const pubsubFor = () => {
    if (!env.PUBSUB_EMULATOR_HOST) return undefined;
    return (pubsub ??= pubSubClient({ projectId: env.GOOGLE_CLOUD_PROJECT ?? env.GCLOUD_PROJECT ?? 'local-project', env }));
  };
  const locks = new KeyedMutex();
  const runner = new JobRunner({ store, clock, locks, oidc, pubsub: pubsubFor });
  const server = new EmulatorServer('scheduler', options.faults ?? faultsFromEnv());
  registerLocationRoutes(server);
  registerJobRoutes(server, new JobService(store, runner, clock, locks));
  // The OIDC tokens' public keys, for local verifiers (Google serves its own at googleapis.com/oauth2/v3/certs).
  server.route('GET', '/_emulator/oidc/certs', () => oidc.jwks());
  let address: { host: string; port: number };
  try {
    address = await server.listen(options.port ?? 0, options.host ?? '127.0.0.1');
  } catch (err) {
    await store.close();
    throw err;
  }
  await runner.restore();
  const url = `http://${address.host.includes(':') ? `[${address.host}]` : address.host}:${address.port}`;
  emulatorLog('INFO', 'Cloud Scheduler emulator listening', { url, dataDir: options.dataDir, clockSpeedup: clock.speedup });
  let closing: Promise<void> | undefined;
  return {
    ...address,
    url,
    close: () =>
      (closing ??= (async () => {
        await server.close();
        await runner.close();
        await pubsub?.close();
        await store.close();
      })()),
  };
}
