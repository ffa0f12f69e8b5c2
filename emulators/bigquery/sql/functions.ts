// BigQuery functions that DuckDB lacks or spells differently, rewritten call by call. Arguments
// arrive already translated (`sql`), with their tokens for the ones that are syntax (date parts,
// literal format strings, quantile counts).
import { translateFormat } from './formats.js';
import { SqlError } from './sql-error.js';
import type { Token } from './tokenizer.js';
import { kw } from './tokenizer.js';
import { quoteString } from './types.js';

export interface FnArg {
  sql: string;
  tokens: Token[];
  /** The elements' SQL when the argument is an array known at translation time (an ARRAY parameter, a literal of constants). */
  elements?: string[];
}

export interface FnCall {
  name: string;
  args: FnArg[];
  token: Token;
  /** JSON_VALUE / JSON_EXTRACT_SCALAR on a column: every literal path the statement reads from that column (json-paths.ts). */
  jsonPaths?: readonly string[];
}

type Rewriter = (call: FnCall) => string;

function fail(call: FnCall, message: string): never {
  throw new SqlError(message, call.token.line, call.token.col);
}

function arity(call: FnCall, min: number, max = min): string[] {
  const n = call.args.length;
  if (n < min || n > max) {
    const expected = min === max ? `${min}` : `${min} to ${max}`;
    fail(call, `No matching signature for function ${call.name} for ${n} argument(s); expected ${expected}`);
  }
  return call.args.map((a) => a.sql);
}

