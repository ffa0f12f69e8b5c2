// REST clients speak proto3 JSON: Struct/Value as plain JSON, Duration as "30s", Timestamp as RFC 3339,
// FieldMask as "a,b", int64 as strings, enums as names or (the Node REST fallback) numbers.
// `toProtoObject` turns that into the protobufjs object form `validateRequest` checks, keeping
// unknown keys so they are reported; `toCanonicalJson` gives the form this emulator stores and
// answers with: enum names, int64 as decimal strings, nulls and empty lists/maps dropped.
import type { FieldInfo, MessageInfo, ProtoRegistry } from '../../../vertex/validation/proto-registry.js';
import { getProtoRegistry } from '../../../vertex/validation/proto-registry.js';
import { snakeToCamel, camelToSnake } from '../../../common/suggest.js';
import { resolveMessageType } from '../../../vertex/validation/proto-validator.js';

export type JsonObject = Record<string, unknown>;

export interface WireIssue {
  readonly path: string;
  readonly message: string;
}

type Mode = 'proto-object' | 'canonical';

interface Walk {
  readonly registry: ProtoRegistry;
  readonly mode: Mode;
  readonly issues: WireIssue[];
}

export function isPlainObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The wire JSON of a `typeName` message in the object form protobufjs (and the validator) expect. */
export function toProtoObject(typeName: string, wire: unknown): { value: unknown; issues: WireIssue[] } {
  const walk: Walk = { registry: getProtoRegistry(), mode: 'proto-object', issues: [] };
  return { value: convertMessage(walk, resolveMessageType(typeName), wire, ''), issues: walk.issues };
}

/** Already validated wire JSON in canonical form (enum names, int64 strings, no nulls or empty lists). */
export function toCanonicalJson(typeName: string, wire: unknown): JsonObject {
  const walk: Walk = { registry: getProtoRegistry(), mode: 'canonical', issues: [] };
  const value = convertMessage(walk, resolveMessageType(typeName), wire, '');
  return isPlainObject(value) ? value : {};
}

const WRAPPERS: ReadonlyMap<string, string> = new Map([
  ['google.protobuf.DoubleValue', 'double'],
  ['google.protobuf.FloatValue', 'float'],
  ['google.protobuf.Int64Value', 'int64'],
  ['google.protobuf.UInt64Value', 'uint64'],
  ['google.protobuf.Int32Value', 'int32'],
  ['google.protobuf.UInt32Value', 'uint32'],
  ['google.protobuf.BoolValue', 'bool'],
  ['google.protobuf.StringValue', 'string'],
  ['google.protobuf.BytesValue', 'bytes'],
]);

const join = (base: string, key: string) => (base === '' ? key : `${base}.${key}`);

function convertMessage(walk: Walk, message: MessageInfo, value: unknown, path: string): unknown {
  const special = convertWellKnown(walk, message.fullName, value, path);
  if (special.handled) return special.value;
  if (!isPlainObject(value)) return value; // the validator reports the wrong type
  const out: JsonObject = {};
  for (const [key, fieldValue] of Object.entries(value)) {
    const field = message.fieldsByName.get(key) ?? message.fieldsByName.get(snakeToCamel(key));
    if (field === undefined) {
      if (walk.mode === 'proto-object') out[key] = fieldValue;
      continue;
    }
    if (fieldValue === null || fieldValue === undefined) continue;
    if (walk.mode === 'proto-object' && field.behaviors.has('OUTPUT_ONLY') && isDefaultFor(walk, message, field, fieldValue)) continue;
    const converted = convertField(walk, message, field, fieldValue, join(path, field.name));
    if (converted === undefined) continue;
    out[field.name] = converted;
  }
  return out;
}

function convertField(walk: Walk, owner: MessageInfo, field: FieldInfo, value: unknown, path: string): unknown {
  if (field.mapKeyType !== undefined) {
    if (!isPlainObject(value)) return value;
    const entries = Object.entries(value);
    if (entries.length === 0) return undefined;
    return Object.fromEntries(entries.map(([k, v]) => [k, convertSingle(walk, owner, field, v, `${path}[${JSON.stringify(k)}]`)]));
  }
  if (field.repeated) {
    if (!Array.isArray(value)) return value;
    if (value.length === 0) return undefined;
    return value.map((v: unknown, i) => convertSingle(walk, owner, field, v, `${path}[${i}]`));
  }
  // Default scalars are kept as sent: `optional` fields (e.g. defaultValue: 0) carry presence.
  return convertSingle(walk, owner, field, value, path);
}

function convertSingle(walk: Walk, owner: MessageInfo, field: FieldInfo, value: unknown, path: string): unknown {
  const type = walk.registry.resolveField(owner, field);
  if (type.kind === 'scalar') return convertScalar(walk, type.name, value);
  if (type.kind === 'enum') {
    if (walk.mode === 'canonical' && typeof value === 'number') {
      for (const [name, number] of type.values) if (number === value) return name;
    }
    return value;
  }
  return convertMessage(walk, type, value, path);
}

const INT32_TYPES = new Set(['int32', 'uint32', 'sint32', 'fixed32', 'sfixed32']);
const INT64_TYPES = new Set(['int64', 'uint64', 'sint64', 'fixed64', 'sfixed64']);

