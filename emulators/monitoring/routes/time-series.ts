// timeSeries.create / list (v3 REST paths), one request at a time against the store.
import type { EmulatorServer } from '../../kit/server.js';
import { encodingFromQuery } from '../enums.js';
import { listTimeSeries } from '../list-time-series.js';
import type { MonitoringStore } from '../store.js';
import { bindQuery } from '../validation.js';
import { createTimeSeries } from '../write-time-series.js';

export function registerTimeSeriesRoutes(server: EmulatorServer, store: MonitoringStore): void {
  server
    .route('POST', '/v3/projects/{project}/timeSeries', (ctx) =>
      store.exclusive(async () => {
        bindQuery(ctx.query, { singular: [] });
        await createTimeSeries(store, ctx.params.project!, await ctx.json());
        return {};
      }),
    )
    .route('GET', '/v3/projects/{project}/timeSeries', (ctx) => store.exclusive(() => listTimeSeries(store, ctx.params.project!, ctx.query, encodingFromQuery(ctx.query))));
}
