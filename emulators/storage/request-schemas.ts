// Request bodies of the JSON API, validated strictly: an unknown field is a 400 that names it,
// as Google's front end answers ("Invalid JSON payload received. Unknown name ...").
// Output-only fields (kind, id, size, ...) are accepted and ignored, as Cloud Storage does, so a
// resource read from the API can be sent back.
import { z } from 'zod';
import { badRequest, unknownFieldMessage } from '../kit/google-error.js';
import type { ObjectFields, ObjectPatch } from './model.js';
import { SETTABLE_FIELDS } from './model.js';
import { storageClassSchema } from './enums.js';

const outputOnly = z.unknown().optional();
const int64 = z.union([z.string().regex(/^-?\d+$/, 'must be an int64'), z.number().int()]);
/** Custom metadata values are strings; numbers and booleans are taken as their text. */
const metadataValue = z.union([z.string(), z.number(), z.boolean()]).transform((v) => String(v));
const rfc3339 = z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'must be an RFC 3339 timestamp');

const objectCommon = {
  name: z.string().optional(),
  // Checksums the client computed: an upload whose bytes do not match them is refused.
  md5Hash: z.string().optional(),
  crc32c: z.string().optional(),
  // Accepted, not emulated (no ACLs, holds, retention, encryption or contexts locally).
  acl: z.array(z.unknown()).optional(),
  kmsKeyName: z.string().optional(),
  temporaryHold: z.boolean().optional(),
  eventBasedHold: z.boolean().optional(),
  retention: z.unknown().optional(),
  contexts: z.unknown().optional(),
  kind: outputOnly,
  id: outputOnly,
  selfLink: outputOnly,
  mediaLink: outputOnly,
  bucket: outputOnly,
  generation: outputOnly,
  metageneration: outputOnly,
  size: outputOnly,
  etag: outputOnly,
  timeCreated: outputOnly,
  updated: outputOnly,
  timeDeleted: outputOnly,
  timeFinalized: outputOnly,
  timeStorageClassUpdated: outputOnly,
  componentCount: outputOnly,
  owner: outputOnly,
  customerEncryption: outputOnly,
  retentionExpirationTime: outputOnly,
  softDeleteTime: outputOnly,
  hardDeleteTime: outputOnly,
  restoreToken: outputOnly,
};

/** An object resource sent with an upload, a copy/rewrite or as a compose destination. */
export const ObjectResourceInput = z.strictObject({
  ...objectCommon,
  contentType: z.string().optional(),
  contentEncoding: z.string().optional(),
  contentDisposition: z.string().optional(),
  contentLanguage: z.string().optional(),
  cacheControl: z.string().optional(),
  customTime: rfc3339.optional(),
  storageClass: storageClassSchema.optional(),
  metadata: z.record(z.string(), metadataValue.nullable()).nullable().optional(),
});
export type ObjectResourceInput = z.infer<typeof ObjectResourceInput>;

/** PATCH of an object: `null` clears a field, or one custom metadata key. */
export const ObjectPatchInput = z.strictObject({
  ...objectCommon,
  contentType: z.string().nullable().optional(),
  contentEncoding: z.string().nullable().optional(),
  contentDisposition: z.string().nullable().optional(),
  contentLanguage: z.string().nullable().optional(),
  cacheControl: z.string().nullable().optional(),
  customTime: rfc3339.nullable().optional(),
  storageClass: storageClassSchema.nullable().optional(),
  metadata: z.record(z.string(), metadataValue.nullable()).nullable().optional(),
});
export type ObjectPatchInput = z.infer<typeof ObjectPatchInput>;

export const ComposeRequest = z.strictObject({
  kind: z.literal('storage#composeRequest').optional(),
  sourceObjects: z
    .array(
      z.strictObject({
        name: z.string().min(1),
        generation: int64.optional(),
        objectPreconditions: z.strictObject({ ifGenerationMatch: int64.optional() }).optional(),
      }),
    )
    .min(1)
    .max(32),
  destination: ObjectResourceInput.optional(),
});

