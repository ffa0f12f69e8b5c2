// Streaming rows (tabledata.insertAll JSON) → DuckDB values, field by field, with BigQuery's
// conversions (INT64 from numbers or digit strings, TIMESTAMP from text or epoch seconds, BYTES
// from base64, ...) and its per-field errors instead of one failure for the whole request.
import type { DuckDBValue } from '@duckdb/node-api';
import { DuckDBBlobValue, DuckDBDateValue, DuckDBDecimalValue, DuckDBListValue, DuckDBStructValue, DuckDBTimestampTZValue, DuckDBTimestampValue, DuckDBTimeValue } from '@duckdb/node-api';
import { JSON_MAX_NESTING, nestsDeeperThan } from './json-depth.js';
import { BIGNUMERIC_SCALE } from './sql/types.js';
import type { TableField } from './table-schema.js';
import { parseDate, parseDatetime, parseEpochSeconds, parseTime, parseTimestamp } from './time.js';

export interface RowError {
  reason: string;
  location: string;
  debugInfo: string;
  message: string;
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

class FieldError extends Error {
  constructor(
    readonly location: string,
    message: string,
  ) {
    super(message);
  }
}

/** A bad value as error messages quote it; one nested too deeply to print is named, not printed. */
const shown = (v: unknown) => (typeof v === 'string' ? v : nestsDeeperThan(v, JSON_MAX_NESTING) ? `(a value nested more than ${JSON_MAX_NESTING} levels)` : JSON.stringify(v));

/** A decimal text ("-12.5", "1e3") scaled to `scale` digits, rounded half away from zero. */
export function parseDecimal(text: string, scale: number): bigint | undefined {
  const m = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text.trim());
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) return undefined;
  const digits = `${m[2]}${m[3] ?? ''}`;
  const shift = Number(m[4] ?? 0) + scale - (m[3] ?? '').length;
  let value: bigint;
  if (shift >= 0) value = BigInt(digits || '0') * 10n ** BigInt(shift);
  else {
    const keep = digits.length + shift;
    const kept = keep > 0 ? digits.slice(0, keep) : '0';
    const dropped = keep > 0 ? digits.slice(keep) : digits.padStart(-shift, '0');
    value = BigInt(kept) + (Number(dropped[0] ?? '0') >= 5 ? 1n : 0n);
  }
  return m[1] === '-' ? -value : value;
}

export class RowCoercer {
  constructor(
    private readonly fields: TableField[],
    private readonly ignoreUnknownValues: boolean,
  ) {}

  /** DuckDB values in column order, or the row's errors. */
  coerce(json: Record<string, unknown>): { values: DuckDBValue[] } | { errors: RowError[] } {
    const errors: RowError[] = [];
    const values: DuckDBValue[] = [];
    this.checkUnknown(json, this.fields, '', errors);
    for (const field of this.fields) {
      try {
        values.push(this.field(json[field.name] ?? this.caseInsensitive(json, field.name), field, field.name));
      } catch (e) {
        if (!(e instanceof FieldError)) throw e;
        errors.push({ reason: 'invalid', location: e.location, debugInfo: '', message: e.message });
      }
    }
    return errors.length ? { errors } : { values };
  }

  private caseInsensitive(json: Record<string, unknown>, name: string): unknown {
    const lower = name.toLowerCase();
    for (const [k, v] of Object.entries(json)) if (k.toLowerCase() === lower) return v;
    return undefined;
  }

  private checkUnknown(json: Record<string, unknown>, fields: TableField[], path: string, errors: RowError[]): void {
    if (this.ignoreUnknownValues) return;
    const known = new Set(fields.map((f) => f.name.toLowerCase()));
    for (const key of Object.keys(json)) {
      if (!known.has(key.toLowerCase())) {
        const location = path ? `${path}.${key}` : key;
        errors.push({ reason: 'invalid', location, debugInfo: '', message: `no such field: ${location}.` });
      }
    }
  }

  private field(value: unknown, field: TableField, path: string): DuckDBValue {
    if (field.mode === 'REPEATED') {
      if (value === null || value === undefined) return new DuckDBListValue([]);
      if (!Array.isArray(value)) throw new FieldError(path, `Field ${path} is REPEATED: its value must be an array.`);
      return new DuckDBListValue(
        value.map((item, i) => {
          if (item === null || item === undefined) throw new FieldError(path, `Only optional fields can be set to NULL. Field: ${path}; Value: NULL`);
          return this.scalarOrRecord(item, field, `${path}[${i}]`);
        }),
      );
    }
    if (value === null || value === undefined) {
      if (field.mode === 'REQUIRED') throw new FieldError(path, `Missing required field: ${path}.`);
      return null;
    }
    if (Array.isArray(value)) throw new FieldError(path, `Array specified for non-repeated field: ${path}.`);
    return this.scalarOrRecord(value, field, path);
  }

