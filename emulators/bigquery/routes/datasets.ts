// datasets.insert / get / list / patch / update / delete.
import type { EmulatorServer, RequestContext } from '../../kit/server.js';
import { Reply } from '../../kit/server.js';
import type { Catalog, DatasetMeta } from '../catalog.js';
import { etagOf } from '../catalog.js';
import { invalid } from '../errors.js';
import { decodePageToken, encodePageToken, intParam } from '../page-token.js';
import type { DatasetBody } from '../schemas.js';
import { DatasetBody as DatasetBodySchema } from '../schemas.js';
import { parseBody } from '../validation.js';
import { route } from './routing.js';

const MUTABLE = ['friendlyName', 'description', 'labels', 'defaultTableExpirationMs', 'defaultPartitionExpirationMs', 'access', 'defaultCollation', 'maxTimeTravelHours', 'storageBillingModel', 'isCaseInsensitive'] as const;

function mutableFields(body: DatasetBody): Partial<DatasetMeta> {
  const str = (v: string | number | undefined) => (v === undefined ? undefined : String(v));
  const out: Partial<DatasetMeta> = {
    friendlyName: body.friendlyName,
    description: body.description,
    labels: body.labels,
    defaultTableExpirationMs: str(body.defaultTableExpirationMs),
    defaultPartitionExpirationMs: str(body.defaultPartitionExpirationMs),
    access: body.access,
    defaultCollation: body.defaultCollation,
    maxTimeTravelHours: str(body.maxTimeTravelHours),
    storageBillingModel: body.storageBillingModel,
    isCaseInsensitive: body.isCaseInsensitive,
  };
  for (const k of MUTABLE) if (out[k] === undefined) delete out[k];
  return out;
}

/** `labels.env:prod labels.team` — every term must match. */
function matchesFilter(meta: DatasetMeta, filter: string | null): boolean {
  if (!filter) return true;
  return filter
    .split(/\s+/)
    .filter(Boolean)
    .every((term) => {
      const m = /^labels\.([^:]+)(?::(.*))?$/.exec(term);
      if (!m) throw invalid(`Invalid filter: ${filter}`, 'filter');
      const value = meta.labels?.[m[1]!];
      return m[2] === undefined ? value !== undefined : value === m[2];
    });
}

export function registerDatasetRoutes(server: EmulatorServer, catalog: Catalog): void {
  const engine = catalog.engine;

  route(server, 'POST', '/projects/{projectId}/datasets', async (ctx) => {
    const body = parseBody(DatasetBodySchema, await ctx.json(), 'dataset');
    const project = ctx.params.projectId!;
    const ref = body.datasetReference;
    if (!ref) throw invalid('Required parameter is missing: datasetReference', 'datasetReference');
    if (ref.projectId && ref.projectId !== project) throw invalid(`Project ID ${ref.projectId} in datasetReference does not match the request's project ${project}`);
    return engine.run(async (db) => {
      const meta = await catalog.createDataset(db, { ...mutableFields(body), projectId: project, datasetId: ref.datasetId, location: body.location ?? 'US' });
      return catalog.datasetResource(meta);
    });
  });

  route(server, 'GET', '/projects/{projectId}/datasets', (ctx) =>
    engine.run(async (db) => {
      const project = ctx.params.projectId!;
      const all = (await catalog.listDatasets(db, project, ctx.query.get('all') === 'true')).filter((d) => matchesFilter(d, ctx.query.get('filter')));
      const offset = decodePageToken(ctx.query.get('pageToken'), `datasets:${project}`);
      const limit = intParam(ctx.query, 'maxResults', 50)!;
      const datasets = all.slice(offset, offset + limit).map((d) => ({
        kind: 'bigquery#dataset',
        id: `${d.projectId}:${d.datasetId}`,
        datasetReference: { datasetId: d.datasetId, projectId: d.projectId },
        location: d.location,
        ...(d.labels ? { labels: d.labels } : {}),
        ...(d.friendlyName ? { friendlyName: d.friendlyName } : {}),
      }));
      const next = offset + limit < all.length ? { nextPageToken: encodePageToken(offset + limit, `datasets:${project}`) } : {};
      return { kind: 'bigquery#datasetList', etag: etagOf(datasets), ...(datasets.length ? { datasets } : {}), ...next };
    }),
  );

  route(server, 'GET', '/projects/{projectId}/datasets/{datasetId}', (ctx) =>
    engine.run(async (db) => catalog.datasetResource(await catalog.requireDataset(db, { projectId: ctx.params.projectId!, datasetId: ctx.params.datasetId! }))),
  );

  const update = (replace: boolean) => async (ctx: RequestContext) => {
    const body = parseBody(DatasetBodySchema, await ctx.json(), 'dataset');
    return engine.run(async (db) => {
      const meta = await catalog.requireDataset(db, { projectId: ctx.params.projectId!, datasetId: ctx.params.datasetId! });
      if (body.location && body.location.toUpperCase() !== meta.location.toUpperCase()) throw invalid(`Cannot change location of dataset ${meta.projectId}:${meta.datasetId}`);
      const base: DatasetMeta = { ...meta };
      if (replace) for (const k of MUTABLE) delete base[k];
      const next: DatasetMeta = { ...base, ...mutableFields(body), lastModifiedTime: String(Date.now()) };
      await catalog.saveDatasetMeta(db, next);
      return catalog.datasetResource(next);
    });
  };
  route(server, 'PATCH', '/projects/{projectId}/datasets/{datasetId}', update(false));
  route(server, 'PUT', '/projects/{projectId}/datasets/{datasetId}', update(true));

  route(server, 'DELETE', '/projects/{projectId}/datasets/{datasetId}', async (ctx) => {
    await engine.run((db) => catalog.deleteDataset(db, { projectId: ctx.params.projectId!, datasetId: ctx.params.datasetId! }, ctx.query.get('deleteContents') === 'true'));
    return new Reply(204);
  });
}
