// Cloud Storage semantics over a plain directory tree: objects are files at
// `<root>/<bucket>/<object name>` that any local process can read or write directly (as Vertex
// containers do under /gcs/), with metadata in sidecars under `<root>/.meta` (see layout.ts).
//
// Choices a file tree forces:
// - An object `a` and an object `a/b` cannot both exist (a path is a file or a directory): the
//   second write is refused with 409 naming the conflicting object.
// - Names ending in '/' (folder placeholders) are directories plus a sidecar, and must be empty.
// - Only the live generation of an object is kept (no object versioning).
// - Composite objects keep an md5Hash too (Cloud Storage omits it for them).
import type { BigIntStats } from 'node:fs';
import { copyFile, lstat, mkdir, open, rename, rmdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { badRequest, conflict, GoogleApiError, notFound } from '../kit/google-error.js';
import type { BucketPatch, ListBucketsOptions } from './bucket-store.js';
import { BucketStore } from './bucket-store.js';
import { contentTypeForName, DEFAULT_CONTENT_TYPE } from './content-type.js';
import { commitRename, fsyncFile, isErrno, removeAbandonedTemps, removeEmptyTree, syncDir, tempName, writeNewFile } from '../kit/fs-atomic.js';
import type { Int64Like, Preconditions } from './generations.js';
import { checkPreconditions, nextGeneration, objectEtag, parseInt64 } from './generations.js';
import type { ExpectedHashes, ObjectHashes } from './hashes.js';
import { checkExpectedHashes, hashFile, ObjectHasher } from './hashes.js';
import { KeyedMutex } from '../kit/keyed-mutex.js';
import { StoreLayout } from './layout.js';
import type { ListObjectsOptions } from './listing.js';
import { hasCandidates, ListingPlan, walkBucket } from './listing.js';
import type { BucketMetadata, BucketOptions, FileIdentity, ObjectFields, ObjectMetadata, ObjectPatch } from './model.js';
import { definedFields, fieldsOf, ObjectSidecar, SETTABLE_FIELDS } from './model.js';
import type { ObjectPath } from './names.js';
import { readSidecar, removeSidecar, writeSidecar } from './sidecars.js';

export type { BucketMetadata, BucketOptions, BucketPatch, ListBucketsOptions, ListObjectsOptions, ObjectFields, ObjectMetadata, ObjectPatch, Preconditions };

export interface WriteOptions extends ObjectFields {
  preconditions?: Preconditions | undefined;
  /** Checksums the client computed: a mismatch is a 400 and nothing is stored. */
  expectedHashes?: ExpectedHashes | undefined;
  expectedSize?: number | undefined;
}

export interface ReadOptions {
  generation?: Int64Like | undefined;
  /** First byte, inclusive. */
  start?: number | undefined;
  /** Last byte, inclusive. */
  end?: number | undefined;
}

export interface ObjectRef {
  bucket: string;
  name: string;
  generation?: Int64Like | undefined;
}

export interface CopyOptions {
  /** Metadata for the destination; absent fields are copied from the source. */
  fields?: ObjectFields | undefined;
  /** Checked against the destination. */
  preconditions?: Preconditions | undefined;
  /** Checked against the source. */
  sourcePreconditions?: Preconditions | undefined;
}

export interface ComposeSource {
  name: string;
  generation?: Int64Like | undefined;
  ifGenerationMatch?: Int64Like | undefined;
}

export interface ListObjectsResult {
  items: ObjectMetadata[];
  prefixes: string[];
  nextPageToken?: string;
}

/** Copies and composes also carry the component count of composite objects. */
interface InternalWriteOptions extends WriteOptions {
  componentCount?: number | undefined;
}

interface LiveObject {
  meta: ObjectMetadata;
  identity: FileIdentity;
}

const MAX_COMPOSE_SOURCES = 32;
const MAX_COMPONENT_COUNT = 1024;
/** Shared by every store in the process, so two stores on one root still serialise writers. */
const LOCKS = new KeyedMutex();

export class ObjectStore {
  readonly root: string;
  private readonly layout: StoreLayout;
  private readonly buckets: BucketStore;
  private prepared: Promise<void> | undefined;

  constructor(root: string) {
    this.layout = new StoreLayout(root);
    this.root = this.layout.root;
    this.buckets = new BucketStore(this.layout, LOCKS);
  }

  // ---- buckets -------------------------------------------------------------------------------

  async createBucket(name: string, options: BucketOptions = {}): Promise<BucketMetadata> {
    await this.prepare();
    return this.buckets.create(name, options);
  }

  async getBucket(name: string): Promise<BucketMetadata> {
    await this.prepare();
    return this.buckets.get(name);
  }

  async listBuckets(options: ListBucketsOptions = {}): Promise<{ items: BucketMetadata[]; nextPageToken?: string }> {
    await this.prepare();
    return this.buckets.list(options);
  }

  async patchBucket(name: string, patch: BucketPatch, preconditions?: Preconditions): Promise<BucketMetadata> {
    await this.prepare();
    return this.buckets.patch(name, patch, preconditions);
  }

  /** 409 if the bucket still holds objects. */
  async deleteBucket(name: string, preconditions?: Preconditions): Promise<void> {
    await this.prepare();
    const dir = this.layout.bucketDir(name);
    await this.buckets.delete(name, () => hasCandidates(walkBucket(dir, () => true, (folder) => this.isFolderObject(name, folder))), preconditions);
  }

  // ---- objects -------------------------------------------------------------------------------

  /** The plain file holding an object (a directory for a folder placeholder); validates the name. */
  filePath(bucket: string, name: string): string {
    return this.layout.objectPath(bucket, name).path;
  }

  async statObject(bucket: string, name: string, options: { generation?: Int64Like | undefined } = {}): Promise<ObjectMetadata> {
    await this.prepare();
    const path = this.layout.objectPath(bucket, name);
    await this.buckets.require(bucket);
    const live = await this.live(bucket, name, path, false);
    return requireGeneration(live, bucket, name, options.generation).meta;
  }

  /** The object's bytes (or a byte range of them) as they were when its metadata was read. */
  async readObject(bucket: string, name: string, options: ReadOptions = {}): Promise<{ metadata: ObjectMetadata; stream: Readable }> {
    await this.prepare();
    const path = this.layout.objectPath(bucket, name);
    await this.buckets.require(bucket);
    for (let attempt = 0; ; attempt++) {
      const live = requireGeneration(await this.live(bucket, name, path, false), bucket, name, options.generation);
      const size = Number(live.meta.size);
      const start = options.start ?? 0;
      const end = Math.min(options.end ?? size - 1, size - 1);
      if (start < 0 || (size > 0 && start >= size) || (size === 0 && start > 0)) {
        throw new GoogleApiError(416, 'The requested range cannot be satisfied.');
      }
      if (live.identity.kind === 'folder' || size === 0 || end < start) {
        return { metadata: live.meta, stream: Readable.from([]) };
      }
      const handle = await open(path.path, 'r').catch((err: unknown) => {
        if (isErrno(err, 'ENOENT')) return undefined;
        throw err;
      });
      // The file may have been replaced between reading metadata and opening it: check the
      // open file is the one the metadata describes, so bytes and checksums always agree.
      if (handle) {
        const stats = await handle.stat({ bigint: true });
        if (sameFile(live.identity, stats)) return { metadata: live.meta, stream: handle.createReadStream({ start, end }) };
        await handle.close();
      }
      if (attempt >= 4) throw new GoogleApiError(503, `object ${bucket}/${name} keeps changing while being read; try again`);
    }
  }

  async writeObject(bucket: string, name: string, data: Buffer | AsyncIterable<Uint8Array>, options: WriteOptions = {}): Promise<ObjectMetadata> {
    return this.write(bucket, name, data, options);
  }

  /**
   * Move a finished local file in as an object (the file is moved, not copied, when it is on the
   * same filesystem as the root), computing its metadata.
   */
  async importFile(bucket: string, name: string, localPath: string, options: WriteOptions = {}): Promise<ObjectMetadata> {
    await this.prepare();
    const path = this.layout.objectPath(bucket, name);
    await this.buckets.require(bucket);
    const temp = tempName(this.layout.stagingDir, 'import');
    try {
      await mkdir(this.layout.stagingDir, { recursive: true });
      try {
        await rename(localPath, temp);
      } catch (err) {
        if (!isErrno(err, 'EXDEV')) throw err;
        await copyFile(localPath, temp);
        await unlink(localPath);
      }
      await fsyncFile(temp);
      return await this.commit(bucket, name, path, temp, await hashFile(temp), options);
    } finally {
      await unlink(temp).catch(() => {});
    }
  }

  async deleteObject(bucket: string, name: string, preconditions?: Preconditions, options: { generation?: Int64Like | undefined } = {}): Promise<void> {
    await this.prepare();
    const path = this.layout.objectPath(bucket, name);
    await this.buckets.require(bucket);
    await this.locked(bucket, name, async () => {
      const live = requireGeneration(await this.live(bucket, name, path, true), bucket, name, options.generation);
      checkPreconditions(live.meta, preconditions);
      if (path.folder) {
        await rmdir(path.path).catch(() => {}); // a folder with objects under it stays as a directory
      } else {
        await unlink(path.path);
        await syncDir(join(path.path, '..'));
      }
      await removeSidecar(this.layout.objectSidecar(bucket, name));
      await this.pruneEmptyParents(bucket, path);
    });
  }

  async patchObject(bucket: string, name: string, patch: ObjectPatch, preconditions?: Preconditions, options: { generation?: Int64Like | undefined } = {}): Promise<ObjectMetadata> {
    await this.prepare();
    const path = this.layout.objectPath(bucket, name);
    await this.buckets.require(bucket);
    return this.locked(bucket, name, async () => {
      const live = requireGeneration(await this.live(bucket, name, path, true), bucket, name, options.generation);
      checkPreconditions(live.meta, preconditions);
      const metageneration = String(Number(live.meta.metageneration) + 1);
      const now = new Date().toISOString();
      const next: ObjectMetadata = { ...live.meta, metageneration, etag: objectEtag(live.meta.generation, metageneration), updated: now };
      for (const field of SETTABLE_FIELDS) {
        const value = patch[field];
        if (value === null) delete next[field];
        else if (value !== undefined) next[field] = value;
      }
      if (next.storageClass === undefined) next.storageClass = 'STANDARD';
      if (next.contentType === undefined) next.contentType = DEFAULT_CONTENT_TYPE;
      if (patch.storageClass && patch.storageClass !== live.meta.storageClass) next.timeStorageClassUpdated = now;
      if (patch.metadata === null) delete next.metadata;
      else if (patch.metadata !== undefined) {
        const merged = { ...live.meta.metadata };
        for (const [key, value] of Object.entries(patch.metadata)) {
          if (value === null) delete merged[key];
          else merged[key] = value;
        }
        next.metadata = merged;
      }
      await writeSidecar(this.layout.objectSidecar(bucket, name), { version: 1, object: next, file: live.identity }, this.layout.stagingDir);
      return next;
    });
  }

  async copyObject(source: ObjectRef, destination: { bucket: string; name: string }, options: CopyOptions = {}): Promise<ObjectMetadata> {
    const { metadata, stream } = await this.readObject(source.bucket, source.name, { generation: source.generation });
    try {
      checkPreconditions(metadata, options.sourcePreconditions, 'source object');
    } catch (err) {
      stream.destroy();
      throw err;
    }
    const fields: ObjectFields = { ...fieldsOf(metadata), ...definedFields(options.fields) };
    try {
      return await this.write(destination.bucket, destination.name, stream, {
        ...fields,
        preconditions: options.preconditions,
        expectedHashes: { md5Hash: metadata.md5Hash, crc32c: metadata.crc32c },
        ...(metadata.componentCount !== undefined ? { componentCount: metadata.componentCount } : {}),
      });
    } finally {
      stream.destroy();
    }
  }

  /** Concatenate up to 32 objects of one bucket into `destination`. */
  async composeObjects(bucket: string, sources: ComposeSource[], destination: string, options: { fields?: ObjectFields | undefined; preconditions?: Preconditions | undefined } = {}): Promise<ObjectMetadata> {
    if (sources.length === 0) throw badRequest('At least one source object must be specified.', { location: 'sourceObjects' });
    if (sources.length > MAX_COMPOSE_SOURCES) throw badRequest(`The number of source objects provided exceeds the maximum of ${MAX_COMPOSE_SOURCES}.`, { location: 'sourceObjects' });
    const opened: { metadata: ObjectMetadata; stream: Readable }[] = [];
    try {
      for (const source of sources) {
        const read = await this.readObject(bucket, source.name, { generation: source.generation });
        opened.push(read);
        checkPreconditions(read.metadata, { ifGenerationMatch: source.ifGenerationMatch }, `source object ${source.name}`);
      }
    } catch (err) {
      for (const { stream } of opened) stream.destroy();
      throw err;
    }
    const componentCount = opened.reduce((sum, { metadata }) => sum + (metadata.componentCount ?? 1), 0);
    if (componentCount > MAX_COMPONENT_COUNT) {
      for (const { stream } of opened) stream.destroy();
      throw badRequest(`The composite object would have ${componentCount} components; the maximum is ${MAX_COMPONENT_COUNT}.`);
    }
    async function* concatenated(): AsyncGenerator<Uint8Array> {
      for (const { stream } of opened) for await (const chunk of stream) yield chunk as Uint8Array;
    }
    try {
      return await this.write(bucket, destination, concatenated(), {
        contentType: opened[0]!.metadata.contentType,
        ...definedFields(options.fields),
        preconditions: options.preconditions,
        componentCount,
      });
    } finally {
      for (const { stream } of opened) stream.destroy();
    }
  }

  async listObjects(bucket: string, options: ListObjectsOptions = {}): Promise<ListObjectsResult> {
    await this.prepare();
    const dir = this.layout.bucketDir(bucket);
    await this.buckets.require(bucket);
    const plan = new ListingPlan(options);
    const candidates = walkBucket(dir, plan.enter, (folder) => this.isFolderObject(bucket, folder));
    const items: ObjectMetadata[] = [];
    const prefixes: string[] = [];
    let last: Parameters<ListingPlan['tokenAfter']>[0] | undefined;
    for await (const entry of plan.entries(candidates)) {
      let meta: ObjectMetadata | undefined;
      if (entry.kind === 'item') {
        meta = (await this.live(bucket, entry.name, this.layout.objectPath(bucket, entry.name), false))?.meta;
        if (!meta) continue; // deleted while listing
      }
      if (items.length + prefixes.length === plan.maxResults && last) return { items, prefixes, nextPageToken: plan.tokenAfter(last) };
      if (meta) items.push(meta);
      else if (entry.kind === 'prefix') prefixes.push(entry.prefix);
      last = entry;
    }
    return { items, prefixes };
  }

  // ---- internals -----------------------------------------------------------------------------

  private async write(bucket: string, name: string, data: Buffer | AsyncIterable<Uint8Array>, options: InternalWriteOptions): Promise<ObjectMetadata> {
    await this.prepare();
    const path = this.layout.objectPath(bucket, name);
    await this.buckets.require(bucket);
    const temp = tempName(this.layout.stagingDir, 'object');
    const hasher = new ObjectHasher();
    try {
      await writeNewFile(temp, data, (chunk) => hasher.update(chunk));
      return await this.commit(bucket, name, path, temp, hasher.digest(), options);
    } finally {
      await unlink(temp).catch(() => {});
    }
  }

  /** Creates the store's own folders and clears temporaries a crash left; the emulator calls it at start, so requests find them made. */
  prepare(): Promise<void> {
    return (this.prepared ??= (async () => {
      await mkdir(this.layout.stagingDir, { recursive: true });
      await mkdir(this.layout.metaDir, { recursive: true });
      await removeAbandonedTemps(this.layout.stagingDir);
    })());
  }

  private locked<T>(bucket: string, name: string, section: () => Promise<T>): Promise<T> {
    return LOCKS.run(`${this.root}\0object\0${bucket}\0${name}`, section);
  }

  /**
   * The live object, or undefined. Metadata comes from the sidecar when it still describes the
   * file; otherwise (file written directly, sidecar lost) it is derived from the file itself.
   */
  private async live(bucket: string, name: string, path: ObjectPath & { path: string }, holdingLock: boolean): Promise<LiveObject | undefined> {
    const stats = await lstat(path.path, { bigint: true }).catch((err: unknown) => {
      if (isErrno(err, 'ENOENT', 'ENOTDIR')) return undefined;
      throw err;
    });
    if (!stats) return undefined;
    const sidecarPath = this.layout.objectSidecar(bucket, name);
    const sidecar = await readSidecar(sidecarPath, ObjectSidecar);
    if (path.folder) {
      if (!stats.isDirectory() || sidecar?.file.kind !== 'folder' || sidecar.object.name !== name) return undefined;
      return { meta: sidecar.object, identity: sidecar.file };
    }
    if (!stats.isFile() || !(await this.layout.isInsideBucket(bucket, path.path))) return undefined;
    if (sidecar && sidecar.object.name === name && sameFile(sidecar.file, stats)) return { meta: sidecar.object, identity: sidecar.file };
    if (!holdingLock) return this.locked(bucket, name, () => this.live(bucket, name, path, true));
    return this.derive(bucket, name, path.path, sidecar?.object.generation);
  }

  /** Metadata for a file that appeared or changed outside the API: a new generation. */
  private async derive(bucket: string, name: string, file: string, previousGeneration: string | undefined): Promise<LiveObject | undefined> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const before = await lstat(file, { bigint: true }).catch(() => undefined);
      if (!before?.isFile()) return undefined;
      const hashes = await hashFile(file);
      const after = await lstat(file, { bigint: true }).catch(() => undefined);
      if (!after?.isFile()) return undefined;
      const identity = identityOf(after);
      if (!sameFile(identity, before) || hashes.size !== identity.size) continue; // still being written
      const generation = nextGeneration(previousGeneration);
      const time = new Date(Number(after.mtimeMs)).toISOString();
      const meta: ObjectMetadata = {
        bucket,
        name,
        generation,
        metageneration: '1',
        contentType: contentTypeForName(name),
        size: String(hashes.size),
        md5Hash: hashes.md5Hash,
        crc32c: hashes.crc32c,
        etag: objectEtag(generation, '1'),
        timeCreated: time,
        updated: time,
        timeStorageClassUpdated: time,
        storageClass: 'STANDARD',
      };
      await writeSidecar(this.layout.objectSidecar(bucket, name), { version: 1, object: meta, file: identity }, this.layout.stagingDir);
      return { meta, identity };
    }
    throw new GoogleApiError(503, `object ${bucket}/${name} keeps changing on disk; try again`);
  }

  /**
   * Under the object's lock: check preconditions and the file layout, write the sidecar (it
   * describes the staged file's inode, which the rename keeps), then rename the file into place.
   * A crash between the two leaves the old file with a sidecar that does not match it, which is
   * then re-derived: the object is never torn.
   */
  private async commit(bucket: string, name: string, path: ObjectPath & { path: string }, staged: string, hashes: ObjectHashes, options: InternalWriteOptions): Promise<ObjectMetadata> {
    checkExpectedHashes(hashes, options.expectedHashes);
    if (options.expectedSize !== undefined && options.expectedSize !== hashes.size) {
      throw badRequest(`Upload size ${hashes.size} does not match the declared size ${options.expectedSize}.`);
    }
    if (path.folder && hashes.size > 0) {
      throw badRequest(`Object '${name}' ends in '/': this emulator stores such folder placeholders as directories, so they must be empty.`, { location: 'name' });
    }
    return this.locked(bucket, name, async () => {
      const current = await this.live(bucket, name, path, true);
      checkPreconditions(current?.meta, options.preconditions);
      await this.checkLayout(bucket, name, path);
      const generation = nextGeneration(current?.meta.generation);
      const now = new Date().toISOString();
      const meta: ObjectMetadata = {
        bucket,
        name,
        generation,
        metageneration: '1',
        contentType: options.contentType ?? DEFAULT_CONTENT_TYPE,
        size: String(hashes.size),
        md5Hash: hashes.md5Hash,
        crc32c: hashes.crc32c,
        etag: objectEtag(generation, '1'),
        timeCreated: now,
        updated: now,
        timeStorageClassUpdated: now,
        storageClass: options.storageClass ?? 'STANDARD',
        ...definedFields({
          contentEncoding: options.contentEncoding,
          contentDisposition: options.contentDisposition,
          contentLanguage: options.contentLanguage,
          cacheControl: options.cacheControl,
          customTime: options.customTime,
          metadata: options.metadata,
        }),
        ...(options.componentCount !== undefined ? { componentCount: options.componentCount } : {}),
      };
      const sidecarPath = this.layout.objectSidecar(bucket, name);
      if (path.folder) {
        await mkdir(path.path, { recursive: true });
        await writeSidecar(sidecarPath, { version: 1, object: meta, file: { kind: 'folder' } }, this.layout.stagingDir);
        return meta;
      }
      const identity = identityOf(await lstat(staged, { bigint: true }));
      await writeSidecar(sidecarPath, { version: 1, object: meta, file: identity }, this.layout.stagingDir);
      try {
        await this.renameIntoPlace(bucket, name, staged, path.path);
      } catch (err) {
        // Put the previous metadata back so the old object keeps its generation and fields.
        if (current) await writeSidecar(sidecarPath, { version: 1, object: current.meta, file: current.identity }, this.layout.stagingDir);
        else await removeSidecar(sidecarPath);
        throw err;
      }
      return meta;
    });
  }

  private async renameIntoPlace(bucket: string, name: string, staged: string, target: string): Promise<void> {
    const parent = join(target, '..');
    for (let attempt = 0; ; attempt++) {
      await mkdir(parent, { recursive: true }).catch((err: unknown) => {
        if (isErrno(err, 'EEXIST', 'ENOTDIR')) throw layoutConflict(name, 'a file is in the way of its directory');
        throw err;
      });
      if (!(await this.layout.isInsideBucket(bucket, parent))) throw badRequest(`Invalid object name '${name}': resolves outside the bucket`, { location: 'name' });
      try {
        await commitRename(staged, target);
        return;
      } catch (err) {
        // A concurrent delete may prune the parent directory just created: make it again.
        if (isErrno(err, 'ENOENT') && attempt < 3) continue;
        if (isErrno(err, 'EISDIR', 'ENOTDIR', 'ENOTEMPTY', 'EEXIST')) throw layoutConflict(name, 'a directory or file is in the way');
        throw err;
      }
    }
  }

  /** 409 when the name needs a file where a directory is (or the reverse): see the header comment. */
  private async checkLayout(bucket: string, name: string, path: ObjectPath & { path: string }): Promise<void> {
    const base = this.layout.bucketDir(bucket);
    for (let i = 1; i < path.segments.length + (path.folder ? 1 : 0); i++) {
      const ancestor = path.segments.slice(0, i).join('/');
      const stats = await lstat(join(base, ...path.segments.slice(0, i))).catch(() => undefined);
      if (!stats) return;
      if (!stats.isDirectory()) {
        throw conflict(`Cannot store object '${name}': object '${ancestor}' exists, and this emulator keeps objects as files, so '${ancestor}' cannot also be a directory. Delete or rename one of them.`);
      }
    }
    if (path.folder) return;
    const stats = await lstat(path.path).catch(() => undefined);
    if (stats?.isDirectory()) {
      const dirKey = `${name}/`;
      const blocking =
        (await this.isFolderObject(bucket, dirKey)) || (await hasCandidates(walkBucket(path.path, () => true, (folder) => this.isFolderObject(bucket, dirKey + folder))));
      if (blocking) {
        throw conflict(`Cannot store object '${name}': objects named '${dirKey}...' exist, and this emulator keeps objects as files, so '${name}' cannot be both a file and a directory. Delete or rename one of them.`);
      }
      await removeEmptyTree(path.path); // only empty directories left behind: clear them
    }
  }

  private async isFolderObject(bucket: string, name: string): Promise<boolean> {
    const sidecar = await readSidecar(this.layout.objectSidecar(bucket, name), ObjectSidecar);
    return sidecar?.file.kind === 'folder' && sidecar.object.name === name;
  }

  /** Cloud Storage has no directories: drop the ones a delete left empty (not folder objects). */
  private async pruneEmptyParents(bucket: string, path: ObjectPath): Promise<void> {
    const base = this.layout.bucketDir(bucket);
    for (let i = path.segments.length - 1; i >= 1; i--) {
      const dirKey = `${path.segments.slice(0, i).join('/')}/`;
      if (await this.isFolderObject(bucket, dirKey)) return;
      try {
        await rmdir(join(base, ...path.segments.slice(0, i)));
      } catch {
        return;
      }
    }
  }
}

function requireGeneration(live: LiveObject | undefined, bucket: string, name: string, generation: Int64Like | undefined): LiveObject {
  if (!live || (generation !== undefined && parseInt64(generation, 'generation') !== BigInt(live.meta.generation))) {
    throw notFound(`No such object: ${bucket}/${name}`);
  }
  return live;
}

function identityOf(stats: BigIntStats): Extract<FileIdentity, { kind: 'file' }> {
  return { kind: 'file', size: Number(stats.size), mtimeNs: stats.mtimeNs.toString(), ino: stats.ino.toString() };
}

function sameFile(identity: FileIdentity, stats: BigIntStats): boolean {
  return identity.kind === 'file' && identity.size === Number(stats.size) && identity.mtimeNs === stats.mtimeNs.toString() && identity.ino === stats.ino.toString();
}

function layoutConflict(name: string, why: string): GoogleApiError {
  return conflict(`Cannot store object '${name}': ${why} (this emulator keeps objects as files, so 'a' and 'a/b' cannot both exist).`);
}
