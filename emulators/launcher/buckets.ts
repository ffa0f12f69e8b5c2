// The control plane's buckets on the local cloud, as the Pulumi program creates them in the cloud
// (infra/storage-buckets.ts): created through the Storage client when missing, versioned as declared.
import { storageClient } from '../../google-clients/storage.js';
import type { ClientEnvironment } from '../../google-clients/environment.js';
import { controlPlaneBuckets } from '../../infra/storage-buckets.js';

export async function ensureControlPlaneBuckets(ce: ClientEnvironment): Promise<void> {
  const storage = storageClient(ce);
  for (const bucket of controlPlaneBuckets(ce.projectId)) {
    const [exists] = await storage.bucket(bucket.name).exists();
    if (!exists) await storage.createBucket(bucket.name, { versioning: { enabled: bucket.versioning }, iamConfiguration: { uniformBucketLevelAccess: { enabled: true } } });
  }
}
