// How an event function ends: transient failures throw (the platform redelivers, with backoff, and
// dead-letters after the subscription's attempts); permanent failures and poison messages are
// logged, parked on the dead-letter topic with the reason, and acknowledged.
import { TOPICS } from '../config/topics.js';
import { isTransient } from '../errors.js';
import type { ControlPlaneContext } from '../runtime/context.js';
import { log } from '../../logging/log.js';

/** Parks a message that will never succeed on the dead-letter topic, with why. */
export async function deadLetter(ctx: ControlPlaneContext, fn: string, reason: string, raw: string, attributes: Readonly<Record<string, string>>): Promise<void> {
  const pubsub = await ctx.clients.pubsub();
  await pubsub.topic(TOPICS.deadLetter).publishMessage({
    data: Buffer.from(raw, 'utf8'),
    attributes: { ...attributes, function: fn, reason: reason.slice(0, 1000) },
  });
}

/**
 * Runs `work`: rethrows what may succeed on a redelivery, and for a permanent failure calls
 * `onPermanent` (record it) and returns normally, so the message is acknowledged.
 */
export async function settle(fn: string, work: () => Promise<void>, onPermanent: (err: unknown) => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (err) {
    if (isTransient(err)) {
      log('WARNING', `${fn}: transient failure, the message will be redelivered`, { error: String((err as Error)?.message ?? err) });
      throw err;
    }
    log('ERROR', `${fn}: permanent failure, recorded and acknowledged`, { error: String((err as Error)?.stack ?? err) });
    await onPermanent(err);
  }
}
