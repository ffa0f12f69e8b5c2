// alertPolicies.create / list / get / patch / delete (v3 REST paths), one request at a time
// against the store.
import type { EmulatorServer, RequestContext } from '../../kit/server.js';
import type { PolicyService } from '../alerting/policies.js';
import { encodingFromQuery } from '../enums.js';
import type { MonitoringStore } from '../store.js';

export function registerAlertPolicyRoutes(server: EmulatorServer, store: MonitoringStore, policies: PolicyService): void {
  const serial = (handler: (ctx: RequestContext) => unknown) => (ctx: RequestContext) => store.exclusive(() => Promise.resolve(handler(ctx)));
  const project = (ctx: RequestContext) => ctx.params.project!;
  const enc = (ctx: RequestContext) => encodingFromQuery(ctx.query);
  server
    .route('POST', '/v3/projects/{project}/alertPolicies', serial(async (ctx) => policies.create(project(ctx), ctx.query, await ctx.json(), enc(ctx))))
    .route('GET', '/v3/projects/{project}/alertPolicies', serial((ctx) => policies.list(project(ctx), ctx.query, enc(ctx))))
    .route('GET', '/v3/projects/{project}/alertPolicies/{id}', serial((ctx) => policies.get(project(ctx), ctx.params.id!, ctx.query, enc(ctx))))
    .route('PATCH', '/v3/projects/{project}/alertPolicies/{id}', serial(async (ctx) => policies.patch(project(ctx), ctx.params.id!, ctx.query, await ctx.json(), enc(ctx))))
    .route('DELETE', '/v3/projects/{project}/alertPolicies/{id}', serial((ctx) => policies.delete(project(ctx), ctx.params.id!, ctx.query)));
}
