// One service account per function (`<prefix>-<kebab-name>`), one for the pipelines, one for
// Cloud Scheduler and one for Cloud Build (the functions' builds): each workload runs as its own identity, holding only its rows of IAM_BINDINGS.
import * as gcp from '@pulumi/gcp';
import type * as pulumi from '@pulumi/pulumi';
import type { StackConfig } from '../config.js';
import { kebabCase } from '../config.js';
import { FUNCTIONS } from '../functions.js';
import type { AccountPrincipal } from '../iam-bindings.js';
import { fn } from '../iam-bindings.js';

export type ServiceAccounts = Readonly<Record<AccountPrincipal, gcp.serviceaccount.Account>>;

/** Every account principal the stack creates, functions first in declaration order. */
export const ACCOUNT_PRINCIPALS: readonly AccountPrincipal[] = [...FUNCTIONS.map((f) => fn(f.name)), 'pipelines', 'scheduler', 'build'];

/** The account id (the part before `@`): `mlops-submit-training-run`, `mlops-pipelines`, `mlops-scheduler`, `mlops-build`. */
export function accountId(namePrefix: string, principal: AccountPrincipal): string {
  return `${namePrefix}-${principal.startsWith('fn:') ? kebabCase(principal.slice(3)) : principal}`;
}

/** `<accountId>@<project>.iam.gserviceaccount.com`, known before the account exists. */
export function accountEmail(config: Pick<StackConfig, 'project' | 'namePrefix'>, principal: AccountPrincipal): string {
  return `${accountId(config.namePrefix, principal)}@${config.project}.iam.gserviceaccount.com`;
}

function describe(principal: AccountPrincipal): string {
  if (principal === 'pipelines') return 'Vertex AI training pipelines of the MLOps control plane';
  if (principal === 'build') return 'Cloud Build builds of the MLOps control plane functions';
  if (principal === 'scheduler') return 'Cloud Scheduler jobs of the MLOps control plane (OIDC calls to its functions)';
  return `Cloud Function ${principal.slice(3)} of the MLOps control plane`;
}

/** The accounts, each a gcp.serviceaccount.Account named `sa-<account id>`. */
export function createServiceAccounts(config: Pick<StackConfig, 'project' | 'namePrefix'>, opts?: pulumi.CustomResourceOptions): ServiceAccounts {
  return Object.fromEntries(
    ACCOUNT_PRINCIPALS.map((principal) => {
      const id = accountId(config.namePrefix, principal);
      return [principal, new gcp.serviceaccount.Account(`sa-${id}`, { project: config.project, accountId: id, displayName: id, description: describe(principal) }, opts)];
    }),
  ) as ServiceAccounts;
}

/** The account of a principal; a principal the stack does not create is a programming error. */
export function accountFor(accounts: ServiceAccounts, principal: AccountPrincipal): gcp.serviceaccount.Account {
  const account = accounts[principal];
  if (account === undefined) throw new Error(`no service account for ${principal} (accounts: ${Object.keys(accounts).join(', ')})`);
  return account;
}
