// Runs the Pulumi program (defineStack) under Pulumi's mocks and hands the tests what it registered.
// The mocks are installed before the program's modules are imported, and each run waits until every
// registration (including those made inside `apply`) has reached them.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ResolvedModelSpec } from '../../control-plane/config/load-model-specs.js';
import type { StackConfig } from '../../infra/config.js';
import type { StackOutputs } from '../../infra/stack.js';
import type { RecordedCall, RecordedResource, Resolved } from './mocks.js';
import { installMocks, resolveDeep, settle } from './mocks.js';

export { mockFunctionRunUri, mockFunctionUrl, PROJECT_NUMBER } from './mocks.js';
export type { RecordedResource } from './mocks.js';

/** The type tokens the tests look for. */
export const TYPES = {
  service: 'gcp:projects/service:Service',
  serviceIdentity: 'gcp:projects/serviceIdentity:ServiceIdentity',
  bucket: 'gcp:storage/bucket:Bucket',
  bucketObject: 'gcp:storage/bucketObject:BucketObject',
  dataset: 'gcp:bigquery/dataset:Dataset',
  table: 'gcp:bigquery/table:Table',
  topic: 'gcp:pubsub/topic:Topic',
  subscription: 'gcp:pubsub/subscription:Subscription',
  serviceAccount: 'gcp:serviceaccount/account:Account',
  function: 'gcp:cloudfunctionsv2/function:Function',
  schedulerJob: 'gcp:cloudscheduler/job:Job',
  notificationChannel: 'gcp:monitoring/notificationChannel:NotificationChannel',
  alertPolicy: 'gcp:monitoring/alertPolicy:AlertPolicy',
  metricDescriptor: 'gcp:monitoring/metricDescriptor:MetricDescriptor',
  endpoint: 'gcp:vertex/aiEndpoint:AiEndpoint',
} as const;

export const TEST_PROJECT = 'mlops-test-project';
export const TEST_REGION = 'europe-west4';

/** A valid dev stack's configuration values, as `pulumi config` stores them. */
export function devStackValues(bundleDir: string, overrides: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  return {
    'gcp:project': TEST_PROJECT,
    'gcp:region': TEST_REGION,
    'mlops:environment': 'dev',
    'mlops:approvers': JSON.stringify(['ml-lead@example.com']),
    'mlops:alertEmails': JSON.stringify(['oncall@example.com', 'ml-team@example.com']),
    'mlops:bundleDir': bundleDir,
    'mlops:modelSpecsDir': path.resolve('models'),
    ...overrides,
  };
}

/** A fresh directory under the OS temp dir holding `files` (relative path → content): a stand-in functions bundle. */
export function tempBundle(files: Record<string, string> = { 'index.js': 'export {};\n', 'package.json': '{"type":"module"}\n', 'models/flight-delay.yaml': 'name: flight-delay\n' }): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'mlops-bundle-'));
  writeBundleFiles(dir, files);
  return dir;
}

export function writeBundleFiles(dir: string, files: Record<string, string>): void {
  for (const [file, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), content);
  }
}

/** The shipped model specs (the stack's `mlops:modelSpecsDir`), resolved for its environment. */
export async function specsFor(config: StackConfig): Promise<ResolvedModelSpec[]> {
  const { loadModelSpecs, resolveForEnvironment } = await import('../../control-plane/config/load-model-specs.js');
  return loadModelSpecs(config.modelSpecsDir).map((spec) => resolveForEnvironment(spec, config.environment));
}

export interface StackRun {
  readonly config: StackConfig;
  readonly specs: readonly ResolvedModelSpec[];
  readonly outputs: Resolved<StackOutputs>;
  /** Every resource the program registered, components included (their types are not `gcp:`). */
  readonly resources: readonly RecordedResource[];
  readonly calls: readonly RecordedCall[];
  /** The resources of one type token. */
  ofType(type: string): RecordedResource[];
  /** The one resource of `type` whose logical name is `name` (throws if there is none). */
  named(type: string, name: string): RecordedResource;
}

/**
 * Parses `values` as the stack's configuration, runs defineStack with the model specs (default: the
 * shipped ones resolved for the stack's environment), and waits for all of it.
 */
export async function runStack(values: Record<string, string | undefined>, options: { specs?: readonly ResolvedModelSpec[] } = {}): Promise<StackRun> {
  const recorder = await installMocks(values['gcp:project'] ?? TEST_PROJECT);
  const { parseStackConfig } = await import('../../infra/config.js');
  const { defineStack } = await import('../../infra/stack.js');
  const config = parseStackConfig(values);
  const specs = options.specs ?? (await specsFor(config));
  const outputs = await resolveDeep(defineStack(config, specs));
  await settle();
  const resources = [...recorder.resources];
  const ofType = (type: string) => resources.filter((r) => r.type === type);
  return {
    config,
    specs,
    outputs,
    resources,
    calls: [...recorder.calls],
    ofType,
    named(type, name) {
      const found = ofType(type).find((r) => r.name === name);
      if (!found) throw new Error(`no ${type} named ${name}; registered: ${ofType(type).map((r) => r.name).join(', ')}`);
      return found;
    },
  };
}

/** A nested field of a recorded input or state (`field(r.inputs, 'httpTarget', 'oidcToken', 'audience')`). */
export function field(value: unknown, ...keys: string[]): unknown {
  let current = value;
  for (const key of keys) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

/** Every string anywhere inside `value`, with its path (for scans such as "no allUsers anywhere"). */
export function stringsIn(value: unknown, at = ''): { path: string; value: string }[] {
  if (typeof value === 'string') return [{ path: at, value }];
  if (Array.isArray(value)) return value.flatMap((v, i) => stringsIn(v, `${at}[${i}]`));
  if (value !== null && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => stringsIn(v, at === '' ? k : `${at}.${k}`));
  return [];
}
