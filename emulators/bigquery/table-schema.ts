// Table schemas: BigQuery's field list as requests give it (validated), as DuckDB stores it, and
// as DuckDB result columns read back.
import type { DuckDBType } from '@duckdb/node-api';
import { DuckDBTypeId } from '@duckdb/node-api';
import { z } from 'zod';
import { badRequest } from '../kit/google-error.js';
import type { BqType } from './sql/types.js';
import { BIGNUMERIC_SCALE, canonicalType, duckColumnType, quoteIdent } from './sql/types.js';

export type FieldMode = 'NULLABLE' | 'REQUIRED' | 'REPEATED';

export interface TableField {
  name: string;
  type: BqType;
  mode: FieldMode;
  fields?: TableField[];
  description?: string;
  /** Attributes BigQuery keeps and echoes (maxLength, policyTags, ...); not modelled further. */
  [attribute: string]: unknown;
}

const FIELD_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,299}$/;

interface FieldInput {
  name?: string | undefined;
  type?: string | undefined;
  mode?: string | undefined;
  fields?: FieldInput[] | undefined;
  description?: string | undefined;
  [k: string]: unknown;
}

/** tables.insert's TableFieldSchema (strict: unknown keys are a 400). */
const FieldSchema: z.ZodType<FieldInput> = z.lazy(() =>
  z
    .object({
      name: z.string().optional(),
      type: z.string().optional(),
      mode: z.string().optional(),
      fields: z.array(FieldSchema).optional(),
      description: z.string().optional(),
      categories: z.unknown().optional(),
      collation: z.string().optional(),
      dataGovernanceTagsInfo: z.unknown().optional(),
      dataPolicies: z.unknown().optional(),
      dataPolicyList: z.unknown().optional(),
      defaultValueExpression: z.string().optional(),
      foreignTypeDefinition: z.string().optional(),
      generatedColumn: z.unknown().optional(),
      maxLength: z.union([z.string(), z.number()]).optional(),
      policyTags: z.unknown().optional(),
      precision: z.union([z.string(), z.number()]).optional(),
      rangeElementType: z.unknown().optional(),
      roundingMode: z.string().optional(),
      scale: z.union([z.string(), z.number()]).optional(),
      timestampPrecision: z.union([z.string(), z.number()]).optional(),
    })
    .strict(),
);

/** "A schema cannot contain more than 15 levels of nested RECORD types." */
export const MAX_RECORD_DEPTH = 15;

function nestedTooDeeply(path: string): string {
  return `Schema nested too deeply for field ${path}, maximum allowed depth is ${MAX_RECORD_DEPTH}.`;
}

/** The first RECORD whose subfields would pass the depth limit, found without recursion. */
function tooDeepField(fields: unknown): string | undefined {
  const stack: { fields: unknown; path: string; depth: number }[] = [{ fields, path: '', depth: 1 }];
  while (stack.length > 0) {
    const level = stack.pop()!;
    if (!Array.isArray(level.fields)) continue;
    for (const f of level.fields as unknown[]) {
      if (typeof f !== 'object' || f === null) continue;
      const { name, fields: sub } = f as { name?: unknown; fields?: unknown };
      const path = `${level.path}${level.path ? '.' : ''}${typeof name === 'string' ? name : ''}`;
      if (!Array.isArray(sub) || sub.length === 0) continue;
      if (level.depth >= MAX_RECORD_DEPTH) return path;
      stack.push({ fields: sub, path, depth: level.depth + 1 });
    }
  }
  return undefined;
}

/** A table schema; too deep a RECORD is refused before the recursive field schema parses it. */
export const SchemaInput = z.preprocess(
  (value, ctx) => {
    const field = typeof value === 'object' && value !== null ? tooDeepField((value as { fields?: unknown }).fields) : undefined;
    if (field !== undefined) ctx.addIssue({ code: 'custom', message: nestedTooDeeply(field), params: { bigQueryMessage: true } });
    return value;
  },
  z.object({ fields: z.array(FieldSchema).optional(), foreignTypeInfo: z.unknown().optional() }).strict(),
);

/** Validate and canonicalise fields (legacy type names, explicit modes), as BigQuery stores them. */
export function normalizeFields(input: FieldInput[], path = '', depth = 1): TableField[] {
  const seen = new Set<string>();
  return input.map((f) => {
    const name = f.name ?? '';
    if (!FIELD_NAME.test(name)) {
      throw badRequest(
        `Invalid field name "${name}". Fields must contain only letters, numbers, and underscores, start with a letter or underscore, and be at most 300 characters long.`,
      );
    }
    const full = path ? `${path}.${name}` : name;
    if (seen.has(name.toLowerCase())) throw badRequest(`Field ${full} already exists in schema`);
    seen.add(name.toLowerCase());
    if (!f.type) throw badRequest(`Field ${full}: type is required`);
    const type = canonicalType(f.type);
    if (!type) throw badRequest(`Invalid value for type: ${f.type} is not a valid value`);
    const mode = (f.mode ?? 'NULLABLE').toUpperCase();
    if (mode !== 'NULLABLE' && mode !== 'REQUIRED' && mode !== 'REPEATED') throw badRequest(`Invalid value for mode: ${f.mode ?? ''} is not a valid value`);
    const { fields, ...rest } = f;
    const out: TableField = { ...rest, name, type, mode };
    if (type === 'RECORD') {
      if (!fields?.length) throw badRequest(`Field ${full} is type RECORD but has no schema`);
      if (depth >= MAX_RECORD_DEPTH) throw badRequest(nestedTooDeeply(full));
      out.fields = normalizeFields(fields, full, depth + 1);
    } else if (fields?.length) {
      throw badRequest(`Field ${full} is type ${type} but has subfields`);
    }
    return out;
  });
}

