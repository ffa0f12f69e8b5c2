// Struct/Value conversion goes through the library's own helpers.toValue, after a check
// that the input really is JSON: helpers.toValue turns `undefined`, functions or Dates
// into garbage (null entries, empty structs) without complaint.
// The helpers module is imported directly (it is what `helpers` in the package root
// re-exports): the root also loads the gRPC clients and all generated protos (~0.8 s),
// which building a request does not need.
import { toValue } from '@google-cloud/aiplatform/build/src/helpers.js';
import type { IStruct, IValue } from './proto-types.js';
import { fail } from './errors.js';
import type { JsonObject, JsonValue } from '../../pipelines/ir/index.js';

export type { JsonObject, JsonValue } from '../../pipelines/ir/index.js';

/** A JSON value as google.protobuf.Value (`{kind, numberValue}` etc.). */
export function toProtoValue(value: JsonValue, field: string): IValue {
  // toValue is typed as taking an object but converts any JSON value.
  const converted: unknown = toValue(cleanJson(value, field) as object);
  if (!isProtoValue(converted)) fail(field, 'could not be converted to google.protobuf.Value');
  return converted;
}

/** A JSON object as google.protobuf.Struct (`{fields: {...}}`). */
export function toStruct(value: JsonObject, field: string): IStruct {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(field, 'must be a JSON object');
  const structValue = toProtoValue(value, field).structValue;
  if (structValue === undefined || structValue === null) fail(field, 'could not be converted to google.protobuf.Struct');
  return structValue;
}

/** Map of JSON values to a map of google.protobuf.Value (e.g. runtimeConfig.parameterValues). */
export function toValueMap(values: Readonly<Record<string, JsonValue>>, field: string): Record<string, IValue> {
  return Object.fromEntries(Object.entries(values).map(([key, value]) => [key, toProtoValue(value, `${field}.${key}`)]));
}

/** Deep copy that drops `undefined` object members (as JSON does) and rejects non-JSON values. */
function cleanJson(value: unknown, path: string): JsonValue {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) fail(path, `${value} cannot be represented in JSON`);
    return value;
  }
  if (Array.isArray(value)) {
    return value.map((entry: unknown, i) => {
      if (entry === undefined) fail(`${path}[${i}]`, 'undefined is not a JSON value');
      return cleanJson(entry, `${path}[${i}]`);
    });
  }
  if (typeof value === 'object') {
    const prototype: unknown = Object.getPrototypeOf(value);
    if (prototype !== Object.prototype && prototype !== null) fail(path, 'must be a plain JSON object (not a Date, Map or class instance)');
    const out: Record<string, JsonValue> = {};
    for (const [key, entry] of Object.entries(value)) {
      if (entry !== undefined) out[key] = cleanJson(entry, `${path}.${key}`);
    }
    return out;
  }
  return fail(path, `${typeof value} is not a JSON value`);
}

function isProtoValue(value: unknown): value is IValue {
  if (typeof value !== 'object' || value === null) return false;
  return ['nullValue', 'numberValue', 'stringValue', 'boolValue', 'structValue', 'listValue'].some((k) => k in value);
}

/**
 * Back from google.protobuf.Value to JSON. Unlike helpers.fromValue this does not rely on
 * the `kind` tag, which decoded messages (and REST responses) lack.
 */
export function fromProtoValue(value: IValue | null | undefined): JsonValue {
  if (value === null || value === undefined) return null;
  if (value.structValue !== undefined && value.structValue !== null) return fromStruct(value.structValue);
  if (value.listValue !== undefined && value.listValue !== null) return (value.listValue.values ?? []).map(fromProtoValue);
  if (typeof value.stringValue === 'string') return value.stringValue;
  if (typeof value.numberValue === 'number') return value.numberValue;
  if (typeof value.boolValue === 'boolean') return value.boolValue;
  return null;
}

export function fromStruct(struct: IStruct | null | undefined): { [key: string]: JsonValue } {
  return Object.fromEntries(Object.entries(struct?.fields ?? {}).map(([key, value]) => [key, fromProtoValue(value)]));
}
