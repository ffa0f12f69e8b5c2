// Sends Vertex's built-in metrics to the local Cloud Monitoring through its internal channel
// (emulators/monitoring/routes/time-series.ts): on Google, Vertex writes them from inside Google,
// and timeSeries.create refuses aiplatform.googleapis.com/ metrics to everyone else.
import type { TimeSeriesWriter } from './serving-metrics.js';

/** Must match SYSTEM_INGEST_PREFIX of the Monitoring emulator (its own module is not imported: another emulator's internals). */
const INGEST_PREFIX = '/_emulator/system-metrics';

export class MonitoringEmulatorWriter implements TimeSeriesWriter {
  private readonly base: string;

  /** `host` is MONITORING_EMULATOR_HOST (`host:port` or a URL); a write gives up after `timeoutMs`. */
  constructor(host: string, private readonly timeoutMs = 5_000) {
    this.base = (/^https?:\/\//.test(host) ? host : `http://${host}`).replace(/\/+$/, '');
  }

  async write(project: string, timeSeries: readonly unknown[]): Promise<void> {
    const response = await fetch(`${this.base}${INGEST_PREFIX}/v3/projects/${encodeURIComponent(project)}/timeSeries`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ timeSeries }),
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    if (!response.ok) throw new Error(`Cloud Monitoring answered ${response.status}: ${(await response.text()).slice(0, 500)}`);
  }
}
