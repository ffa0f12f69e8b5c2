// Scalar checks stricter than protobufjs, which coerces silently (`"2" | 0` for int32,
// `Number("x")` for doubles) instead of rejecting.
import { describeValue, isRecord } from './issues.js';

export interface ScalarProblem {
  readonly code: 'type' | 'range';
  readonly message: string;
}

const typeProblem = (message: string): ScalarProblem => ({ code: 'type', message });
const rangeProblem = (message: string): ScalarProblem => ({ code: 'range', message });

const INT32 = { min: -(2 ** 31), max: 2 ** 31 - 1 };
const UINT32 = { min: 0, max: 2 ** 32 - 1 };
const INT64 = { min: -(2n ** 63n), max: 2n ** 63n - 1n };
const UINT64 = { min: 0n, max: 2n ** 64n - 1n };
const FLOAT_MAX = 3.4028234663852886e38;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Returns what is wrong with `value` as a proto scalar of type `type`, or undefined if it fits. */
export function scalarProblem(type: string, value: unknown): ScalarProblem | undefined {
  switch (type) {
    case 'int32':
    case 'sint32':
    case 'sfixed32':
      return int32Problem(value, INT32);
    case 'uint32':
    case 'fixed32':
      return int32Problem(value, UINT32);
    case 'int64':
    case 'sint64':
    case 'sfixed64':
      return int64Problem(value, INT64);
    case 'uint64':
    case 'fixed64':
      return int64Problem(value, UINT64);
    case 'double':
      return typeof value === 'number' ? undefined : typeProblem(`expected number, got ${describeValue(value)}`);
    case 'float':
      if (typeof value !== 'number') return typeProblem(`expected number, got ${describeValue(value)}`);
      return Number.isFinite(value) && Math.abs(value) > FLOAT_MAX ? rangeProblem(`${value} is out of float range`) : undefined;
    case 'bool':
      return typeof value === 'boolean' ? undefined : typeProblem(`expected boolean, got ${describeValue(value)}`);
    case 'string':
      return typeof value === 'string' ? undefined : typeProblem(`expected string, got ${describeValue(value)}`);
    case 'bytes':
      if (value instanceof Uint8Array) return undefined;
      if (typeof value === 'string' && BASE64.test(value)) return undefined;
      return typeProblem(`expected base64 string or Uint8Array, got ${describeValue(value)}`);
    default:
      return typeProblem(`unknown scalar type ${type}`);
  }
}

function int32Problem(value: unknown, range: { min: number; max: number }): ScalarProblem | undefined {
  if (typeof value !== 'number' || !Number.isInteger(value)) return typeProblem(`expected integer, got ${describeValue(value)}`);
  if (value < range.min || value > range.max) return rangeProblem(`${value} is out of range [${range.min}, ${range.max}]`);
  return undefined;
}

function int64Problem(value: unknown, range: { min: bigint; max: bigint }): ScalarProblem | undefined {
  let big: bigint;
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) return typeProblem(`expected integer, got ${describeValue(value)}`);
    // Larger numbers have already lost precision before reaching the encoder.
    if (!Number.isSafeInteger(value)) return rangeProblem(`${value} is not a safe integer; pass int64 values this large as decimal strings`);
    big = BigInt(value);
  } else if (typeof value === 'string') {
    if (!/^-?\d+$/.test(value)) return typeProblem(`expected integer or decimal string, got ${describeValue(value)}`);
    big = BigInt(value);
  } else if (isLongLike(value)) {
    return undefined;
  } else {
    return typeProblem(`expected integer or decimal string, got ${describeValue(value)}`);
  }
  if (big < range.min || big > range.max) return rangeProblem(`${String(value)} is out of range [${range.min}, ${range.max}]`);
  return undefined;
}

/** protobufjs also accepts Long instances ({low, high, unsigned}) for 64-bit fields. */
function isLongLike(value: unknown): boolean {
  return isRecord(value) && typeof value.low === 'number' && typeof value.high === 'number';
}

/** Map keys arrive as object keys (strings); check they spell a valid key of `keyType`. */
export function mapKeyProblem(keyType: string, key: string): ScalarProblem | undefined {
  switch (keyType) {
    case 'string':
      return undefined;
    case 'bool':
      return key === 'true' || key === 'false' ? undefined : typeProblem(`map key ${JSON.stringify(key)} is not a bool`);
    default:
      if (!/^-?\d+$/.test(key)) return typeProblem(`map key ${JSON.stringify(key)} is not an integer`);
      return scalarProblem(keyType, keyType.endsWith('64') ? key : Number(key));
  }
}
