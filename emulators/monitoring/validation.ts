// Strict request validation with Google's wording: unknown JSON fields and query parameters are
// rejected by name, and type errors name the offending field in proto (snake_case) form.
import { z } from 'zod';
import { badRequest, type GoogleApiError, unknownFieldMessage } from '../kit/google-error.js';
import { enumName, type EnumDef } from './enums.js';
import { parseDouble, parseDuration, parseInt32, parseInt64, parseTimestamp } from './proto-json.js';

type Path = readonly PropertyKey[];

const MAP_FIELDS = new Set(['labels', 'userLabels', 'systemLabels']);

/** `['timeSeries', 0, 'metric', 'labels', 'k']` → `time_series[0].metric.labels[k]`. */
export function protoPath(path: Path): string {
  let out = '';
  path.forEach((part, i) => {
    const previous = path[i - 1];
    if (typeof part === 'number') out += `[${part}]`;
    else if (typeof previous === 'string' && MAP_FIELDS.has(previous)) out += `[${String(part)}]`;
    else out += `${out ? '.' : ''}${String(part).replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)}`;
  });
  return out;
}

/** Google's wording for a semantically invalid field. */
export function invalidField(path: string, reason: string, value?: unknown): GoogleApiError {
  const shown = value === undefined ? '' : ` of "${typeof value === 'string' ? value : JSON.stringify(value)}"`;
  return badRequest(`Field ${path} had an invalid value${shown}: ${reason}`, { location: path });
}

interface TypeParams {
  googleType: string;
}

const GOOGLE_TYPE_BY_ZOD: Record<string, string> = {
  string: 'TYPE_STRING',
  boolean: 'TYPE_BOOL',
  object: 'a JSON object',
  array: 'a JSON array',
  record: 'a JSON object',
};

function describeIssue(issue: z.core.$ZodIssue, prefix: Path): string {
  const full = [...prefix, ...issue.path];
  const at = protoPath(full);
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((k) => unknownFieldMessage(k, at)).join('\n');
  }
  const received = issue.input === undefined ? '' : `, ${JSON.stringify(issue.input, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))}`;
  if (issue.code === 'custom') {
    const params = issue.params as Partial<TypeParams> | undefined;
    if (params?.googleType) return `Invalid value at '${at}' (${params.googleType})${received}`;
    return `Invalid value at '${at}': ${issue.message}`;
  }
  if (issue.code === 'invalid_type') {
    if (!at) return 'Invalid JSON payload received. Root element must be a message.';
    return `Invalid value at '${at}' (${GOOGLE_TYPE_BY_ZOD[issue.expected] ?? issue.expected})${received}`;
  }
  return `Invalid value at '${at}': ${issue.message}`;
}

/** Validates a JSON body; `prefix` is where the body sits in the request message (e.g. `metricDescriptor`). */
export function parseBody<S extends z.ZodType>(schema: S, body: unknown, prefix: Path = []): z.output<S> {
  const result = schema.safeParse(body, { reportInput: true });
  if (result.success) return result.data;
  const first = result.error.issues[0]!;
  throw badRequest(describeIssue(first, prefix), { location: protoPath([...prefix, ...first.path]) || undefined });
}

// ---- scalar schemas (proto3 JSON mapping) -------------------------------------------------------

function scalar<T>(googleType: string, parse: (raw: unknown) => T | undefined) {
  return z.unknown().transform((raw, ctx): T => {
    const value = parse(raw);
    if (value === undefined) {
      ctx.addIssue({ code: 'custom', message: googleType, params: { googleType } satisfies TypeParams });
      return z.NEVER;
    }
    return value;
  });
}

/** proto3 JSON treats `null` as "field not set". */
export function optional<S extends z.ZodType>(schema: S) {
  return schema.nullish().transform((v): z.output<S> | undefined => v ?? undefined);
}

export const str = z.string();
export const bool = z.boolean();
export const int64 = scalar('TYPE_INT64', parseInt64);
export const int32 = scalar('TYPE_INT32', parseInt32);
export const double = scalar('TYPE_DOUBLE', parseDouble);
export const timestamp = scalar('type.googleapis.com/google.protobuf.Timestamp', (raw) => (typeof raw === 'string' ? parseTimestamp(raw) : undefined));
export const duration = scalar('type.googleapis.com/google.protobuf.Duration', (raw) => (typeof raw === 'string' ? parseDuration(raw) : undefined));
export const stringMap = z.record(z.string(), z.string());
/** google.protobuf.Struct and Any are opaque here: any JSON object. */
export const opaqueObject = z.record(z.string(), z.unknown());

export function enumOf<N extends string>(def: EnumDef<N>) {
  return scalar(`type.googleapis.com/${def.fullName}`, (raw) => enumName(def, raw));
}

// ---- query parameters ---------------------------------------------------------------------------

/** Standard system parameters every Google API accepts (and this emulator ignores). */
const SYSTEM_PARAMETERS = new Set([
  '$alt', 'alt', 'key', '$key', 'prettyPrint', '$prettyPrint', 'fields', '$fields', 'quotaUser', '$quotaUser',
  'access_token', 'oauth_token', 'callback', '$callback', 'upload_protocol', 'uploadType', 'userIp', 'trace',
  '$.xgafv', 'xgafv', 'pp', 'requestReason', '$outputDefaults',
]);

const snakeToCamel = (s: string) => s.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());

/**
 * Binds query parameters to request fields (JSON or proto names, nested with dots), rejecting
 * unknown names and repeated values for singular fields the way Google's REST frontend does.
 */
export function bindQuery(query: URLSearchParams, fields: { singular: readonly string[]; repeated?: readonly string[] }): Map<string, string[]> {
  const repeated = new Set(fields.repeated ?? []);
  const known = new Set([...fields.singular, ...repeated]);
  const bound = new Map<string, string[]>();
  for (const [rawName, value] of query) {
    if (SYSTEM_PARAMETERS.has(rawName)) continue;
    const name = rawName.split('.').map(snakeToCamel).join('.');
    if (!known.has(name)) {
      throw badRequest(`Invalid JSON payload received. Unknown name "${rawName}": Cannot bind query parameter. Field '${rawName}' could not be found in request message.`, { location: rawName });
    }
    const values = bound.get(name) ?? [];
    if (values.length > 0 && !repeated.has(name)) {
      throw badRequest(`Invalid JSON payload received. Unknown name "${rawName}": Cannot bind query parameter. '${rawName}' is a singular field and was given more than one value.`, { location: rawName });
    }
    values.push(value);
    bound.set(name, values);
  }
  return bound;
}

/** Reads one bound query parameter through a scalar parser, with Google's message on failure. */
export function queryValue<T>(bound: Map<string, string[]>, name: string, googleType: string, parse: (raw: string) => T | undefined): T | undefined {
  const raw = bound.get(name)?.[0];
  if (raw === undefined) return undefined;
  const value = parse(raw);
  if (value === undefined) {
    throw badRequest(`Invalid value at '${protoPath(name.split('.'))}' (${googleType}), "${raw}"`, { location: name });
  }
  return value;
}
