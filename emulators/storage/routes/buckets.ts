// Buckets: insert, get, list, patch, delete (JSON API).
import { badRequest } from '../../kit/google-error.js';
import type { RequestContext } from '../../kit/server.js';
import type { RouteTable } from '../enums.js';
import { Reply } from '../../kit/server.js';
import { checkPreconditions } from '../generations.js';
import type { ObjectStore } from '../object-store.js';
import { BUCKET_CONFIG_FIELDS, BucketInsertInput, BucketPatchInput, parseBody } from '../request-schemas.js';
import { bucketResource } from '../resources.js';
import { baseUrlOf, intFrom, preconditionsFrom } from '../query.js';

export function registerBucketRoutes(server: RouteTable, store: ObjectStore, prefix: string, fallbackUrl: () => string): void {
  const base = (ctx: RequestContext) => baseUrlOf(ctx.req, fallbackUrl);

  server.route('POST', `${prefix}/b`, async (ctx) => {
    requireProject(ctx.query);
    const body = parseBody(BucketInsertInput, await ctx.json());
    const bucket = await store.createBucket(body.name, {
      location: body.location,
      storageClass: body.storageClass,
      labels: body.labels,
      versioning: body.versioning,
      config: pick(body, BUCKET_CONFIG_FIELDS),
    });
    return bucketResource(bucket, base(ctx));
  });

  server.route('GET', `${prefix}/b`, async (ctx) => {
    requireProject(ctx.query);
    const page = await store.listBuckets({
      prefix: ctx.query.get('prefix') ?? undefined,
      pageToken: ctx.query.get('pageToken') ?? undefined,
      maxResults: intFrom(ctx.query, 'maxResults'),
    });
    return {
      kind: 'storage#buckets',
      ...(page.items.length > 0 ? { items: page.items.map((b) => bucketResource(b, base(ctx))) } : {}),
      ...(page.nextPageToken ? { nextPageToken: page.nextPageToken } : {}),
    };
  });

  server.route('GET', `${prefix}/b/{bucket}`, async (ctx) => {
    const bucket = await store.getBucket(ctx.params.bucket!);
    checkPreconditions({ generation: '0', metageneration: bucket.metageneration }, metagenerationOnly(ctx.query), 'bucket');
    return bucketResource(bucket, base(ctx));
  });

  server.route('PATCH', `${prefix}/b/{bucket}`, async (ctx) => {
    const name = ctx.params.bucket!;
    const body = parseBody(BucketPatchInput, await ctx.json());
    if (body.name !== undefined && body.name !== name) throw badRequest('The bucket name cannot be changed.', { location: 'name' });
    const current = await store.getBucket(name);
    if (body.location !== undefined && body.location.toUpperCase() !== current.location) {
      throw badRequest('The location of a bucket cannot be changed.', { location: 'location' });
    }
    const bucket = await store.patchBucket(
      name,
      {
        storageClass: body.storageClass,
        labels: body.labels,
        versioning: body.versioning,
        config: pick(body, BUCKET_CONFIG_FIELDS),
      },
      metagenerationOnly(ctx.query),
    );
    return bucketResource(bucket, base(ctx));
  });

  server.route('DELETE', `${prefix}/b/{bucket}`, async (ctx) => {
    await store.deleteBucket(ctx.params.bucket!, metagenerationOnly(ctx.query));
    return new Reply(204);
  });
}

function requireProject(query: URLSearchParams): void {
  if (!query.get('project')) throw badRequest('Required parameter: project', { reason: 'required', location: 'project' });
}

function metagenerationOnly(query: URLSearchParams) {
  const { ifMetagenerationMatch, ifMetagenerationNotMatch } = preconditionsFrom(query);
  return { ifMetagenerationMatch, ifMetagenerationNotMatch };
}

function pick(body: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of keys) if (body[key] !== undefined) out[key] = body[key];
  return out;
}
