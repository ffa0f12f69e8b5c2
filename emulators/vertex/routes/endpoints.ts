// EndpointService and PredictionService over REST: endpoints (create/delete as LROs, patch with
// update_mask and etag), :deployModel / :undeployModel (LROs), :predict and :rawPredict.
import type { EmulatorServer, RequestContext } from '../../kit/server.js';
import { Reply } from '../../kit/server.js';
import { invalidArgument } from '../api/errors.js';
import { LIST_QUERY, bindQuery, listParam, stringParam } from '../api/query.js';
import { assertValidWireRequest } from '../api/request-validation.js';
import { isPlainObject } from '../api/wire-json.js';
import { restoreFallbackLists } from '../api/fallback-lists.js';
import type { EndpointService } from '../endpoints/endpoints.js';
import { locationOf } from '../api/names.js';

export function registerEndpointRoutes(server: EmulatorServer, endpoints: EndpointService): void {
  const base = '/v1/projects/{project}/locations/{location}/endpoints';
  const endpointName = (ctx: RequestContext) => `${locationOf(ctx)}/endpoints/${ctx.params.endpoint}`;

  server.route('POST', base, async (ctx) => {
    const query = bindQuery(ctx.query, { endpointId: 'string' });
    return endpoints.create(locationOf(ctx), await ctx.json(), stringParam(query, 'endpointId'));
  });
  server.route('GET', base, (ctx) => endpoints.list(locationOf(ctx), bindQuery(ctx.query, LIST_QUERY)));
  server.route('POST', `${base}/{endpoint}:deployModel`, async (ctx) => {
    bindQuery(ctx.query, {});
    return endpoints.deployModel(endpointName(ctx), await ctx.json());
  });
  server.route('POST', `${base}/{endpoint}:undeployModel`, async (ctx) => {
    bindQuery(ctx.query, {});
    return endpoints.undeployModel(endpointName(ctx), await ctx.json());
  });
  server.route('POST', `${base}/{endpoint}:predict`, async (ctx) => {
    bindQuery(ctx.query, {});
    const body = await ctx.json();
    if (!isPlainObject(body)) throw invalidArgument('The request body must be a JSON object with an "instances" list.', 'instances');
    assertValidWireRequest('PredictRequest', { ...body, endpoint: endpointName(ctx) });
    // instances and parameters are google.protobuf.Values, forwarded as plain JSON once the
    // Node REST fallback's mangling of lists inside lists is undone.
    const result = await endpoints.predict(endpointName(ctx), restoreFallbackLists(body), false);
    return new Reply(result.status, result.body);
  });
  server.route('POST', `${base}/{endpoint}:rawPredict`, async (ctx) => {
    bindQuery(ctx.query, {});
    const result = await endpoints.predict(endpointName(ctx), httpBodyPayload(await ctx.raw(), ctx.req.headers['content-type']), true);
    if (typeof result.body === 'string') {
      ctx.res.writeHead(result.status, { 'content-type': result.contentType ?? 'text/plain; charset=utf-8' });
      ctx.res.end(result.body);
      return undefined;
    }
    return new Reply(result.status, result.body, result.contentType ? { 'content-type': result.contentType } : {});
  }, { body: 'raw' });
  server.route('GET', `${base}/{endpoint}`, (ctx) => {
    bindQuery(ctx.query, {});
    return endpoints.get(endpointName(ctx));
  });
  server.route('PATCH', `${base}/{endpoint}`, async (ctx) => {
    const query = bindQuery(ctx.query, { updateMask: 'fieldMask' });
    return endpoints.update(endpointName(ctx), await ctx.json(), listParam(query, 'updateMask'));
  });
  server.route('DELETE', `${base}/{endpoint}`, (ctx) => {
    bindQuery(ctx.query, {});
    return endpoints.delete(endpointName(ctx));
  });
}

/**
 * rawPredict's body is a google.api.HttpBody: curl sends the payload itself, while the Node REST
 * fallback sends the HttpBody message as JSON (`{contentType, data: base64}`); unwrap the latter.
 */
function httpBodyPayload(raw: Buffer, contentType: string | undefined): Buffer {
  if (!(contentType ?? '').includes('json')) return raw;
  try {
    const parsed: unknown = JSON.parse(raw.toString('utf8'));
    if (isPlainObject(parsed) && typeof parsed.data === 'string' && typeof parsed.contentType === 'string' && Object.keys(parsed).every((k) => k === 'data' || k === 'contentType' || k === 'extensions')) {
      return Buffer.from(parsed.data, 'base64');
    }
  } catch {
    // not JSON: forwarded as is
  }
  return raw;
}
