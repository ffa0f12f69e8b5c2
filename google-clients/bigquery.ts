import { BigQuery } from '@google-cloud/bigquery';
import type { ClientEnvironment } from './environment.js';
import { clientEnvironment, emulatorAuth, parseEmulatorHost } from './environment.js';

export function bigQueryClient(ce: ClientEnvironment = clientEnvironment()): BigQuery {
  const host = ce.env.BIGQUERY_EMULATOR_HOST;
  if (host) return new BigQuery({ projectId: ce.projectId, apiEndpoint: parseEmulatorHost(host).url, authClient: emulatorAuth() });
  return new BigQuery({ projectId: ce.projectId });
}
