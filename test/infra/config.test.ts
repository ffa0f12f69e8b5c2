// The stack configuration: every bad value fails before any resource, with the key's name; a prod
// stack refuses to deploy models whose deployments need approval when nobody may give it.
import { rmSync } from 'node:fs';
import * as pulumi from '@pulumi/pulumi';
import { afterAll, describe, expect, test } from 'vitest';
import { STACK_CONFIG_KEYS, StackConfigError, parseStackConfig, readStackConfig } from '../../infra/config.js';
import type { ResolvedModelSpec } from '../../control-plane/config/load-model-specs.js';
import { devStackValues, runStack, specsFor, tempBundle } from './support.js';

const bundle = tempBundle();
afterAll(() => rmSync(bundle, { recursive: true, force: true }));

/** The StackConfigError `run` throws (fails the test if it throws something else or nothing). */
function configError(run: () => unknown): StackConfigError {
  try {
    run();
  } catch (err) {
    expect(err).toBeInstanceOf(StackConfigError);
    return err as StackConfigError;
  }
  throw new Error('expected a StackConfigError, nothing was thrown');
}

describe('parseStackConfig', () => {
  test('a complete dev stack parses, and omitted keys take their documented defaults', () => {
    const config = parseStackConfig({ 'gcp:project': 'my-mlops-project', 'mlops:environment': 'dev' });
    expect(config).toEqual({
      project: 'my-mlops-project',
      region: 'us-central1',
      environment: 'dev',
      approvers: [],
      alertEmails: [],
      functionSizes: {},
      bundleDir: 'dist/functions',
      modelSpecsDir: 'models',
      namePrefix: 'mlops',
    });
    // Each default is the one STACK_CONFIG_KEYS documents (README lists these).
    expect(STACK_CONFIG_KEYS['gcp:region']).toContain(config.region);
    expect(STACK_CONFIG_KEYS['mlops:bundleDir']).toContain(config.bundleDir);
    expect(STACK_CONFIG_KEYS['mlops:modelSpecsDir']).toContain(config.modelSpecsDir);
    expect(STACK_CONFIG_KEYS['mlops:namePrefix']).toContain(config.namePrefix);
  });

  test('JSON values (as `pulumi config set` stores lists and objects) are parsed', () => {
    const config = parseStackConfig({
      ...devStackValues(bundle),
      'mlops:functionSizes': JSON.stringify({ checkDrift: { memory: '1Gi', timeoutSeconds: 540, maxInstances: 2 } }),
    });
    expect(config.approvers).toEqual(['ml-lead@example.com']);
    expect(config.alertEmails).toEqual(['oncall@example.com', 'ml-team@example.com']);
    expect(config.functionSizes).toEqual({ checkDrift: { memory: '1Gi', timeoutSeconds: 540, maxInstances: 2 } });
  });

  const invalid: { case: string; values: Record<string, string | undefined>; key: string; mentions?: string }[] = [
    { case: 'missing project', values: { 'gcp:project': undefined }, key: 'gcp:project' },
    { case: 'empty project', values: { 'gcp:project': '' }, key: 'gcp:project' },
    { case: 'project id with capitals', values: { 'gcp:project': 'My_Project' }, key: 'gcp:project' },
    { case: 'missing environment', values: { 'mlops:environment': undefined }, key: 'mlops:environment' },
    { case: 'unknown environment', values: { 'mlops:environment': 'staging' }, key: 'mlops:environment' },
    { case: 'bad region', values: { 'gcp:region': 'mars' }, key: 'gcp:region' },
    { case: 'approvers not emails', values: { 'mlops:approvers': JSON.stringify(['ml-lead', 'ops@example.com']) }, key: 'mlops:approvers', mentions: 'ml-lead' },
    { case: 'approvers not a list', values: { 'mlops:approvers': JSON.stringify('ml-lead@example.com') }, key: 'mlops:approvers' },
    { case: 'approvers not JSON', values: { 'mlops:approvers': 'ml-lead@example.com' }, key: 'mlops:approvers' },
    { case: 'alert emails not emails', values: { 'mlops:alertEmails': JSON.stringify(['oncall']) }, key: 'mlops:alertEmails' },
    { case: 'function sizes name an unknown function', values: { 'mlops:functionSizes': JSON.stringify({ mlopsApii: { memory: '1Gi' } }) }, key: 'mlops:functionSizes', mentions: 'mlopsApii' },
    { case: 'function size with a bad memory', values: { 'mlops:functionSizes': JSON.stringify({ mlopsApi: { memory: '1GB' } }) }, key: 'mlops:functionSizes' },
    { case: 'function size with an unknown field', values: { 'mlops:functionSizes': JSON.stringify({ mlopsApi: { cpu: 2 } }) }, key: 'mlops:functionSizes' },
    { case: 'function sizes not an object', values: { 'mlops:functionSizes': '[]' }, key: 'mlops:functionSizes' },
    { case: 'a name prefix too long for service account ids', values: { 'mlops:namePrefix': 'a-very-long-prefix-for-accounts' }, key: 'mlops:namePrefix' },
    { case: 'a misspelt mlops key', values: { 'mlops:aprovers': JSON.stringify(['ml-lead@example.com']) }, key: 'mlops:aprovers' },
  ];
  test.each(invalid)('$case fails naming $key', ({ values, key, mentions }) => {
    const error = configError(() => parseStackConfig({ ...devStackValues(bundle), ...values }));
    expect(error.message.startsWith(`${key}: `)).toBe(true);
    if (mentions !== undefined) expect(error.message).toContain(mentions);
  });
});

