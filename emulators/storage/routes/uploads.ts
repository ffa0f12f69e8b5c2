// Uploads: `/upload/storage/v1/b/{bucket}/o?uploadType=media|multipart|resumable`, and the
// resumable session URI (`...&upload_id=ID`) that takes chunks by PUT, answers status queries
// with 308 + `Range`, and is cancelled by DELETE (499, as Cloud Storage answers).
import { badRequest } from '../../kit/google-error.js';
import { parseJsonBytes } from '../../kit/json-body.js';
import type { RequestContext } from '../../kit/server.js';
import type { RouteTable } from '../enums.js';
import { Reply } from '../../kit/server.js';
import { parseGoogHash } from '../hashes.js';
import { DEFAULT_CONTENT_TYPE } from '../content-type.js';
import { boundaryOf, parseMultipartRelated } from '../multipart.js';
import type { ObjectStore } from '../object-store.js';
import { baseUrlOf, header, preconditionsFrom } from '../query.js';
import { parseContentRange } from '../ranges.js';
import { fieldsFromResource, ObjectResourceInput, parseBody } from '../request-schemas.js';
import { objectResource } from '../resources.js';
import type { ResumableUploads } from '../resumable.js';

const UPLOAD_PATH = '/upload/storage/v1/b/{bucket}/o';

export function registerUploadRoutes(server: RouteTable, store: ObjectStore, uploads: ResumableUploads, fallbackUrl: () => string): void {
  const base = (ctx: RequestContext) => baseUrlOf(ctx.req, fallbackUrl);

  server.route('POST', UPLOAD_PATH, async (ctx) => {
    if (ctx.query.has('upload_id')) return putChunk(ctx);
    const bucket = ctx.params.bucket!;
    const uploadType = ctx.query.get('uploadType') ?? 'media';
    const preconditions = preconditionsFrom(ctx.query);
    const googHash = parseGoogHash(ctx.req.headers['x-goog-hash']);
    switch (uploadType) {
      case 'media': {
        const name = requireName(ctx.query.get('name') ?? undefined);
        const meta = await store.writeObject(bucket, name, ctx.req, {
          contentType: header(ctx.req, 'content-type') ?? DEFAULT_CONTENT_TYPE,
          preconditions,
          expectedHashes: googHash,
        });
        return objectResource(meta, base(ctx));
      }
      case 'multipart': {
        const parts = await parseMultipartRelated(ctx.req, boundaryOf(header(ctx.req, 'content-type')));
        const resource = parseBody(ObjectResourceInput, parseJsonPart(parts.metadata));
        const name = requireName(ctx.query.get('name') ?? resource.name);
        const fields = fieldsFromResource(resource);
        const meta = await store.writeObject(bucket, name, parts.media, {
          ...fields,
          contentType: fields.contentType ?? parts.mediaHeaders['content-type'] ?? DEFAULT_CONTENT_TYPE,
          preconditions,
          expectedHashes: { md5Hash: resource.md5Hash ?? googHash.md5Hash, crc32c: resource.crc32c ?? googHash.crc32c },
        });
        return objectResource(meta, base(ctx));
      }
      case 'resumable': {
        const resource = parseBody(ObjectResourceInput, await ctx.json());
        const name = requireName(ctx.query.get('name') ?? resource.name);
        const fields = fieldsFromResource(resource);
        const declaredType = header(ctx.req, 'x-upload-content-type');
        const declaredLength = header(ctx.req, 'x-upload-content-length');
        if (declaredLength !== undefined && !/^\d+$/.test(declaredLength)) {
          throw badRequest(`Invalid X-Upload-Content-Length: '${declaredLength}'`, { location: 'X-Upload-Content-Length' });
        }
        const id = await uploads.create({
          bucket,
          name,
          fields: { ...fields, contentType: fields.contentType ?? declaredType ?? DEFAULT_CONTENT_TYPE },
          preconditions,
          expectedHashes: { md5Hash: resource.md5Hash, crc32c: resource.crc32c },
          expectedSize: declaredLength === undefined ? undefined : Number(declaredLength),
        });
        const location = `${base(ctx)}/upload/storage/v1/b/${encodeURIComponent(bucket)}/o?${new URLSearchParams({ uploadType: 'resumable', name, upload_id: id }).toString()}`;
        return new Reply(200, undefined, { location, 'x-guploader-uploadid': id });
      }
      default:
        throw badRequest(`Invalid uploadType '${uploadType}': use media, multipart or resumable`, { location: 'uploadType' });
    }
  }, { body: 'raw' });

  const putChunk = async (ctx: RequestContext) => {
    const id = ctx.query.get('upload_id');
    if (!id) throw badRequest('Missing upload_id', { location: 'upload_id' });
    const range = parseContentRange(header(ctx.req, 'content-range'));
    const outcome = await uploads.put(id, range, ctx.req, parseGoogHash(ctx.req.headers['x-goog-hash']));
    if (outcome.done) return objectResource(outcome.metadata, base(ctx));
    return new Reply(308, undefined, outcome.persisted > 0 ? { range: `bytes=0-${outcome.persisted - 1}` } : {});
  };
  server.route('PUT', UPLOAD_PATH, putChunk, { body: 'raw' });

  server.route('DELETE', UPLOAD_PATH, async (ctx) => {
    const id = ctx.query.get('upload_id');
    if (!id) throw badRequest('Missing upload_id', { location: 'upload_id' });
    await uploads.cancel(id);
    return new Reply(499);
  });
}

function requireName(name: string | undefined): string {
  if (!name) throw badRequest('Required parameter: name', { reason: 'required', location: 'name' });
  return name;
}

/** The metadata part meets the same JSON rules (syntax, nesting depth) as any JSON body. */
function parseJsonPart(bytes: Buffer): unknown {
  return bytes.length === 0 ? {} : parseJsonBytes(bytes);
}
