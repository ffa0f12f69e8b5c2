// Cloud Storage as local files: the storage emulator keeps `gs://b/p` at `<root>/b/p`, and Vertex
// containers see the same objects through the FUSE mount at `/gcs/b/p`.
import { join, resolve, sep } from 'node:path';
import { parseGcsUri } from '../../../vertex/shared/storage-uris.js';

export { parseGcsUri };

/** The local file behind `gs://bucket/object`; refuses URIs that would climb out of the root. */
export function gcsUriToLocalPath(uri: string, storageRoot: string): string {
  const loc = parseGcsUri(uri);
  if (!loc) throw new Error(`'${uri}' is not a gs:// URI`);
  const root = resolve(storageRoot);
  const segments = [loc.bucket, ...loc.object.split('/')];
  if (segments.some((s) => s === '..' || s === '.')) throw new Error(`'${uri}' has '.' or '..' path segments`);
  const path = join(root, ...segments);
  if (path !== root && !path.startsWith(root + sep)) throw new Error(`'${uri}' resolves outside the storage root`);
  return path;
}

/** `gs://b/p/` and `gs://b/p` name the same prefix; join parts onto it with single slashes. */
export function joinGcsUri(base: string, ...parts: string[]): string {
  return [base.replace(/\/+$/, ''), ...parts.map((p) => p.replace(/^\/+|\/+$/g, ''))].join('/');
}

// `/gcs/` at the start of a string or after a separator (`=`, `:`, space, quote, ...), never in
// the middle of a longer path such as `/data/gcs/x`.
const MOUNT = /(^|[\s=:,;'"([{])\/gcs\//g;

/** Rewrite the `/gcs/` mount prefix to the local storage root wherever a path starts with it. */
export function rewriteGcsMount(text: string, storageRoot: string): string {
  const root = resolve(storageRoot);
  return text.replace(MOUNT, (_m, before: string) => `${before}${root}/`);
}
