// VizierService over REST, with the proto's HTTP bindings: studies (create, get, list, delete,
// :lookup) and their trials (:suggest and :checkTrialEarlyStoppingState as long-running
// operations; create, get, list, delete, :addTrialMeasurement, :complete, :stop, :listOptimalTrials).
import type { EmulatorServer, RequestContext } from '../../kit/server.js';
import { invalidArgument } from '../api/errors.js';
import { locationOf } from '../api/names.js';
import { bindQuery } from '../api/query.js';
import { assertValidWireRequest } from '../api/request-validation.js';
import type { JsonObject } from '../api/wire-json.js';
import { isPlainObject } from '../api/wire-json.js';
import type { VizierEarlyStopping } from '../vizier/early-stopping.js';
import { optimalTrials } from '../vizier/optimal-trials.js';
import type { VizierStudies } from '../vizier/studies.js';
import type { VizierSuggestions } from '../vizier/suggest-trials.js';
import type { VizierTrials } from '../vizier/trials.js';

export interface VizierRouteDeps {
  studies: VizierStudies;
  trials: VizierTrials;
  suggestions: VizierSuggestions;
  earlyStopping: VizierEarlyStopping;
}

const PAGE_QUERY = { pageSize: 'int32', pageToken: 'string' } as const;

export function registerVizierRoutes(server: EmulatorServer, { studies, trials, suggestions, earlyStopping }: VizierRouteDeps): void {
  const base = '/v1/projects/{project}/locations/{location}/studies';
  const studyName = (ctx: RequestContext) => `${locationOf(ctx)}/studies/${ctx.params.study}`;
  const trialName = (ctx: RequestContext) => `${studyName(ctx)}/trials/${ctx.params.trial}`;
  const body = async (ctx: RequestContext): Promise<JsonObject> => {
    bindQuery(ctx.query, {});
    const json = await ctx.json();
    if (json === undefined || json === null) return {};
    if (!isPlainObject(json)) throw invalidArgument('The request body must be a JSON object.');
    return json;
  };

  server.route('POST', `${base}:lookup`, async (ctx) => studies.lookup(locationOf(ctx), await body(ctx)));
  server.route('POST', base, async (ctx) => {
    bindQuery(ctx.query, {});
    return studies.create(locationOf(ctx), await ctx.json());
  });
  server.route('GET', base, (ctx) => studies.list(locationOf(ctx), bindQuery(ctx.query, PAGE_QUERY)));
  server.route('GET', `${base}/{study}`, (ctx) => {
    bindQuery(ctx.query, {});
    return studies.get(studyName(ctx));
  });
  server.route('DELETE', `${base}/{study}`, (ctx) => {
    bindQuery(ctx.query, {});
    return studies.delete(studyName(ctx));
  });

  server.route('POST', `${base}/{study}/trials:suggest`, async (ctx) => suggestions.suggest(studyName(ctx), await body(ctx)));
  server.route('POST', `${base}/{study}/trials:listOptimalTrials`, async (ctx) => {
    const request = await body(ctx);
    assertValidWireRequest('ListOptimalTrialsRequest', { ...request, parent: studyName(ctx) });
    const spec = studies.spec(studyName(ctx));
    const optimal = optimalTrials(trials.of(studyName(ctx)), spec);
    return optimal.length > 0 ? { optimalTrials: optimal } : {};
  });
  server.route('POST', `${base}/{study}/trials`, async (ctx) => {
    bindQuery(ctx.query, {});
    return trials.create(studyName(ctx), await ctx.json());
  });
  server.route('GET', `${base}/{study}/trials`, (ctx) => trials.list(studyName(ctx), bindQuery(ctx.query, PAGE_QUERY)));
  server.route('GET', `${base}/{study}/trials/{trial}`, (ctx) => {
    bindQuery(ctx.query, {});
    return trials.get(trialName(ctx));
  });
  server.route('DELETE', `${base}/{study}/trials/{trial}`, (ctx) => {
    bindQuery(ctx.query, {});
    return trials.delete(trialName(ctx));
  });
  server.route('POST', `${base}/{study}/trials/{trial}:addTrialMeasurement`, async (ctx) => trials.addMeasurement(trialName(ctx), await body(ctx)));
  server.route('POST', `${base}/{study}/trials/{trial}:complete`, async (ctx) => trials.complete(trialName(ctx), await body(ctx)));
  server.route('POST', `${base}/{study}/trials/{trial}:stop`, async (ctx) => trials.stop(trialName(ctx), await body(ctx)));
  server.route('POST', `${base}/{study}/trials/{trial}:checkTrialEarlyStoppingState`, async (ctx) => earlyStopping.check(trialName(ctx), await body(ctx)));
}
