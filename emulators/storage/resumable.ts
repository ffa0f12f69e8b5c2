// Resumable upload sessions, kept on disk (`<root>/.uploads/<id>.json` + `<id>.data`) so that an
// upload survives an emulator restart like it survives a dropped connection on Cloud Storage.
// As on Cloud Storage, a request that does not finish the upload keeps only whole multiples of
// 256 KiB: the client must read the `Range` of a 308 and resend the rest.
import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { badRequest, GoogleApiError, notFound } from '../kit/google-error.js';
import { isErrno } from '../kit/fs-atomic.js';
import type { Preconditions } from './generations.js';
import { checkPreconditions } from './generations.js';
import type { ExpectedHashes } from './hashes.js';
import { KeyedMutex } from '../kit/keyed-mutex.js';
import type { ObjectFields, ObjectMetadata } from './model.js';
import { ObjectMetadataRecord } from './model.js';
import type { ObjectStore } from './object-store.js';
import type { UploadRange } from './ranges.js';
import { readSidecar, writeSidecar } from './sidecars.js';

const CHUNK_GRANULARITY = 256 * 1024;
/** Cloud Storage forgets a session a week after it was opened. */
const SESSION_LIFETIME_MS = 7 * 24 * 3600 * 1000;

const int64Text = z.union([z.string(), z.number()]);
const SessionState = z.object({
  version: z.literal(1),
  bucket: z.string(),
  name: z.string(),
  fields: z.record(z.string(), z.unknown()),
  preconditions: z.object({
    ifGenerationMatch: int64Text.optional(),
    ifGenerationNotMatch: int64Text.optional(),
    ifMetagenerationMatch: int64Text.optional(),
    ifMetagenerationNotMatch: int64Text.optional(),
  }),
  expectedHashes: z.object({ md5Hash: z.string().optional(), crc32c: z.string().optional() }),
  expectedSize: z.number().optional(),
  created: z.string(),
  /** Set once the upload finished: later requests answer with this object. */
  result: ObjectMetadataRecord.optional(),
});
type SessionState = z.infer<typeof SessionState>;

export interface SessionInit {
  bucket: string;
  name: string;
  fields: ObjectFields;
  preconditions: Preconditions;
  expectedHashes: ExpectedHashes;
  /** `X-Upload-Content-Length`, when the client declared it. */
  expectedSize?: number | undefined;
}

export type ChunkOutcome = { done: false; persisted: number } | { done: true; metadata: ObjectMetadata };

export class ResumableUploads {
  private readonly locks = new KeyedMutex();
  private pruned: Promise<void> | undefined;

  constructor(
    private readonly store: ObjectStore,
    private readonly dir: string,
  ) {}

  /** Validate what can be validated now (bucket, name, preconditions) and open a session. */
  async create(init: SessionInit): Promise<string> {
    await this.store.getBucket(init.bucket);
    this.store.filePath(init.bucket, init.name); // validates the name
    // Fail fast on preconditions; they are checked again when the upload completes.
    const current = await this.store.statObject(init.bucket, init.name).catch((err: unknown) => {
      if (err instanceof GoogleApiError && err.code === 404) return undefined;
      throw err;
    });
    checkPreconditions(current, init.preconditions);
    const id = randomBytes(24).toString('base64url');
    await mkdir(this.dir, { recursive: true });
    await (this.pruned ??= this.pruneExpired());
    await (await open(this.dataPath(id), 'wx')).close();
    const state: SessionState = {
      version: 1,
      bucket: init.bucket,
      name: init.name,
      fields: { ...init.fields },
      preconditions: stringifyPreconditions(init.preconditions),
      expectedHashes: { ...init.expectedHashes },
      ...(init.expectedSize !== undefined ? { expectedSize: init.expectedSize } : {}),
      created: new Date().toISOString(),
    };
    await this.save(id, state);
    return id;
  }

  /**
   * One PUT to the session URI: a status query (no start) or bytes from `range.start`.
   * `finalHashes` are the `x-goog-hash` checksums a final request may carry.
   */
  async put(id: string, range: UploadRange, body: AsyncIterable<Uint8Array>, finalHashes: ExpectedHashes): Promise<ChunkOutcome> {
    checkId(id);
    return this.locks.run(id, async () => {
      const state = await this.load(id);
      if (state.result) return { done: true, metadata: state.result };
      let persisted = await this.persisted(id);
      if (range.start !== undefined) {
        if (range.start > persisted) {
          throw badRequest(`Invalid request: the chunk starts at byte ${range.start} but only ${persisted} bytes were received; resend from byte ${persisted}.`);
        }
        const { received, clean } = await this.append(id, body, persisted - range.start, range);
        persisted += received;
        if (!clean) return { done: false, persisted: await this.keepWholeChunks(id, persisted) };
      }
      const total = range.total ?? (range.start !== undefined && range.end === undefined ? persisted : undefined);
      if (total !== undefined && persisted > total) throw badRequest(`Received ${persisted} bytes, more than the declared total of ${total}.`);
      if (total === undefined || persisted < total) {
        return { done: false, persisted: range.start === undefined ? persisted : await this.keepWholeChunks(id, persisted) };
      }
      return { done: true, metadata: await this.finish(id, state, finalHashes) };
    });
  }

