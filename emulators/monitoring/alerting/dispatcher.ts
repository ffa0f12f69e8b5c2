// Sends queued notifications: pubsub channels publish the notification JSON through the local
// Pub/Sub emulator with Google's client; its host is learnt late (the launcher starts Pub/Sub after
// Monitoring), so it is read each time from a function or a setter. While no host is known, or
// when a publish fails for a reason that may pass, the delivery stays pending and is tried again on
// later passes; a missing topic, or too many attempts, fail it for good. Nothing here throws.
import type { PubSub } from '@google-cloud/pubsub';
import { pubSubClient } from '../../../google-clients/pubsub.js';
import { emulatorLog } from '../../kit/log.js';
import { formatTimestamp } from '../proto-json.js';
import type { Delivery } from './model.js';

/** The Pub/Sub emulator's `host:port`, or a function that knows it once Pub/Sub has started. */
export type PubSubHostSource = string | (() => string | undefined);

const PUBLISH_TIMEOUT_MS = 5_000;
const MAX_ATTEMPTS = 5;
/** google.rpc.Code NOT_FOUND: the channel's topic does not exist. */
const NOT_FOUND = 5;

export class Dispatcher {
  private client: { host: string; pubsub: PubSub } | undefined;
  private warnedNoHost = false;
  private running: Promise<unknown> = Promise.resolve();

  constructor(
    private host: PubSubHostSource | undefined,
    private readonly now: () => number,
  ) {}

  setHost(host: PubSubHostSource | undefined): void {
    this.host = host;
  }

  currentHost(): string | undefined {
    return typeof this.host === 'function' ? this.host() : this.host;
  }

  /**
   * Attempts every pending Pub/Sub delivery in `pending`, one dispatch at a time, and returns the
   * updated records (the caller commits them).
   */
  send(pending: readonly Delivery[]): Promise<Delivery[]> {
    const run = this.running.then(() => this.sendAll(pending));
    this.running = run.catch(() => undefined);
    return run;
  }

  async close(): Promise<void> {
    await this.running;
    const client = this.client;
    this.client = undefined;
    await client?.pubsub.close().catch(() => undefined);
  }

  private async sendAll(pending: readonly Delivery[]): Promise<Delivery[]> {
    const todo = pending.filter((d) => d.status === 'pending' && d.channelType === 'pubsub');
    if (todo.length === 0) return [];
    const pubsub = await this.pubsub();
    if (!pubsub) {
      if (!this.warnedNoHost) {
        emulatorLog('WARNING', 'monitoring alerting: no Pub/Sub emulator host known; notifications stay queued', { pending: todo.length });
        this.warnedNoHost = true;
      }
      return todo.filter((d) => d.error === undefined).map((d) => ({ ...d, error: 'No Pub/Sub emulator host is known yet; the notification is queued.' }));
    }
    this.warnedNoHost = false;
    const updated: Delivery[] = [];
    for (const d of todo) updated.push(await this.publish(pubsub, d));
    return updated;
  }

  private async publish(pubsub: PubSub, d: Delivery): Promise<Delivery> {
    const attempt = { attempts: d.attempts + 1, lastAttemptTime: formatTimestamp(BigInt(this.now()) * 1_000_000n) };
    try {
      const topic = pubsub.topic(d.destination, { gaxOpts: { timeout: PUBLISH_TIMEOUT_MS, maxRetries: 1 }, batching: { maxMessages: 1 } });
      const messageId = await withTimeout(topic.publishMessage({ data: Buffer.from(JSON.stringify(d.payload), 'utf8') }), PUBLISH_TIMEOUT_MS * 2);
      const delivered: Delivery = { ...d, ...attempt, status: 'delivered', messageId };
      delete delivered.error;
      return delivered;
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      const message = err instanceof Error ? err.message : String(err);
      const final = code === NOT_FOUND || attempt.attempts >= MAX_ATTEMPTS;
      emulatorLog('WARNING', 'monitoring alerting: publishing a notification failed', { channel: d.channel, topic: d.destination, incident: d.incidentId, error: message, final });
      return { ...d, ...attempt, status: final ? 'failed' : 'pending', error: message };
    }
  }

  private async pubsub(): Promise<PubSub | undefined> {
    const host = this.currentHost();
    if (!host) return undefined;
    if (this.client?.host !== host) {
      const old = this.client;
      this.client = { host, pubsub: pubSubClient({ projectId: 'monitoring-notifications', env: { PUBSUB_EMULATOR_HOST: host } }) };
      await old?.pubsub.close().catch(() => undefined);
    }
    return this.client.pubsub;
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`publishing took longer than ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
