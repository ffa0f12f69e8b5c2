// The shape every Pub/Sub-triggered function shares: decode the message against its schema (poison
// goes to the dead-letter topic with the reason), do the work, throw on transient failures so that
// Pub/Sub redelivers, record permanent ones, and log one line per invocation with its duration
// (function-seconds are summed from these lines).
import type { CloudEvent } from '@google-cloud/functions-framework';
import type { z } from 'zod';
import { deadLetter, settle } from '../control-plane/api/event-outcome.js';
import { decodePubSubEvent } from '../control-plane/api/pubsub-message.js';
import type { ControlPlaneContext } from '../control-plane/runtime/context.js';
import { controlPlaneFromEnvironment } from '../control-plane/runtime/instance.js';
import { log } from '../logging/log.js';

export interface PubSubFunction<S extends z.ZodType> {
  readonly name: string;
  /** What the message is, for the log line of a poison message. */
  readonly describes: string;
  readonly schema: S;
  work(ctx: ControlPlaneContext, message: z.output<S>, event: CloudEvent<unknown>): Promise<void>;
  /** Records a failure that a redelivery would not cure (the message is then acknowledged). */
  onPermanent(ctx: ControlPlaneContext, message: z.output<S>, err: unknown, delivered: { readonly raw: string; readonly attributes: Readonly<Record<string, string>> }): Promise<void>;
}

export function pubSubFunction<S extends z.ZodType>(fn: PubSubFunction<S>): (event: CloudEvent<unknown>) => Promise<void> {
  const handle = async (event: CloudEvent<unknown>) => {
    const ctx = controlPlaneFromEnvironment();
    const message = decodePubSubEvent(event.data, fn.schema);
    if (!message.ok) {
      log('ERROR', `${fn.name}: unreadable ${fn.describes}, dead-lettered`, { reason: message.reason, messageId: message.messageId });
      await deadLetter(ctx, fn.name, message.reason, message.raw, message.attributes);
      return;
    }
    const value = message.value;
    await settle(fn.name, () => fn.work(ctx, value, event), (err) => fn.onPermanent(ctx, value, err, message));
  };
  return async (event) => {
    const started = performance.now();
    try {
      await handle(event);
    } finally {
      log('INFO', `${fn.name} invocation`, { function: fn.name, eventId: event.id, durationMs: Math.round(performance.now() - started) });
    }
  };
}
