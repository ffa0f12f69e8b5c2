// The local functions runtime: the real functions framework CLI serving a bundle built from a tiny
// fixture, called over HTTP, with CloudEvents, and through Google's Pub/Sub emulator's pushes.
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PubSub } from '@google-cloud/pubsub';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../../emulators/functions/bundle.js';
import type { FunctionsRuntime } from '../../../emulators/functions/runtime.js';
import { startFunctionsRuntime } from '../../../emulators/functions/runtime.js';
import { freePort } from '../../../emulators/kit/free-port.js';
import type { PubSubEmulator } from '../../../emulators/pubsub/emulator-process.js';
import { findPubSubEmulatorJar, startPubSubEmulator } from '../../../emulators/pubsub/emulator-process.js';
import { pubSubClient } from '../../../google-clients/index.js';
import type { FunctionDeclaration } from '../../../infra/functions.js';
import type { FixtureBundle } from '../../support/functions-fixture.js';
import { buildFixtureFunctions } from '../../support/functions-fixture.js';

const PROJECT = 'local-project';
const TOPIC = 'fixture-events';
const FIXTURE_FUNCTIONS: readonly FunctionDeclaration[] = [
  { name: 'echo', signatureType: 'http', description: 'echo', memory: '256Mi', timeoutSeconds: 30 },
  { name: 'recordEvent', signatureType: 'cloudevent', triggerTopic: TOPIC, description: 'record', memory: '256Mi', timeoutSeconds: 30 },
];

const eventsFile = join(REPO_ROOT, 'dist', `test-functions-runtime-${process.pid}.events.jsonl`);

interface RecordedEvent {
  id: string;
  type: string;
  source: string;
  specversion: string;
  time: string;
  data: { message: { data: string; attributes: Record<string, string>; messageId: string; publishTime: string } };
}

function recordedEvents(): RecordedEvent[] {
  if (!existsSync(eventsFile)) return [];
  return readFileSync(eventsFile, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as RecordedEvent);
}