/** An argument's SQL as one operand: parenthesized unless a plain name or number (`DIV(a + b, 3)`). */
function operand(sql: string): string {
  return /^[\w."]+$/.test(sql) ? sql : `(${sql})`;
}

/** The text of a literal string argument, or undefined when the argument is an expression. */
function literalString(arg: FnArg | undefined): string | undefined {
  return arg?.tokens.length === 1 && arg.tokens[0]!.kind === 'string' ? arg.tokens[0]!.value : undefined;
}

const WEEKDAYS = ['SUNDAY', 'MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY'];

/** A date part argument: `DAY`, `WEEK`, `WEEK(MONDAY)`, ... */
function datePart(call: FnCall, arg: FnArg | undefined): { part: string; weekStart: number } {
  const t = arg?.tokens ?? [];
  const part = kw(t[0]);
  if (!part) fail(call, `A valid date part name is required for ${call.name}`);
  if (part === 'WEEK' && t.length === 4) {
    const day = WEEKDAYS.indexOf(kw(t[2]));
    if (day < 0) fail(call, `Invalid week day ${t[2]?.text ?? ''}`);
    return { part, weekStart: day };
  }
  if (t.length !== 1) fail(call, `A valid date part name is required for ${call.name}`);
  return { part, weekStart: part === 'ISOWEEK' ? 1 : 0 };
}

const TRUNC_PARTS: Record<string, string> = {
  MICROSECOND: 'microseconds',
  MILLISECOND: 'milliseconds',
  SECOND: 'second',
  MINUTE: 'minute',
  HOUR: 'hour',
  DAY: 'day',
  MONTH: 'month',
  QUARTER: 'quarter',
  YEAR: 'year',
  ISOYEAR: 'isoyear',
};

/** date_trunc with BigQuery's week semantics (WEEK starts on Sunday unless WEEK(<day>)). */
function truncate(call: FnCall, value: string, partArg: FnArg | undefined): string {
  const { part, weekStart } = datePart(call, partArg);
  if (part === 'WEEK' || part === 'ISOWEEK') {
    // DuckDB weeks start on Monday: shift so the wanted weekday lands on Monday, truncate, shift back.
    const shift = (8 - weekStart) % 7;
    if (shift === 0) return `date_trunc('week', ${value})`;
    return `(date_trunc('week', ${value} + INTERVAL ${shift} DAY) - INTERVAL ${shift} DAY)`;
  }
  const duck = TRUNC_PARTS[part];
  if (!duck) fail(call, `Unsupported date part ${part} for ${call.name}`);
  return `date_trunc('${duck}', ${value})`;
}

const DIFF_PARTS: Record<string, string> = { ...TRUNC_PARTS, ISOWEEK: 'week', DAYOFWEEK: 'day' };

function diff(call: FnCall, fn: 'date_diff' | 'date_sub'): string {
  const [a, b] = arity(call, 3);
  const { part, weekStart } = datePart(call, call.args[2]);
  if (part === 'WEEK') {
    const shift = (8 - weekStart) % 7;
    const s = (x: string) => (shift ? `(${x} + INTERVAL ${shift} DAY)` : x);
    return `${fn}('week', ${s(b!)}, ${s(a!)})`;
  }
  const duck = DIFF_PARTS[part];
  if (!duck) fail(call, `Unsupported date part ${part} for ${call.name}`);
  return `${fn}('${duck}', ${b!}, ${a!})`;
}

function addInterval(op: '+' | '-', cast?: string): Rewriter {
  return (call) => {
    const [a, b] = arity(call, 2);
    if (kw(call.args[1]!.tokens[0]) !== 'INTERVAL') fail(call, `${call.name} requires an INTERVAL as its second argument`);
    const expr = `(${a!} ${op} ${b!})`;
    return cast ? `CAST(${expr} AS ${cast})` : expr;
  };
}

function format(kind: 'TIMESTAMP' | 'DATE' | 'DATETIME' | 'TIME'): Rewriter {
  return (call) => {
    const [fmt, value, tz] = arity(call, 2, kind === 'TIMESTAMP' ? 3 : 2);
    const literal = literalString(call.args[0]);
    const duckFormat = literal !== undefined ? quoteString(translateFormat(literal, kind === 'TIMESTAMP' && tz === undefined)) : fmt!;
    let v = value!;
    if (tz !== undefined) v = `timezone(${tz}, ${v})`;
    if (kind === 'TIME') v = `(DATE '1970-01-01' + ${v})`;
    return `strftime(${v}, ${duckFormat})`;
  };
}

function parse(kind: 'TIMESTAMP' | 'DATE' | 'DATETIME' | 'TIME'): Rewriter {
  return (call) => {
    const [fmt, value, tz] = arity(call, 2, kind === 'TIMESTAMP' ? 3 : 2);
    const literal = literalString(call.args[0]);
    const duckFormat = literal !== undefined ? quoteString(translateFormat(literal, false)) : fmt!;
    const parsed = `strptime(${value!}, ${duckFormat})`;
    switch (kind) {
      case 'TIMESTAMP':
        return tz !== undefined ? `timezone(${tz}, CAST(${parsed} AS TIMESTAMP))` : `CAST(${parsed} AS TIMESTAMPTZ)`;
      case 'DATE':
        return `CAST(${parsed} AS DATE)`;
      case 'TIME':
        return `CAST(${parsed} AS TIME)`;
      case 'DATETIME':
        return `CAST(${parsed} AS TIMESTAMP)`;
    }
  };
}

function rename(target: string, min: number, max = min): Rewriter {
  return (call) => `${target}(${arity(call, min, max).join(', ')})`;
}

/** Capture groups in a regular expression (BigQuery returns the first one when present). */
function hasCaptureGroup(pattern: string): boolean {
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') i++;
    else if (c === '(' && pattern[i + 1] !== '?') return true;
  }
  return false;
}

function regexpExtract(target: string): Rewriter {
  return (call) => {
    const [s, r] = arity(call, 2);
    const pattern = literalString(call.args[1]);
    const group = pattern !== undefined && hasCaptureGroup(pattern) ? 1 : 0;
    return `${target}(${s!}, ${r!}, ${group})`;
  };
}

function approxQuantiles(call: FnCall): string {
  if (call.args.length !== 2) fail(call, `No matching signature for aggregate function APPROX_QUANTILES for ${call.args.length} argument(s)`);
  const [x, nArg] = call.args as [FnArg, FnArg];
  // The count may carry IGNORE NULLS / RESPECT NULLS; NULLs are ignored either way here.
  const countToken = nArg.tokens[0];
  const n = countToken?.kind === 'number' ? Number(countToken.text) : NaN;
  if (!Number.isInteger(n) || n < 1) fail(call, 'APPROX_QUANTILES requires a positive INT64 literal as its second argument');
  const fractions = Array.from({ length: n + 1 }, (_, i) => (i === n ? '1' : String(i / n)));
  return `quantile_disc(${x.sql}, [${fractions.join(', ')}])`;
}

