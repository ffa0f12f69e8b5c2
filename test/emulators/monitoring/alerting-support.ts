// Shared setup for the alerting tests: a Monitoring emulator on a controllable clock (no timer:
// passes run on demand), the official AlertPolicyService, NotificationChannelService and Metric
// clients over the REST fallback, and helpers to write gauge points and run a pass.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AlertPolicyServiceClient, MetricServiceClient, NotificationChannelServiceClient } from '@google-cloud/monitoring';
import type { protos } from '@google-cloud/monitoring';
import { OAuth2Client } from 'google-auth-library';
import type { EvaluationReport } from '../../../emulators/monitoring/alerting/alerting.js';
import type { Delivery } from '../../../emulators/monitoring/alerting/model.js';
import { startMonitoringEmulator, type MonitoringEmulator } from '../../../emulators/monitoring/server.js';

process.env.METADATA_SERVER_DETECTION = 'none';

export const PROJECT = 'alerting-test';
export const PARENT = `projects/${PROJECT}`;

export type AlertPolicy = protos.google.monitoring.v3.IAlertPolicy;
export type NotificationChannel = protos.google.monitoring.v3.INotificationChannel;

export interface AlertingEnv {
  emulator: MonitoringEmulator;
  policies: AlertPolicyServiceClient;
  channels: NotificationChannelServiceClient;
  metrics: MetricServiceClient;
  dataDir: string;
  /** The emulator's clock (epoch ms); tests move it instead of sleeping. */
  clock: { ms: number };
  /** Moves the clock forward. */
  advance(seconds: number): void;
  /** Runs one evaluation pass through the internal route and returns its report. */
  evaluate(): Promise<EvaluationReport>;
  deliveries(query?: Record<string, string>): Promise<Delivery[]>;
  /** Writes one gauge point per series at the clock's current time. */
  writeGauge(type: string, points: { labels: Record<string, string>; value: number }[]): Promise<void>;
  stop(options?: { keepData?: boolean }): Promise<void>;
}

function gaxOptions(port: number) {
  const authClient = new OAuth2Client();
  authClient.setCredentials({ access_token: 'test-token', expiry_date: Date.now() + 3600_000 });
  return { apiEndpoint: '127.0.0.1', port, protocol: 'http' as const, fallback: 'rest' as const, authClient, projectId: PROJECT };
}

export async function startAlertingEnv(
  options: { dataDir?: string; clock?: { ms: number }; pubsubEmulatorHost?: string | (() => string | undefined) } = {},
): Promise<AlertingEnv> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'monitoring-alerting-'));
  // Whole seconds: timestamps then round-trip exactly.
  const clock = options.clock ?? { ms: Math.floor(Date.now() / 1000) * 1000 };
  const emulator = await startMonitoringEmulator({
    dataDir,
    alertEvaluationIntervalMs: 0,
    now: () => clock.ms,
    ...(options.pubsubEmulatorHost !== undefined ? { pubsubEmulatorHost: options.pubsubEmulatorHost } : {}),
  });
  const policies = new AlertPolicyServiceClient(gaxOptions(emulator.port));
  const channels = new NotificationChannelServiceClient(gaxOptions(emulator.port));
  const metrics = new MetricServiceClient(gaxOptions(emulator.port));
  return {
    emulator,
    policies,
    channels,
    metrics,
    dataDir,
    clock,
    advance: (seconds) => {
      clock.ms += seconds * 1000;
    },
    evaluate: async () => {
      const res = await fetch(`${emulator.url}/_emulator/alerting:evaluate`, { method: 'POST' });
      if (!res.ok) throw new Error(`evaluate answered ${res.status}: ${await res.text()}`);
      return (await res.json()) as EvaluationReport;
    },
    deliveries: async (query = {}) => {
      const res = await fetch(`${emulator.url}/_emulator/alerting/deliveries?${new URLSearchParams(query).toString()}`);
      return ((await res.json()) as { deliveries: Delivery[] }).deliveries;
    },
    writeGauge: async (type, points) => {
      await metrics.createTimeSeries({
        name: PARENT,
        timeSeries: points.map((p) => ({
          metric: { type, labels: p.labels },
          resource: { type: 'global', labels: { project_id: PROJECT } },
          points: [{ interval: { endTime: { seconds: Math.floor(clock.ms / 1000) } }, value: { doubleValue: p.value } }],
        })),
      });
    },
    stop: async ({ keepData = false } = {}) => {
      await Promise.all([policies.close(), channels.close(), metrics.close()]);
      await emulator.close();
      if (!keepData) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

// A refused call's error: one helper for every Monitoring emulator test.
export { callError, type ClientError } from './support.js';

/** A threshold condition over `type`, GT `threshold`, max over 60 s. */
export function threshold(type: string, value: number, extra: Partial<protos.google.monitoring.v3.AlertPolicy.Condition.IMetricThreshold> = {}, filter = ''): protos.google.monitoring.v3.AlertPolicy.ICondition {
  return {
    displayName: `${type} above ${value}`,
    conditionThreshold: {
      filter: `metric.type="${type}"${filter ? ` AND ${filter}` : ''}`,
      aggregations: [{ alignmentPeriod: { seconds: 60 }, perSeriesAligner: 'ALIGN_MAX' }],
      comparison: 'COMPARISON_GT',
      thresholdValue: value,
      duration: { seconds: 0 },
      ...extra,
    },
  };
}
