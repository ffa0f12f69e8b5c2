// BigQuery data types and the DuckDB types that store them. One table of truth, shared by table
// schemas (DDL), CAST targets in SQL, query parameters and result typing.
//
// TIMESTAMP is an absolute instant (DuckDB TIMESTAMPTZ, session time zone UTC); DATETIME is civil
// time (DuckDB TIMESTAMP). NUMERIC is DECIMAL(38,9) exactly; BIGNUMERIC cannot fit DuckDB's 38
// digits and is stored as DECIMAL(38,19) (its scale marks it when results are typed back).

/** Canonical (legacy) BigQuery type names, as tables.get and query results report them. */
export type BqType =
  | 'STRING'
  | 'BYTES'
  | 'INTEGER'
  | 'FLOAT'
  | 'NUMERIC'
  | 'BIGNUMERIC'
  | 'BOOLEAN'
  | 'TIMESTAMP'
  | 'DATE'
  | 'TIME'
  | 'DATETIME'
  | 'GEOGRAPHY'
  | 'JSON'
  | 'INTERVAL'
  | 'RECORD';

const ALIASES: Record<string, BqType> = {
  STRING: 'STRING',
  BYTES: 'BYTES',
  INTEGER: 'INTEGER',
  INT64: 'INTEGER',
  INT: 'INTEGER',
  SMALLINT: 'INTEGER',
  BIGINT: 'INTEGER',
  TINYINT: 'INTEGER',
  BYTEINT: 'INTEGER',
  FLOAT: 'FLOAT',
  FLOAT64: 'FLOAT',
  NUMERIC: 'NUMERIC',
  DECIMAL: 'NUMERIC',
  BIGNUMERIC: 'BIGNUMERIC',
  BIGDECIMAL: 'BIGNUMERIC',
  BOOLEAN: 'BOOLEAN',
  BOOL: 'BOOLEAN',
  TIMESTAMP: 'TIMESTAMP',
  DATE: 'DATE',
  TIME: 'TIME',
  DATETIME: 'DATETIME',
  GEOGRAPHY: 'GEOGRAPHY',
  JSON: 'JSON',
  INTERVAL: 'INTERVAL',
  RECORD: 'RECORD',
  STRUCT: 'RECORD',
};

/** The canonical name for a type name a request or a query may use, or undefined. */
export function canonicalType(name: string): BqType | undefined {
  return ALIASES[name.toUpperCase()];
}

const NUMERIC_DUCK = 'DECIMAL(38,9)';
const BIGNUMERIC_DUCK = 'DECIMAL(38,19)';
export const BIGNUMERIC_SCALE = 19;

const DUCK_SCALAR: Record<Exclude<BqType, 'RECORD'>, string> = {
  STRING: 'VARCHAR',
  BYTES: 'BLOB',
  INTEGER: 'BIGINT',
  FLOAT: 'DOUBLE',
  NUMERIC: NUMERIC_DUCK,
  BIGNUMERIC: BIGNUMERIC_DUCK,
  BOOLEAN: 'BOOLEAN',
  TIMESTAMP: 'TIMESTAMPTZ',
  DATE: 'DATE',
  TIME: 'TIME',
  DATETIME: 'TIMESTAMP',
  // No spatial extension: GEOGRAPHY values are kept as WKT text.
  GEOGRAPHY: 'VARCHAR',
  JSON: 'JSON',
  INTERVAL: 'INTERVAL',
};

export function duckScalarType(type: Exclude<BqType, 'RECORD'>): string {
  return DUCK_SCALAR[type];
}

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

export function quoteString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** The shape of a schema field that decides its storage. */
export interface FieldShape {
  type: BqType;
  mode?: 'NULLABLE' | 'REQUIRED' | 'REPEATED' | undefined;
  fields?: (FieldShape & { name: string })[] | undefined;
}

/** The DuckDB column type that stores a BigQuery field (REPEATED → list, RECORD → struct). */
export function duckColumnType(field: FieldShape): string {
  const base =
    field.type === 'RECORD' ? `STRUCT(${(field.fields ?? []).map((f) => `${quoteIdent(f.name)} ${duckColumnType(f)}`).join(', ')})` : duckScalarType(field.type);
  return field.mode === 'REPEATED' ? `${base}[]` : base;
}
