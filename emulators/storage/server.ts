// The Cloud Storage emulator: the JSON API on Google's REST paths, served from an ObjectStore.
// Point `@google-cloud/storage` at it with `STORAGE_EMULATOR_HOST=<url>` (paths under `/b/...`)
// or `new Storage({apiEndpoint: <url>})` (paths under `/storage/v1/b/...`); both are served.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { FaultInjector } from '../kit/faults.js';
import { faultsFromEnv } from '../kit/faults.js';
import { emulatorLog } from '../kit/log.js';
import { EmulatorServer } from '../kit/server.js';
import { registerBucketRoutes } from './routes/buckets.js';
import { withEnumChecks } from './enums.js';
import { ObjectStore } from './object-store.js';
import { registerDownloadRoutes, registerObjectRoutes } from './routes/objects.js';
import { ResumableUploads } from './resumable.js';
import { registerUploadRoutes } from './routes/uploads.js';

export interface StorageEmulatorOptions {
  /** Objects live at `<dataDir>/<bucket>/<name>`; state survives restarts on the same directory. */
  dataDir: string;
  /** 0 (default): any free port. */
  port?: number;
  host?: string;
  /** Fault rules; default: from `EMULATOR_FAULTS`. Also settable at run time on `/_emulator/faults`. */
  faults?: FaultInjector;
}

export interface StorageEmulator {
  readonly host: string;
  readonly port: number;
  /** `http://host:port`: the value for STORAGE_EMULATOR_HOST or `apiEndpoint`. */
  readonly url: string;
  readonly store: ObjectStore;
  close(): Promise<void>;
}

export async function startStorageEmulator(options: StorageEmulatorOptions): Promise<StorageEmulator> {
  await mkdir(options.dataDir, { recursive: true });
  const store = new ObjectStore(options.dataDir);
  await store.prepare();
  const server = new EmulatorServer('storage', options.faults ?? faultsFromEnv());
  const uploads = new ResumableUploads(store, join(store.root, '.uploads'));
  // Links in resources use the Host header; the listening URL is for requests without one.
  let url = '';
  const fallbackUrl = () => url;
  // Every API route refuses unknown predefinedAcl / projection values before it acts.
  const routes = withEnumChecks(server);
  registerUploadRoutes(routes, store, uploads, fallbackUrl);
  registerDownloadRoutes(routes, store);
  for (const prefix of ['/storage/v1', '']) {
    registerBucketRoutes(routes, store, prefix, fallbackUrl);
    registerObjectRoutes(routes, store, prefix, fallbackUrl);
  }
  const address = await server.listen(options.port ?? 0, options.host ?? '127.0.0.1');
  url = `http://${address.host.includes(':') ? `[${address.host}]` : address.host}:${address.port}`;
  emulatorLog('INFO', 'storage emulator listening', { service: 'storage', url, dataDir: store.root });
  return {
    host: address.host,
    port: address.port,
    url,
    store,
    close: () => server.close(),
  };
}
