// A Pub/Sub message as an event function receives it (the CloudEvent `messagePublished` data:
// `{message: {data: base64, attributes, messageId}, subscription}`), decoded and validated against
// the message's schema. A message that cannot be read is poison: it is never going to succeed.
import { z } from 'zod';

const PushData = z.object({
  message: z.object({
    data: z.string().optional(),
    attributes: z.record(z.string(), z.string()).optional(),
    messageId: z.string().optional(),
    message_id: z.string().optional(),
  }).loose(),
  subscription: z.string().optional(),
}).loose();

export type Decoded<T> =
  | { readonly ok: true; readonly value: T; readonly messageId: string; readonly raw: string; readonly attributes: Readonly<Record<string, string>> }
  | { readonly ok: false; readonly reason: string; readonly messageId: string; readonly raw: string; readonly attributes: Readonly<Record<string, string>> };

function describe(error: z.ZodError): string {
  const field = (path: readonly PropertyKey[]) => path.map(String).join('.') || '(message)';
  return error.issues
    // Each unknown field on its own (zod reports them together; joined, they read as one nested path).
    .flatMap((i) => (i.code === 'unrecognized_keys' ? i.keys.map((key) => `${field([...i.path, key])}: Unrecognized key: ${JSON.stringify(key)}`) : [`${field(i.path)}: ${i.message}`]))
    .join('; ');
}

export function decodePubSubEvent<S extends z.ZodType>(data: unknown, schema: S): Decoded<z.output<S>> {
  const push = PushData.safeParse(data);
  if (!push.success) return { ok: false, reason: `not a Pub/Sub push: ${describe(push.error)}`, messageId: '', raw: '', attributes: {} };
  const { message } = push.data;
  const messageId = message.messageId ?? message.message_id ?? '';
  const attributes = message.attributes ?? {};
  const raw = Buffer.from(message.data ?? '', 'base64').toString('utf8');
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return { ok: false, reason: 'data: is not JSON', messageId, raw, attributes };
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) return { ok: false, reason: describe(parsed.error), messageId, raw, attributes };
  return { ok: true, value: parsed.data, messageId, raw, attributes };
}
