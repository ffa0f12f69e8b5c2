// Objects (JSON API): get (metadata or `alt=media`), list, patch, update, delete, copyTo,
// rewriteTo, compose. Downloads also answer on `/download/storage/v1/...`.
import { badRequest } from '../../kit/google-error.js';
import type { RequestContext } from '../../kit/server.js';
import type { RouteTable } from '../enums.js';
import { Reply, send } from '../../kit/server.js';
import { sendMedia } from '../download.js';
import { checkReadPreconditions } from '../generations.js';
import type { ObjectPatch } from '../model.js';
import { SETTABLE_FIELDS } from '../model.js';
import type { ObjectStore } from '../object-store.js';
import { baseUrlOf, boolFrom, generationFrom, intFrom, preconditionsFrom } from '../query.js';
import { ComposeRequest, fieldsFromResource, ObjectPatchInput, ObjectResourceInput, parseBody, patchFromInput } from '../request-schemas.js';
import { objectResource } from '../resources.js';

export function registerObjectRoutes(server: RouteTable, store: ObjectStore, prefix: string, fallbackUrl: () => string): void {
  const base = (ctx: RequestContext) => baseUrlOf(ctx.req, fallbackUrl);
  const objectPath = `${prefix}/b/{bucket}/o/{object=**}`;

  server.route('GET', `${prefix}/b/{bucket}/o`, async (ctx) => {
    const q = ctx.query;
    const page = await store.listObjects(ctx.params.bucket!, {
      prefix: q.get('prefix') ?? undefined,
      delimiter: q.get('delimiter') ?? undefined,
      pageToken: q.get('pageToken') ?? undefined,
      maxResults: intFrom(q, 'maxResults'),
      startOffset: q.get('startOffset') ?? undefined,
      endOffset: q.get('endOffset') ?? undefined,
      matchGlob: q.get('matchGlob') ?? undefined,
      includeTrailingDelimiter: boolFrom(q, 'includeTrailingDelimiter'),
    });
    return {
      kind: 'storage#objects',
      ...(page.prefixes.length > 0 ? { prefixes: page.prefixes } : {}),
      ...(page.items.length > 0 ? { items: page.items.map((m) => objectResource(m, base(ctx))) } : {}),
      ...(page.nextPageToken ? { nextPageToken: page.nextPageToken } : {}),
    };
  });

  // Before the plain object routes: these paths would otherwise match `{object=**}`.
  const copy = (rewrite: boolean) => async (ctx: RequestContext) => {
    const { bucket, object, destBucket, destObject } = ctx.params as Record<'bucket' | 'object' | 'destBucket' | 'destObject', string>;
    const body = parseBody(ObjectResourceInput, await ctx.json());
    const resource = await store.copyObject(
      { bucket, name: object, generation: generationFrom(ctx.query, 'sourceGeneration') },
      { bucket: destBucket, name: destObject },
      { fields: fieldsFromResource(body), preconditions: preconditionsFrom(ctx.query), sourcePreconditions: preconditionsFrom(ctx.query, 'Source') },
    );
    const json = objectResource(resource, base(ctx));
    if (!rewrite) return json;
    // One call always finishes the rewrite locally, so no rewriteToken is ever handed out.
    return { kind: 'storage#rewriteResponse', totalBytesRewritten: resource.size, objectSize: resource.size, done: true, resource: json };
  };
  server.route('POST', `${objectPath}/rewriteTo/b/{destBucket}/o/{destObject=**}`, copy(true));
  server.route('POST', `${objectPath}/copyTo/b/{destBucket}/o/{destObject=**}`, copy(false));

  server.route('POST', `${objectPath}/compose`, async (ctx) => {
    const body = parseBody(ComposeRequest, await ctx.json());
    const resource = await store.composeObjects(
      ctx.params.bucket!,
      body.sourceObjects.map((s) => ({
        name: s.name,
        generation: s.generation === undefined ? undefined : String(s.generation),
        ifGenerationMatch: s.objectPreconditions?.ifGenerationMatch === undefined ? undefined : String(s.objectPreconditions.ifGenerationMatch),
      })),
      ctx.params.object!,
      { fields: fieldsFromResource(body.destination), preconditions: preconditionsFrom(ctx.query) },
    );
    return objectResource(resource, base(ctx));
  });

  server.route('GET', objectPath, async (ctx) => {
    const { bucket, object } = ctx.params as Record<'bucket' | 'object', string>;
    if (ctx.query.get('alt') === 'media') return sendMedia(ctx, store, bucket, object);
    const meta = await store.statObject(bucket, object, { generation: generationFrom(ctx.query) });
    if (checkReadPreconditions(meta, preconditionsFrom(ctx.query)) === 'not-modified') {
      send(ctx.res, 304, undefined);
      return undefined;
    }
    return objectResource(meta, base(ctx));
  });

  server.route('PATCH', objectPath, async (ctx) => {
    const { bucket, object } = ctx.params as Record<'bucket' | 'object', string>;
    const body = parseBody(ObjectPatchInput, await ctx.json());
    rejectRename(body.name, object);
    const meta = await store.patchObject(bucket, object, patchFromInput(body), preconditionsFrom(ctx.query), { generation: generationFrom(ctx.query) });
    return objectResource(meta, base(ctx));
  });

  // update: the body replaces every settable field (absent ones are cleared).
  server.route('PUT', objectPath, async (ctx) => {
    const { bucket, object } = ctx.params as Record<'bucket' | 'object', string>;
    const body = parseBody(ObjectResourceInput, await ctx.json());
    rejectRename(body.name, object);
    const generation = generationFrom(ctx.query);
    const current = await store.statObject(bucket, object, { generation });
    const fields = fieldsFromResource(body);
    const patch: ObjectPatch = {};
    for (const key of SETTABLE_FIELDS) patch[key] = fields[key] ?? null;
    if (patch.storageClass === null) delete patch.storageClass; // storage class is not metadata
    const metadata: Record<string, string | null> = {};
    for (const key of Object.keys(current.metadata ?? {})) metadata[key] = null;
    patch.metadata = { ...metadata, ...fields.metadata };
    const meta = await store.patchObject(bucket, object, patch, preconditionsFrom(ctx.query), { generation });
    return objectResource(meta, base(ctx));
  });

  server.route('DELETE', objectPath, async (ctx) => {
    const { bucket, object } = ctx.params as Record<'bucket' | 'object', string>;
    await store.deleteObject(bucket, object, preconditionsFrom(ctx.query), { generation: generationFrom(ctx.query) });
    return new Reply(204);
  });
}

export function registerDownloadRoutes(server: RouteTable, store: ObjectStore): void {
  server.route('GET', '/download/storage/v1/b/{bucket}/o/{object=**}', (ctx) => sendMedia(ctx, store, ctx.params.bucket!, ctx.params.object!));
}

function rejectRename(name: string | undefined, object: string): void {
  if (name !== undefined && name !== object) throw badRequest('An object cannot be renamed by updating its metadata; copy it and delete the original.', { location: 'name' });
}