const labelKey = z.string().regex(/^[\p{Ll}\p{Lo}][\p{Ll}\p{Lo}\p{N}_-]{0,62}$/u, 'label keys start with a lowercase letter and hold at most 63 lowercase letters, digits, _ or -');
const labelValue = z.string().regex(/^[\p{Ll}\p{Lo}\p{N}_-]{0,63}$/u, 'label values hold at most 63 lowercase letters, digits, _ or -');

/** Bucket configuration that is stored and echoed back but not enforced by the emulator. */
const bucketConfig = {
  lifecycle: z.unknown().optional(),
  cors: z.unknown().optional(),
  website: z.unknown().optional(),
  logging: z.unknown().optional(),
  retentionPolicy: z.unknown().optional(),
  iamConfiguration: z.unknown().optional(),
  encryption: z.unknown().optional(),
  billing: z.unknown().optional(),
  autoclass: z.unknown().optional(),
  softDeletePolicy: z.unknown().optional(),
  hierarchicalNamespace: z.unknown().optional(),
  objectRetention: z.unknown().optional(),
  customPlacementConfig: z.unknown().optional(),
  ipFilter: z.unknown().optional(),
  rpo: z.unknown().optional(),
  defaultEventBasedHold: z.unknown().optional(),
  acl: z.unknown().optional(),
  defaultObjectAcl: z.unknown().optional(),
};
export const BUCKET_CONFIG_FIELDS = Object.keys(bucketConfig);

const bucketOutputOnly = {
  kind: outputOnly,
  id: outputOnly,
  selfLink: outputOnly,
  projectNumber: outputOnly,
  timeCreated: outputOnly,
  updated: outputOnly,
  metageneration: outputOnly,
  etag: outputOnly,
  owner: outputOnly,
  locationType: outputOnly,
  satisfiesPZS: outputOnly,
  satisfiesPZI: outputOnly,
  generation: outputOnly,
  softDeleteTime: outputOnly,
  hardDeleteTime: outputOnly,
};

export const BucketInsertInput = z.strictObject({
  name: z.string(),
  location: z.string().optional(),
  dataLocations: z.array(z.string()).optional(),
  storageClass: storageClassSchema.optional(),
  labels: z.record(labelKey, labelValue).optional(),
  versioning: z.strictObject({ enabled: z.boolean() }).optional(),
  ...bucketConfig,
  ...bucketOutputOnly,
});

export const BucketPatchInput = z.strictObject({
  name: z.string().optional(),
  location: z.string().optional(),
  dataLocations: z.unknown().optional(),
  storageClass: storageClassSchema.optional(),
  labels: z.record(labelKey, labelValue.nullable()).nullable().optional(),
  versioning: z.strictObject({ enabled: z.boolean() }).optional(),
  ...bucketConfig,
  ...bucketOutputOnly,
});

/**
 * Parse a body with a schema; errors in Google's words, naming the field (`location`).
 * `where` prefixes field paths for bodies nested in a larger request (multipart metadata).
 */
export function parseBody<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw badRequest('Invalid JSON payload received. Expected a JSON object.', { reason: 'parseError' });
  }
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const at = issue.path.map(String).join('.');
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0] ?? '';
    const field = at ? `${at}.${key}` : key;
    throw badRequest(unknownFieldMessage(key, at), { location: field });
  }
  throw badRequest(`Invalid value at '${at || '(body)'}': ${issue.message}`, { location: at || '(body)' });
}

/** The settable fields of an object resource sent by a client. */
export function fieldsFromResource(input: ObjectResourceInput | undefined): ObjectFields {
  const fields: ObjectFields = {};
  if (!input) return fields;
  for (const key of SETTABLE_FIELDS) if (input[key] !== undefined) fields[key] = input[key];
  if (input.metadata) {
    const metadata: Record<string, string> = {};
    for (const [key, value] of Object.entries(input.metadata)) if (value !== null) metadata[key] = value;
    fields.metadata = metadata;
  }
  return fields;
}

export function patchFromInput(input: ObjectPatchInput): ObjectPatch {
  const patch: ObjectPatch = {};
  for (const key of SETTABLE_FIELDS) if (input[key] !== undefined) patch[key] = input[key];
  if (input.metadata !== undefined) patch.metadata = input.metadata;
  return patch;
}
