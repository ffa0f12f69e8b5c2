// The functions, how events reach them, and the Scheduler jobs that call them: nodejs24 from the
// content-addressed bundle, each as its own account; every push subscription dead-letters; every
// Scheduler job's OIDC audience is its target function's URL.
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { defaultBuckets } from '../../control-plane/runtime/settings.js';
import { FUNCTIONS } from '../../infra/functions.js';
import { PUBSUB_TOPOLOGY } from '../../infra/pubsub-topology.js';
import { DRIFT_CHECK_JOB_ID, ROLLOUT_RECONCILE_JOB_ID, retrainingJobId } from '../../infra/scheduler-jobs.js';
import { invokersOf } from '../../infra/iam-bindings.js';
import { bundleContentHash, functionSourceObjectName } from '../../infra/components/function-source.js';
import type { RecordedResource, StackRun } from './support.js';
import { TEST_PROJECT, TYPES, devStackValues, field, runStack, tempBundle, writeBundleFiles } from './support.js';

const bundles: string[] = [];
function bundle(files?: Record<string, string>): string {
  const dir = tempBundle(files);
  bundles.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of bundles) rmSync(dir, { recursive: true, force: true });
});

let run: StackRun;
beforeAll(async () => {
  run = await runStack(devStackValues(bundle(), { 'mlops:functionSizes': JSON.stringify({ checkDrift: { memory: '1Gi', timeoutSeconds: 540, maxInstances: 3 } }) }));
});

const functionNamed = (name: string) => run.ofType(TYPES.function).find((f) => f.inputs.name === name)!;
const urlOf = (name: string) => String(functionNamed(name).state.url);
/** A function's two URLs: `url` (cloudfunctions.net) and its Cloud Run service's `serviceConfig.uri` (run.app). */
const urlsOf = (name: string) => [urlOf(name), String(field(functionNamed(name).state, 'serviceConfig', 'uri'))];
/** The function an address calls, and the URL of that function it starts with. */
function calledBy(address: string): { fn: string; base: string }[] {
  return FUNCTIONS.flatMap((f) => urlsOf(f.name).filter((base) => address === base || address.startsWith(`${base}/`)).map((base) => ({ fn: f.name, base })));
}
/** The email of the service account created for a principal of the IAM table. */
function emailOf(principal: string): string {
  const id = principal.startsWith('fn:') ? principal.slice(3).replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase() : principal;
  const account = run.ofType(TYPES.serviceAccount).find((a) => a.inputs.accountId === `${run.config.namePrefix}-${id}`);
  if (!account) throw new Error(`no service account for ${principal}`);
  return String(account.state.email);
}
const sourceObject = (r: StackRun) => r.ofType(TYPES.bucketObject)[0]!;

