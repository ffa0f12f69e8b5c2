// BigQuery's REST paths are served both bare (what @google-cloud/bigquery calls when
// BIGQUERY_EMULATOR_HOST is set: `/projects/p/queries`) and under `/bigquery/v2` (what it calls
// with `apiEndpoint`, and what REST users write).
import type { EmulatorServer, Handler } from '../../http/server.js';

export const API_PREFIXES = ['', '/bigquery/v2'];

export function route(server: EmulatorServer, method: string, path: string, handler: Handler): void {
  for (const prefix of API_PREFIXES) server.route(method, `${prefix}${path}`, handler);
}