function convertScalar(walk: Walk, type: string, value: unknown): unknown {
  if (INT32_TYPES.has(type) && typeof value === 'string' && /^-?\d+$/.test(value)) return Number(value);
  if ((type === 'double' || type === 'float') && typeof value === 'string') {
    if (value === 'NaN') return walk.mode === 'canonical' ? value : Number.NaN;
    if (value === 'Infinity' || value === '-Infinity') return walk.mode === 'canonical' ? value : Number(value);
    if (value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
  }
  if (INT64_TYPES.has(type) && walk.mode === 'canonical' && typeof value === 'number') return String(value);
  return value;
}

/** A proto3 default (unset) value of a singular field: "", 0, "0" for int64, false, an enum's 0. */
function isDefaultFor(walk: Walk, owner: MessageInfo, field: FieldInfo, value: unknown): boolean {
  if (Array.isArray(value)) return value.length === 0;
  const type = walk.registry.resolveField(owner, field);
  if (type.kind === 'message') return false;
  if (type.kind === 'enum') return value === 0 || (typeof value === 'string' && type.values.get(value) === 0);
  if (type.name === 'string' || type.name === 'bytes') return value === '';
  if (type.name === 'bool') return value === false;
  return value === 0 || (INT64_TYPES.has(type.name) && value === '0');
}

function convertWellKnown(walk: Walk, fullName: string, value: unknown, path: string): { handled: boolean; value?: unknown } {
  const canonical = walk.mode === 'canonical';
  switch (fullName) {
    case 'google.protobuf.Struct':
      return { handled: true, value: canonical || !isPlainObject(value) ? value : structObject(value) };
    case 'google.protobuf.Value':
      return { handled: true, value: canonical ? value : valueObject(value) };
    case 'google.protobuf.ListValue':
      return { handled: true, value: canonical || !Array.isArray(value) ? value : { values: value.map(valueObject) } };
    case 'google.protobuf.Duration':
      return { handled: true, value: canonical ? value : durationObject(walk, value, path) };
    case 'google.protobuf.Timestamp':
      return { handled: true, value: canonical ? value : timestampObject(walk, value, path) };
    case 'google.protobuf.FieldMask':
      if (canonical || typeof value !== 'string') return { handled: true, value };
      return { handled: true, value: { paths: splitFieldMask(value) } };
    case 'google.protobuf.Any':
    case 'google.protobuf.Empty':
      return { handled: true, value };
    default: {
      const scalar = WRAPPERS.get(fullName);
      if (scalar === undefined) return { handled: false };
      const inner = convertScalar(walk, scalar, value);
      return { handled: true, value: canonical ? inner : { value: inner } };
    }
  }
}

/** `trafficSplit,displayName` (proto3 JSON spells mask paths in lowerCamelCase) → snake_case paths. */
export function splitFieldMask(mask: string): string[] {
  return mask
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '')
    .map((p) => p.split('.').map(camelToSnake).join('.'));
}

function structObject(value: JsonObject): JsonObject {
  return { fields: Object.fromEntries(Object.entries(value).map(([k, v]) => [k, valueObject(v)])) };
}

function valueObject(value: unknown): unknown {
  if (value === null) return { nullValue: 'NULL_VALUE' };
  if (typeof value === 'number') return { numberValue: value };
  if (typeof value === 'string') return { stringValue: value };
  if (typeof value === 'boolean') return { boolValue: value };
  if (Array.isArray(value)) return { listValue: { values: value.map(valueObject) } };
  if (isPlainObject(value)) return { structValue: structObject(value) };
  return value;
}

const DURATION = /^(-)?(\d+)(?:\.(\d{1,9}))?s$/;

function durationObject(walk: Walk, value: unknown, path: string): unknown {
  if (typeof value !== 'string') return value;
  const m = DURATION.exec(value);
  if (!m) {
    walk.issues.push({ path, message: `invalid google.protobuf.Duration ${JSON.stringify(value)}: expected seconds with an "s" suffix, e.g. "3600s" or "1.5s"` });
    return undefined;
  }
  const sign = m[1] ? -1 : 1;
  const nanos = Number((m[3] ?? '').padEnd(9, '0'));
  return { seconds: sign * Number(m[2]), nanos: sign * nanos };
}

function timestampObject(walk: Walk, value: unknown, path: string): unknown {
  if (typeof value !== 'string') return value;
  const millis = Date.parse(value);
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/.test(value) || Number.isNaN(millis)) {
    walk.issues.push({ path, message: `invalid google.protobuf.Timestamp ${JSON.stringify(value)}: expected RFC 3339, e.g. "2024-05-01T12:00:00Z"` });
    return undefined;
  }
  const fraction = /\.(\d{1,9})/.exec(value)?.[1] ?? '';
  return { seconds: Math.floor(millis / 1000), nanos: Number(fraction.padEnd(9, '0')) };
}

/** `"3600s"` / `"1.5s"` → seconds; undefined when absent or malformed. */
export function durationSeconds(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const m = DURATION.exec(value);
  if (!m) return undefined;
  const seconds = Number(m[2]) + Number(`0.${m[3] ?? '0'}`);
  return m[1] ? -seconds : seconds;
}

/** A field's value as text: strings as they are, numbers and booleans printed, anything else `fallback`. */
export function text(value: unknown, fallback = ''): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return fallback;
}
