// Parameter values: coercion to a declared parameterType, text for command lines, and parsing of
// what a container wrote to an output parameter file (strings raw, everything else JSON, as KFP does).
import { TaskError, RpcCode } from './errors.js';
import type { ParameterType } from '../../../pipelines/ir/index.js';
import type { JsonValue } from '../../../pipelines/ir/index.js';

function parseJsonText(text: string): JsonValue | undefined {
  try {
    return JSON.parse(text) as JsonValue;
  } catch {
    return undefined;
  }
}

function isObject(v: JsonValue | undefined): v is { [key: string]: JsonValue } {
  return v !== null && v !== undefined && typeof v === 'object' && !Array.isArray(v);
}

/** The value as the declared type, or a TaskError naming `what` (e.g. "input parameter 'x'"). */
export function coerceParameter(value: JsonValue, type: ParameterType, what: string): JsonValue {
  const bad = (): never => {
    throw new TaskError(`${what} expects ${type}, got ${JSON.stringify(value)?.slice(0, 120)}`, RpcCode.INVALID_ARGUMENT);
  };
  switch (type) {
    case 'STRING':
      // Loop items of untyped lists arrive as structs or numbers; KFP passes them as JSON text.
      return typeof value === 'string' ? value : JSON.stringify(value);
    case 'NUMBER_INTEGER': {
      const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
      return typeof n === 'number' && Number.isInteger(n) ? n : bad();
    }
    case 'NUMBER_DOUBLE': {
      const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
      return typeof n === 'number' && Number.isFinite(n) ? n : bad();
    }
    case 'BOOLEAN':
      if (typeof value === 'boolean') return value;
      if (typeof value === 'string' && /^(true|false)$/i.test(value.trim())) return value.trim().toLowerCase() === 'true';
      return bad();
    case 'LIST': {
      const v = typeof value === 'string' ? parseJsonText(value) : value;
      return Array.isArray(v) ? v : bad();
    }
    case 'STRUCT': {
      const v = typeof value === 'string' ? parseJsonText(value) : value;
      return isObject(v) ? v : bad();
    }
    default:
      return value;
  }
}

/** Text of a parameter in a command line: strings as they are, numbers without a spurious `.0`, the rest JSON. */
export function renderParameter(value: JsonValue): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : JSON.stringify(value);
  return JSON.stringify(value);
}

/** What a container wrote to an output parameter's file. */
export function parseOutputParameter(text: string, type: ParameterType, name: string): JsonValue {
  if (type === 'STRING') return text;
  const parsed = parseJsonText(type === 'BOOLEAN' ? text.trim().toLowerCase() : text);
  if (parsed === undefined) {
    throw new TaskError(`Could not deserialize output parameter '${name}' (${type}): ${JSON.stringify(text.slice(0, 120))} is not JSON`);
  }
  return coerceParameter(parsed, type, `output parameter '${name}'`);
}
