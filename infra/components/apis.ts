// The Google APIs the product calls or deploys onto, enabled before anything that needs them.
import * as gcp from '@pulumi/gcp';
import type * as pulumi from '@pulumi/pulumi';
import type { StackConfig } from '../config.js';

/** Service names (`<api>.googleapis.com`); left enabled on destroy: other workloads may use them. */
export const REQUIRED_APIS = [
  // Service accounts and project-level IAM go through these two (Resource Manager must already be
  // on for the program to read the project's number: see README).
  'iam',
  'cloudresourcemanager',
  'aiplatform',
  'bigquery',
  'cloudfunctions',
  'run',
  'cloudbuild',
  'pubsub',
  'cloudscheduler',
  'monitoring',
  'storage',
  'artifactregistry',
  'iamcredentials',
  'logging',
].map((api) => `${api}.googleapis.com`);

/** One gcp.projects.Service per API, named `api-<short name>`. */
export function enableApis(config: Pick<StackConfig, 'project'>, opts?: pulumi.CustomResourceOptions): Record<string, gcp.projects.Service> {
  return Object.fromEntries(
    REQUIRED_APIS.map((service) => {
      const short = service.replace('.googleapis.com', '');
      return [short, new gcp.projects.Service(`api-${short}`, { project: config.project, service, disableOnDestroy: false, disableDependentServices: false }, opts)];
    }),
  );
}
