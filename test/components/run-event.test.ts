// publish_run_event, the training pipeline's exit task: the message it publishes (against a stand-in
// for PUBSUB_EMULATOR_HOST that records requests and can fail on demand, and against Google's own
// Pub/Sub emulator when it is installed), its retries, and what it refuses.
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { findPubSubEmulatorJar, startPubSubEmulator } from '../../emulators/pubsub/emulator-process.js';
import type { PubSubEmulator } from '../../emulators/pubsub/emulator-process.js';
import { freePort } from '../../emulators/kit/free-port.js';
import type { Message } from '@google-cloud/pubsub';
import { pubSubClient } from '../../google-clients/index.js';
import type { RunResult } from './support.js';
import { makeWorkDir, pythonStack, readText, runComponent } from './support.js';

const TOPIC = 'projects/local-project/topics/pipeline-run-events';
const JOB = 'projects/local-project/locations/us-central1/pipelineJobs/training-r-42';

const succeeded = { state: 'SUCCEEDED', error: {}, pipelineJobResourceName: JOB, pipelineTaskName: 'exit-handler-1' };

interface Recorded {
  readonly method: string;
  readonly url: string;
  readonly authorization: string | undefined;
  readonly body: { messages: { data: string; attributes?: Record<string, string> }[] };
}

/** Answers publishes like Pub/Sub's REST API, after `failures` error answers. */
class FakePubSub {
  readonly requests: Recorded[] = [];
  failures: { status: number; message: string }[] = [];
  /** Message ids answered, in order. */
  readonly issued: string[] = [];
  private server: Server | undefined;

