// The control plane's Cloud Storage buckets, declared once: the local launcher creates them in the
// Storage emulator and the Pulumi program creates them in the cloud (uniform access, public access
// prevention; versioning on the state bucket).
import { defaultBuckets } from '../control-plane/runtime/settings.js';

export interface BucketDeclaration {
  readonly name: string;
  readonly purpose: string;
  readonly versioning: boolean;
}

export function controlPlaneBuckets(project: string): readonly BucketDeclaration[] {
  const { stateBucket, pipelineBucket } = defaultBuckets(project);
  return [
    { name: stateBucket, purpose: 'run records, decision records and leases (written with generation preconditions)', versioning: true },
    { name: pipelineBucket, purpose: 'training snapshots and the pipeline root', versioning: false },
  ];
}
