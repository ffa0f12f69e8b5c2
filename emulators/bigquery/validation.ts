// Request bodies are parsed strictly, and rejected the way Google's front end rejects them:
// `Invalid JSON payload received. Unknown name "x" at 'job.configuration': Cannot find field.`
import type { z } from 'zod';
import { GoogleApiError, unknownFieldMessage } from '../kit/google-error.js';
import { MAX_JSON_DEPTH } from '../kit/json-body.js';
import { nestsDeeperThan } from './json-depth.js';

/** A JSON field name as Google's errors spell it: maxResults → max_results. */
export const protoFieldName = (s: string) => s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

function fieldPath(root: string, path: readonly PropertyKey[]): string {
  let out = root;
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : `${out ? '.' : ''}${protoFieldName(String(p))}`;
  return out;
}

/** Parse `body` with a strict schema; `root` names the message in errors ('job', 'table', ...). */
export function parseBody<T>(schema: z.ZodType<T>, body: unknown, root: string): T {
  // The kit's nesting limit again, on the parsed body: zod and the metadata writes recurse, and
  // a handler must hold even when called without the kit (tests, other front ends).
  if (nestsDeeperThan(body, MAX_JSON_DEPTH)) {
    throw new GoogleApiError(400, `Invalid JSON payload received. Message too deep: objects and arrays may be nested at most ${MAX_JSON_DEPTH} levels.`, { reason: 'invalid' });
  }
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const issues = result.error.issues;
  // BigQuery's own rules checked inside a schema (e.g. RECORD depth) keep BigQuery's message.
  const own = issues.find((i) => i.code === 'custom' && (i.params as { bigQueryMessage?: boolean } | undefined)?.bigQueryMessage);
  if (own) throw new GoogleApiError(400, own.message, { reason: 'invalid' });
  const unknown = issues.find((i) => i.code === 'unrecognized_keys');
  if (unknown && unknown.code === 'unrecognized_keys') {
    const at = fieldPath(root, unknown.path);
    const name = unknown.keys[0] ?? '';
    throw new GoogleApiError(400, unknownFieldMessage(name, at), { reason: 'invalid', location: name });
  }
  const issue = issues[0]!;
  const at = fieldPath(root, issue.path);
  throw new GoogleApiError(400, `Invalid value at '${at}': ${issue.message}`, { reason: 'invalid', location: at });
}
