// DuckDB values → BigQuery's row JSON ({f: [{v}]}): every scalar is a string, INT64 too, arrays
// are [{v}], structs {f: [...]}; TIMESTAMP in the format the request asked for.
import type { DuckDBType, DuckDBValue } from '@duckdb/node-api';
import {
  DuckDBBlobValue,
  DuckDBDateValue,
  DuckDBDecimalValue,
  DuckDBIntervalValue,
  DuckDBListValue,
  DuckDBMapValue,
  DuckDBStructValue,
  DuckDBTimestampMillisecondsValue,
  DuckDBTimestampNanosecondsValue,
  DuckDBTimestampSecondsValue,
  DuckDBTimestampTZValue,
  DuckDBTimestampValue,
  DuckDBTimeValue,
  DuckDBTypeId,
  DuckDBArrayValue,
} from '@duckdb/node-api';
import { formatDate, formatDatetime, formatFloatSeconds, formatTimeOfDay, formatTimestampIso } from './time.js';

export type TimestampFormat = 'int64' | 'float' | 'iso';

export type CellValue = string | null | Cell[] | Row;
export interface Cell {
  v: CellValue;
}
export interface Row {
  f: Cell[];
}

/** Which TIMESTAMP form a request asked for (formatOptions). */
export function timestampFormat(options: { useInt64Timestamp?: boolean | undefined; timestampOutputFormat?: string | undefined }): TimestampFormat {
  if (options.timestampOutputFormat === 'ISO8601_STRING') return 'iso';
  if (options.timestampOutputFormat === 'INT64' || options.useInt64Timestamp === true) return 'int64';
  return 'float';
}

export function toRows(rows: readonly (readonly DuckDBValue[])[], types: readonly DuckDBType[], ts: TimestampFormat): Row[] {
  return rows.map((row) => ({ f: row.map((value, i) => ({ v: toCell(value, types[i]!, ts) })) }));
}

/** Trailing zeros of a decimal's fraction are not part of BigQuery's NUMERIC text. */
function decimalText(value: DuckDBDecimalValue): string {
  const text = value.toString();
  return text.includes('.') ? text.replace(/\.?0+$/, '') : text;
}

function floatText(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return 'Infinity';
  if (value === -Infinity) return '-Infinity';
  return String(value);
}

function timestampMicros(value: DuckDBValue): bigint | undefined {
  if (value instanceof DuckDBTimestampTZValue || value instanceof DuckDBTimestampValue) return value.micros;
  if (value instanceof DuckDBTimestampSecondsValue) return value.seconds * 1_000_000n;
  if (value instanceof DuckDBTimestampMillisecondsValue) return value.millis * 1000n;
  if (value instanceof DuckDBTimestampNanosecondsValue) return value.nanos / 1000n;
  return undefined;
}

/** BigQuery's canonical INTERVAL text: Y-M D H:M:S[.F]. */
function intervalText(value: DuckDBIntervalValue): string {
  const years = Math.trunc(value.months / 12);
  const months = value.months % 12;
  const negative = value.micros < 0n;
  const micros = negative ? -value.micros : value.micros;
  const seconds = micros / 1_000_000n;
  const fraction = micros % 1_000_000n;
  const time = `${negative ? '-' : ''}${seconds / 3600n}:${(seconds / 60n) % 60n}:${seconds % 60n}${fraction ? `.${fraction.toString().padStart(6, '0').replace(/0+$/, '')}` : ''}`;
  return `${years}-${Math.abs(months)} ${value.days} ${time}`;
}

function toCell(value: DuckDBValue, type: DuckDBType, ts: TimestampFormat): CellValue {
  if (value === null) return null;
  switch (type.typeId) {
    case DuckDBTypeId.LIST:
    case DuckDBTypeId.ARRAY: {
      const items = value instanceof DuckDBListValue || value instanceof DuckDBArrayValue ? value.items : [];
      return items.map((item) => ({ v: toCell(item, type.valueType, ts) }));
    }
    case DuckDBTypeId.STRUCT: {
      const entries = value instanceof DuckDBStructValue ? value.entries : {};
      return { f: type.entryNames.map((name, i) => ({ v: toCell(entries[name] ?? null, type.entryTypes[i]!, ts) })) };
    }
    case DuckDBTypeId.MAP: {
      const entries = value instanceof DuckDBMapValue ? value.entries : [];
      return entries.map((e) => ({ v: { f: [{ v: toCell(e.key, type.keyType, ts) }, { v: toCell(e.value, type.valueType, ts) }] } }));
    }
    case DuckDBTypeId.TIMESTAMP_TZ: {
      const micros = timestampMicros(value)!;
      return ts === 'int64' ? micros.toString() : ts === 'iso' ? formatTimestampIso(micros) : formatFloatSeconds(micros);
    }
    case DuckDBTypeId.TIMESTAMP:
    case DuckDBTypeId.TIMESTAMP_S:
    case DuckDBTypeId.TIMESTAMP_MS:
    case DuckDBTypeId.TIMESTAMP_NS:
      return formatDatetime(timestampMicros(value)!);
    default:
      break;
  }
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'bigint' || typeof value === 'string') return value.toString();
  if (typeof value === 'number') return Number.isInteger(value) && type.typeId !== DuckDBTypeId.DOUBLE && type.typeId !== DuckDBTypeId.FLOAT ? String(value) : floatText(value);
  if (value instanceof DuckDBDecimalValue) return decimalText(value);
  if (value instanceof DuckDBDateValue) return formatDate(value.days);
  if (value instanceof DuckDBTimeValue) return formatTimeOfDay(value.micros);
  if (value instanceof DuckDBBlobValue) return Buffer.from(value.bytes).toString('base64');
  if (value instanceof DuckDBIntervalValue) return intervalText(value);
  return value.toString();
}
