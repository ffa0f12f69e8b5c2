// The control plane's buckets (infra/storage-buckets.ts) and the bucket the function bundles are
// uploaded to: uniform bucket-level access, public access prevention enforced, in the stack's region.
import * as gcp from '@pulumi/gcp';
import type * as pulumi from '@pulumi/pulumi';
import { defaultBuckets } from '../../control-plane/runtime/settings.js';
import type { StackConfig } from '../config.js';
import { kebabCase } from '../config.js';
import type { BucketKey } from '../iam-bindings.js';
import { controlPlaneBuckets } from '../storage-buckets.js';

export type Buckets = Readonly<Record<BucketKey, gcp.storage.Bucket>>;

/** Training snapshots (the pipelines bucket's `snapshots/`) are deleted after this many days: each run exports its own. */
export const SNAPSHOT_RETENTION_DAYS = 90;
/** Monitoring incidents' debounce records (the state bucket's `monitoring-incidents/`) are deleted after this many days. */
export const INCIDENT_RETENTION_DAYS = 30;
/** Overwritten state records (noncurrent versions) are kept this long for inspection, then deleted. */
export const NONCURRENT_STATE_DAYS = 30;

type Lifecycle = gcp.types.input.storage.BucketLifecycleRule;
const deleteAfter = (age: number, prefix: string): Lifecycle => ({ action: { type: 'Delete' }, condition: { age, matchesPrefixes: [prefix] } });

export function functionSourcesBucketName(config: Pick<StackConfig, 'project' | 'namePrefix'>): string {
  return `${config.project}-${config.namePrefix}-function-sources`;
}

export function createBuckets(config: Pick<StackConfig, 'project' | 'region' | 'namePrefix'>, opts?: pulumi.CustomResourceOptions): Buckets {
  const names = defaultBuckets(config.project);
  const declared = new Map(controlPlaneBuckets(config.project).map((b) => [b.name, b]));
  const bucket = (key: BucketKey, logicalName: string, name: string, extra: { versioning?: boolean; lifecycleRules?: Lifecycle[] } = {}) =>
    new gcp.storage.Bucket(
      logicalName,
      {
        project: config.project,
        name,
        location: config.region.toUpperCase(),
        uniformBucketLevelAccess: true,
        publicAccessPrevention: 'enforced',
        versioning: { enabled: extra.versioning ?? false },
        ...(extra.lifecycleRules ? { lifecycleRules: extra.lifecycleRules } : {}),
        labels: { managed_by: 'mlops-control-plane', purpose: kebabCase(key) },
        // Records and pipeline artifacts outlive a mistaken `pulumi destroy`: a non-empty bucket stays.
        forceDestroy: false,
      },
      opts,
    );
  const state = declared.get(names.stateBucket)!;
  const pipelines = declared.get(names.pipelineBucket)!;
  return {
    state: bucket('state', 'mlops-state', state.name, {
      versioning: state.versioning,
      lifecycleRules: [
        deleteAfter(INCIDENT_RETENTION_DAYS, 'monitoring-incidents/'),
        { action: { type: 'Delete' }, condition: { withState: 'ARCHIVED', daysSinceNoncurrentTime: NONCURRENT_STATE_DAYS } },
      ],
    }),
    pipelines: bucket('pipelines', 'mlops-pipelines', pipelines.name, { versioning: pipelines.versioning, lifecycleRules: [deleteAfter(SNAPSHOT_RETENTION_DAYS, 'snapshots/')] }),
    functionSources: bucket('functionSources', 'mlops-function-sources', functionSourcesBucketName(config)),
  };
}
