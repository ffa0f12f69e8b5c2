// ModelService over REST: upload (LRO), get (`models/ID`, `ID@2`, `ID@alias`), list,
// :listVersions, :mergeVersionAliases, patch, delete, :deleteVersion, and model evaluations.
// Verb routes are registered before `models/{model}`, whose segment would swallow `:verb`.
import type { EmulatorServer, RequestContext } from '../../kit/server.js';
import { LIST_QUERY, bindQuery, listParam } from '../api/query.js';
import type { ModelEvaluations } from '../models/evaluations.js';
import type { ModelRegistry } from '../models/model-registry.js';
import { locationOf } from '../api/names.js';

export function registerModelRoutes(server: EmulatorServer, models: ModelRegistry, evaluations: ModelEvaluations): void {
  const base = '/v1/projects/{project}/locations/{location}/models';
  const modelName = (ctx: RequestContext) => `${locationOf(ctx)}/models/${ctx.params.model}`;

  server.route('POST', `${base}:upload`, async (ctx) => {
    bindQuery(ctx.query, {});
    return models.upload(locationOf(ctx), await ctx.json());
  });
  server.route('GET', base, (ctx) => models.list(locationOf(ctx), bindQuery(ctx.query, LIST_QUERY)));
  server.route('GET', `${base}/{model}:listVersions`, (ctx) => models.listVersions(modelName(ctx), bindQuery(ctx.query, LIST_QUERY)));
  server.route('POST', `${base}/{model}:mergeVersionAliases`, async (ctx) => {
    bindQuery(ctx.query, {});
    return models.mergeVersionAliases(modelName(ctx), await ctx.json());
  });
  server.route('DELETE', `${base}/{model}:deleteVersion`, (ctx) => {
    bindQuery(ctx.query, {});
    return models.deleteVersion(modelName(ctx));
  });
  server.route('POST', `${base}/{model}/evaluations:import`, async (ctx) => {
    bindQuery(ctx.query, {});
    return evaluations.import(modelName(ctx), await ctx.json());
  });
  server.route('GET', `${base}/{model}/evaluations`, (ctx) => evaluations.list(modelName(ctx), bindQuery(ctx.query, LIST_QUERY)));
  server.route('GET', `${base}/{model}/evaluations/{evaluation}`, (ctx) => {
    bindQuery(ctx.query, {});
    return evaluations.get(`${modelName(ctx)}/evaluations/${ctx.params.evaluation}`);
  });
  server.route('GET', `${base}/{model}`, (ctx) => {
    bindQuery(ctx.query, {});
    return models.resolve(modelName(ctx));
  });
  server.route('PATCH', `${base}/{model}`, async (ctx) => {
    const query = bindQuery(ctx.query, { updateMask: 'fieldMask' });
    return models.update(modelName(ctx), await ctx.json(), listParam(query, 'updateMask'));
  });
  server.route('DELETE', `${base}/{model}`, (ctx) => {
    bindQuery(ctx.query, {});
    return models.delete(modelName(ctx));
  });
}