describe('functions', () => {
  test('every function runs nodejs24 with its declaration\'s entry point, from the uploaded bundle object', () => {
    const object = sourceObject(run);
    expect(String(object.inputs.name)).toMatch(/^functions\/[0-9a-f]{64}\.zip$/);
    expect(field(object.inputs, 'source', '__pulumiArchive')).toBe(true);
    for (const fn of FUNCTIONS) {
      const resource = functionNamed(fn.name);
      expect(field(resource.inputs, 'buildConfig', 'runtime'), fn.name).toBe('nodejs24');
      expect(field(resource.inputs, 'buildConfig', 'entryPoint'), fn.name).toBe(fn.name);
      expect(field(resource.inputs, 'buildConfig', 'source', 'storageSource'), fn.name).toEqual({ bucket: object.inputs.bucket, object: object.inputs.name });
      expect(resource.inputs.location, fn.name).toBe(run.config.region);
    }
  });

  test('each function runs as its own service account, with the settings the control plane reads', () => {
    const { stateBucket, pipelineBucket } = defaultBuckets(TEST_PROJECT);
    const accounts = FUNCTIONS.map((fn) => field(functionNamed(fn.name).inputs, 'serviceConfig', 'serviceAccountEmail'));
    expect(accounts).toEqual(FUNCTIONS.map((fn) => emailOf(`fn:${fn.name}`)));
    expect(new Set(accounts).size).toBe(FUNCTIONS.length);
    for (const fn of FUNCTIONS) {
      const env = field(functionNamed(fn.name).inputs, 'serviceConfig', 'environmentVariables');
      expect(env, fn.name).toMatchObject({
        MLOPS_ENVIRONMENT: 'dev',
        MLOPS_REGION: run.config.region,
        MLOPS_STATE_BUCKET: stateBucket,
        MLOPS_PIPELINE_BUCKET: pipelineBucket,
        MLOPS_PIPELINE_SERVICE_ACCOUNT: emailOf('pipelines'),
      });
    }
  });

  test('memory and timeout come from the declaration unless mlops:functionSizes overrides them', () => {
    for (const fn of FUNCTIONS) {
      const service = field(functionNamed(fn.name).inputs, 'serviceConfig') as Record<string, unknown>;
      const override = run.config.functionSizes[fn.name];
      expect(service.availableMemory, fn.name).toBe(override?.memory ?? fn.memory);
      expect(service.timeoutSeconds, fn.name).toBe(override?.timeoutSeconds ?? fn.timeoutSeconds);
      if (override?.maxInstances !== undefined) expect(service.maxInstanceCount, fn.name).toBe(override.maxInstances);
    }
    expect(field(functionNamed('checkDrift').inputs, 'serviceConfig', 'availableMemory')).toBe('1Gi');
  });

  test("the bundle object's name is the bundle's content hash", async () => {
    const dir = bundle({ 'index.js': 'export const a = 1;\n' });
    const object = sourceObject(await runStack(devStackValues(dir)));
    expect(object.inputs.name).toBe(functionSourceObjectName(bundleContentHash(dir)));
  });

  test('the content hash: the same files give the same hash, any change another', () => {
    const files = { 'index.js': 'export const a = 1;\n', 'package.json': '{"type":"module"}\n', 'models/m.yaml': 'name: m\n' };
    const first = bundle(files);
    const original = bundleContentHash(first);
    expect(original).toMatch(/^[0-9a-f]{64}$/);
    expect(bundleContentHash(first), 'hashed again').toBe(original);
    expect(bundleContentHash(bundle(files)), 'the same files elsewhere').toBe(original);
    const edited = bundle(files);
    writeBundleFiles(edited, { 'index.js': 'export const a = 2;\n' });
    expect(bundleContentHash(edited), 'a changed file').not.toBe(original);
    expect(bundleContentHash(bundle({ ...files, 'extra.js': '' })), 'an added (empty) file').not.toBe(original);
    const { 'models/m.yaml': spec, ...rest } = files;
    expect(bundleContentHash(bundle({ ...rest, 'models/n.yaml': spec })), 'a renamed file').not.toBe(original);
    // Bytes moved from one file to the next: the concatenation is the same, the bundle is not.
    expect(bundleContentHash(bundle({ 'a.js': 'xy', 'b.js': 'z' }))).not.toBe(bundleContentHash(bundle({ 'a.js': 'x', 'b.js': 'yz' })));
  });

  test('a missing bundle fails naming mlops:bundleDir (run npm run build:functions first)', async () => {
    await expect(runStack(devStackValues('/nonexistent/dist/functions'))).rejects.toThrow(/mlops:bundleDir/);
  });
});

describe('event delivery', () => {
  const pushSubscriptions = () => run.ofType(TYPES.subscription).filter((s) => field(s.inputs, 'pushConfig') !== undefined);

  test('every push subscription has a dead-letter policy: the declared topic and attempts', () => {
    expect(pushSubscriptions().length).toBeGreaterThan(0);
    for (const subscription of pushSubscriptions()) {
      const declared = PUBSUB_TOPOLOGY.flatMap((t) => t.subscriptions).find((s) => s.name === subscription.inputs.name);
      expect(declared?.deadLetter, `${String(subscription.inputs.name)} is declared with a dead-letter topic`).toBeDefined();
      expect(String(field(subscription.inputs, 'deadLetterPolicy', 'deadLetterTopic')), String(subscription.inputs.name)).toMatch(new RegExp(`(^|/topics/)${declared!.deadLetter!.topic}$`));
      expect(field(subscription.inputs, 'deadLetterPolicy', 'maxDeliveryAttempts')).toBe(declared!.deadLetter!.maxDeliveryAttempts);
    }
  });

  test('no function has an Eventarc trigger: its subscription could not carry a dead-letter policy', () => {
    for (const fn of run.ofType(TYPES.function)) {
      const trigger = field(fn.inputs, 'eventTrigger');
      // Were one added, it would need RETRY_POLICY_RETRY and would deliver each event twice beside the push subscription.
      expect(trigger, `${String(fn.inputs.name)} has an eventTrigger`).toBeUndefined();
    }
  });

  test('every cloudevent function is reached by exactly one push subscription on its topic, with an OIDC token for the URL it pushes to', () => {
    for (const fn of FUNCTIONS.filter((f) => f.signatureType === 'cloudevent')) {
      const pushes = pushSubscriptions().filter((s) => calledBy(String(field(s.inputs, 'pushConfig', 'pushEndpoint'))).some((c) => c.fn === fn.name));
      expect(pushes.map((s) => s.inputs.name), fn.name).toHaveLength(1);
      const push = pushes[0]!;
      expect(String(push.inputs.topic)).toMatch(new RegExp(`(^|/topics/)${fn.triggerTopic}$`));
      const { base } = calledBy(String(field(push.inputs, 'pushConfig', 'pushEndpoint')))[0]!;
      const token = field(push.inputs, 'pushConfig', 'oidcToken') as { serviceAccountEmail: string; audience: string };
      expect(token.audience, fn.name).toBe(base);
      // The account the push is signed as may invoke the function (the IAM table grants it run.invoker there).
      expect(invokersOf(fn.name).map(emailOf), fn.name).toContain(token.serviceAccountEmail);
    }
  });

  test('HTTP functions get no push subscription, and the dead-letter topic pushes nowhere', () => {
    const endpoints = run.ofType(TYPES.subscription).flatMap((s) => {
      const endpoint = field(s.inputs, 'pushConfig', 'pushEndpoint');
      return typeof endpoint === 'string' ? [endpoint] : [];
    });
    for (const fn of FUNCTIONS.filter((f) => f.signatureType === 'http')) expect(endpoints.filter((e) => calledBy(e).some((c) => c.fn === fn.name)), fn.name).toEqual([]);
    const deadLetterTopics = new Set(PUBSUB_TOPOLOGY.flatMap((t) => t.subscriptions.flatMap((s) => (s.deadLetter ? [s.deadLetter.topic] : []))));
    for (const subscription of run.ofType(TYPES.subscription).filter((s) => [...deadLetterTopics].some((t) => String(s.inputs.topic).endsWith(t)))) {
      expect(field(subscription.inputs, 'pushConfig'), String(subscription.inputs.name)).toBeUndefined();
    }
  });
});

