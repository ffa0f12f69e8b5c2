// infra/index.ts, the module Pulumi runs: the stack's configuration from Pulumi's, paths relative to
// the repository root wherever Pulumi runs it, and the stack outputs as its exports.
import { rmSync } from 'node:fs';
import * as pulumi from '@pulumi/pulumi';
import { afterAll, expect, test } from 'vitest';
import type * as Program from '../../infra/index.js';
import { installMocks, resolveDeep, settle } from './mocks.js';
import { TEST_PROJECT, TYPES, mockFunctionUrl, tempBundle } from './support.js';

const bundle = tempBundle();
afterAll(() => {
  pulumi.runtime.setAllConfig({});
  rmSync(bundle, { recursive: true, force: true });
});

test('index.ts reads the stack configuration, loads the specs from the repository root and exports the outputs', async () => {
  const recorder = await installMocks(TEST_PROJECT);
  // As `pulumi config set` stores them; modelSpecsDir left to its default (`models`, relative to the repository root).
  pulumi.runtime.setAllConfig({ 'gcp:project': TEST_PROJECT, 'mlops:environment': 'dev', 'mlops:bundleDir': bundle, 'mlops:alertEmails': '["oncall@example.com"]' });
  const cwd = process.cwd();
  // Pulumi runs the program in infra/, where Pulumi.yaml is.
  process.chdir('infra');
  let program: typeof Program;
  try {
    program = await import('../../infra/index.js');
  } finally {
    process.chdir(cwd);
  }
  const outputs = await resolveDeep({ apiUrl: program.apiUrl, buckets: program.buckets, topics: program.topics, endpoints: program.endpoints });
  await settle();
  expect(outputs.apiUrl).toBe(mockFunctionUrl('mlopsApi', TEST_PROJECT, 'us-central1'));
  expect(Object.keys(outputs.endpoints)).toContain('flight-delay');
  expect(Object.values(outputs.buckets)).toContain(`${TEST_PROJECT}-mlops-state`);
  expect(recorder.resources.filter((r) => r.type === TYPES.function).length).toBeGreaterThan(0);
});
