// REST routes every job collection has: create (with a service-specific body), get, list, :cancel
// and delete, on `/v1/projects/{project}/locations/{location}/<collection>`.
import type { EmulatorServer, RequestContext } from '../../kit/server.js';
import { locationOf } from '../api/names.js';
import { LIST_QUERY, bindQuery } from '../api/query.js';
import type { QueryFieldType } from '../api/query.js';
import { assertValidWireRequest } from '../api/request-validation.js';
import { invalidArgument } from '../api/errors.js';
import { isPlainObject } from '../api/wire-json.js';
import type { JsonObject } from '../api/wire-json.js';
import type { JobCollection } from '../job-lifecycle/job-collection.js';

export interface JobRouteOptions {
  jobs: JobCollection;
  /** Query fields the create method binds (e.g. pipelineJobId). */
  createQuery?: Readonly<Record<string, QueryFieldType>>;
  create: (parent: string, body: unknown, query: Record<string, unknown>) => Promise<JsonObject>;
  /** `Cancel<Kind>Request`, validated against the (normally empty) body. */
  cancelRequestType: string;
}

export function registerJobRoutes(server: EmulatorServer, options: JobRouteOptions): void {
  const { jobs } = options;
  const base = `/v1/projects/{project}/locations/{location}/${jobs.kind.collection}`;
  const nameOf = (ctx: RequestContext) => `${locationOf(ctx)}/${jobs.kind.collection}/${ctx.params.id}`;

  server.route('POST', base, async (ctx) => {
    const query = bindQuery(ctx.query, options.createQuery ?? {});
    return options.create(locationOf(ctx), await ctx.json(), query);
  });
  server.route('GET', base, (ctx) => jobs.list(locationOf(ctx), bindQuery(ctx.query, LIST_QUERY)));
  server.route('GET', `${base}/{id}`, (ctx) => {
    bindQuery(ctx.query, { readMask: 'fieldMask' });
    return jobs.get(nameOf(ctx));
  });
  server.route('POST', `${base}/{id}:cancel`, async (ctx) => {
    bindQuery(ctx.query, {});
    const body = await ctx.json();
    if (!isPlainObject(body)) throw invalidArgument('The request body must be a JSON object.');
    assertValidWireRequest(options.cancelRequestType, { ...body, name: nameOf(ctx) });
    await jobs.cancel(nameOf(ctx));
    return {};
  });
  server.route('DELETE', `${base}/{id}`, (ctx) => {
    bindQuery(ctx.query, {});
    return jobs.delete(nameOf(ctx));
  });
}
