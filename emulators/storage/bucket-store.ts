// Buckets: a directory under the data root each, with metadata in `.meta/<bucket>/bucket.json`.
// A directory created by hand is a bucket too; its metadata is derived on first use.
import type { Stats } from 'node:fs';
import { lstat, mkdir, readdir, rm } from 'node:fs/promises';
import { badRequest, conflict, GoogleApiError, notFound } from '../kit/google-error.js';
import { isErrno, removeEmptyTree } from '../kit/fs-atomic.js';
import type { Preconditions } from './generations.js';
import { bucketEtag, checkPreconditions } from './generations.js';
import type { KeyedMutex } from '../kit/keyed-mutex.js';
import type { StoreLayout } from './layout.js';
import type { BucketMetadata, BucketOptions } from './model.js';
import { BucketSidecar } from './model.js';
import { compareNames, validateBucketName } from './names.js';
import { readSidecar, writeSidecar } from './sidecars.js';

export interface ListBucketsOptions {
  prefix?: string | undefined;
  pageToken?: string | undefined;
  maxResults?: number | undefined;
}

/** A patch of bucket metadata: `null` clears; in `labels`, `null` removes one label. */
export interface BucketPatch {
  storageClass?: string | undefined;
  labels?: Record<string, string | null> | null | undefined;
  versioning?: { enabled: boolean } | undefined;
  config?: Record<string, unknown> | undefined;
}

const DEFAULT_LOCATION = 'US';

export class BucketStore {
  constructor(
    private readonly layout: StoreLayout,
    private readonly locks: KeyedMutex,
  ) {}

  private lockKey(bucket: string): string {
    return `${this.layout.root}\0bucket\0${bucket}`;
  }

  async create(name: string, options: BucketOptions = {}): Promise<BucketMetadata> {
    const dir = this.layout.bucketDir(name);
    return this.locks.run(this.lockKey(name), async () => {
      try {
        await mkdir(dir);
      } catch (err) {
        if (isErrno(err, 'EEXIST')) throw conflict('Your previous request to create the named bucket succeeded and you already own it.');
        throw err;
      }
      const now = new Date().toISOString();
      const location = (options.location ?? DEFAULT_LOCATION).toUpperCase();
      const bucket: BucketMetadata = {
        name,
        location,
        locationType: locationType(location),
        storageClass: (options.storageClass ?? 'STANDARD').toUpperCase(),
        metageneration: '1',
        etag: bucketEtag('1'),
        timeCreated: now,
        updated: now,
        ...(options.labels ? { labels: options.labels } : {}),
        ...(options.versioning ? { versioning: options.versioning } : {}),
        ...(options.config && Object.keys(options.config).length > 0 ? { config: options.config } : {}),
      };
      await this.save(bucket);
      return bucket;
    });
  }

  /** 404 unless the bucket exists. */
  async require(name: string): Promise<void> {
    const dir = this.layout.bucketDir(name);
    const stats = await lstat(dir).catch((err: unknown) => {
      if (isErrno(err, 'ENOENT', 'ENOTDIR')) return undefined;
      throw err;
    });
    if (!stats?.isDirectory()) throw notFound('The specified bucket does not exist.');
  }

  async get(name: string): Promise<BucketMetadata> {
    await this.require(name);
    const stored = await readSidecar(this.layout.bucketSidecar(name), BucketSidecar);
    if (stored && stored.bucket.name === name) return stored.bucket;
    return this.locks.run(this.lockKey(name), async () => {
      const again = await readSidecar(this.layout.bucketSidecar(name), BucketSidecar);
      if (again && again.bucket.name === name) return again.bucket;
      const stats = await lstat(this.layout.bucketDir(name));
      const created = timeOf(stats);
      const bucket: BucketMetadata = {
        name,
        location: DEFAULT_LOCATION,
        locationType: 'multi-region',
        storageClass: 'STANDARD',
        metageneration: '1',
        etag: bucketEtag('1'),
        timeCreated: created,
        updated: created,
      };
      await this.save(bucket);
      return bucket;
    });
  }

