// DuckDB's error messages, said the way BigQuery says them ("Unrecognized name: x at [1:8]"),
// with positions looked up in the user's original SQL (DuckDB only knows the translated text).
import { GoogleApiError } from '../../kit/google-error.js';
import { SqlError } from './sql-error.js';
import type { Token } from './tokenizer.js';
import { tokenize } from './tokenizer.js';

const DUCK_TO_BQ_TYPE: Record<string, string> = {
  BIGINT: 'int64',
  INTEGER: 'int64',
  INT64: 'int64',
  DOUBLE: 'double',
  FLOAT: 'double',
  BOOLEAN: 'bool',
  DATE: 'date',
  TIMESTAMP: 'datetime',
  'TIMESTAMP WITH TIME ZONE': 'timestamp',
  TIME: 'time',
};

function tokensOf(sql: string): Token[] {
  try {
    return tokenize(sql);
  } catch {
    return [];
  }
}

function findToken(sql: string, text: string): Token | undefined {
  const wanted = text.toLowerCase();
  return tokensOf(sql).find((t) => (t.kind === 'quoted' ? t.value : t.text).toLowerCase() === wanted);
}

/** " at [line:col]" of the first token spelled `text` (case-insensitive), or ''. */
function positionOf(sql: string, text: string): string {
  const token = findToken(sql, text);
  return token ? ` at [${token.line}:${token.col}]` : '';
}

/** The user's spelling of a name DuckDB reports lower-cased. */
function spelled(sql: string, text: string): string {
  const token = findToken(sql, text);
  return token ? (token.kind === 'quoted' ? token.value : token.text) : text;
}

function endPosition(sql: string): string {
  const tokens = tokensOf(sql);
  const eof = tokens[tokens.length - 1];
  return eof ? ` at [${eof.line}:${eof.col}]` : '';
}

function describeToken(sql: string, text: string): string {
  const token = tokensOf(sql).find((t) => t.text.toLowerCase() === text.toLowerCase());
  if (!token) return `"${text}"`;
  if (token.kind === 'ident') return /^[a-z_]+$/i.test(text) && text === text.toUpperCase() ? `keyword ${text}` : `identifier "${text}"`;
  if (token.kind === 'string') return `string literal ${token.text}`;
  if (token.kind === 'number') return `integer literal "${text}"`;
  return `"${text}"`;
}

/** BigQuery's invalidQuery error for a DuckDB failure while running `sql` (the BigQuery text). */
export function bigQueryErrorFor(error: unknown, sql: string): GoogleApiError {
  if (error instanceof GoogleApiError) return error;
  if (error instanceof SqlError) return invalidQuery(error.message);
  const raw = error instanceof Error ? error.message : String(error);
  const first = raw.split('\n')[0]!.trim();
  const body = first.replace(/^[A-Za-z ]*Error: /, '');
  let m: RegExpExecArray | null;
  if ((m = /syntax error at or near "(.*)"/.exec(first))) {
    // A token the user did not write (the translation's own) means the user's SQL ended early.
    if (!findToken(sql, m[1]!)) return invalidQuery(`Syntax error: Unexpected end of script${endPosition(sql)}`);
    return invalidQuery(`Syntax error: Unexpected ${describeToken(sql, m[1]!)}${positionOf(sql, m[1]!)}`);
  }
  if (/syntax error at end of input/.test(first)) return invalidQuery(`Syntax error: Unexpected end of script${endPosition(sql)}`);
  if ((m = /Referenced column "(.+?)" (?:not found in FROM clause|was not found because the FROM clause is missing)/.exec(first))) {
    return invalidQuery(`Unrecognized name: ${spelled(sql, m[1]!)}${positionOf(sql, m[1]!)}`);
  }
  if ((m = /Referenced table "(.+?)" not found/.exec(first))) return invalidQuery(`Unrecognized name: ${m[1]!}${positionOf(sql, m[1]!)}`);
  if ((m = /Table "(.+?)" does not have a column named "(.+?)"/.exec(first))) return invalidQuery(`Name ${m[2]!} not found inside ${m[1]!}${positionOf(sql, m[2]!)}`);
  if ((m = /(?:Scalar|Aggregate|Table) Function with name "?([^ "!]+)"? does not exist/i.exec(first))) {
    return invalidQuery(`Function not found: ${spelled(sql, m[1]!)}${positionOf(sql, m[1]!)}`);
  }
  if ((m = /column "(.+?)" must appear in the GROUP BY clause/.exec(first))) {
    return invalidQuery(`SELECT list expression references column ${m[1]!} which is neither grouped nor aggregated${positionOf(sql, m[1]!)}`);
  }
  if ((m = /Ambiguous reference to column name "(.+?)"/.exec(first))) return invalidQuery(`Column name ${m[1]!} is ambiguous${positionOf(sql, m[1]!)}`);
  if ((m = /Could not convert string '(.*)' to ([A-Z0-9 ]+)/.exec(first))) {
    return invalidQuery(`Bad ${DUCK_TO_BQ_TYPE[m[2]!.trim()] ?? m[2]!.toLowerCase()} value: ${m[1]!}`);
  }
  if ((m = /No function matches the given name and argument types '(.+?)\((.*)\)'/.exec(first))) {
    return invalidQuery(`No matching signature for function ${m[1]!.toUpperCase()} for argument types: ${m[2]!}`);
  }
  if ((m = /Table with name (.+?) does not exist/.exec(first))) return invalidQuery(`Table not found: ${m[1]!}`);
  return invalidQuery(body);
}

function invalidQuery(message: string): GoogleApiError {
  return new GoogleApiError(400, message, { reason: 'invalidQuery', location: 'q' });
}
