// google.longrunning.Operations over REST. The Node clients poll `GET /ui/{name}` (their REST
// config binds the operations mixin under /ui), curl uses `/v1/{name}` and gcloud's operations
// client polls `/v1beta1/{name}` even for GA commands: all three are served.
import type { EmulatorServer } from '../../kit/server.js';
import { notFound } from '../api/errors.js';
import { bindQuery, numberParam, stringParam } from '../api/query.js';
import { listPage } from '../api/list.js';
import type { Operation, Operations } from '../operations/operations.js';
import type { OperationsApiVersion } from '../operations/api-version.js';
import { operationForVersion } from '../operations/api-version.js';
import { durationSeconds } from '../api/wire-json.js';
import { isPlainObject } from '../api/wire-json.js';
import type { JsonObject } from '../api/wire-json.js';

const MAX_WAIT_MS = 60_000;

export function registerOperationRoutes(server: EmulatorServer, operations: Operations): void {
  const find = (name: string) => {
    const op = operations.get(name);
    if (!op) throw notFound(`Operation "${name}" not found.`);
    return op;
  };
  for (const version of ['v1', 'v1beta1', 'ui'] as const satisfies readonly OperationsApiVersion[]) {
    const prefix = `/${version}`;
    const render = (op: Operation) => operationForVersion(op, version);
    server.route('GET', `${prefix}/{resource=**}/operations/{id}`, (ctx) => {
      bindQuery(ctx.query, {});
      return render(find(`${ctx.params.resource}/operations/${ctx.params.id}`));
    });
    server.route('POST', `${prefix}/{resource=**}/operations/{id}:wait`, async (ctx) => {
      const name = `${ctx.params.resource}/operations/${ctx.params.id}`;
      find(name);
      const body = await ctx.json();
      const seconds = isPlainObject(body) ? durationSeconds(body.timeout) : undefined;
      await operations.wait(name, Math.min(MAX_WAIT_MS, (seconds ?? 60) * 1000));
      return render(find(name));
    });
    server.route('POST', `${prefix}/{resource=**}/operations/{id}:cancel`, (ctx) => {
      // The emulator's operations are short local steps: cancelling one is accepted and has no effect.
      find(`${ctx.params.resource}/operations/${ctx.params.id}`);
      return {};
    });
    server.route('DELETE', `${prefix}/{resource=**}/operations/{id}`, (ctx) => {
      find(`${ctx.params.resource}/operations/${ctx.params.id}`);
      return {};
    });
    server.route('GET', `${prefix}/{resource=**}/operations`, (ctx) => {
      const params = bindQuery(ctx.query, { filter: 'string', pageSize: 'int32', pageToken: 'string', returnPartialSuccess: 'bool' });
      const items: JsonObject[] = operations.list(ctx.params.resource ?? '').map((op) => ({ ...render(op), createTime: op.metadata.genericMetadata.createTime }));
      const page = listPage(items, { pageSize: numberParam(params, 'pageSize') ?? 0, pageToken: stringParam(params, 'pageToken') ?? '' }, 'operations');
      if (Array.isArray(page.operations)) page.operations = page.operations.map((o: unknown) => (isPlainObject(o) ? withoutKey(o, 'createTime') : o));
      return page;
    });
  }
}

function withoutKey(object: JsonObject, key: string): JsonObject {
  return Object.fromEntries(Object.entries(object).filter(([k]) => k !== key));
}
