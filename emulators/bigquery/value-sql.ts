// SQL expressions that move values between BigQuery's text forms and DuckDB storage: how loads
// read a source column (as text, then converted with BigQuery's rules) and how extracts write one
// (TIMESTAMP as "2024-01-02 03:04:05 UTC", BYTES as base64, INT64 as a JSON string, ...).
import type { ExportFormat } from './gcs-io.js';
import { duckColumnType, duckScalarType, quoteIdent, quoteString } from './sql/types.js';
import type { TableField } from './table-schema.js';

const element = (f: TableField): TableField => ({ ...f, mode: 'NULLABLE' });

/** The DuckDB type a loader reads a field as: leaves as text (JSON kept as JSON), nesting kept. */
export function readType(field: TableField): string {
  let base: string;
  if (field.type === 'RECORD') base = `STRUCT(${(field.fields ?? []).map((f) => `${quoteIdent(f.name)} ${readType(f)}`).join(', ')})`;
  else base = field.type === 'JSON' ? 'JSON' : 'VARCHAR';
  return field.mode === 'REPEATED' ? `${base}[]` : base;
}

/** TIMESTAMP from text: epoch seconds ("1700000000.5") or a date-time with an optional zone. */
function timestampFromText(expr: string): string {
  return `CASE WHEN regexp_full_match(trim(${expr}), '[+-]?[0-9]+(\\.[0-9]*)?([eE][+-]?[0-9]+)?') THEN CAST(make_timestamp(CAST(round(CAST(${expr} AS DOUBLE) * 1000000) AS BIGINT)) AS TIMESTAMPTZ) ELSE CAST(${expr} AS TIMESTAMPTZ) END`;
}

/** Convert an expression of `readType(field)` to the field's storage type. */
export function convertFromRead(expr: string, field: TableField, depth = 0): string {
  if (field.mode === 'REPEATED') {
    const v = `x${depth}`;
    return `list_transform(${expr}, lambda ${v}: ${convertFromRead(v, element(field), depth + 1)})`;
  }
  switch (field.type) {
    case 'RECORD': {
      const parts = (field.fields ?? []).map((f) => `${quoteIdent(f.name)} := ${convertFromRead(`struct_extract(${expr}, ${quoteString(f.name)})`, f, depth + 1)}`);
      return `CASE WHEN ${expr} IS NULL THEN NULL ELSE struct_pack(${parts.join(', ')}) END`;
    }
    case 'TIMESTAMP':
      return timestampFromText(expr);
    case 'BYTES':
      return `from_base64(${expr})`;
    case 'STRING':
    case 'GEOGRAPHY':
    case 'JSON':
      return expr;
    default:
      return `CAST(${expr} AS ${duckScalarType(field.type)})`;
  }
}

/** Cast a column of any DuckDB type to a field's storage type (autodetected or by-name loads). */
export function castTo(expr: string, field: TableField): string {
  return `CAST(${expr} AS ${duckColumnType(field)})`;
}

function timestampText(expr: string, zone: boolean, separator: string): string {
  const suffix = zone ? ' UTC' : '';
  return `CASE WHEN epoch_us(${expr}) % 1000000 = 0 THEN strftime(${expr}, '%Y-%m-%d${separator}%H:%M:%S${suffix}') ELSE strftime(${expr}, '%Y-%m-%d${separator}%H:%M:%S.%f${suffix}') END`;
}

function decimalText(expr: string): string {
  return `regexp_replace(regexp_replace(CAST(${expr} AS VARCHAR), '(\\.[0-9]*?)0+$', '\\1'), '\\.$', '')`;
}

function exportValue(expr: string, field: TableField, format: ExportFormat, depth: number): string {
  if (field.mode === 'REPEATED') {
    const v = `x${depth}`;
    const inner = exportValue(v, element(field), format, depth + 1);
    return inner === v ? expr : `list_transform(${expr}, lambda ${v}: ${inner})`;
  }
  const json = format === 'NEWLINE_DELIMITED_JSON';
  switch (field.type) {
    case 'RECORD': {
      const parts = (field.fields ?? []).map((f) => `${quoteIdent(f.name)} := ${exportValue(`struct_extract(${expr}, ${quoteString(f.name)})`, f, format, depth + 1)}`);
      return `CASE WHEN ${expr} IS NULL THEN NULL ELSE struct_pack(${parts.join(', ')}) END`;
    }
    case 'TIMESTAMP':
      return timestampText(expr, true, ' ');
    case 'DATETIME':
      return timestampText(expr, false, json ? 'T' : ' ');
    case 'BYTES':
      return `to_base64(${expr})`;
    case 'NUMERIC':
    case 'BIGNUMERIC':
      return decimalText(expr);
    case 'INTEGER':
      // JSON exports write INT64 as strings to keep 64-bit precision.
      return json ? `CAST(${expr} AS VARCHAR)` : expr;
    default:
      return expr;
  }
}

/** The SELECT item that writes a column in an export file. */
export function exportExpression(field: TableField, format: ExportFormat): string {
  const column = quoteIdent(field.name);
  if (format === 'PARQUET') return column;
  return `${exportValue(column, field, format, 0)} AS ${column}`;
}
