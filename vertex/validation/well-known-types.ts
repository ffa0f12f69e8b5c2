// google.protobuf.* types are checked by their protobuf-JS object form, not walked as
// ordinary messages: that is where the silent data loss happens (a plain object given
// as a Struct or a Value encodes as an EMPTY message, a "3600s" Duration as zero).
import type { IssueCode } from './issues.js';
import { describeValue, indexPath, isMessageObject, joinPath, mapKeyPath } from './issues.js';
import { scalarProblem } from './scalars.js';

export type Report = (path: string, code: IssueCode, message: string) => void;

const VALUE_KINDS = ['nullValue', 'numberValue', 'stringValue', 'boolValue', 'structValue', 'listValue'] as const;

const STRUCT_HINT = 'convert with helpers.toValue(x).structValue';
const VALUE_HINT = 'convert with helpers.toValue(x)';

// Types walked like ordinary messages (wrappers, Empty) are not listed here.
const CHECKERS: ReadonlyMap<string, (value: unknown, path: string, report: Report) => void> = new Map([
  ['google.protobuf.Struct', checkStruct],
  ['google.protobuf.Value', checkValue],
  ['google.protobuf.ListValue', checkListValue],
  ['google.protobuf.Duration', checkDuration],
  ['google.protobuf.Timestamp', checkTimestamp],
  ['google.protobuf.FieldMask', checkFieldMaskShape],
  ['google.protobuf.Any', checkAny],
]);

export function wellKnownChecker(fullName: string): ((value: unknown, path: string, report: Report) => void) | undefined {
  return CHECKERS.get(fullName);
}

function checkStruct(value: unknown, path: string, report: Report): void {
  if (!isMessageObject(value)) {
    report(path, 'type', `expected google.protobuf.Struct ({fields: {...}}), got ${describeValue(value)}; ${STRUCT_HINT}`);
    return;
  }
  const keys = Object.keys(value);
  if (!keys.includes('fields')) {
    if (keys.length > 0) {
      report(path, 'struct-plain-object',
        `looks like a plain object (keys ${keys.slice(0, 3).map((k) => `\`${k}\``).join(', ')}...) where a google.protobuf.Struct is expected; it would be encoded as an EMPTY struct; ${STRUCT_HINT}`);
    }
    return;
  }
  for (const key of keys) {
    if (key !== 'fields') report(joinPath(path, key), 'unknown-field', `unknown field \`${key}\` in google.protobuf.Struct (only \`fields\`)`);
  }
  const fields = value.fields;
  if (fields === undefined || fields === null) return;
  if (!isMessageObject(fields)) {
    report(joinPath(path, 'fields'), 'type', `expected map of google.protobuf.Value, got ${describeValue(fields)}`);
    return;
  }
  for (const [key, entry] of Object.entries(fields)) checkValue(entry, mapKeyPath(joinPath(path, 'fields'), key), report);
}

function checkValue(value: unknown, path: string, report: Report): void {
  if (!isMessageObject(value)) {
    report(path, 'value-raw', `got raw ${describeValue(value)} where a google.protobuf.Value is expected; ${VALUE_HINT}`);
    return;
  }
  const keys = Object.keys(value);
  const set = VALUE_KINDS.filter((kind) => value[kind] !== undefined && value[kind] !== null);
  const unknown = keys.filter((k) => k !== 'kind' && !(VALUE_KINDS as readonly string[]).includes(k));
  if (set.length === 0) {
    if (unknown.length > 0) {
      report(path, 'value-raw', `looks like a plain object where a google.protobuf.Value is expected; it would be encoded as an empty Value; ${VALUE_HINT}`);
    } else {
      report(path, 'required', 'google.protobuf.Value has no kind set (one of nullValue, numberValue, stringValue, boolValue, structValue, listValue)');
    }
    return;
  }
  for (const key of unknown) report(joinPath(path, key), 'unknown-field', `unknown field \`${key}\` in google.protobuf.Value`);
  if (set.length > 1) {
    report(path, 'oneof', `google.protobuf.Value sets ${set.join(' and ')}; exactly one kind is allowed`);
    return;
  }
  const kind = set[0];
  if (value.kind !== undefined && value.kind !== kind) {
    report(joinPath(path, 'kind'), 'oneof', `kind is ${describeValue(value.kind)} but ${String(kind)} is set`);
  }
  const inner = kind === undefined ? undefined : value[kind];
  const innerPath = joinPath(path, String(kind));
  switch (kind) {
    case 'nullValue':
      if (inner !== 0 && inner !== 'NULL_VALUE') report(innerPath, 'enum', `expected NULL_VALUE or 0, got ${describeValue(inner)}`);
      break;
    case 'numberValue':
      if (typeof inner !== 'number') report(innerPath, 'type', `expected number, got ${describeValue(inner)}`);
      break;
    case 'stringValue':
      if (typeof inner !== 'string') report(innerPath, 'type', `expected string, got ${describeValue(inner)}`);
      break;
    case 'boolValue':
      if (typeof inner !== 'boolean') report(innerPath, 'type', `expected boolean, got ${describeValue(inner)}`);
      break;
    case 'structValue':
      checkStruct(inner, innerPath, report);
      break;
    case 'listValue':
      checkListValue(inner, innerPath, report);
      break;
    default:
      break;
  }
}