  async start(): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    return `127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let text = '';
    for await (const chunk of req) text += String(chunk);
    this.requests.push({ method: req.method ?? '', url: req.url ?? '', authorization: req.headers.authorization, body: JSON.parse(text) as Recorded['body'] });
    const failure = this.failures.shift();
    res.writeHead(failure?.status ?? 200, { 'content-type': 'application/json' });
    if (failure) {
      res.end(JSON.stringify({ error: { code: failure.status, message: failure.message, status: failure.status === 404 ? 'NOT_FOUND' : 'UNAVAILABLE' } }));
      return;
    }
    this.issued.push(String(this.issued.length + 1));
    res.end(JSON.stringify({ messageIds: [this.issued.at(-1)] }));
  }
}

const decode = (data: string): unknown => JSON.parse(Buffer.from(data, 'base64').toString('utf8'));

const stack = pythonStack('run event', 'json');

describe.skipIf(!stack.ok)('publish_run_event', () => {
  const work = makeWorkDir('run-event');
  const pubsub = new FakePubSub();
  let host = '';
  let runs = 0;

  beforeAll(async () => {
    host = await pubsub.start();
  });
  afterAll(async () => {
    await pubsub.stop();
    work.cleanup();
  });
  beforeEach(() => {
    pubsub.requests.length = 0;
    pubsub.failures = [];
  });

  async function publish(status: object, flags: Record<string, string>, env: Record<string, string> = { PUBSUB_EMULATOR_HOST: host }): Promise<RunResult & { messageId: () => string }> {
    const out = join(work.dir, String((runs += 1)), 'message_id');
    const args = ['--status', JSON.stringify(status), ...Object.entries(flags).flatMap(([k, v]) => [`--${k}`, v]), '--message-id', out];
    const result = await runComponent('publish_run_event', args, { env });
    return { ...result, messageId: () => readText(out) };
  }

  it('publishes {pipelineJob, state, model, requestId} with the attributes, to the emulator without credentials', async () => {
    const result = await publish(succeeded, { 'events-topic': TOPIC, 'model-name': 'flight-delay', 'request-id': 'r-42' });
    expect(result.code, result.stderr).toBe(0);
    expect(result.messageId()).toBe(pubsub.issued.at(-1));
    expect(pubsub.requests).toHaveLength(1);
    const [request] = pubsub.requests;
    expect(request).toMatchObject({ method: 'POST', url: `/v1/${TOPIC}:publish`, authorization: undefined });
    expect(request!.body.messages).toHaveLength(1);
    const [message] = request!.body.messages;
    expect(decode(message!.data)).toEqual({ pipelineJob: JOB, state: 'SUCCEEDED', model: 'flight-delay', requestId: 'r-42' });
    expect(message!.attributes).toEqual({ model: 'flight-delay', requestId: 'r-42', state: 'SUCCEEDED' });
    expect(result.logs.find((l) => l.message === 'run event published')).toMatchObject({ topic: TOPIC, message_id: pubsub.issued.at(-1), state: 'SUCCEEDED' });
  }, 30_000);

  it("reports a failed body's state, reads KFP's older snake_case status, and leaves empty attributes out", async () => {
    const failed = { state: 'FAILED', error: { code: 9, message: 'The DAG failed because some tasks failed.' }, pipeline_job_resource_name: JOB, pipeline_task_name: 'exit-handler-1' };
    const result = await publish(failed, { 'events-topic': TOPIC, 'model-name': 'flight-delay', 'request-id': '' });
    expect(result.code, result.stderr).toBe(0);
    const [message] = pubsub.requests[0]!.body.messages;
    expect(decode(message!.data)).toEqual({ pipelineJob: JOB, state: 'FAILED', model: 'flight-delay', requestId: '' });
    expect(message!.attributes).toEqual({ model: 'flight-delay', state: 'FAILED' });
    expect(result.logs.find((l) => l.message === 'the pipeline ended with an error')).toMatchObject({ error_code: 9 });
  }, 30_000);

  it('retries throttling and unavailability, then succeeds', async () => {
    pubsub.failures = [{ status: 429, message: 'Too many requests' }, { status: 503, message: 'The service is unavailable' }];
    const result = await publish(succeeded, { 'events-topic': TOPIC, 'model-name': 'm', 'request-id': 'r' });
    expect(result.code, result.stderr).toBe(0);
    expect(pubsub.requests).toHaveLength(3);
    expect(result.logs.filter((l) => l.message === 'retrying a Google API call').map((l) => l.status)).toEqual([429, 503]);
    expect(result.messageId()).toBe(pubsub.issued.at(-1));
  }, 30_000);

  it("fails the task at once on a permanent error, with Pub/Sub's message", async () => {
    pubsub.failures = [{ status: 404, message: 'Topic not found' }];
    const result = await publish(succeeded, { 'events-topic': TOPIC, 'model-name': 'm', 'request-id': 'r' });
    expect(result.code).toBe(1);
    expect(pubsub.requests).toHaveLength(1);
    expect(result.logs.at(-1)).toMatchObject({ severity: 'ERROR', message: 'publish_run_event failed: HTTP 404: Topic not found' });
  }, 30_000);

  it('publishes nothing without a topic', async () => {
    const result = await publish(succeeded, { 'events-topic': '', 'model-name': 'm', 'request-id': 'r' });
    expect(result.code, result.stderr).toBe(0);
    expect(result.messageId()).toBe('');
    expect(pubsub.requests).toHaveLength(0);
  }, 30_000);

  it('refuses a topic that is not a topic name, and a status without a state', async () => {
    const badTopic = await publish(succeeded, { 'events-topic': 'pipeline-run-events' });
    expect(badTopic.code).toBe(2);
    expect(badTopic.stderr).toMatch(/--events-topic: events_topic: 'pipeline-run-events' is not a topic name of the form projects\/\{project\}\/topics\/\{topic\}/);
    const noState = await publish({ pipelineJobResourceName: JOB }, { 'events-topic': TOPIC });
    expect(noState.code).toBe(1);
    expect(noState.logs.at(-1)?.message).toMatch(/the task final status has no state/);
    expect(pubsub.requests).toHaveLength(0);
  }, 30_000);
});

const jar = findPubSubEmulatorJar();
if (!jar) console.warn("[run event] Google's Pub/Sub emulator is not installed: the test against it is skipped");

describe.skipIf(!stack.ok || !jar)("publish_run_event against Google's Pub/Sub emulator", () => {
  let emulator: PubSubEmulator;
  const work = makeWorkDir('run-event-emulator');

  beforeAll(async () => {
    emulator = await startPubSubEmulator({ port: await freePort() });
  }, 60_000);
  afterAll(async () => {
    await emulator?.stop();
    work.cleanup();
  });

  it('the message arrives on a subscription with its data and attributes', async () => {
    const pubsub = pubSubClient({ projectId: 'local-project', env: { PUBSUB_EMULATOR_HOST: `${emulator.host}:${emulator.port}` } });
    try {
      const [topic] = await pubsub.createTopic('pipeline-run-events');
      const [subscription] = await topic.createSubscription('run-events-check');
      const received = new Promise<Message>((resolve) => {
        subscription.on('message', (message: Message) => {
          message.ack();
          void subscription.close();
          resolve(message);
        });
      });
      const out = join(work.dir, 'message_id');
      const result = await runComponent('publish_run_event', [
        '--status', JSON.stringify(succeeded), '--events-topic', TOPIC, '--model-name', 'flight-delay', '--request-id', 'r-42', '--message-id', out,
      ], { env: { PUBSUB_EMULATOR_HOST: `${emulator.host}:${emulator.port}` } });
      expect(result.code, result.stderr).toBe(0);
      const message = await received;
      expect(message.id).toBe(readText(out));
      expect(JSON.parse(message.data.toString('utf8'))).toEqual({ pipelineJob: JOB, state: 'SUCCEEDED', model: 'flight-delay', requestId: 'r-42' });
      expect(message.attributes).toEqual({ model: 'flight-delay', requestId: 'r-42', state: 'SUCCEEDED' });
    } finally {
      await pubsub.close();
    }
  }, 60_000);
});
