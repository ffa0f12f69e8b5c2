// The `updateMask` of alertPolicies.patch and notificationChannels.patch (a FieldMask: comma-separated
// paths, in JSON or proto spelling). With a mask, only the named fields change: each is copied from
// the request, or cleared when the request leaves it out. Without one, the request replaces the
// resource (output-only fields aside).
import { invalidField } from '../validation.js';

type Json = Record<string, unknown>;

const snakeToCamel = (s: string) => s.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
const camelToSnake = (s: string) => s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** The mask's paths in JSON spelling, each one of `allowed`. */
export function parseUpdateMask(raw: string | undefined, allowed: readonly string[]): string[] {
  if (raw === undefined || raw.trim() === '') return [];
  const paths = raw.split(',').map((p) => p.trim().split('.').map(snakeToCamel).join('.'));
  for (const path of paths) {
    if (!allowed.includes(path)) {
      throw invalidField('update_mask', `The field mask path "${camelToSnake(path)}" is not a field that can be updated; updatable fields: ${allowed.map(camelToSnake).join(', ')}.`, raw);
    }
  }
  return paths;
}

/** `current` with each masked path taken from `request` (or removed where the request has none). */
export function applyMask(current: Json, request: Json, paths: readonly string[]): Json {
  const merged = structuredClone(current);
  for (const path of paths) {
    const parts = path.split('.');
    const value = read(request, parts);
    write(merged, parts, value === undefined ? undefined : structuredClone(value));
  }
  return merged;
}

function read(obj: Json, parts: readonly string[]): unknown {
  let at: unknown = obj;
  for (const p of parts) {
    if (!at || typeof at !== 'object' || Array.isArray(at)) return undefined;
    at = (at as Json)[p];
  }
  return at ?? undefined;
}

function write(obj: Json, parts: readonly string[], value: unknown): void {
  let at = obj;
  for (const p of parts.slice(0, -1)) {
    const next = at[p];
    if (!next || typeof next !== 'object' || Array.isArray(next)) {
      if (value === undefined) return;
      at[p] = {};
    }
    at = at[p] as Json;
  }
  const last = parts[parts.length - 1]!;
  if (value === undefined) delete at[last];
  else at[last] = value;
}
