// How an event function ends: transient failures throw (the platform redelivers, with backoff, and
// dead-letters after the subscription's attempts); permanent failures are logged, recorded on their
// run where there is one (FAILED, with the error), and acknowledged; unreadable (poison) messages
// are parked on the dead-letter topic with the reason, and acknowledged.
import { TOPICS } from '../config/topics.js';
import { isTransient } from '../errors.js';
import type { ControlPlaneContext } from '../runtime/context.js';
import { log } from '../../logging/log.js';

/** Pub/Sub's limits on a message's attributes: the parked copy must be publishable whatever arrived. */
const MAX_ATTRIBUTES = 100;
const MAX_VALUE_BYTES = 1024;

/** `text` cut to at most `maxBytes` of UTF-8, at a character boundary. */
function utf8Prefix(text: string, maxBytes: number): string {
  let bytes = 0;
  let end = 0;
  for (const char of text) {
    bytes += Buffer.byteLength(char);
    if (bytes > maxBytes) break;
    end += char.length;
  }
  return text.slice(0, end);
}

/** Parks a message that will never succeed on the dead-letter topic, with why. */
export async function deadLetter(ctx: ControlPlaneContext, fn: string, reason: string, raw: string, attributes: Readonly<Record<string, string>>): Promise<void> {
  const pubsub = await ctx.clients.pubsub();
  // Room for `function` and `reason`: a message already at the limit keeps its first 98 attributes.
  const kept = Object.entries(attributes).filter(([key]) => key !== 'function' && key !== 'reason').slice(0, MAX_ATTRIBUTES - 2);
  await pubsub.topic(TOPICS.deadLetter).publishMessage({
    data: Buffer.from(raw, 'utf8'),
    attributes: { ...Object.fromEntries(kept), function: fn, reason: utf8Prefix(reason, MAX_VALUE_BYTES) },
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
