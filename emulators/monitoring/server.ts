// The Cloud Monitoring (v3) emulator: Google's REST paths for metric descriptors, monitored
// resource descriptors and time series, backed by DuckDB under dataDir. Official clients reach it
// with `{apiEndpoint: host, port, protocol: 'http', fallback: 'rest'}`.
import type { RequestContext } from '../kit/server.js';
import { EmulatorServer } from '../kit/server.js';
import { faultsFromEnv, type FaultInjector } from '../kit/faults.js';
import { emulatorLog } from '../kit/log.js';
import { DescriptorService } from './descriptor-service.js';
import { encodingFromQuery } from './enums.js';
import { listTimeSeries } from './list-time-series.js';
import { MonitoringStore } from './store.js';
import { bindQuery } from './validation.js';
import { createTimeSeries } from './write-time-series.js';

export interface MonitoringEmulatorOptions {
  /** Where the DuckDB file lives; data persists across restarts on the same directory. */
  dataDir: string;
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  /** Fault rules shared with other emulators; default: from EMULATOR_FAULTS. */
  faults?: FaultInjector;
}

export interface MonitoringEmulator {
  readonly host: string;
  readonly port: number;
  /** `http://host:port`, the endpoint for REST callers. */
  readonly url: string;
  close(): Promise<void>;
}

export async function startMonitoringEmulator(options: MonitoringEmulatorOptions): Promise<MonitoringEmulator> {
  const store = await MonitoringStore.open(options.dataDir);
  const server = new EmulatorServer('monitoring', options.faults ?? faultsFromEnv());
  registerRoutes(server, store);
  let address: { host: string; port: number };
  try {
    address = await server.listen(options.port ?? 0, options.host ?? '127.0.0.1');
  } catch (err) {
    await store.close();
    throw err;
  }
  const url = `http://${address.host.includes(':') ? `[${address.host}]` : address.host}:${address.port}`;
  emulatorLog('INFO', 'monitoring emulator listening', { url, dataDir: options.dataDir });
  let closing: Promise<void> | undefined;
  return {
    ...address,
    url,
    close: () =>
      (closing ??= (async () => {
        await server.close();
        await store.close();
      })()),
  };
}

function registerRoutes(server: EmulatorServer, store: MonitoringStore): void {
  const descriptors = new DescriptorService(store);
  // One request at a time against the store: write checks and writes must not interleave.
  const serial = (handler: (ctx: RequestContext) => Promise<unknown>) => (ctx: RequestContext) => store.exclusive(() => handler(ctx));
  const project = (ctx: RequestContext) => ctx.params.project!;
  const enc = (ctx: RequestContext) => encodingFromQuery(ctx.query);

  server
    .route('POST', '/v3/projects/{project}/metricDescriptors', serial(async (ctx) => descriptors.create(project(ctx), ctx.query, await ctx.json(), enc(ctx))))
    .route('GET', '/v3/projects/{project}/metricDescriptors', serial((ctx) => descriptors.list(project(ctx), ctx.query, enc(ctx))))
    .route('GET', '/v3/projects/{project}/metricDescriptors/{type=**}', serial((ctx) => descriptors.get(project(ctx), ctx.params.type!, ctx.query, enc(ctx))))
    .route('DELETE', '/v3/projects/{project}/metricDescriptors/{type=**}', serial((ctx) => descriptors.delete(project(ctx), ctx.params.type!, ctx.query)))
    .route('GET', '/v3/projects/{project}/monitoredResourceDescriptors', (ctx) => descriptors.listResources(project(ctx), ctx.query, enc(ctx)))
    .route('GET', '/v3/projects/{project}/monitoredResourceDescriptors/{type=**}', (ctx) => descriptors.getResource(project(ctx), ctx.params.type!, ctx.query, enc(ctx)))
    .route(
      'POST',
      '/v3/projects/{project}/timeSeries',
      serial(async (ctx) => {
        bindQuery(ctx.query, { singular: [] });
        await createTimeSeries(store, project(ctx), await ctx.json());
        return {};
      }),
    )
    .route('GET', '/v3/projects/{project}/timeSeries', serial((ctx) => listTimeSeries(store, project(ctx), ctx.query, enc(ctx))));
}
