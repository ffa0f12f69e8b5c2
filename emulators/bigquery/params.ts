// Query parameters (@name and ?) become typed SQL literals: each value is validated against its
// declared type and rendered so that no parameter text ever reaches DuckDB unquoted.
import type { QueryParameter, QueryParameterType, QueryParameterValue } from './schemas.js';
import { invalidQuery } from './errors.js';
import type { QueryParamsSql } from './sql/translator.js';
import type { BqType } from './sql/types.js';
import { canonicalType, duckColumnType, quoteIdent, quoteString } from './sql/types.js';
import { formatTimestampIso, parseDate, parseDatetime, parseTime, parseTimestamp } from './time.js';

interface ParamShape {
  type: BqType;
  mode?: 'REPEATED';
  fields?: (ParamShape & { name: string })[];
}

function shapeOf(t: QueryParameterType, name: string): ParamShape {
  const upper = t.type.toUpperCase();
  if (upper === 'ARRAY') {
    if (!t.arrayType) throw invalidQuery(`Query parameter '${name}': ARRAY parameters need parameterType.arrayType`);
    const inner = shapeOf(t.arrayType, name);
    if (inner.mode === 'REPEATED') throw invalidQuery(`Query parameter '${name}': arrays of arrays are not supported`);
    return { ...inner, mode: 'REPEATED' };
  }
  if (upper === 'STRUCT' || upper === 'RECORD') {
    const fields = (t.structTypes ?? []).map((f, i) => ({ name: f.name ?? `_field_${i + 1}`, ...shapeOf(f.type, name) }));
    return { type: 'RECORD', fields };
  }
  const type = canonicalType(upper);
  if (!type || type === 'RECORD' || upper === 'RANGE') throw invalidQuery(`Query parameter '${name}' has unsupported type ${t.type}`);
  return { type };
}

function bad(name: string, type: string, value: unknown): never {
  throw invalidQuery(`Invalid ${type} value for query parameter '${name}': ${JSON.stringify(value)}`);
}

function scalarLiteral(shape: ParamShape, raw: string | number | boolean, name: string): string {
  const text = String(raw);
  switch (shape.type) {
    case 'BOOLEAN':
      if (!/^(true|false)$/i.test(text)) bad(name, 'BOOL', raw);
      return text.toUpperCase();
    case 'INTEGER':
      if (!/^[+-]?\d+$/.test(text.trim())) bad(name, 'INT64', raw);
      return `CAST(${BigInt(text.trim()).toString()} AS BIGINT)`;
    case 'FLOAT': {
      const n = Number(text);
      if (text.trim() === '' || (Number.isNaN(n) && !/^nan$/i.test(text.trim()))) bad(name, 'FLOAT64', raw);
      return `CAST(${quoteString(Number.isFinite(n) ? String(n) : text.trim())} AS DOUBLE)`;
    }
    case 'NUMERIC':
    case 'BIGNUMERIC':
      if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text.trim())) bad(name, shape.type, raw);
      return `CAST(${quoteString(text.trim())} AS ${duckColumnType(shape)})`;
    case 'STRING':
    case 'GEOGRAPHY':
      return quoteString(text);
    case 'JSON':
      return `CAST(${quoteString(text)} AS JSON)`;
    case 'BYTES':
      if (!/^[A-Za-z0-9+/=_-]*$/.test(text)) bad(name, 'BYTES', raw);
      return `from_base64(${quoteString(Buffer.from(text, 'base64').toString('base64'))})`;
    case 'DATE':
      if (parseDate(text) === undefined) bad(name, 'DATE', raw);
      return `DATE ${quoteString(text.trim())}`;
    case 'TIME':
      if (parseTime(text) === undefined) bad(name, 'TIME', raw);
      return `CAST(${quoteString(text.trim())} AS TIME)`;
    case 'DATETIME':
      if (parseDatetime(text) === undefined) bad(name, 'DATETIME', raw);
      return `CAST(${quoteString(text.trim().replace('T', ' '))} AS TIMESTAMP)`;
    case 'TIMESTAMP': {
      const micros = parseTimestamp(text);
      if (micros === undefined) bad(name, 'TIMESTAMP', raw);
      return `CAST(${quoteString(formatTimestampIso(micros).replace('T', ' ').replace('Z', '+00'))} AS TIMESTAMPTZ)`;
    }
    case 'INTERVAL':
      return `CAST(${quoteString(text)} AS INTERVAL)`;
    default:
      return bad(name, shape.type, raw);
  }
}

function literal(shape: ParamShape, value: QueryParameterValue | undefined, name: string): string {
  const duck = duckColumnType(shape);
  if (shape.mode === 'REPEATED') {
    if (!value?.arrayValues) return value?.value === null || value === undefined ? `CAST(NULL AS ${duck})` : `CAST([] AS ${duck})`;
    const element = { ...shape, mode: undefined };
    return `CAST([${value.arrayValues.map((v) => literal(element, v, name)).join(', ')}] AS ${duck})`;
  }
  if (shape.type === 'RECORD') {
    const values = value?.structValues;
    if (!values) return `CAST(NULL AS ${duck})`;
    const fields = (shape.fields ?? []).map((f) => `${quoteIdent(f.name)} := ${literal(f, values[f.name], name)}`);
    return `CAST(struct_pack(${fields.join(', ')}) AS ${duck})`;
  }
  const raw = value?.value;
  if (raw === undefined || raw === null) return `CAST(NULL AS ${duck})`;
  return scalarLiteral(shape, raw, name);
}

/** The SQL for each parameter; named parameters by lower-cased name, positional in order. */
export function parametersToSql(parameters: QueryParameter[] | undefined, mode: string | undefined): QueryParamsSql {
  const out: QueryParamsSql = { named: new Map(), positional: [] };
  const positional = mode ? mode.toUpperCase() === 'POSITIONAL' : (parameters ?? []).every((p) => !p.name);
  (parameters ?? []).forEach((p, i) => {
    const label = p.name ?? String(i + 1);
    const sql = literal(shapeOf(p.parameterType, label), p.parameterValue, label);
    if (positional) {
      out.positional.push(sql);
      return;
    }
    if (!p.name) throw invalidQuery('Named query parameters must have a name');
    const key = p.name.toLowerCase();
    if (out.named.has(key)) throw invalidQuery(`Duplicate query parameter name ${p.name}`);
    out.named.set(key, sql);
    const shape = shapeOf(p.parameterType, label);
    const items = p.parameterValue?.arrayValues;
    if (shape.mode === 'REPEATED' && items) {
      const element = { ...shape, mode: undefined };
      (out.namedArrays ??= new Map()).set(key, items.map((v) => literal(element, v, label)));
    }
  });
  return out;
}