describe('Scheduler jobs', () => {
  const jobNamed = (id: string): RecordedResource => {
    const job = run.ofType(TYPES.schedulerJob).find((j) => j.inputs.name === id || String(j.inputs.name).endsWith(`/jobs/${id}`));
    if (!job) throw new Error(`no Scheduler job ${id}`);
    return job;
  };
  /** The function a job calls, and the URL of it that the job's uri starts with. */
  const targetOf = (job: RecordedResource) => {
    const called = calledBy(String(field(job.inputs, 'httpTarget', 'uri')));
    expect(called, `${String(field(job.inputs, 'httpTarget', 'uri'))} is one function's URL`).toHaveLength(1);
    return { ...FUNCTIONS.find((f) => f.name === called[0]!.fn)!, base: called[0]!.base };
  };

  test("every job's OIDC audience equals its target function's URL, signed as the Scheduler account that may invoke it", () => {
    expect(run.ofType(TYPES.schedulerJob).length).toBeGreaterThan(0);
    for (const job of run.ofType(TYPES.schedulerJob)) {
      const target = targetOf(job);
      expect(field(job.inputs, 'httpTarget', 'oidcToken', 'audience'), String(job.inputs.name)).toBe(target.base);
      expect(field(job.inputs, 'httpTarget', 'oidcToken', 'serviceAccountEmail')).toBe(emailOf('scheduler'));
      expect(invokersOf(target.name), `scheduler may invoke ${target.name}`).toContain('scheduler');
      expect(job.inputs.region ?? job.inputs.location).toBe(run.config.region);
    }
  });

  test("each model's retraining job calls mlopsApi on the spec's cron and time zone", () => {
    for (const spec of run.specs.filter((s) => s.schedule !== undefined)) {
      const job = jobNamed(retrainingJobId(spec.name));
      expect(targetOf(job).name).toBe('mlopsApi');
      expect(field(job.inputs, 'httpTarget', 'uri')).toBe(`${targetOf(job).base}/v1/models/${spec.name}/trainingRuns`);
      expect(job.inputs).toMatchObject({ schedule: spec.schedule!.cron, timeZone: spec.schedule!.timeZone });
      expect(Boolean(job.inputs.paused)).toBe(!spec.schedule!.enabled);
    }
  });

  test('the rollout reconcile runs every minute and the drift check hourly', () => {
    expect(targetOf(jobNamed(ROLLOUT_RECONCILE_JOB_ID)).name).toBe('reconcileRollouts');
    expect(jobNamed(ROLLOUT_RECONCILE_JOB_ID).inputs.schedule).toBe('* * * * *');
    expect(targetOf(jobNamed(DRIFT_CHECK_JOB_ID)).name).toBe('checkDrift');
    expect(jobNamed(DRIFT_CHECK_JOB_ID).inputs.schedule).toBe('0 * * * *');
  });
});
