// Resource JSON as the JSON API returns it: the stored metadata plus kind, id and links, which
// depend on the address the client used.
import type { BucketMetadata, ObjectMetadata } from './model.js';

/** The emulator serves one project; its number is a fixed placeholder. */
const PROJECT_NUMBER = '000000000000';

export function objectResource(meta: ObjectMetadata, baseUrl: string): Record<string, unknown> {
  const encoded = encodeURIComponent(meta.name);
  return {
    kind: 'storage#object',
    id: `${meta.bucket}/${meta.name}/${meta.generation}`,
    selfLink: `${baseUrl}/storage/v1/b/${meta.bucket}/o/${encoded}`,
    mediaLink: `${baseUrl}/download/storage/v1/b/${meta.bucket}/o/${encoded}?generation=${meta.generation}&alt=media`,
    ...meta,
  };
}

export function bucketResource(bucket: BucketMetadata, baseUrl: string): Record<string, unknown> {
  const { config, ...fields } = bucket;
  return {
    kind: 'storage#bucket',
    id: bucket.name,
    selfLink: `${baseUrl}/storage/v1/b/${bucket.name}`,
    projectNumber: PROJECT_NUMBER,
    ...config,
    ...fields,
  };
}
