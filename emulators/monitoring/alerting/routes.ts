// Google's v3 REST paths for notification channels, their descriptors and alert policies, and the
// emulator's own alerting routes under /_emulator/ (not Google's API; they bypass fault injection):
//   POST /_emulator/alerting:evaluate      run an evaluation pass now; answers what changed
//   GET  /_emulator/alerting/incidents     incidents (?state=open|closed, ?policy=NAME)
//   GET  /_emulator/alerting/deliveries    notification deliveries (?incidentId=, ?channel=, ?status=)
import type { EmulatorServer, RequestContext } from '../../kit/server.js';
import { encodingFromQuery } from '../enums.js';
import type { MonitoringStore } from '../store.js';
import { bindQuery } from '../validation.js';
import type { Alerting } from './alerting.js';

export const ALERTING_INTERNAL_PREFIX = '/_emulator/alerting';

export function registerAlertingRoutes(server: EmulatorServer, store: MonitoringStore, alerting: Alerting): void {
  const serial = (handler: (ctx: RequestContext) => unknown) => (ctx: RequestContext) => store.exclusive(() => Promise.resolve(handler(ctx)));
  const project = (ctx: RequestContext) => ctx.params.project!;
  const enc = (ctx: RequestContext) => encodingFromQuery(ctx.query);
  const { channels, policies } = alerting;
  server
    .route('GET', '/v3/projects/{project}/notificationChannelDescriptors', (ctx) => channels.listDescriptors(project(ctx), ctx.query, enc(ctx)))
    .route('GET', '/v3/projects/{project}/notificationChannelDescriptors/{type}', (ctx) => channels.getDescriptor(project(ctx), ctx.params.type!, ctx.query, enc(ctx)))
    .route('POST', '/v3/projects/{project}/notificationChannels', serial(async (ctx) => channels.create(project(ctx), ctx.query, await ctx.json(), enc(ctx))))
    .route('GET', '/v3/projects/{project}/notificationChannels', serial((ctx) => channels.list(project(ctx), ctx.query, enc(ctx))))
    .route('GET', '/v3/projects/{project}/notificationChannels/{id}', serial((ctx) => channels.get(project(ctx), ctx.params.id!, ctx.query, enc(ctx))))
    .route('PATCH', '/v3/projects/{project}/notificationChannels/{id}', serial(async (ctx) => channels.patch(project(ctx), ctx.params.id!, ctx.query, await ctx.json(), enc(ctx))))
    .route('DELETE', '/v3/projects/{project}/notificationChannels/{id}', serial((ctx) => channels.delete(project(ctx), ctx.params.id!, ctx.query)))
    .route('POST', '/v3/projects/{project}/alertPolicies', serial(async (ctx) => policies.create(project(ctx), ctx.query, await ctx.json(), enc(ctx))))
    .route('GET', '/v3/projects/{project}/alertPolicies', serial((ctx) => policies.list(project(ctx), ctx.query, enc(ctx))))
    .route('GET', '/v3/projects/{project}/alertPolicies/{id}', serial((ctx) => policies.get(project(ctx), ctx.params.id!, ctx.query, enc(ctx))))
    .route('PATCH', '/v3/projects/{project}/alertPolicies/{id}', serial(async (ctx) => policies.patch(project(ctx), ctx.params.id!, ctx.query, await ctx.json(), enc(ctx))))
    .route('DELETE', '/v3/projects/{project}/alertPolicies/{id}', serial((ctx) => policies.delete(project(ctx), ctx.params.id!, ctx.query)))
    .route('POST', `${ALERTING_INTERNAL_PREFIX}:evaluate`, (ctx) => {
      bindQuery(ctx.query, { singular: [] });
      return alerting.evaluateNow();
    })
    .route('GET', `${ALERTING_INTERNAL_PREFIX}/incidents`, (ctx) => {
      const bound = bindQuery(ctx.query, { singular: ['state', 'policy'] });
      return store.exclusive(() => Promise.resolve({ incidents: alerting.incidents({ state: bound.get('state')?.[0], policy: bound.get('policy')?.[0] }) }));
    })
    .route('GET', `${ALERTING_INTERNAL_PREFIX}/deliveries`, (ctx) => {
      const bound = bindQuery(ctx.query, { singular: ['incidentId', 'channel', 'status'] });
      return store.exclusive(() =>
        Promise.resolve({
          deliveries: alerting.deliveries({ incidentId: bound.get('incidentId')?.[0], channel: bound.get('channel')?.[0], status: bound.get('status')?.[0] }),
        }),
      );
    });
}