describe('readStackConfig', () => {
  test('reads the gcp: and mlops: namespaces of the Pulumi configuration', () => {
    pulumi.runtime.setAllConfig({
      'gcp:project': 'my-mlops-project',
      'gcp:region': 'europe-west4',
      'mlops:environment': 'prod',
      'mlops:approvers': JSON.stringify(['ml-lead@example.com']),
    });
    try {
      const config = readStackConfig();
      expect(config).toMatchObject({ project: 'my-mlops-project', region: 'europe-west4', environment: 'prod', approvers: ['ml-lead@example.com'] });
    } finally {
      pulumi.runtime.setAllConfig({});
    }
  });
});

describe('a prod stack requires approvals', () => {
  const prodValues = (overrides: Record<string, string | undefined> = {}) => devStackValues(bundle, { 'mlops:environment': 'prod', 'mlops:approvers': undefined, ...overrides });
  /** The shipped specs for prod, with every model's own approvers removed. */
  async function specsWithoutApprovers(): Promise<ResolvedModelSpec[]> {
    const specs = await specsFor(parseStackConfig(prodValues()));
    return specs.map((s) => ({ ...s, approvals: { ...s.approvals, approvers: [] } }));
  }

  test('the shipped specs require deployment approval in prod (else this block tests nothing)', async () => {
    const specs = await specsFor(parseStackConfig(prodValues()));
    expect(specs.some((s) => s.approvals.deployment === 'required')).toBe(true);
  });

  test("a model that requires approval, with no approver in its spec nor in mlops:approvers, fails naming mlops:approvers and the model", async () => {
    const specs = await specsWithoutApprovers();
    const required = specs.filter((s) => s.approvals.deployment === 'required').map((s) => s.name);
    const run = runStack(prodValues(), { specs });
    await expect(run).rejects.toBeInstanceOf(StackConfigError);
    await expect(run).rejects.toThrow(/^mlops:approvers: /);
    for (const model of required) await expect(run).rejects.toThrow(model);
  });

  test('the stack-wide approvers satisfy it', async () => {
    const run = await runStack(prodValues({ 'mlops:approvers': JSON.stringify(['ml-lead@example.com']) }), { specs: await specsWithoutApprovers() });
    expect(run.resources.length).toBeGreaterThan(0);
  });

  test("the spec's own approvers satisfy it", async () => {
    const run = await runStack(prodValues());
    expect(run.config.approvers).toEqual([]);
    expect(run.resources.length).toBeGreaterThan(0);
  });

  test('a dev stack needs no approvers (its specs are resolved for dev)', async () => {
    const run = await runStack(devStackValues(bundle, { 'mlops:approvers': undefined }), { specs: (await specsWithoutApprovers()).map((s) => ({ ...s, environment: 'dev' as const })) });
    expect(run.resources.length).toBeGreaterThan(0);
  });
});
