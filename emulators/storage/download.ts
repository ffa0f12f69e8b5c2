// Media downloads: byte ranges (206/416), the x-goog-* headers the client checks (x-goog-hash
// drives its CRC32C/MD5 validation, x-goog-stored-content-encoding says whether it may), and
// decompressive transcoding of gzip objects for clients that do not accept gzip.
import type { ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { GoogleApiError } from '../kit/google-error.js';
import type { RequestContext } from '../kit/server.js';
import { send } from '../kit/server.js';
import { checkReadPreconditions } from './generations.js';
import { formatGoogHash } from './hashes.js';
import type { ObjectMetadata } from './model.js';
import type { ObjectStore } from './object-store.js';
import { generationFrom, header, preconditionsFrom } from './query.js';
import { parseRange } from './ranges.js';

export async function sendMedia(ctx: RequestContext, store: ObjectStore, bucket: string, name: string): Promise<undefined> {
  const meta = await store.statObject(bucket, name, { generation: generationFrom(ctx.query) });
  if (checkReadPreconditions(meta, preconditionsFrom(ctx.query)) === 'not-modified') {
    send(ctx.res, 304, undefined);
    return undefined;
  }
  const size = Number(meta.size);
  const headers = mediaHeaders(meta);
  const transcode = meta.contentEncoding === 'gzip' && !/\bgzip\b/i.test(header(ctx.req, 'accept-encoding') ?? '');
  if (transcode) {
    // The client gets the decompressed bytes: length unknown up front, ranges do not apply.
    headers['warning'] = '214 UploadServer gunzipped';
    const { stream } = await store.readObject(bucket, name, { generation: meta.generation });
    return streamBody(ctx.res, 200, headers, stream, true);
  }
  if (meta.contentEncoding) headers['content-encoding'] = meta.contentEncoding;
  const range = parseRange(header(ctx.req, 'range'), size);
  if (range === 'unsatisfiable') {
    const error = new GoogleApiError(416, 'The requested range cannot be satisfied.');
    send(ctx.res, 416, error.toBody(), { 'content-range': `bytes */${size}` });
    return undefined;
  }
  const { stream } = await store.readObject(bucket, name, { generation: meta.generation, ...(range ?? {}) });
  if (range) {
    headers['content-range'] = `bytes ${range.start}-${range.end}/${size}`;
    headers['content-length'] = String(range.end - range.start + 1);
    return streamBody(ctx.res, 206, headers, stream, false);
  }
  headers['content-length'] = String(size);
  return streamBody(ctx.res, 200, headers, stream, false);
}

function mediaHeaders(meta: ObjectMetadata): Record<string, string> {
  const headers: Record<string, string> = {
    'content-type': meta.contentType,
    'accept-ranges': 'bytes',
    etag: `"${meta.etag}"`,
    'last-modified': new Date(meta.updated).toUTCString(),
    'x-goog-generation': meta.generation,
    'x-goog-metageneration': meta.metageneration,
    'x-goog-stored-content-length': meta.size,
    'x-goog-stored-content-encoding': meta.contentEncoding ?? 'identity',
    'x-goog-storage-class': meta.storageClass,
    'x-goog-hash': formatGoogHash(meta),
  };
  if (meta.cacheControl) headers['cache-control'] = meta.cacheControl;
  if (meta.contentDisposition) headers['content-disposition'] = meta.contentDisposition;
  if (meta.contentLanguage) headers['content-language'] = meta.contentLanguage;
  return headers;
}

async function streamBody(res: ServerResponse, status: number, headers: Record<string, string>, body: Readable, gunzip: boolean): Promise<undefined> {
  res.writeHead(status, headers);
  try {
    if (gunzip) await pipeline(body, createGunzip(), res);
    else await pipeline(body, res);
  } catch {
    // The client went away, or the bytes were not gzip after all: nothing more can be said.
    body.destroy();
    res.destroy();
  }
  return undefined;
}
