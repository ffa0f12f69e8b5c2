// Where things live under the data directory:
//   <root>/<bucket>/<object name>          object contents, plain files (readable by any process)
//   <root>/.meta/<bucket>/bucket.json      bucket metadata
//   <root>/.meta/<bucket>/o/<h>/<sha>.json object metadata, keyed by a hash of the name so that no
//                                          object name can collide with another's sidecar
//   <root>/.staging/                       temporary files (same filesystem: rename is atomic)
//   <root>/.uploads/                       resumable upload sessions
// Bucket names cannot start with '.', so the dot-directories never collide with a bucket.
import { createHash } from 'node:crypto';
import { realpath } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import { badRequest } from '../kit/google-error.js';
import { isErrno } from '../kit/fs-atomic.js';
import type { ObjectPath } from './names.js';
import { parseObjectName, validateBucketName } from './names.js';

export class StoreLayout {
  readonly root: string;
  readonly metaDir: string;
  readonly stagingDir: string;
  readonly uploadsDir: string;

  constructor(root: string) {
    this.root = resolve(root);
    this.metaDir = join(this.root, '.meta');
    this.stagingDir = join(this.root, '.staging');
    this.uploadsDir = join(this.root, '.uploads');
  }

  bucketDir(bucket: string): string {
    validateBucketName(bucket);
    return join(this.root, bucket);
  }

  bucketSidecar(bucket: string): string {
    return join(this.metaDir, bucket, 'bucket.json');
  }

  bucketMetaDir(bucket: string): string {
    return join(this.metaDir, bucket);
  }

  objectSidecar(bucket: string, name: string): string {
    const digest = createHash('sha256').update(name, 'utf8').digest('hex');
    return join(this.metaDir, bucket, 'o', digest.slice(0, 2), `${digest}.json`);
  }

  /** The file (or, for a folder object, the directory) holding an object; validates the name. */
  objectPath(bucket: string, name: string): ObjectPath & { path: string } {
    const parsed = parseObjectName(name);
    const base = this.bucketDir(bucket);
    const path = join(base, ...parsed.segments);
    // Belt and braces: parseObjectName already forbids the segments that could climb out.
    const rel = relative(base, path);
    if (rel === '' || rel.startsWith('..') || resolve(base, rel) !== path) {
      throw badRequest(`Invalid object name '${name}': resolves outside the bucket`, { location: 'name' });
    }
    return { ...parsed, path };
  }

  /**
   * Symbolic links placed in the data directory could lead outside it: an existing path is only
   * used when its real path is inside the real bucket directory.
   */
  async isInsideBucket(bucket: string, path: string): Promise<boolean> {
    try {
      const [real, base] = await Promise.all([realpath(path), realpath(this.bucketDir(bucket))]);
      return real === base || real.startsWith(base + sep);
    } catch (err) {
      if (isErrno(err, 'ENOENT', 'ENOTDIR')) return false;
      throw err;
    }
  }
}
