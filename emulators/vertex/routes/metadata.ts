// MetadataService (Vertex ML Metadata) over REST, with the proto's HTTP bindings: metadataStores
// (create and delete as long-running operations, get, list), their metadataSchemas (create, get,
// list) and their artifacts, contexts and executions (create, get, list, patch, delete and purge
// as operations), context children and members, execution events and the three lineage queries.
// Verb routes come before `{id}` routes, whose segment would swallow `:verb`.
import type { EmulatorServer, RequestContext } from '../../kit/server.js';
import { invalidArgument } from '../api/errors.js';
import { locationOf } from '../api/names.js';
import { bindQuery, listParam, numberParam, stringParam } from '../api/query.js';
import type { JsonObject } from '../api/wire-json.js';
import { isPlainObject } from '../api/wire-json.js';
import type { MetadataService } from '../metadata/index.js';
import type { MetadataKind } from '../metadata/kinds.js';
import { KINDS } from '../metadata/kinds.js';

const LIST = { filter: 'string', pageSize: 'int32', pageToken: 'string', orderBy: 'string' } as const;

export function registerMetadataRoutes(server: EmulatorServer, metadata: MetadataService): void {
  const base = '/v1/projects/{project}/locations/{location}/metadataStores';
  const storeName = (ctx: RequestContext) => `${locationOf(ctx)}/metadataStores/${ctx.params.store}`;
  const nodeName = (ctx: RequestContext, kind: MetadataKind) => `${storeName(ctx)}/${kind}/${ctx.params.id}`;
  // The Node REST fallback sends an empty message (`metadataStore: {}`) as the body `""`.
  const body = async (ctx: RequestContext): Promise<JsonObject> => {
    const json = await ctx.json();
    if (json === undefined || json === null || json === '') return {};
    if (!isPlainObject(json)) throw invalidArgument('The request body must be a JSON object.');
    return json;
  };

  server.route('POST', base, async (ctx) => {
    const query = bindQuery(ctx.query, { metadataStoreId: 'string' });
    return metadata.stores.create(locationOf(ctx), await body(ctx), stringParam(query, 'metadataStoreId'));
  });
  server.route('GET', base, (ctx) => metadata.stores.list(locationOf(ctx), bindQuery(ctx.query, { pageSize: 'int32', pageToken: 'string' })));
  server.route('GET', `${base}/{store}`, (ctx) => {
    bindQuery(ctx.query, {});
    return metadata.stores.get(storeName(ctx));
  });
  server.route('DELETE', `${base}/{store}`, (ctx) => {
    bindQuery(ctx.query, { force: 'bool' });
    return metadata.stores.delete(storeName(ctx));
  });

  server.route('POST', `${base}/{store}/metadataSchemas`, async (ctx) => {
    const query = bindQuery(ctx.query, { metadataSchemaId: 'string' });
    return metadata.schemas.create(storeName(ctx), await body(ctx), stringParam(query, 'metadataSchemaId'));
  });
  server.route('GET', `${base}/{store}/metadataSchemas`, (ctx) => metadata.schemas.list(storeName(ctx), bindQuery(ctx.query, { filter: 'string', pageSize: 'int32', pageToken: 'string' })));
  server.route('GET', `${base}/{store}/metadataSchemas/{id}`, (ctx) => {
    bindQuery(ctx.query, {});
    return metadata.schemas.get(`${storeName(ctx)}/metadataSchemas/${ctx.params.id}`);
  });

  // Verbs on one node.
  server.route('POST', `${base}/{store}/contexts/{id}:addContextArtifactsAndExecutions`, async (ctx) => {
    bindQuery(ctx.query, {});
    return metadata.graph.addContextArtifactsAndExecutions(nodeName(ctx, 'contexts'), await body(ctx));
  });
  server.route('POST', `${base}/{store}/contexts/{id}:addContextChildren`, async (ctx) => {
    bindQuery(ctx.query, {});
    return metadata.graph.addContextChildren(nodeName(ctx, 'contexts'), await body(ctx));
  });
  server.route('POST', `${base}/{store}/contexts/{id}:removeContextChildren`, async (ctx) => {
    bindQuery(ctx.query, {});
    return metadata.graph.removeContextChildren(nodeName(ctx, 'contexts'), await body(ctx));
  });
  server.route('GET', `${base}/{store}/contexts/{id}:queryContextLineageSubgraph`, (ctx) => {
    bindQuery(ctx.query, {});
    return metadata.lineage.queryContextLineageSubgraph(nodeName(ctx, 'contexts'));
  });
  server.route('POST', `${base}/{store}/executions/{id}:addExecutionEvents`, async (ctx) => {
    bindQuery(ctx.query, {});
    return metadata.graph.addExecutionEvents(nodeName(ctx, 'executions'), await body(ctx));
  });
  server.route('GET', `${base}/{store}/executions/{id}:queryExecutionInputsAndOutputs`, (ctx) => {
    bindQuery(ctx.query, {});
    return metadata.lineage.queryExecutionInputsAndOutputs(nodeName(ctx, 'executions'));
  });
  server.route('GET', `${base}/{store}/artifacts/{id}:queryArtifactLineageSubgraph`, (ctx) => {
    const query = bindQuery(ctx.query, { maxHops: 'int32', filter: 'string' });
    return metadata.lineage.queryArtifactLineageSubgraph(nodeName(ctx, 'artifacts'), numberParam(query, 'maxHops'), stringParam(query, 'filter'));
  });

  for (const kind of ['artifacts', 'contexts', 'executions'] as const) {
    const spec = KINDS[kind];
    server.route('POST', `${base}/{store}/${kind}:purge`, async (ctx) => {
      bindQuery(ctx.query, {});
      return metadata.nodes.purge(kind, storeName(ctx), await body(ctx));
    });
    server.route('POST', `${base}/{store}/${kind}`, async (ctx) => {
      const query = bindQuery(ctx.query, { [spec.idField]: 'string' });
      return metadata.nodes.create(kind, storeName(ctx), await body(ctx), stringParam(query, spec.idField));
    });
    server.route('GET', `${base}/{store}/${kind}`, (ctx) => metadata.nodes.list(kind, storeName(ctx), bindQuery(ctx.query, LIST)));
    server.route('GET', `${base}/{store}/${kind}/{id}`, (ctx) => {
      bindQuery(ctx.query, {});
      return metadata.nodes.get(kind, nodeName(ctx, kind));
    });
    server.route('PATCH', `${base}/{store}/${kind}/{id}`, async (ctx) => {
      const query = bindQuery(ctx.query, { updateMask: 'fieldMask', allowMissing: 'bool' });
      return metadata.nodes.update(kind, nodeName(ctx, kind), await body(ctx), listParam(query, 'updateMask'), query.allowMissing === true);
    });
    server.route('DELETE', `${base}/{store}/${kind}/{id}`, (ctx) => {
      const query = bindQuery(ctx.query, kind === 'contexts' ? { etag: 'string', force: 'bool' } : { etag: 'string' });
      return metadata.nodes.delete(kind, nodeName(ctx, kind), stringParam(query, 'etag'));
    });
  }
}