function concat(call: FnCall): string {
  const args = arity(call, 1, Number.MAX_SAFE_INTEGER);
  // `||` keeps BigQuery's NULL semantics (any NULL argument makes the result NULL).
  return args.length === 1 ? args[0]! : `(${args.join(' || ')})`;
}

function timestampFn(call: FnCall): string {
  const [x, tz] = arity(call, 1, 2);
  return tz !== undefined ? `timezone(${tz}, CAST(${x!} AS TIMESTAMP))` : `CAST(${x!} AS TIMESTAMPTZ)`;
}

function dateFn(call: FnCall): string {
  const args = arity(call, 1, 3);
  if (args.length === 3) return `make_date(${args.map((a) => `CAST(${a} AS BIGINT)`).join(', ')})`;
  if (args.length === 2) return `CAST(timezone(${args[1]!}, ${args[0]!}) AS DATE)`;
  return `CAST(${args[0]!} AS DATE)`;
}

function datetimeFn(call: FnCall): string {
  const args = arity(call, 1, 6);
  if (args.length === 6) return `make_timestamp(${args.map((a) => `CAST(${a} AS BIGINT)`).join(', ')})`;
  if (args.length === 2) {
    const second = literalString(call.args[1]);
    // DATETIME(timestamp, time_zone) or DATETIME(date, time)
    if (second !== undefined) return `timezone(${args[1]!}, ${args[0]!})`;
    return `(CAST(${args[0]!} AS DATE) + CAST(${args[1]!} AS TIME))`;
  }
  if (args.length !== 1) fail(call, `No matching signature for function DATETIME for ${args.length} argument(s)`);
  return `CAST(${args[0]!} AS TIMESTAMP)`;
}

function timeFn(call: FnCall): string {
  const args = arity(call, 1, 3);
  if (args.length === 3) return `make_time(CAST(${args[0]!} AS BIGINT), CAST(${args[1]!} AS BIGINT), CAST(${args[2]!} AS DOUBLE))`;
  if (args.length === 2) return `CAST(timezone(${args[1]!}, ${args[0]!}) AS TIME)`;
  return `CAST(${args[0]!} AS TIME)`;
}

function arrayAgg(call: FnCall): string {
  if (call.args.length !== 1) return `array_agg(${call.args.map((a) => a.sql).join(', ')})`;
  const arg = call.args[0]!;
  const sql = arg.sql;
  const m = /^(.*?)\s+IGNORE\s+NULLS\b(.*)$/is.exec(sql);
  if (!m) return `array_agg(${sql})`;
  return `array_agg(${m[1]!}${m[2]!}) FILTER (WHERE ${m[1]!} IS NOT NULL)`;
}

function generateDateArray(call: FnCall): string {
  const [a, b, step] = arity(call, 2, 3);
  return `CAST(generate_series(CAST(${a!} AS DATE), CAST(${b!} AS DATE), ${step ?? 'INTERVAL 1 DAY'}) AS DATE[])`;
}

/**
 * JSON_VALUE / JSON_EXTRACT_SCALAR: a scalar's text; SQL NULL for an object or array, a JSON null,
 * a path that matches nothing, and (for a JSON-formatted STRING) text that is not JSON. DuckDB's
 * json_extract_string would return an object's text and fail on bad input.
 *
 * A literal path on a column takes its element of the column's shared extraction (json-paths.ts):
 * one validity check and one parse a row for all of the statement's paths on the column. The
 * element is minified JSON text, so its first character tells its type: a string is unescaped, a
 * number or boolean is already its text (json_extract_string writes scalars the same way).
 */
function jsonScalar(call: FnCall): string {
  const [j, p] = arity(call, 1, 2);
  const literal = p === undefined ? '$' : literalString(call.args[1]);
  const k = literal === undefined ? -1 : (call.jsonPaths?.indexOf(literal) ?? -1);
  if (k < 0) {
    const path = p ?? "'$'";
    return `(CASE WHEN NOT json_valid(${j!}) THEN NULL WHEN json_type(${j!}, ${path}) IN ('OBJECT', 'ARRAY') THEN NULL ELSE json_extract_string(${j!}, ${path}) END)`;
  }
  const paths = `[${call.jsonPaths!.map(quoteString).join(', ')}]`;
  const e = `(CASE WHEN json_valid(${j!}) THEN json_extract(${j!}, ${paths}) END)[${k + 1}]`;
  return `(CASE left(${e}, 1) WHEN '"' THEN json_extract_string(${e}, '$') WHEN '{' THEN NULL WHEN '[' THEN NULL WHEN 'n' THEN NULL ELSE CAST(${e} AS VARCHAR) END)`;
}

