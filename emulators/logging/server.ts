// The Cloud Logging emulator: the v2 REST method gcloud and the client libraries read logs with,
// entries.list, over the logs the other local emulators keep (Vertex AI's CustomJob replicas).
// gcloud reaches it with CLOUDSDK_API_ENDPOINT_OVERRIDES_LOGGING=<url>/.
import type { FaultInjector } from '../kit/faults.js';
import { faultsFromEnv } from '../kit/faults.js';
import { emulatorLog } from '../kit/log.js';
import { EmulatorServer } from '../kit/server.js';
import type { LogSource } from './log-source.js';
import { registerEntryRoutes } from './routes/entries.js';

export interface LoggingEmulatorOptions {
  sources: readonly LogSource[];
  /** 0 (default): any free port. */
  port?: number;
  host?: string;
  faults?: FaultInjector;
}

export interface LoggingEmulator {
  readonly host: string;
  readonly port: number;
  /** `http://host:port` */
  readonly url: string;
  close(): Promise<void>;
}

export async function startLoggingEmulator(options: LoggingEmulatorOptions): Promise<LoggingEmulator> {
  const server = new EmulatorServer('logging', options.faults ?? faultsFromEnv());
  registerEntryRoutes(server, options.sources);
  const address = await server.listen(options.port ?? 0, options.host ?? '127.0.0.1');
  const url = `http://${address.host.includes(':') ? `[${address.host}]` : address.host}:${address.port}`;
  emulatorLog('INFO', 'logging emulator listening', { service: 'logging', url });
  return { host: address.host, port: address.port, url, close: () => server.close() };
}
