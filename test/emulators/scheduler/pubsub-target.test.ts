// A job with a Pub/Sub target publishes through Google's Pub/Sub emulator (the emulator's env
// carries PUBSUB_EMULATOR_HOST), and the message arrives on a pull subscription.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Message, PubSub } from '@google-cloud/pubsub';
import { freePort } from '../../../emulators/kit/free-port.js';
import type { PubSubEmulator } from '../../../emulators/pubsub/emulator-process.js';
import { findPubSubEmulatorJar, startPubSubEmulator } from '../../../emulators/pubsub/emulator-process.js';
import { pubSubClient } from '../../../google-clients/pubsub.js';
import { PARENT, PROJECT, startTestScheduler, waitUntil, type TestScheduler } from './support.js';

const jar = findPubSubEmulatorJar();
if (!jar) console.warn("Scheduler Pub/Sub target test skipped: Google's Pub/Sub emulator is not installed on this machine");

describe.skipIf(!jar)('Cloud Scheduler emulator: Pub/Sub targets', () => {
  let pubsubEmulator: PubSubEmulator;
  let pubsub: PubSub;
  let scheduler: TestScheduler;

  beforeAll(async () => {
    pubsubEmulator = await startPubSubEmulator({ port: await freePort() });
    const env = { GOOGLE_CLOUD_PROJECT: PROJECT, PUBSUB_EMULATOR_HOST: `127.0.0.1:${pubsubEmulator.port}` };
    pubsub = pubSubClient({ projectId: PROJECT, env });
    const [topic] = await pubsub.createTopic('scheduled-ticks');
    await topic.createSubscription('scheduled-ticks-pull');
    scheduler = await startTestScheduler({ env });
  }, 60_000);
  afterAll(async () => {
    await scheduler?.close();
    await pubsub?.close();
    await pubsubEmulator?.stop();
  });

  it(':run publishes the job’s data and attributes to its topic', async () => {
    const [job] = await scheduler.client.createJob({
      parent: PARENT,
      job: {
        name: `${PARENT}/jobs/publishes`,
        schedule: '0 0 1 1 *',
        pubsubTarget: { topicName: `projects/${PROJECT}/topics/scheduled-ticks`, data: Buffer.from('{"model":"flight-delay"}'), attributes: { reason: 'schedule' } },
      },
    });
    const received = new Promise<Message>((resolve) => {
      const subscription = pubsub.subscription('scheduled-ticks-pull');
      subscription.on('message', (message: Message) => {
        message.ack();
        void subscription.close();
        resolve(message);
      });
    });
    await scheduler.client.runJob({ name: job.name! });
    const message = await received;
    expect(message.data.toString('utf8')).toBe('{"model":"flight-delay"}');
    expect(message.attributes).toEqual({ reason: 'schedule' });
    const done = await waitUntil(async () => (await scheduler.client.getJob({ name: job.name! }))[0], (j) => j.lastAttemptTime != null);
    expect(done.status?.code ?? 0).toBe(0);
  });

  it('records NOT_FOUND when the topic does not exist', async () => {
    const [job] = await scheduler.client.createJob({
      parent: PARENT,
      job: { name: `${PARENT}/jobs/no-topic`, schedule: '0 0 1 1 *', pubsubTarget: { topicName: `projects/${PROJECT}/topics/never-created`, data: Buffer.from('x') } },
    });
    await scheduler.client.runJob({ name: job.name! });
    const failed = await waitUntil(async () => (await scheduler.client.getJob({ name: job.name! }))[0], (j) => (j.status?.code ?? 0) !== 0, 10_000);
    expect(failed.status?.code).toBe(5);
  });
});
