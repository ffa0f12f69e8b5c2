import { fail } from './errors.js';

// Bucket names: 3-63 characters (up to 222 with dots), lowercase letters, digits, `-`, `_`, `.`,
// starting and ending with a letter or digit.
const BUCKET_NAME = /^[a-z0-9][a-z0-9._-]{1,220}[a-z0-9]$/;

/** Where a `gs://` URI points: `object` is '' for the bucket itself, and may end in `/` (a prefix). */
export interface GcsLocation {
  readonly bucket: string;
  readonly object: string;
}

/**
 * The one `gs://bucket[/object]` parser (request builders and emulators alike); undefined for
 * anything else. It splits only: requireGcsUri checks bucket names, Storage checks its own.
 */
export function parseGcsUri(uri: string): GcsLocation | undefined {
  const m = /^gs:\/\/([^/]+)(?:\/(.*))?$/s.exec(uri);
  return m ? { bucket: m[1]!, object: m[2] ?? '' } : undefined;
}

/** A `gs://bucket[/path]` URI; returns it unchanged. */
export function requireGcsUri(uri: string, field: string): string {
  if (!uri.startsWith('gs://')) fail(field, `must be a Cloud Storage URI starting with gs://, got ${JSON.stringify(uri)}`);
  const location = parseGcsUri(uri);
  if (location === undefined || !BUCKET_NAME.test(location.bucket) || /\s/.test(location.object)) fail(field, `is not a valid Cloud Storage URI: ${JSON.stringify(uri)}`);
  const bucket = location.bucket;
  if (!bucket.includes('.') && bucket.length > 63) fail(field, `bucket name ${bucket} is longer than 63 characters`);
  return uri;
}

// BigQuery destinations: `bq://project`, `bq://project.dataset` or `bq://project.dataset.table`.
const BQ_URI = /^bq:\/\/([a-z][a-z0-9-]{4,28}[a-z0-9])(?:\.([A-Za-z0-9_]{1,1024})(?:\.([\p{L}\p{N}_-]{1,1024}))?)?$/u;

export interface BigQueryUriParts {
  readonly project: string;
  readonly dataset: string | undefined;
  readonly table: string | undefined;
}

export function parseBigQueryUri(uri: string, field: string): BigQueryUriParts {
  const match = BQ_URI.exec(uri);
  if (match === null) fail(field, `must look like bq://project[.dataset[.table]], got ${JSON.stringify(uri)}`);
  return { project: match[1] ?? '', dataset: match[2], table: match[3] };
}
