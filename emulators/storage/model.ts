// The emulator's records: object and bucket metadata as Cloud Storage reports them (minus the
// URL-dependent fields the server adds), and the sidecar files that persist them on disk.
import { z } from 'zod';

/** An object's metadata, in the JSON API's field names and encodings (int64 as strings). */
export interface ObjectMetadata {
  bucket: string;
  name: string;
  generation: string;
  metageneration: string;
  contentType: string;
  size: string;
  md5Hash: string;
  crc32c: string;
  etag: string;
  timeCreated: string;
  updated: string;
  timeStorageClassUpdated: string;
  storageClass: string;
  contentEncoding?: string;
  contentDisposition?: string;
  contentLanguage?: string;
  cacheControl?: string;
  customTime?: string;
  metadata?: Record<string, string>;
  /** Composite objects: how many source objects went into them. */
  componentCount?: number;
}

/** Fields a caller may set on write, copy, compose destination or patch. */
export interface ObjectFields {
  contentType?: string | undefined;
  contentEncoding?: string | undefined;
  contentDisposition?: string | undefined;
  contentLanguage?: string | undefined;
  cacheControl?: string | undefined;
  customTime?: string | undefined;
  storageClass?: string | undefined;
  metadata?: Record<string, string> | undefined;
}

/** A metadata patch: `null` clears a field; in `metadata`, `null` removes one key. */
export type ObjectPatch = {
  [K in Exclude<keyof ObjectFields, 'metadata'>]?: string | null;
} & { metadata?: Record<string, string | null> | null };

export const SETTABLE_FIELDS = ['contentType', 'contentEncoding', 'contentDisposition', 'contentLanguage', 'cacheControl', 'customTime', 'storageClass'] as const;

/** The settable fields of an existing object (what a copy carries over). */
export function fieldsOf(meta: ObjectMetadata): ObjectFields {
  return definedFields({
    contentType: meta.contentType,
    contentEncoding: meta.contentEncoding,
    contentDisposition: meta.contentDisposition,
    contentLanguage: meta.contentLanguage,
    cacheControl: meta.cacheControl,
    customTime: meta.customTime,
    storageClass: meta.storageClass,
    metadata: meta.metadata,
  });
}

/** Drop undefined values, so spreading never overwrites a field with `undefined`. */
export function definedFields<T extends object>(fields: T | undefined): Partial<T> {
  const out: Partial<T> = {};
  if (!fields) return out;
  for (const [key, value] of Object.entries(fields) as [keyof T, T[keyof T]][]) if (value !== undefined) out[key] = value;
  return out;
}

export interface BucketMetadata {
  name: string;
  location: string;
  locationType: string;
  storageClass: string;
  metageneration: string;
  etag: string;
  timeCreated: string;
  updated: string;
  labels?: Record<string, string>;
  versioning?: { enabled: boolean };
  /** Other bucket configuration (lifecycle, cors, ...): kept and echoed, not enforced. */
  config?: Record<string, unknown>;
}

export interface BucketOptions {
  location?: string | undefined;
  storageClass?: string | undefined;
  labels?: Record<string, string> | undefined;
  versioning?: { enabled: boolean } | undefined;
  config?: Record<string, unknown> | undefined;
}

const stringMap = z.record(z.string(), z.string());

export const ObjectMetadataRecord = z.object({
  bucket: z.string(),
  name: z.string(),
  generation: z.string(),
  metageneration: z.string(),
  contentType: z.string(),
  size: z.string(),
  md5Hash: z.string(),
  crc32c: z.string(),
  etag: z.string(),
  timeCreated: z.string(),
  updated: z.string(),
  timeStorageClassUpdated: z.string(),
  storageClass: z.string(),
  contentEncoding: z.string().optional(),
  contentDisposition: z.string().optional(),
  contentLanguage: z.string().optional(),
  cacheControl: z.string().optional(),
  customTime: z.string().optional(),
  metadata: stringMap.optional(),
  componentCount: z.number().int().optional(),
});

/**
 * What the sidecar knows about the file it describes. A file whose size, mtime or inode differ
 * was changed behind the API's back: its metadata is derived again (a new generation).
 */
export const FileIdentity = z.union([
  z.object({ kind: z.literal('file'), size: z.number(), mtimeNs: z.string(), ino: z.string() }),
  z.object({ kind: z.literal('folder') }),
]);
export type FileIdentity = z.infer<typeof FileIdentity>;

export const ObjectSidecar = z.object({ version: z.literal(1), object: ObjectMetadataRecord, file: FileIdentity });
export type ObjectSidecar = z.infer<typeof ObjectSidecar>;

export const BucketSidecar = z.object({
  version: z.literal(1),
  bucket: z.object({
    name: z.string(),
    location: z.string(),
    locationType: z.string(),
    storageClass: z.string(),
    metageneration: z.string(),
    etag: z.string(),
    timeCreated: z.string(),
    updated: z.string(),
    labels: stringMap.optional(),
    versioning: z.object({ enabled: z.boolean() }).optional(),
    config: z.record(z.string(), z.unknown()).optional(),
  }),
});
