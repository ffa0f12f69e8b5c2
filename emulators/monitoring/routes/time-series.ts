// timeSeries.create / list (v3 REST paths), one request at a time against the store, and the
// emulator's internal channel for built-in metrics (not part of Google's API: on Google, services
// such as Vertex AI write their own metrics inside Google). It takes the same
// CreateTimeSeriesRequest body as timeSeries.create, but only types from system-metrics.ts.
import type { EmulatorServer } from '../../kit/server.js';
import { encodingFromQuery } from '../enums.js';
import { listTimeSeries } from '../list-time-series.js';
import { nowNs } from '../proto-json.js';
import type { MonitoringStore } from '../store.js';
import { bindQuery } from '../validation.js';
import { createTimeSeries } from '../write-time-series.js';

/** The internal channel's prefix: `/_emulator/` paths are the emulator's own, outside Google's surface. */
export const SYSTEM_INGEST_PREFIX = '/_emulator/system-metrics';

/** `now` is the emulator's clock (epoch ns): writes are checked against it (too old, too far ahead). */
export function registerTimeSeriesRoutes(server: EmulatorServer, store: MonitoringStore, now: () => bigint = nowNs): void {
  server
    .route('POST', '/v3/projects/{project}/timeSeries', (ctx) =>
      store.exclusive(async () => {
        bindQuery(ctx.query, { singular: [] });
        await createTimeSeries(store, ctx.params.project!, await ctx.json(), now());
        return {};
      }),
    )
    .route('GET', '/v3/projects/{project}/timeSeries', (ctx) => store.exclusive(() => listTimeSeries(store, ctx.params.project!, ctx.query, encodingFromQuery(ctx.query))))
    .route('POST', `${SYSTEM_INGEST_PREFIX}/v3/projects/{project}/timeSeries`, (ctx) =>
      store.exclusive(async () => {
        bindQuery(ctx.query, { singular: [] });
        await createTimeSeries(store, ctx.params.project!, await ctx.json(), now(), 'system');
        return {};
      }),
    );
}
