// README's "Deploying with Pulumi" stays true to the program: its IAM table is infra/iam-bindings.ts,
// and it shows every stack configuration key.
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { STACK_CONFIG_KEYS } from '../../infra/config.js';
import { IAM_TABLE_END, IAM_TABLE_START, renderIamTable } from './iam-table.js';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const section = (() => {
  const start = readme.indexOf('## Deploying with Pulumi');
  const end = readme.indexOf('\n## ', start + 1);
  return start < 0 ? '' : readme.slice(start, end < 0 ? undefined : end);
})();

describe('README: Deploying with Pulumi', () => {
  test('has the section', () => {
    expect(section).not.toBe('');
  });

  test('its IAM table is the one infra/iam-bindings.ts declares (regenerate: npx tsx test/infra/iam-table.ts --write)', () => {
    const start = section.indexOf(IAM_TABLE_START);
    const end = section.indexOf(IAM_TABLE_END);
    expect(start, 'the table is marked').toBeGreaterThanOrEqual(0);
    expect(section.slice(start, end + IAM_TABLE_END.length)).toBe(renderIamTable());
  });

  test('shows `pulumi config set` for every stack configuration key', () => {
    for (const key of Object.keys(STACK_CONFIG_KEYS)) expect(section, key).toMatch(new RegExp(`pulumi config set (--path |--plaintext )?${key} `));
  });
});
