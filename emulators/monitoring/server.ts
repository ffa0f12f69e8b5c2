// The Cloud Monitoring (v3) emulator: Google's REST paths for metric descriptors, monitored
// resource descriptors and time series, backed by DuckDB under dataDir. Official clients reach it
// with `{apiEndpoint: host, port, protocol: 'http', fallback: 'rest'}`.
import { EmulatorServer } from '../kit/server.js';
import { faultsFromEnv, type FaultInjector } from '../kit/faults.js';
import { emulatorLog } from '../kit/log.js';
import { DescriptorService } from './descriptor-service.js';
import { registerMetricDescriptorRoutes } from './routes/metric-descriptors.js';
import { registerMonitoredResourceDescriptorRoutes } from './routes/monitored-resource-descriptors.js';
import { registerTimeSeriesRoutes } from './routes/time-series.js';
import { MonitoringStore } from './store.js';

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
  const descriptors = new DescriptorService(store);
  registerMetricDescriptorRoutes(server, store, descriptors);
  registerMonitoredResourceDescriptorRoutes(server, descriptors);
  registerTimeSeriesRoutes(server, store);
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
