// infra/iam-bindings.ts as the Markdown table README.md shows ("Deploying with Pulumi"); the README
// test compares the two. `npx tsx test/infra/iam-table.ts` prints the table; `--write` replaces it in README.md.
import { readFileSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import type { IamBinding, Principal, Scope } from '../../infra/iam-bindings.js';
import { IAM_BINDINGS } from '../../infra/iam-bindings.js';

export const IAM_TABLE_START = '<!-- iam-table: generated from infra/iam-bindings.ts by `npx tsx test/infra/iam-table.ts --write`; test/infra/readme.test.ts checks it -->';
export const IAM_TABLE_END = '<!-- /iam-table -->';

const kebab = (name: string) => name.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();

/** A principal as the README names it: the service account id (default prefix `mlops`), or the service agent. */
export function principalText(principal: Principal): string {
  if (principal === 'pubsubServiceAgent') return 'Pub/Sub service agent';
  if (principal === 'monitoringNotificationAgent') return 'Monitoring notification agent';
  if (principal === 'approvers') return 'each approver (`user:<email>`)';
  return `\`mlops-${principal.startsWith('fn:') ? kebab(principal.slice(3)) : principal}\``;
}

export function scopeText(scope: Scope): string {
  switch (scope.kind) {
    case 'project':
      return 'project';
    case 'bucket':
      return scope.objectPrefix === undefined ? `bucket \`${scope.bucket}\`` : `bucket \`${scope.bucket}\`, objects under \`${scope.objectPrefix}\` (IAM condition)`;
    case 'dataset':
      return `dataset \`${scope.dataset}\``;
    case 'modelDatasets':
      return "each model's log and actuals dataset";
    case 'topic':
      return `topic \`${scope.topic}\``;
    case 'subscription':
      return `subscription \`${scope.subscription}\``;
    case 'function':
      return `function \`${scope.function}\``;
    case 'serviceAccount':
      return `service account ${principalText(scope.account)}`;
  }
}

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\s+/g, ' ').trim();

export function iamTableRows(bindings: readonly IamBinding[] = IAM_BINDINGS): string[] {
  return bindings.map((b) => `| ${principalText(b.principal)} | \`${b.role}\` | ${scopeText(b.scope)} | ${cell(b.why)} |`);
}

export function renderIamTable(bindings: readonly IamBinding[] = IAM_BINDINGS): string {
  return [IAM_TABLE_START, '', '| Principal | Role | On | Why |', '| --- | --- | --- | --- |', ...iamTableRows(bindings), '', IAM_TABLE_END].join('\n');
}

/** `readme` with its marked table replaced by the current one (throws if the markers are missing). */
export function withIamTable(readme: string): string {
  const start = readme.indexOf(IAM_TABLE_START);
  const end = readme.indexOf(IAM_TABLE_END);
  if (start < 0 || end < start) throw new Error(`README.md has no marked IAM table (${IAM_TABLE_START} ... ${IAM_TABLE_END})`);
  return readme.slice(0, start) + renderIamTable() + readme.slice(end + IAM_TABLE_END.length);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  if (process.argv.includes('--write')) {
    const file = new URL('../../README.md', import.meta.url);
    writeFileSync(file, withIamTable(readFileSync(file, 'utf8')));
  } else {
    process.stdout.write(`${renderIamTable()}\n`);
  }
}
