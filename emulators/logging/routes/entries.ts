// entries.list (v2 REST path) over the logs the other emulators keep.
import type { EmulatorServer } from '../../kit/server.js';
import { bindQuery } from '../../vertex/api/query.js';
import { listLogEntries } from '../list-entries.js';
import type { LogSource } from '../log-source.js';

export function registerEntryRoutes(server: EmulatorServer, sources: readonly LogSource[]): void {
  server.route('POST', '/v2/entries:list', async (ctx) => {
    bindQuery(ctx.query, {});
    return listLogEntries(await ctx.json(), sources);
  });
}
