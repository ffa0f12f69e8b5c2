// metricDescriptors.create / list / get / delete (v3 REST paths).
import type { EmulatorServer, RequestContext } from '../../kit/server.js';
import type { DescriptorService } from '../descriptor-service.js';
import { encodingFromQuery } from '../enums.js';
import type { MonitoringStore } from '../store.js';

export function registerMetricDescriptorRoutes(server: EmulatorServer, store: MonitoringStore, descriptors: DescriptorService): void {
  // One request at a time against the store: write checks and writes must not interleave.
  const serial = (handler: (ctx: RequestContext) => Promise<unknown>) => (ctx: RequestContext) => store.exclusive(() => handler(ctx));
  const project = (ctx: RequestContext) => ctx.params.project!;
  const enc = (ctx: RequestContext) => encodingFromQuery(ctx.query);
  server
    .route('POST', '/v3/projects/{project}/metricDescriptors', serial(async (ctx) => descriptors.create(project(ctx), ctx.query, await ctx.json(), enc(ctx))))
    .route('GET', '/v3/projects/{project}/metricDescriptors', serial((ctx) => descriptors.list(project(ctx), ctx.query, enc(ctx))))
    .route('GET', '/v3/projects/{project}/metricDescriptors/{type=**}', serial((ctx) => descriptors.get(project(ctx), ctx.params.type!, ctx.query, enc(ctx))))
    .route('DELETE', '/v3/projects/{project}/metricDescriptors/{type=**}', serial((ctx) => descriptors.delete(project(ctx), ctx.params.type!, ctx.query)));
}
