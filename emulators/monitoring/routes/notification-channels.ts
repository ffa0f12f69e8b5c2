// notificationChannels.create / list / get / patch / delete and notificationChannelDescriptors.list /
// get (v3 REST paths), one request at a time against the store.
import type { EmulatorServer, RequestContext } from '../../kit/server.js';
import type { ChannelService } from '../alerting/channels.js';
import { encodingFromQuery } from '../enums.js';
import type { MonitoringStore } from '../store.js';

export function registerNotificationChannelRoutes(server: EmulatorServer, store: MonitoringStore, channels: ChannelService): void {
  const serial = (handler: (ctx: RequestContext) => unknown) => (ctx: RequestContext) => store.exclusive(() => Promise.resolve(handler(ctx)));
  const project = (ctx: RequestContext) => ctx.params.project!;
  const enc = (ctx: RequestContext) => encodingFromQuery(ctx.query);
  server
    .route('GET', '/v3/projects/{project}/notificationChannelDescriptors', (ctx) => channels.listDescriptors(project(ctx), ctx.query, enc(ctx)))
    .route('GET', '/v3/projects/{project}/notificationChannelDescriptors/{type}', (ctx) => channels.getDescriptor(project(ctx), ctx.params.type!, ctx.query, enc(ctx)))
    .route('POST', '/v3/projects/{project}/notificationChannels', serial(async (ctx) => channels.create(project(ctx), ctx.query, await ctx.json(), enc(ctx))))
    .route('GET', '/v3/projects/{project}/notificationChannels', serial((ctx) => channels.list(project(ctx), ctx.query, enc(ctx))))
    .route('GET', '/v3/projects/{project}/notificationChannels/{id}', serial((ctx) => channels.get(project(ctx), ctx.params.id!, ctx.query, enc(ctx))))
    .route('PATCH', '/v3/projects/{project}/notificationChannels/{id}', serial(async (ctx) => channels.patch(project(ctx), ctx.params.id!, ctx.query, await ctx.json(), enc(ctx))))
    .route('DELETE', '/v3/projects/{project}/notificationChannels/{id}', serial((ctx) => channels.delete(project(ctx), ctx.params.id!, ctx.query)));
}
