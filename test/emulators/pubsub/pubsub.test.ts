// Google's own Pub/Sub emulator, started by our launcher code and driven by the official client.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PubSub } from '@google-cloud/pubsub';
import { applyPubSubTopology } from '../../../emulators/pubsub/apply-topology.js';
import type { PubSubEmulator } from '../../../emulators/pubsub/emulator-process.js';
import { findPubSubEmulatorJar, startPubSubEmulator } from '../../../emulators/pubsub/emulator-process.js';
import { freePort } from '../../../emulators/kit/free-port.js';
import { pubSubClient } from '../../../google-clients/index.js';
import { PUBSUB_TOPOLOGY } from '../../../infra/pubsub-topology.js';

const jar = findPubSubEmulatorJar();
if (!jar) console.warn("Pub/Sub tests skipped: Google's Pub/Sub emulator is not installed on this machine");

describe.skipIf(!jar)("Google's Pub/Sub emulator with the declared topology", () => {
  let emulator: PubSubEmulator;
  let pubsub: PubSub;
  const pushed: unknown[] = [];
  const pushServer = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      pushed.push({ path: req.url, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown });
      res.writeHead(204).end();
    });
  });

  beforeAll(async () => {
    await new Promise<void>((r) => pushServer.listen(0, '127.0.0.1', () => r()));
    const pushPort = (pushServer.address() as AddressInfo).port;
    emulator = await startPubSubEmulator({ port: await freePort() });
    pubsub = pubSubClient({ projectId: 'local-project', env: { PUBSUB_EMULATOR_HOST: `127.0.0.1:${emulator.port}` } });
    await applyPubSubTopology(pubsub, PUBSUB_TOPOLOGY, {
      pushEndpointFor: (fn) => (fn === 'onPipelineRunEvent' ? `http://127.0.0.1:${pushPort}/projects/local-project/topics/pipeline-run-events` : undefined),
    });
  }, 60_000);

  afterAll(async () => {
    await pubsub?.close();
    await emulator?.stop();
    pushServer.close();
  });

  it('creates every declared topic and subscription, idempotently', async () => {
    await applyPubSubTopology(pubsub, PUBSUB_TOPOLOGY);
    const [topics] = await pubsub.getTopics();
    const names = topics.map((t) => t.name.split('/').pop()).sort();
    expect(names).toEqual(PUBSUB_TOPOLOGY.map((t) => t.name).sort());
    const [subs] = await pubsub.getSubscriptions();
    expect(subs.map((s) => s.name.split('/').pop()).sort()).toEqual(PUBSUB_TOPOLOGY.flatMap((t) => t.subscriptions.map((s) => s.name)).sort());
  });

  it('delivers a published message to a pull subscription', async () => {
    const id = await pubsub.topic('deployment-events').publishMessage({ json: { step: 'canary', percent: 10 }, attributes: { model: 'm1' } });
    const received = await new Promise<{ id: string; data: unknown; attributes: Record<string, string> }>((resolve) => {
      const sub = pubsub.subscription('deployment-events-audit');
      sub.on('message', (m: { id: string; data: Buffer; attributes: Record<string, string>; ack(): void }) => {
        m.ack();
        void sub.close();
        resolve({ id: m.id, data: JSON.parse(m.data.toString('utf8')) as unknown, attributes: m.attributes });
      });
    });
    expect(received).toEqual({ id, data: { step: 'canary', percent: 10 }, attributes: { model: 'm1' } });
  });

  it('pushes to a local HTTP endpoint with the classic push body, topic in the path', async () => {
    await pubsub.topic('pipeline-run-events').publishMessage({ json: { state: 'PIPELINE_STATE_SUCCEEDED' } });
    const deadline = Date.now() + 15_000;
    while (pushed.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(pushed).toHaveLength(1);
    const first = pushed[0] as { path: string; body: { subscription: string; message: { data: string; messageId: string } } };
    expect(first.path).toBe('/projects/local-project/topics/pipeline-run-events');
    expect(first.body.subscription).toBe('projects/local-project/subscriptions/pipeline-run-events-release');
    expect(JSON.parse(Buffer.from(first.body.message.data, 'base64').toString('utf8'))).toEqual({ state: 'PIPELINE_STATE_SUCCEEDED' });
    expect(first.body.message.messageId).toMatch(/^\d+$/);
  });
});
