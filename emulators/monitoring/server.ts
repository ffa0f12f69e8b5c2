// The Cloud Monitoring (v3) emulator: Google's REST paths for metric descriptors, monitored
// resource descriptors, time series, notification channels and alert policies (evaluated on the
// emulator's clock, notifying through the Pub/Sub emulator), backed by DuckDB under dataDir.
// Official clients reach it with `{apiEndpoint: host, port, protocol: 'http', fallback: 'rest'}`.
import { EmulatorServer } from '../kit/server.js';
import { faultsFromEnv, type FaultInjector } from '../kit/faults.js';
import { emulatorLog } from '../kit/log.js';
import { Alerting, type EvaluationReport } from './alerting/alerting.js';
import type { PubSubHostSource } from './alerting/dispatcher.js';
import { DescriptorService } from './descriptor-service.js';
import { registerAlertPolicyRoutes } from './routes/alert-policies.js';
import { registerAlertingInternalRoutes } from './routes/alerting-internal.js';
import { registerMetricDescriptorRoutes } from './routes/metric-descriptors.js';
import { registerMonitoredResourceDescriptorRoutes } from './routes/monitored-resource-descriptors.js';
import { registerNotificationChannelRoutes } from './routes/notification-channels.js';
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
  /** Milliseconds between alert policy evaluation passes (default 10 000); 0: only on demand (POST /_emulator/alerting:evaluate). */
  alertEvaluationIntervalMs?: number;
  /**
   * The Pub/Sub emulator's `host:port` for pubsub notification channels, or a function that returns
   * it once known (the launcher starts Pub/Sub after Monitoring); see also setPubSubEmulatorHost.
   */
  pubsubEmulatorHost?: PubSubHostSource;
  /** The emulator's clock in epoch milliseconds (default Date.now): alert evaluation and write-time checks read it. */
  now?: () => number;
}

export interface MonitoringEmulator {
  readonly host: string;
  readonly port: number;
  /** `http://host:port`, the endpoint for REST callers. */
  readonly url: string;
  /** Where pubsub notification channels publish from now on. */
  setPubSubEmulatorHost(host: PubSubHostSource | undefined): void;
  /** One alert evaluation pass now, as POST /_emulator/alerting:evaluate runs it. */
  evaluateAlerts(): Promise<EvaluationReport>;
  close(): Promise<void>;
}

const DEFAULT_ALERT_EVALUATION_INTERVAL_MS = 10_000;

export async function startMonitoringEmulator(options: MonitoringEmulatorOptions): Promise<MonitoringEmulator> {
  const store = await MonitoringStore.open(options.dataDir);
  const now = options.now ?? Date.now;
  let alerting: Alerting;
  try {
    alerting = await Alerting.start(store, {
      evaluationIntervalMs: options.alertEvaluationIntervalMs ?? DEFAULT_ALERT_EVALUATION_INTERVAL_MS,
      now,
      ...(options.pubsubEmulatorHost !== undefined ? { pubsubEmulatorHost: options.pubsubEmulatorHost } : {}),
    });
  } catch (err) {
    await store.close();
    throw err;
  }
  const server = new EmulatorServer('monitoring', options.faults ?? faultsFromEnv());
  const descriptors = new DescriptorService(store);
  registerMetricDescriptorRoutes(server, store, descriptors);
  registerMonitoredResourceDescriptorRoutes(server, descriptors);
  registerTimeSeriesRoutes(server, store, () => BigInt(now()) * 1_000_000n);
  registerNotificationChannelRoutes(server, store, alerting.channels);
  registerAlertPolicyRoutes(server, store, alerting.policies);
  registerAlertingInternalRoutes(server, store, alerting);
  let address: { host: string; port: number };
  try {
    address = await server.listen(options.port ?? 0, options.host ?? '127.0.0.1');
  } catch (err) {
    await alerting.close();
    await store.close();
    throw err;
  }
  const url = `http://${address.host.includes(':') ? `[${address.host}]` : address.host}:${address.port}`;
  emulatorLog('INFO', 'monitoring emulator listening', { url, dataDir: options.dataDir });
  let closing: Promise<void> | undefined;
  return {
    ...address,
    url,
    setPubSubEmulatorHost: (host) => alerting.setPubSubEmulatorHost(host),
    evaluateAlerts: () => alerting.evaluateNow(),
    close: () =>
      (closing ??= (async () => {
        await server.close();
        await alerting.close();
        await store.close();
      })()),
  };
}
