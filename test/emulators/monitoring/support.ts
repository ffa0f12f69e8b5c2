// Shared setup for the Monitoring emulator tests: an emulator on a free port in a temporary data
// directory, and the official client pointed at it over its REST fallback.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MetricServiceClient } from '@google-cloud/monitoring';
import { OAuth2Client } from 'google-auth-library';
import { startMonitoringEmulator, type MonitoringEmulator } from '../../../emulators/monitoring/server.js';

// Off-cloud, the auth library would otherwise probe the metadata server.
process.env.METADATA_SERVER_DETECTION = 'none';

export const PROJECT = 'emulator-test';
export const PARENT = `projects/${PROJECT}`;

export interface TestEmulator {
  emulator: MonitoringEmulator;
  client: MetricServiceClient;
  dataDir: string;
  /** Stops the client and the emulator; removes the data unless `keepData`. */
  stop(options?: { keepData?: boolean }): Promise<void>;
}

export function metricClient(port: number): MetricServiceClient {
  const authClient = new OAuth2Client();
  authClient.setCredentials({ access_token: 'test-token', expiry_date: Date.now() + 3600_000 });
  return new MetricServiceClient({ apiEndpoint: '127.0.0.1', port, protocol: 'http', fallback: 'rest', authClient, projectId: PROJECT });
}

export async function startTestEmulator(dataDir = mkdtempSync(join(tmpdir(), 'monitoring-emulator-'))): Promise<TestEmulator> {
  const emulator = await startMonitoringEmulator({ dataDir });
  const client = metricClient(emulator.port);
  return {
    emulator,
    client,
    dataDir,
    stop: async ({ keepData = false } = {}) => {
      await client.close();
      await emulator.close();
      if (!keepData) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A whole minute, `minutesAgo` before now, in epoch seconds: period boundaries fall on it. */
export function alignedSecondsAgo(minutesAgo: number): number {
  return Math.floor(Date.now() / 60_000) * 60 - minutesAgo * 60;
}

export const at = (seconds: number) => ({ seconds });

/** Error fields the client puts on a failed call. */
export interface ClientError {
  code: number;
  message: string;
  statusDetails?: unknown[];
}

export async function callError(promise: Promise<unknown>): Promise<ClientError> {
  try {
    await promise;
  } catch (err) {
    return err as ClientError;
  }
  throw new Error('expected the call to fail');
}