/** Longest boundary array searched with an unrolled tree (its SQL grows with the length). */
const MAX_UNROLLED_BOUNDARIES = 1024;

/**
 * How many of `elements[lo..hi)` are <= point, knowing those before lo are and those from hi on are
 * not: a binary search written out as nested CASEs, each boundary a constant DuckDB folds. About
 * log2(n) comparisons a row, ~6× faster than the list_reduce search for 20 edges over 1M rows.
 */
function upperBoundTree(elements: readonly string[], point: string, lo: number, hi: number): string {
  if (lo === hi) return String(lo);
  const mid = (lo + hi) >> 1;
  return `CASE WHEN ${elements[mid]!} <= ${point} THEN ${upperBoundTree(elements, point, mid + 1, hi)} ELSE ${upperBoundTree(elements, point, lo, mid)} END`;
}

/** 2^30 … 2^0: the strides of RANGE_BUCKET's binary search (BigQuery arrays stay far below 2^31). */
const POWERS_OF_TWO = `[${Array.from({ length: 31 }, (_, i) => 2 ** (30 - i)).join(', ')}]::BIGINT[]`;

/**
 * RANGE_BUCKET(point, boundaries): how many boundaries are <= point (BigQuery's "0-based position
 * of the point's upper bound"); NULL for a NULL or NaN point; 0 for an empty array. DuckDB has no
 * binary search over a list, so this is one written with list_reduce: strides from the largest
 * power of two <= len down to 1, each taken while the element it lands on is <= point (an
 * upper bound, so duplicates count). Counting with list_filter was linear per row: 200 edges over
 * 1M rows took ~4× longer. Boundaries known when translating (a parameter, a literal of constants)
 * get the unrolled search of upperBoundTree instead. An unsorted array or one holding NULL/NaN is not rejected as BigQuery
 * rejects it (the answer is then unspecified).
 */
