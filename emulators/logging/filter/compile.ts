// Turns a parsed Logging query into a predicate over LogEntry objects. Meaning follows Logging's
// docs: timestamps compare as instants, severity by level (`severity>=WARNING`), `:` is a
// case-insensitive substring test (`:*` tests presence), `=~` / `!~` search with RE2 (re2js),
// other values compare as numbers when both sides are numbers, else as text.
import { RE2JS, RE2JSException } from 're2js';
import { parseTimestamp } from '../../monitoring/proto-json.js';
import { snakeToCamel } from '../../../common/suggest.js';
import { LOG_ENTRY_FIELDS, severityValue } from '../log-entry.js';
import type { LogEntry } from '../log-entry.js';
import { LoggingFilterError } from './lexer.js';
import type { FilterExpr } from './parser.js';
import { parseLoggingFilter } from './parser.js';

export type EntryPredicate = (entry: LogEntry) => boolean;

/** Compiles a query; an empty or absent query matches every entry. Throws LoggingFilterError. */
export function compileLoggingFilter(filter: string | undefined): EntryPredicate {
  if (filter === undefined || filter.trim() === '') return () => true;
  return compile(parseLoggingFilter(filter));
}

type Leaf = Extract<FilterExpr, { kind: 'cmp' }>;
type ValueTest = (actual: unknown) => boolean;

function compile(expr: FilterExpr): EntryPredicate {
  switch (expr.kind) {
    case 'and': {
      const items = expr.items.map(compile);
      return (e) => items.every((p) => p(e));
    }
    case 'or': {
      const items = expr.items.map(compile);
      return (e) => items.some((p) => p(e));
    }
    case 'not': {
      const item = compile(expr.item);
      return (e) => !item(e);
    }
    case 'cmp':
      return comparison(expr);
  }
}

function comparison(leaf: Leaf): EntryPredicate {
  const [head, ...rest] = leaf.path;
  const field = LOG_ENTRY_FIELDS[head!];
  if (field === undefined) throw new LoggingFilterError(`unknown LogEntry field '${head!}'`, leaf.pos);
  const path = [field, ...rest];
  const test = valueTest(leaf, field, rest.length === 0);
  return (entry) => test(lookup(entry, path));
}

function valueTest(leaf: Leaf, field: string, whole: boolean): ValueTest {
  const { op, value } = leaf;
  if (op === '!=') return negate(valueTest({ ...leaf, op: '=' }, field, whole));
  if (op === '!~') return negate(valueTest({ ...leaf, op: '=~' }, field, whole));
  if (op === ':') return value.text === '*' && value.kind === 'word' ? (a) => a !== undefined && a !== null : has(value.text.toLowerCase());
  if (op === '=~') return search(value.text, leaf.pos);
  if (whole && (field === 'timestamp' || field === 'receiveTimestamp')) {
    const bound = parseTimestamp(value.text);
    if (bound === undefined) throw new LoggingFilterError(`${field} must be compared with an RFC 3339 time such as "2024-01-01T00:00:00Z", got ${JSON.stringify(value.text)}`, leaf.pos);
    return (a) => {
      const t = typeof a === 'string' ? parseTimestamp(a) : undefined;
      return t !== undefined && ordered(t < bound ? -1 : t > bound ? 1 : 0, op);
    };
  }
  if (whole && field === 'severity') {
    const level = severityValue(value.text);
    if (level === undefined) throw new LoggingFilterError(`unknown severity ${JSON.stringify(value.text)}`, leaf.pos);
    return (a) => {
      const actual = typeof a === 'string' ? severityValue(a) : undefined;
      return actual !== undefined && ordered(Math.sign(actual - level), op);
    };
  }
  const numeric = /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(value.text) ? Number(value.text) : undefined;
  return (a) => {
    if (numeric !== undefined && (typeof a === 'number' || (typeof a === 'string' && /^-?\d+(\.\d+)?$/.test(a)))) {
      return ordered(Math.sign(Number(a) - numeric), op);
    }
    if (typeof a === 'string') return ordered(a < value.text ? -1 : a > value.text ? 1 : 0, op);
    if (typeof a === 'boolean') return ordered(String(a) === value.text ? 0 : NaN, op);
    return false;
  };
}

function ordered(sign: number, op: '=' | '<' | '<=' | '>' | '>='): boolean {
  switch (op) {
    case '=':
      return sign === 0;
    case '<':
      return sign < 0;
    case '<=':
      return sign <= 0;
    case '>':
      return sign > 0;
    case '>=':
      return sign >= 0;
  }
}

const negate = (test: ValueTest): ValueTest => (a) => !test(a);

/** `:` on a structure looks through every value in it. */
function has(needle: string): ValueTest {
  const test = (a: unknown): boolean => {
    if (typeof a === 'string') return a.toLowerCase().includes(needle);
    if (typeof a === 'number' || typeof a === 'boolean') return String(a).toLowerCase().includes(needle);
    if (Array.isArray(a)) return a.some(test);
    if (a !== null && typeof a === 'object') return Object.values(a).some(test);
    return false;
  };
  return test;
}

function search(pattern: string, pos: number): ValueTest {
  let re: RE2JS;
  try {
    re = RE2JS.compile(pattern);
  } catch (err) {
    if (!(err instanceof RE2JSException)) throw err;
    throw new LoggingFilterError(`invalid regular expression ${JSON.stringify(pattern)} (RE2 syntax): ${err.message}`, pos);
  }
  return (a) => (typeof a === 'string' || typeof a === 'number') && re.matcher(String(a)).find();
}

/** Map keys (labels, jsonPayload) are taken as written; message fields also in snake_case. */
function lookup(entry: LogEntry, path: readonly string[]): unknown {
  let current: unknown = entry;
  for (const segment of path) {
    if (current === null || typeof current !== 'object' || Array.isArray(current)) return undefined;
    const object = current as Record<string, unknown>;
    current = segment in object ? object[segment] : object[snakeToCamel(segment)];
  }
  return current;
}