  private scalarOrRecord(value: unknown, field: TableField, path: string): DuckDBValue {
    if (field.type === 'RECORD') {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new FieldError(path, `This field: ${path} is not a record.`);
      const json = value as Record<string, unknown>;
      const nested: RowError[] = [];
      this.checkUnknown(json, field.fields ?? [], path, nested);
      if (nested.length) throw new FieldError(nested[0]!.location, nested[0]!.message);
      const entries: Record<string, DuckDBValue> = {};
      for (const f of field.fields ?? []) entries[f.name] = this.field(json[f.name] ?? this.caseInsensitive(json, f.name), f, `${path}.${f.name}`);
      return new DuckDBStructValue(entries);
    }
    return scalar(value, field, path);
  }
}

/** JSON text parsed (V8's parser does not recurse), or undefined when it is not JSON (DuckDB then refuses it). */
function parsedJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function scalar(value: unknown, field: TableField, path: string): DuckDBValue {
  const bad = (what: string) => new FieldError(path, `Cannot convert value to ${what} (bad value): ${shown(value)}`);
  const text = typeof value === 'string' ? value : typeof value === 'number' || typeof value === 'boolean' ? String(value) : undefined;
  switch (field.type) {
    case 'STRING':
    case 'GEOGRAPHY':
      if (text === undefined) throw bad('string');
      return text;
    case 'JSON': {
      // JSON text or a JSON value; either way nested at most 500 levels (BigQuery's limit).
      const parsed = typeof value === 'string' ? parsedJson(value) : value;
      if (nestsDeeperThan(parsed, JSON_MAX_NESTING)) throw new FieldError(path, `Invalid JSON value for field ${path}: JSON nesting exceeds the limit of ${JSON_MAX_NESTING} levels.`);
      return typeof value === 'string' ? value : JSON.stringify(value);
    }
    case 'INTEGER': {
      if (text === undefined || !/^[+-]?\d+$/.test(text.trim())) throw bad('integer');
      const n = BigInt(text.trim());
      if (n < INT64_MIN || n > INT64_MAX) throw bad('integer');
      return n;
    }
    case 'FLOAT': {
      const n = text === undefined || text.trim() === '' ? NaN : Number(text);
      if (Number.isNaN(n) && !/^nan$/i.test(text ?? '')) throw bad('floating point');
      return n;
    }
    case 'NUMERIC':
    case 'BIGNUMERIC': {
      const scale = field.type === 'NUMERIC' ? 9 : BIGNUMERIC_SCALE;
      const scaled = text === undefined || typeof value === 'boolean' ? undefined : parseDecimal(text, scale);
      if (scaled === undefined || scaled >= 10n ** 38n || scaled <= -(10n ** 38n)) throw bad(field.type === 'NUMERIC' ? 'numeric' : 'bignumeric');
      return new DuckDBDecimalValue(scaled, 38, scale);
    }
    case 'BOOLEAN':
      if (typeof value === 'boolean') return value;
      if (text !== undefined && /^(true|false)$/i.test(text.trim())) return text.trim().toLowerCase() === 'true';
      throw bad('boolean');
    case 'BYTES':
      if (typeof value !== 'string' || !/^[A-Za-z0-9+/_-]*={0,2}$/.test(value)) throw bad('bytes');
      return new DuckDBBlobValue(Buffer.from(value, 'base64'));
    case 'TIMESTAMP': {
      const micros = typeof value === 'number' ? BigInt(Math.round(value * 1e6)) : text === undefined ? undefined : (parseTimestamp(text) ?? parseEpochSeconds(text));
      if (micros === undefined) {
        throw new FieldError(path, `Could not parse '${shown(value)}' as a timestamp. Required format is YYYY-MM-DD HH:MM[:SS[.SSSSSS]] or YYYY/MM/DD HH:MM[:SS[.SSSSSS]]`);
      }
      return new DuckDBTimestampTZValue(micros);
    }
    case 'DATE': {
      const days = text === undefined ? undefined : parseDate(text);
      if (days === undefined) throw new FieldError(path, `Invalid date: '${shown(value)}'`);
      return new DuckDBDateValue(days);
    }
    case 'DATETIME': {
      const micros = text === undefined ? undefined : parseDatetime(text);
      if (micros === undefined) throw new FieldError(path, `Invalid datetime string "${shown(value)}"`);
      return new DuckDBTimestampValue(micros);
    }
    case 'TIME': {
      const micros = text === undefined ? undefined : parseTime(text);
      if (micros === undefined) throw new FieldError(path, `Invalid time string "${shown(value)}"`);
      return new DuckDBTimeValue(micros);
    }
    default:
      throw new FieldError(path, `Streaming ${field.type} values is not supported by the BigQuery emulator`);
  }
}