  async cancel(id: string): Promise<void> {
    checkId(id);
    await this.locks.run(id, async () => {
      await this.load(id);
      await Promise.all([unlink(this.statePath(id)), unlink(this.dataPath(id)).catch(() => {})]);
    });
  }

  /** Drop expired sessions (and temporary files a crash left) once per process. */
  private async pruneExpired(): Promise<void> {
    const cutoff = Date.now() - SESSION_LIFETIME_MS;
    for (const entry of await readdir(this.dir).catch(() => [] as string[])) {
      const path = join(this.dir, entry);
      const stats = await stat(path).catch(() => undefined);
      if (stats && stats.mtimeMs < cutoff) await unlink(path).catch(() => {});
    }
  }

  private async finish(id: string, state: SessionState, finalHashes: ExpectedHashes): Promise<ObjectMetadata> {
    const expectedHashes = { ...state.expectedHashes, ...definedOnly(finalHashes) };
    try {
      const metadata = await this.store.importFile(state.bucket, state.name, this.dataPath(id), {
        ...(state.fields as ObjectFields),
        preconditions: state.preconditions,
        expectedHashes,
        expectedSize: state.expectedSize,
      });
      await this.save(id, { ...state, result: metadata });
      return metadata;
    } catch (err) {
      // The bytes are gone (moved, then refused): the session cannot be resumed.
      await unlink(this.statePath(id)).catch(() => {});
      await unlink(this.dataPath(id)).catch(() => {});
      throw err;
    }
  }

  /**
   * Append a request body, skipping `skip` bytes the session already holds (a client may resend
   * them). `clean` is false when the body stopped early (client gone): what arrived is kept.
   */
  private async append(id: string, body: AsyncIterable<Uint8Array>, skip: number, range: UploadRange): Promise<{ received: number; clean: boolean }> {
    const handle = await open(this.dataPath(id), 'a');
    const chunks = body[Symbol.asyncIterator]();
    const limit = range.start !== undefined && range.end !== undefined ? range.end - range.start + 1 : Infinity;
    let bodyBytes = 0;
    let received = 0;
    let clean = true;
    try {
      for (;;) {
        let next: IteratorResult<Uint8Array>;
        try {
          next = await chunks.next();
        } catch {
          clean = false; // the client went away mid-request
          break;
        }
        if (next.done) break;
        const dropped = Math.max(0, Math.min(skip - bodyBytes, next.value.length));
        // Bytes past the announced range are not part of the object.
        const kept = Math.max(dropped, Math.min(next.value.length, limit - bodyBytes));
        bodyBytes += next.value.length;
        const bytes = next.value.subarray(dropped, kept);
        if (bytes.length === 0) continue;
        await handle.write(bytes);
        received += bytes.length;
      }
      await handle.sync();
    } finally {
      await handle.close();
    }
    if (bodyBytes > limit) throw badRequest(`The request body holds ${bodyBytes} bytes, more than its Content-Range announces (${limit}).`);
    if (bodyBytes < limit && limit !== Infinity) clean = false; // shorter than announced
    return { received, clean };
  }

  /** Keep only whole 256 KiB chunks of an unfinished upload, as Cloud Storage does. */
  private async keepWholeChunks(id: string, persisted: number): Promise<number> {
    const keep = persisted - (persisted % CHUNK_GRANULARITY);
    if (keep !== persisted) {
      const handle = await open(this.dataPath(id), 'r+');
      try {
        await handle.truncate(keep);
        await handle.sync();
      } finally {
        await handle.close();
      }
    }
    return keep;
  }

  private async persisted(id: string): Promise<number> {
    try {
      return (await stat(this.dataPath(id))).size;
    } catch (err) {
      if (isErrno(err, 'ENOENT')) return 0;
      throw err;
    }
  }

  private async load(id: string): Promise<SessionState> {
    const state = await readSidecar(this.statePath(id), SessionState);
    if (!state) throw notFound(`No such upload session: ${id}`);
    return state;
  }

  private async save(id: string, state: SessionState): Promise<void> {
    await writeSidecar(this.statePath(id), state, this.dir);
  }

  private statePath(id: string): string {
    return join(this.dir, `${id}.json`);
  }

  private dataPath(id: string): string {
    return join(this.dir, `${id}.data`);
  }
}

function checkId(id: string): void {
  // The id becomes a file name: nothing but base64url characters.
  if (!/^[A-Za-z0-9_-]{16,64}$/.test(id)) throw notFound(`No such upload session: ${id}`);
}

function stringifyPreconditions(pre: Preconditions): SessionState['preconditions'] {
  const out: SessionState['preconditions'] = {};
  for (const [key, value] of Object.entries(pre) as [keyof Preconditions, Preconditions[keyof Preconditions]][]) {
    if (value !== undefined) out[key] = String(value);
  }
  return out;
}

function definedOnly(hashes: ExpectedHashes): ExpectedHashes {
  const out: ExpectedHashes = {};
  if (hashes.md5Hash !== undefined) out.md5Hash = hashes.md5Hash;
  if (hashes.crc32c !== undefined) out.crc32c = hashes.crc32c;
  return out;
}