async function eventually<T>(read: () => T, done: (value: T) => boolean, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = read();
  while (!done(value) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    value = read();
  }
  return value;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('local functions runtime (functions framework over the bundle)', () => {
  let runtime: FunctionsRuntime;
  let fixture: FixtureBundle;
  const env = { GOOGLE_CLOUD_PROJECT: PROJECT, PUBSUB_EMULATOR_HOST: '127.0.0.1:1' };

  beforeAll(async () => {
    process.env.FIXTURE_SHELL_ONLY = 'from the developer shell';
    fixture = await buildFixtureFunctions('runtime');
    runtime = await startFunctionsRuntime({ env, extraEnv: { FIXTURE_SETTING: 'extra', FIXTURE_EVENTS_FILE: eventsFile }, functions: FIXTURE_FUNCTIONS, bundleDir: fixture.bundleDir });
  }, 60_000);

  afterAll(async () => {
    delete process.env.FIXTURE_SHELL_ONLY;
    await runtime?.stop();
    fixture?.remove();
    rmSync(eventsFile, { force: true });
  });

  it('serves an HTTP function with the env Cloud Run gives it, and nothing else from the shell', async () => {
    const res = await fetch(`${runtime.urls.echo}/v1/things?x=1`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ a: 1 }) });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      method: 'POST',
      path: '/v1/things',
      body: { a: 1 },
      cwd: fixture.bundleDir,
      env: {
        K_SERVICE: 'echo',
        K_REVISION: 'echo-00001-loc',
        FUNCTION_TARGET: 'echo',
        FUNCTION_SIGNATURE_TYPE: 'http',
        NODE_ENV: 'production',
        GOOGLE_CLOUD_PROJECT: PROJECT,
        PUBSUB_EMULATOR_HOST: '127.0.0.1:1',
        RECORD_EVENT_URL: runtime.urls.recordEvent,
        FIXTURE_SETTING: 'extra',
        FIXTURE_SHELL_ONLY: null,
      },
    });
  });

  it('gives a CloudEvent function a binary-mode CloudEvent (Eventarc form) and answers 204', async () => {
    const before = recordedEvents().length;
    const res = await fetch(runtime.urls.recordEvent!, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'ce-id': 'eventarc-1',
        'ce-specversion': '1.0',
        'ce-type': 'google.cloud.pubsub.topic.v1.messagePublished',
        'ce-source': `//pubsub.googleapis.com/projects/${PROJECT}/topics/${TOPIC}`,
      },
      body: JSON.stringify({ message: { data: Buffer.from('{"n":1}').toString('base64'), attributes: {}, messageId: '9', publishTime: '2026-01-01T00:00:00Z' } }),
    });
    expect(res.status).toBe(204);
    const event = recordedEvents()[before]!;
    expect(event).toMatchObject({ id: 'eventarc-1', type: 'google.cloud.pubsub.topic.v1.messagePublished', data: { message: { messageId: '9' } } });
  });

  it("turns a raw Pub/Sub push body into a messagePublished CloudEvent, the topic taken from the push path", async () => {
    const before = recordedEvents().length;
    const push = {
      subscription: `projects/${PROJECT}/subscriptions/direct`,
      message: { data: Buffer.from('{"requestId":"r1"}').toString('base64'), attributes: { model: 'm' }, messageId: '42', publishTime: '2026-01-02T03:04:05.678Z' },
    };
    const res = await fetch(runtime.pushEndpointFor('recordEvent')!, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(push) });
    expect(res.status).toBe(204);
    expect(recordedEvents()[before]).toEqual({
      function: 'recordEvent',
      id: '42',
      specversion: '1.0',
      type: 'google.cloud.pubsub.topic.v1.messagePublished',
      source: `//pubsub.googleapis.com/projects/${PROJECT}/topics/${TOPIC}`,
      time: '2026-01-02T03:04:05.678Z',
      datacontenttype: 'application/json',
      data: {
        message: {
          '@type': 'type.googleapis.com/google.pubsub.v1.PubsubMessage',
          data: push.message.data,
          attributes: { model: 'm' },
          messageId: '42',
          publishTime: '2026-01-02T03:04:05.678Z',
        },
      },
    });
  });

  it('leaves a push without data (attributes only) unconverted: the handler gets the raw body (a framework limitation)', async () => {
    const before = recordedEvents().length;
    const push = { subscription: `projects/${PROJECT}/subscriptions/direct`, message: { attributes: { only: 'attributes' }, messageId: '44' } };
    const res = await fetch(runtime.pushEndpointFor('recordEvent')!, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(push) });
    expect(res.status).toBe(204);
    expect(recordedEvents()[before]).toEqual({ ...push, function: 'recordEvent' });
  });

  it('answers 500 when the handler throws, so that Pub/Sub redelivers', async () => {
    const push = { subscription: `projects/${PROJECT}/subscriptions/direct`, message: { data: 'e30=', attributes: { fail: 'always' }, messageId: '43' } };
    const res = await fetch(runtime.pushEndpointFor('recordEvent')!, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(push) });
    expect(res.status).toBe(500);
    expect(res.headers.get('x-google-status')).toBe('error');
    // NODE_ENV=production, as deployed: the error's text stays in the log, not in the response.
    expect(await res.text()).toBe('Internal Server Error');
  });

  it('push endpoints exist only for served CloudEvent functions with a trigger topic', () => {
    expect(runtime.pushEndpointFor('echo')).toBeUndefined();
    expect(runtime.pushEndpointFor('notServed')).toBeUndefined();
    expect(runtime.pushEndpointFor('recordEvent')).toBe(`${runtime.urls.recordEvent}/projects/${PROJECT}/topics/${TOPIC}`);
  });

  const jar = findPubSubEmulatorJar();
  describe.skipIf(!jar)("through Google's Pub/Sub emulator", () => {
    let emulator: PubSubEmulator;
    let pubsub: PubSub;

    beforeAll(async () => {
      emulator = await startPubSubEmulator({ port: await freePort() });
      pubsub = pubSubClient({ projectId: PROJECT, env: { PUBSUB_EMULATOR_HOST: `127.0.0.1:${emulator.port}` } });
      await pubsub.createTopic(TOPIC);
      await pubsub.createTopic('fixture-dead-letter');
      await pubsub.topic('fixture-dead-letter').createSubscription('fixture-dead-letter-inspect');
      await pubsub.topic(TOPIC).createSubscription('fixture-events-push', {
        pushConfig: { pushEndpoint: runtime.pushEndpointFor('recordEvent')! },
        deadLetterPolicy: { deadLetterTopic: pubsub.topic('fixture-dead-letter').name, maxDeliveryAttempts: 5 },
      });
    }, 60_000);

    afterAll(async () => {
      await pubsub?.close();
      await emulator?.stop();
    });

    const deliveriesOf = (messageId: string) => recordedEvents().filter((e) => e.id === messageId);

    it('a published message reaches the handler as a messagePublished CloudEvent with base64 data', async () => {
      const messageId = await pubsub.topic(TOPIC).publishMessage({ json: { requestId: 'req-1' }, attributes: { model: 'flight-delay' } });
      const [event] = await eventually(() => deliveriesOf(messageId), (d) => d.length > 0, 15_000);
      expect(event).toMatchObject({
        id: messageId,
        type: 'google.cloud.pubsub.topic.v1.messagePublished',
        source: `//pubsub.googleapis.com/projects/${PROJECT}/topics/${TOPIC}`,
        data: { message: { messageId, attributes: { model: 'flight-delay' } } },
      });
      expect(JSON.parse(Buffer.from(event!.data.message.data, 'base64').toString('utf8'))).toEqual({ requestId: 'req-1' });
    });

    it('a handler that throws once gets the message again, and after the 2xx no more', async () => {
      const messageId = await pubsub.topic(TOPIC).publishMessage({ json: { requestId: 'req-2' }, attributes: { fail: 'once' } });
      await eventually(() => deliveriesOf(messageId), (d) => d.length >= 2, 15_000);
      // Acknowledged by the 204: the emulator redelivers unacknowledged pushes every second, so wait past that.
      await new Promise((r) => setTimeout(r, 2_500));
      expect(deliveriesOf(messageId)).toHaveLength(2);
    });

    it('a poison message ends in the dead-letter topic after maxDeliveryAttempts', async () => {
      const messageId = await pubsub.topic(TOPIC).publishMessage({ json: { requestId: 'req-3' }, attributes: { fail: 'always' } });
      const pullUrl = `http://127.0.0.1:${emulator.port}/v1/projects/${PROJECT}/subscriptions/fixture-dead-letter-inspect:pull`;
      const deadline = Date.now() + 25_000;
      let dead: { message: { data: string; attributes: Record<string, string> } } | undefined;
      while (!dead && Date.now() < deadline) {
        const res = await fetch(pullUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ maxMessages: 1, returnImmediately: true }) });
        dead = ((await res.json()) as { receivedMessages?: (typeof dead)[] }).receivedMessages?.[0];
        if (!dead) await new Promise((r) => setTimeout(r, 250));
      }
      expect(deliveriesOf(messageId)).toHaveLength(5);
      expect(dead?.message.attributes).toMatchObject({ fail: 'always', CloudPubSubDeadLetterSourceDeliveryCount: '5', CloudPubSubDeadLetterSourceSubscription: 'fixture-events-push' });
      expect(JSON.parse(Buffer.from(dead!.message.data, 'base64').toString('utf8'))).toEqual({ requestId: 'req-3' });
    }, 40_000);
  });

  it('stop ends every function process and its process group', async () => {
    const pids = runtime.functions.map((f) => f.pid);
    expect(pids.every(processAlive)).toBe(true);
    await runtime.stop();
    expect(pids.filter(processAlive)).toEqual([]);
    expect(pids.filter((pid) => processAlive(-pid))).toEqual([]);
    await expect(fetch(runtime.urls.echo!)).rejects.toThrow();
  });
});

describe('local functions runtime start failures', () => {
  it('names the function and quotes its output when the target does not load', async () => {
    const broken = await buildFixtureFunctions('broken');
    writeFileSync(join(broken.bundleDir, 'index.js'), 'throw new Error("module-level failure");\n');
    try {
      await expect(
        startFunctionsRuntime({ env: { GOOGLE_CLOUD_PROJECT: PROJECT }, functions: [FIXTURE_FUNCTIONS[0]!], bundleDir: broken.bundleDir, startTimeoutMs: 15_000 }),
      ).rejects.toThrow(/function echo exited[\s\S]*module-level failure/);
    } finally {
      broken.remove();
    }
  }, 30_000);
});