  async list(options: ListBucketsOptions = {}): Promise<{ items: BucketMetadata[]; nextPageToken?: string }> {
    const max = options.maxResults ?? 1000;
    if (!Number.isInteger(max) || max < 1) throw badRequest(`Invalid maxResults: ${max}`, { location: 'maxResults' });
    const after = options.pageToken ? Buffer.from(options.pageToken, 'base64url').toString('utf8') : undefined;
    const entries = await readdir(this.layout.root, { withFileTypes: true }).catch((err: unknown) => {
      if (isErrno(err, 'ENOENT')) return [];
      throw err;
    });
    const names = entries
      .filter((e) => e.isDirectory() && !e.name.startsWith('.') && isBucketName(e.name))
      .map((e) => e.name)
      .filter((n) => n.startsWith(options.prefix ?? '') && (after === undefined || compareNames(n, after) > 0))
      .sort(compareNames);
    const page = names.slice(0, Math.min(max, 1000));
    const items: BucketMetadata[] = [];
    for (const name of page) {
      try {
        items.push(await this.get(name));
      } catch (err) {
        if (!(err instanceof GoogleApiError && err.code === 404)) throw err; // deleted meanwhile
      }
    }
    const last = page.at(-1);
    return names.length > page.length && last !== undefined ? { items, nextPageToken: Buffer.from(last, 'utf8').toString('base64url') } : { items };
  }

  async patch(name: string, patch: BucketPatch, preconditions?: Preconditions): Promise<BucketMetadata> {
    await this.require(name);
    const current = await this.get(name);
    return this.locks.run(this.lockKey(name), async () => {
      const fresh = (await readSidecar(this.layout.bucketSidecar(name), BucketSidecar))?.bucket ?? current;
      checkBucketPreconditions(fresh, preconditions);
      const metageneration = String(Number(fresh.metageneration) + 1);
      const next: BucketMetadata = { ...fresh, metageneration, etag: bucketEtag(metageneration), updated: new Date().toISOString() };
      if (patch.storageClass !== undefined) next.storageClass = patch.storageClass.toUpperCase();
      if (patch.versioning !== undefined) next.versioning = patch.versioning;
      if (patch.labels === null) delete next.labels;
      else if (patch.labels !== undefined) next.labels = mergeLabels(fresh.labels, patch.labels);
      if (patch.config) next.config = { ...fresh.config, ...patch.config };
      await this.save(next);
      return next;
    });
  }

  /**
   * 409 when the bucket holds objects. `hasObjects` is asked under the bucket lock; directories
   * left empty are removed bottom-up, so a file appearing meanwhile still stops the delete.
   */
  async delete(name: string, hasObjects: () => Promise<boolean>, preconditions?: Preconditions): Promise<void> {
    const current = await this.get(name);
    checkBucketPreconditions(current, preconditions);
    await this.locks.run(this.lockKey(name), async () => {
      const notEmpty = conflict('The bucket you tried to delete is not empty.');
      if (await hasObjects()) throw notEmpty;
      try {
        await removeEmptyTree(this.layout.bucketDir(name));
      } catch (err) {
        if (isErrno(err, 'ENOTEMPTY', 'EEXIST')) throw notEmpty;
        throw err;
      }
      await rm(this.layout.bucketMetaDir(name), { recursive: true, force: true });
    });
  }

  private async save(bucket: BucketMetadata): Promise<void> {
    await writeSidecar(this.layout.bucketSidecar(bucket.name), { version: 1, bucket }, this.layout.stagingDir);
  }
}

/** US-CENTRAL1 is a region, US/EU/ASIA multi-regions, NAM4/EUR4/ASIA1 dual-regions. */
function locationType(location: string): string {
  if (location.includes('-')) return 'region';
  return ['US', 'EU', 'ASIA'].includes(location) ? 'multi-region' : 'dual-region';
}

function checkBucketPreconditions(bucket: BucketMetadata, preconditions: Preconditions | undefined): void {
  if (!preconditions) return;
  const { ifMetagenerationMatch, ifMetagenerationNotMatch } = preconditions;
  // Buckets have no generation; only the metageneration conditions apply.
  checkPreconditions({ generation: '0', metageneration: bucket.metageneration }, { ifMetagenerationMatch, ifMetagenerationNotMatch }, 'bucket');
}

function mergeLabels(current: Record<string, string> | undefined, patch: Record<string, string | null>): Record<string, string> {
  const out = { ...current };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else out[key] = value;
  }
  return out;
}

function isBucketName(name: string): boolean {
  try {
    validateBucketName(name);
    return true;
  } catch {
    return false;
  }
}

function timeOf(stats: Stats): string {
  const ms = stats.birthtimeMs > 0 ? stats.birthtimeMs : stats.mtimeMs;
  return new Date(ms).toISOString();
}