/** Column definitions for CREATE TABLE. */
export function columnsDdl(fields: TableField[]): string {
  return fields.map((f) => `${quoteIdent(f.name)} ${duckColumnType(f)}${f.mode === 'REQUIRED' ? ' NOT NULL' : ''}`).join(', ');
}

/** The BigQuery field for a DuckDB column (query results, tables created by SQL). */
export function fieldFromDuck(name: string, type: DuckDBType, nullable = true): TableField {
  const mode: FieldMode = nullable ? 'NULLABLE' : 'REQUIRED';
  switch (type.typeId) {
    case DuckDBTypeId.LIST:
    case DuckDBTypeId.ARRAY: {
      const inner = fieldFromDuck(name, type.valueType);
      if (inner.mode === 'REPEATED') throw badRequest(`Cannot output column ${name}: arrays of arrays are not supported`, { reason: 'invalidQuery' });
      return { ...inner, mode: 'REPEATED' };
    }
    case DuckDBTypeId.STRUCT:
      return { name, type: 'RECORD', mode, fields: type.entryNames.map((n, i) => fieldFromDuck(n, type.entryTypes[i]!)) };
    case DuckDBTypeId.MAP:
      return {
        name,
        type: 'RECORD',
        mode: 'REPEATED',
        fields: [fieldFromDuck('key', type.keyType), fieldFromDuck('value', type.valueType)],
      };
    default:
      return { name, type: scalarFromDuck(type), mode };
  }
}

function scalarFromDuck(type: DuckDBType): BqType {
  switch (type.typeId) {
    case DuckDBTypeId.BOOLEAN:
      return 'BOOLEAN';
    case DuckDBTypeId.TINYINT:
    case DuckDBTypeId.SMALLINT:
    case DuckDBTypeId.INTEGER:
    case DuckDBTypeId.BIGINT:
    case DuckDBTypeId.UTINYINT:
    case DuckDBTypeId.USMALLINT:
    case DuckDBTypeId.UINTEGER:
    case DuckDBTypeId.UBIGINT:
    case DuckDBTypeId.HUGEINT:
    case DuckDBTypeId.UHUGEINT:
    case DuckDBTypeId.SQLNULL: // SELECT NULL is INT64 in BigQuery
    case DuckDBTypeId.INTEGER_LITERAL:
      return 'INTEGER';
    case DuckDBTypeId.FLOAT:
    case DuckDBTypeId.DOUBLE:
      return 'FLOAT';
    case DuckDBTypeId.DECIMAL:
      return type.scale === BIGNUMERIC_SCALE ? 'BIGNUMERIC' : 'NUMERIC';
    case DuckDBTypeId.BLOB:
      return 'BYTES';
    case DuckDBTypeId.DATE:
      return 'DATE';
    case DuckDBTypeId.TIME:
    case DuckDBTypeId.TIME_TZ:
    case DuckDBTypeId.TIME_NS:
      return 'TIME';
    case DuckDBTypeId.TIMESTAMP:
    case DuckDBTypeId.TIMESTAMP_S:
    case DuckDBTypeId.TIMESTAMP_MS:
    case DuckDBTypeId.TIMESTAMP_NS:
      return 'DATETIME';
    case DuckDBTypeId.TIMESTAMP_TZ:
      return 'TIMESTAMP';
    case DuckDBTypeId.INTERVAL:
      return 'INTERVAL';
    case DuckDBTypeId.VARCHAR:
      return type.alias === 'JSON' ? 'JSON' : 'STRING';
    default:
      return 'STRING';
  }
}

/** Whether a declared field is stored the way a DuckDB column was read back. */
function sameStorage(declared: TableField, derived: TableField): boolean {
  const repeated = (f: TableField) => f.mode === 'REPEATED';
  if (repeated(declared) !== repeated(derived)) return false;
  if (declared.type === 'RECORD' || derived.type === 'RECORD') {
    if (declared.type !== derived.type) return false;
    const a = declared.fields ?? [];
    const b = derived.fields ?? [];
    return a.length === b.length && a.every((f, i) => f.name.toLowerCase() === b[i]!.name.toLowerCase() && sameStorage(f, b[i]!));
  }
  if (declared.type === 'GEOGRAPHY') return derived.type === 'STRING';
  return declared.type === derived.type;
}

/**
 * The schema to report: DuckDB's columns are the truth; where a declared field (kept from
 * tables.insert or DDL) still matches its column, its mode, description and alias types win.
 */
export function mergeSchema(declared: TableField[] | undefined, derived: TableField[]): TableField[] {
  const byName = new Map((declared ?? []).map((f) => [f.name.toLowerCase(), f]));
  return derived.map((d) => {
    const f = byName.get(d.name.toLowerCase());
    if (!f || !sameStorage(f, d)) return d;
    // A top-level NOT NULL lives in DuckDB; REQUIRED below the top level only in the declaration.
    const mode: FieldMode = d.mode === 'REQUIRED' ? 'REQUIRED' : f.mode === 'REQUIRED' ? 'NULLABLE' : f.mode;
    return { ...f, name: d.name, mode };
  });
}