function rangeBucket(call: FnCall): string {
  const [point, boundaries] = arity(call, 2).map(operand);
  const known = call.args[1]!.elements;
  if (known !== undefined && known.length <= MAX_UNROLLED_BOUNDARIES && (/^[\w."]+$/.test(point!) || known.length <= 64)) {
    return `(CASE WHEN ${point!} IS NULL OR isnan(CAST(${point!} AS DOUBLE)) THEN NULL ELSE ${upperBoundTree(known, point!, 0, known.length)} END)`;
  }
  const n = `len(${boundaries!})`;
  // The search starts from 0, prepended: list_reduce's own initial-value form gives wrong answers
  // in DuckDB 1.5.4 when the lambda captures a list column whose length varies by row.
  const strides = `list_prepend(CAST(0 AS BIGINT), list_slice(${POWERS_OF_TWO}, 31 - CAST(floor(log2(greatest(${n}, 1))) AS BIGINT), 31))`;
  const search = `list_reduce(${strides}, lambda _lo, _s: CASE WHEN _lo + _s <= ${n} AND ${boundaries!}[_lo + _s] <= ${point!} THEN _lo + _s ELSE _lo END)`;
  return `(CASE WHEN ${point!} IS NULL OR isnan(CAST(${point!} AS DOUBLE)) THEN NULL ELSE ${search} END)`;
}

export const FUNCTIONS: Record<string, Rewriter> = {
  SAFE_DIVIDE: (call) => {
    const [a, b] = arity(call, 2).map(operand);
    return `(${a!} / NULLIF(${b!}, 0))`;
  },
  IEEE_DIVIDE: (call) => {
    const [a, b] = arity(call, 2).map(operand);
    return `(CAST(${a!} AS DOUBLE) / ${b!})`;
  },
  DIV: (call) => {
    const [a, b] = arity(call, 2).map(operand);
    return `(${a!} // ${b!})`;
  },
  SAFE_ADD: (call) => `try(${arity(call, 2).map(operand).join(' + ')})`,
  SAFE_SUBTRACT: (call) => `try(${arity(call, 2).map(operand).join(' - ')})`,
  SAFE_MULTIPLY: (call) => `try(${arity(call, 2).map(operand).join(' * ')})`,
  SAFE_NEGATE: (call) => `try(-(${arity(call, 1)[0]!}))`,
  LOG: (call) => {
    const [x, base] = arity(call, 1, 2);
    return base === undefined ? `ln(${x!})` : `log(${base}, ${x!})`;
  },
  TIMESTAMP_ADD: addInterval('+'),
  TIMESTAMP_SUB: addInterval('-'),
  DATETIME_ADD: addInterval('+'),
  DATETIME_SUB: addInterval('-'),
  TIME_ADD: addInterval('+', 'TIME'),
  TIME_SUB: addInterval('-', 'TIME'),
  DATE_ADD: addInterval('+', 'DATE'),
  DATE_SUB: addInterval('-', 'DATE'),
  TIMESTAMP_TRUNC: (call) => {
    const [ts, , tz] = arity(call, 2, 3);
    if (tz === undefined) return truncate(call, ts!, call.args[1]);
    return `timezone(${tz}, ${truncate(call, `timezone(${tz}, ${ts!})`, call.args[1])})`;
  },
  DATETIME_TRUNC: (call) => {
    const [dt] = arity(call, 2);
    return `CAST(${truncate(call, dt!, call.args[1])} AS TIMESTAMP)`;
  },
  DATE_TRUNC: (call) => {
    const [d] = arity(call, 2);
    return `CAST(${truncate(call, d!, call.args[1])} AS DATE)`;
  },
  TIME_TRUNC: (call) => {
    const [t] = arity(call, 2);
    return `CAST(${truncate(call, `(DATE '1970-01-01' + ${t!})`, call.args[1])} AS TIME)`;
  },
  TIMESTAMP_DIFF: (call) => diff(call, 'date_sub'),
  DATETIME_DIFF: (call) => diff(call, 'date_diff'),
  DATE_DIFF: (call) => diff(call, 'date_diff'),
  TIME_DIFF: (call) => diff(call, 'date_diff'),
  FORMAT_TIMESTAMP: format('TIMESTAMP'),
  FORMAT_DATE: format('DATE'),
  FORMAT_DATETIME: format('DATETIME'),
  FORMAT_TIME: format('TIME'),
  PARSE_TIMESTAMP: parse('TIMESTAMP'),
  PARSE_DATE: parse('DATE'),
  PARSE_DATETIME: parse('DATETIME'),
  PARSE_TIME: parse('TIME'),
  CURRENT_TIMESTAMP: (call) => (arity(call, 0), 'current_timestamp'),
  CURRENT_DATE: (call) => {
    const [tz] = arity(call, 0, 1);
    return tz === undefined ? 'current_date' : `CAST(timezone(${tz}, current_timestamp) AS DATE)`;
  },
  CURRENT_DATETIME: (call) => {
    const [tz] = arity(call, 0, 1);
    return tz === undefined ? 'CAST(current_timestamp AS TIMESTAMP)' : `timezone(${tz}, current_timestamp)`;
  },
  CURRENT_TIME: (call) => {
    const [tz] = arity(call, 0, 1);
    return tz === undefined ? 'CAST(current_timestamp AS TIME)' : `CAST(timezone(${tz}, current_timestamp) AS TIME)`;
  },
  TIMESTAMP: timestampFn,
  DATE: dateFn,
  DATETIME: datetimeFn,
  TIME: timeFn,
  TIMESTAMP_SECONDS: (call) => `to_timestamp(CAST(${arity(call, 1)[0]!} AS BIGINT))`,
  TIMESTAMP_MILLIS: (call) => `CAST(epoch_ms(CAST(${arity(call, 1)[0]!} AS BIGINT)) AS TIMESTAMPTZ)`,
  TIMESTAMP_MICROS: (call) => `CAST(make_timestamp(CAST(${arity(call, 1)[0]!} AS BIGINT)) AS TIMESTAMPTZ)`,
  UNIX_SECONDS: (call) => `CAST(floor(epoch(${arity(call, 1)[0]!})) AS BIGINT)`,
  UNIX_MILLIS: (call) => `epoch_ms(${arity(call, 1)[0]!})`,
  UNIX_MICROS: (call) => `epoch_us(${arity(call, 1)[0]!})`,
  UNIX_DATE: (call) => `date_diff('day', DATE '1970-01-01', ${arity(call, 1)[0]!})`,
  DATE_FROM_UNIX_DATE: (call) => `CAST(DATE '1970-01-01' + to_days(CAST(${arity(call, 1)[0]!} AS INTEGER)) AS DATE)`,
  APPROX_QUANTILES: approxQuantiles,
  RANGE_BUCKET: rangeBucket,
  COUNTIF: rename('count_if', 1),
  LOGICAL_AND: rename('bool_and', 1),
  LOGICAL_OR: rename('bool_or', 1),
  ARRAY_LENGTH: rename('len', 1),
  ARRAY_CONCAT: (call) => `list_concat(${arity(call, 1, Number.MAX_SAFE_INTEGER).join(', ')})`,
  ARRAY_REVERSE: rename('list_reverse', 1),
  ARRAY_TO_STRING: (call) => `array_to_string(${arity(call, 2, 3).slice(0, 2).join(', ')})`,
  ARRAY_AGG: arrayAgg,
  GENERATE_ARRAY: rename('generate_series', 2, 3),
  GENERATE_DATE_ARRAY: generateDateArray,
  GENERATE_TIMESTAMP_ARRAY: (call) => {
    const [a, b, step] = arity(call, 3);
    return `generate_series(CAST(${a!} AS TIMESTAMPTZ), CAST(${b!} AS TIMESTAMPTZ), ${step!})`;
  },
  SPLIT: (call) => {
    const [s, d] = arity(call, 1, 2);
    return `string_split(${s!}, ${d ?? "','"})`;
  },
  REGEXP_CONTAINS: rename('regexp_matches', 2),
  REGEXP_REPLACE: (call) => `regexp_replace(${arity(call, 3).join(', ')}, 'g')`,
  REGEXP_EXTRACT: regexpExtract('regexp_extract'),
  REGEXP_EXTRACT_ALL: regexpExtract('regexp_extract_all'),
  BYTE_LENGTH: rename('octet_length', 1),
  CHAR_LENGTH: rename('length', 1),
  CHARACTER_LENGTH: rename('length', 1),
  FORMAT: (call) => `printf(${arity(call, 1, Number.MAX_SAFE_INTEGER).join(', ')})`,
  TO_JSON_STRING: (call) => `CAST(to_json(${arity(call, 1, 2)[0]!}) AS VARCHAR)`,
  TO_JSON: (call) => `to_json(${arity(call, 1, 2)[0]!})`,
  PARSE_JSON: (call) => `CAST(${arity(call, 1, 2)[0]!} AS JSON)`,
  JSON_VALUE: jsonScalar,
  JSON_EXTRACT_SCALAR: jsonScalar,
  JSON_QUERY: (call) => {
    const [j, p] = arity(call, 2);
    return `json_extract(${j!}, ${p!})`;
  },
  JSON_EXTRACT: (call) => {
    const [j, p] = arity(call, 1, 2);
    return `json_extract(${j!}, ${p ?? "'$'"})`;
  },
  GENERATE_UUID: (call) => (arity(call, 0), 'CAST(uuid() AS VARCHAR)'),
  RAND: (call) => (arity(call, 0), 'random()'),
  IS_NAN: rename('isnan', 1),
  IS_INF: rename('isinf', 1),
  TO_HEX: (call) => `lower(hex(${arity(call, 1)[0]!}))`,
  FROM_HEX: rename('unhex', 1),
  MD5: (call) => `unhex(md5(${arity(call, 1)[0]!}))`,
  SHA1: (call) => `unhex(sha1(${arity(call, 1)[0]!}))`,
  SHA256: (call) => `unhex(sha256(${arity(call, 1)[0]!}))`,
  CONCAT: concat,
  PERCENTILE_CONT: rename('quantile_cont', 2),
  PERCENTILE_DISC: rename('quantile_disc', 2),
};