function checkListValue(value: unknown, path: string, report: Report): void {
  if (!isMessageObject(value)) {
    report(path, 'type', `expected google.protobuf.ListValue ({values: [...]}), got ${describeValue(value)}; ${VALUE_HINT}`);
    return;
  }
  for (const key of Object.keys(value)) {
    if (key !== 'values') report(joinPath(path, key), 'unknown-field', `unknown field \`${key}\` in google.protobuf.ListValue`);
  }
  const values = value.values;
  if (values === undefined || values === null) return;
  if (!Array.isArray(values)) {
    report(joinPath(path, 'values'), 'type', `expected array, got ${describeValue(values)}`);
    return;
  }
  values.forEach((entry, i) => checkValue(entry, indexPath(joinPath(path, 'values'), i), report));
}

function checkSecondsNanos(
  typeName: string,
  value: unknown,
  path: string,
  report: Report,
  nanosRange: { min: number; max: number },
): { seconds: number | undefined; nanos: number | undefined } | undefined {
  if (!isMessageObject(value)) {
    const hint = typeName === 'Duration'
      ? 'use {seconds: N} (see toDuration())'
      : 'use {seconds: N, nanos: M} (e.g. from Date.getTime())';
    report(path, 'type', `expected google.protobuf.${typeName} object, got ${describeValue(value)}; protobufjs would encode it as zero; ${hint}`);
    return undefined;
  }
  for (const key of Object.keys(value)) {
    if (key !== 'seconds' && key !== 'nanos') report(joinPath(path, key), 'unknown-field', `unknown field \`${key}\` in google.protobuf.${typeName}`);
  }
  let seconds: number | undefined;
  let nanos: number | undefined;
  if (value.seconds !== undefined && value.seconds !== null) {
    const problem = scalarProblem('int64', value.seconds);
    if (problem !== undefined) report(joinPath(path, 'seconds'), problem.code, problem.message);
    else seconds = Number(value.seconds);
  }
  if (value.nanos !== undefined && value.nanos !== null) {
    const problem = scalarProblem('int32', value.nanos);
    if (problem !== undefined) {
      report(joinPath(path, 'nanos'), problem.code, problem.message);
    } else if (typeof value.nanos === 'number' && (value.nanos < nanosRange.min || value.nanos > nanosRange.max)) {
      report(joinPath(path, 'nanos'), 'range', `nanos must be in [${nanosRange.min}, ${nanosRange.max}], got ${value.nanos}`);
    } else if (typeof value.nanos === 'number') {
      nanos = value.nanos;
    }
  }
  return { seconds, nanos };
}

function checkDuration(value: unknown, path: string, report: Report): void {
  const parts = checkSecondsNanos('Duration', value, path, report, { min: -999_999_999, max: 999_999_999 });
  if (parts?.seconds !== undefined && parts.nanos !== undefined && parts.seconds * parts.nanos < 0) {
    report(path, 'range', 'seconds and nanos of a Duration must have the same sign');
  }
}

// Timestamps are limited to 0001-01-01T00:00:00Z .. 9999-12-31T23:59:59Z.
const MIN_TIMESTAMP_SECONDS = -62_135_596_800;
const MAX_TIMESTAMP_SECONDS = 253_402_300_799;

function checkTimestamp(value: unknown, path: string, report: Report): void {
  const parts = checkSecondsNanos('Timestamp', value, path, report, { min: 0, max: 999_999_999 });
  if (parts?.seconds !== undefined && (parts.seconds < MIN_TIMESTAMP_SECONDS || parts.seconds > MAX_TIMESTAMP_SECONDS)) {
    report(joinPath(path, 'seconds'), 'range', `seconds ${parts.seconds} is outside years 0001..9999`);
  }
}

function checkFieldMaskShape(value: unknown, path: string, report: Report): void {
  if (!isMessageObject(value)) {
    report(path, 'type', `expected google.protobuf.FieldMask ({paths: [...]}), got ${describeValue(value)}`);
    return;
  }
  for (const key of Object.keys(value)) {
    if (key !== 'paths') report(joinPath(path, key), 'unknown-field', `unknown field \`${key}\` in google.protobuf.FieldMask (only \`paths\`)`);
  }
  const paths = value.paths;
  if (paths === undefined || paths === null) return;
  if (!Array.isArray(paths)) {
    report(joinPath(path, 'paths'), 'type', `expected array of strings, got ${describeValue(paths)}`);
    return;
  }
  paths.forEach((p, i) => {
    if (typeof p !== 'string') report(indexPath(joinPath(path, 'paths'), i), 'type', `expected string, got ${describeValue(p)}`);
  });
}

function checkAny(value: unknown, path: string, report: Report): void {
  if (!isMessageObject(value)) {
    report(path, 'type', `expected google.protobuf.Any ({typeUrl, value}), got ${describeValue(value)}`);
    return;
  }
  if (typeof value.typeUrl !== 'string' && typeof value['@type'] !== 'string') {
    report(joinPath(path, 'typeUrl'), 'required', 'google.protobuf.Any needs a typeUrl');
  }
}
