// BigQuery's REST paths are served both bare (what @google-cloud/bigquery calls when
// BIGQUERY_EMULATOR_HOST is set: `/projects/p/queries`) and under `/bigquery/v2` (what it calls
// with `apiEndpoint`, and what REST users write). The IDs a path names are checked before the
// handler runs, so that no handler sees (or writes) a malformed project, dataset, table or job.
import type { EmulatorServer, Handler } from '../../kit/server.js';
import { checkPathIds } from '../ids.js';

export const API_PREFIXES = ['', '/bigquery/v2'];

export function route(server: EmulatorServer, method: string, path: string, handler: Handler): void {
  const checked: Handler = (ctx) => {
    checkPathIds(ctx.params);
    return handler(ctx);
  };
  for (const prefix of API_PREFIXES) server.route(method, `${prefix}${path}`, checked);
}
