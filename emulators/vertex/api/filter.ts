// List filters in the AIP-160 subset Vertex documents for its list methods:
// `display_name="x" AND state=JOB_STATE_SUCCEEDED`, `labels.team="ml"`, `labels.team:*`,
// `create_time>"2024-01-01T00:00:00Z"`, NOT, OR, parentheses. Field names in snake_case or camelCase.
import { snakeToCamel } from '../../../common/suggest.js';
import { invalidArgument } from './errors.js';
import { isPlainObject } from './wire-json.js';

/** A comparison of AIP-160 filters (`:` is has, or equality where a field has no members). */
export type Op = '=' | '!=' | '<' | '<=' | '>' | '>=' | ':';

type Node =
  | { kind: 'and' | 'or'; left: Node; right: Node }
  | { kind: 'not'; operand: Node }
  | { kind: 'cmp'; field: string[]; op: Op; value: string };

export type Predicate = (resource: Record<string, unknown>) => boolean;

/** A token of a filter; `spaced`: whitespace (or the start) precedes it, so a field path ends there. */
export interface FilterToken {
  type: 'word' | 'string' | 'op' | '(' | ')' | ',';
  text: string;
  spaced: boolean;
}

/**
 * The tokens of an AIP-160 filter: parentheses, quoted strings (backslash escapes), comparison
 * operators and words; with `commas`, a comma is a token of its own (function arguments, as ML
 * Metadata's `in_context("a", "b")`), otherwise part of a word.
 */
export function tokenizeFilter(filter: string, options: { commas?: boolean } = {}): FilterToken[] {
  const tokens: FilterToken[] = [];
  const wordPattern = options.commas ? /^[^\s()=<>!:"',]+/ : /^[^\s()=<>!:"']+/;
  let i = 0;
  let spaced = true;
  while (i < filter.length) {
    const ch = filter[i]!;
    if (/\s/.test(ch)) {
      spaced = true;
      i++;
      continue;
    }
    if (ch === '(' || ch === ')' || (options.commas && ch === ',')) {
      tokens.push({ type: ch, text: ch, spaced });
      i++;
    } else if (ch === '"' || ch === "'") {
      let j = i + 1;
      let text = '';
      while (j < filter.length && filter[j] !== ch) {
        if (filter[j] === '\\' && j + 1 < filter.length) j++;
        text += filter[j];
        j++;
      }
      if (j >= filter.length) throw badFilter(filter, 'unterminated string');
      tokens.push({ type: 'string', text, spaced });
      i = j + 1;
    } else {
      const op = /^(<=|>=|!=|=|<|>|:)/.exec(filter.slice(i));
      if (op) {
        tokens.push({ type: 'op', text: op[1]!, spaced });
        i += op[1]!.length;
      } else {
        const word = wordPattern.exec(filter.slice(i));
        if (!word) throw badFilter(filter, `unexpected character '${ch}'`);
        tokens.push({ type: 'word', text: word[0], spaced });
        i += word[0].length;
      }
    }
    spaced = false;
  }
  return tokens;
}

/** INVALID_ARGUMENT on `filter`, quoting it and saying why. */
export function badFilter(filter: string, why: string) {
  return invalidArgument(`Invalid filter "${filter}": ${why}.`, 'filter');
}

/** Parses a filter; an empty filter matches everything. */
export function parseFilter(filter: string | undefined): Predicate {
  if (filter === undefined || filter.trim() === '') return () => true;
  const tokens = tokenizeFilter(filter);
  let pos = 0;
  const peek = () => tokens[pos];
  const isWord = (text: string) => peek()?.type === 'word' && peek()?.text.toUpperCase() === text;

  const parseOr = (): Node => {
    let left = parseAnd();
    while (isWord('OR')) {
      pos++;
      left = { kind: 'or', left, right: parseAnd() };
    }
    return left;
  };
  const parseAnd = (): Node => {
    let left = parseUnary();
    for (;;) {
      if (isWord('AND')) pos++;
      else if (peek() === undefined || peek()?.type === ')' || isWord('OR')) break;
      left = { kind: 'and', left, right: parseUnary() };
    }
    return left;
  };
  const parseUnary = (): Node => {
    if (isWord('NOT') || (peek()?.type === 'word' && peek()?.text === '-')) {
      pos++;
      return { kind: 'not', operand: parseUnary() };
    }
    if (peek()?.type === '(') {
      pos++;
      const inner = parseOr();
      if (peek()?.type !== ')') throw badFilter(filter, "missing ')'");
      pos++;
      return inner;
    }
    const field = peek();
    if (field?.type !== 'word') throw badFilter(filter, `expected a field name at token ${pos + 1}`);
    pos++;
    const op = peek();
    if (op?.type !== 'op') throw badFilter(filter, `expected a comparison after '${field.text}'`);
    pos++;
    const value = peek();
    if (value?.type !== 'word' && value?.type !== 'string') throw badFilter(filter, `expected a value after '${field.text}${op.text}'`);
    pos++;
    return { kind: 'cmp', field: field.text.split('.'), op: op.text as Op, value: value.text };
  };

  const tree = parseOr();
  if (pos !== tokens.length) throw badFilter(filter, `unexpected '${tokens[pos]?.text ?? ''}'`);
  return (resource) => evaluate(tree, resource);
}

function evaluate(node: Node, resource: Record<string, unknown>): boolean {
  switch (node.kind) {
    case 'and':
      return evaluate(node.left, resource) && evaluate(node.right, resource);
    case 'or':
      return evaluate(node.left, resource) || evaluate(node.right, resource);
    case 'not':
      return !evaluate(node.operand, resource);
    case 'cmp':
      return compare(lookup(resource, node.field), node.op, node.value);
  }
}

function lookup(resource: Record<string, unknown>, path: readonly string[]): unknown {
  let current: unknown = resource;
  for (const [i, segment] of path.entries()) {
    if (!isPlainObject(current)) return undefined;
    // Map keys (labels.my_key) are taken literally; field names may be snake_case.
    const inMap = i > 0 && (path[i - 1] === 'labels' || path[i - 1] === 'trafficSplit' || path[i - 1] === 'traffic_split');
    current = inMap ? current[segment] : (current[snakeToCamel(segment)] ?? current[segment]);
  }
  return current;
}

function compare(actual: unknown, op: Op, expected: string): boolean {
  if (op === ':') {
    if (expected === '*') return actual !== undefined && actual !== null && actual !== '';
    if (Array.isArray(actual)) return actual.some((a) => String(a) === expected);
    return typeof actual === 'string' ? actual.includes(expected) : String(actual) === expected;
  }
  if (actual === undefined || actual === null) return op === '!=' ? expected !== '' : expected === '' && op === '=';
  return orderSatisfies(order(actual, expected), op);
}

/** Whether an ordering (negative, 0, positive: actual against expected) satisfies `op`; `:` as equality. */
export function orderSatisfies(cmp: number, op: Op): boolean {
  switch (op) {
    case '=':
    case ':':
      return cmp === 0;
    case '!=':
      return cmp !== 0;
    case '<':
      return cmp < 0;
    case '<=':
      return cmp <= 0;
    case '>':
      return cmp > 0;
    case '>=':
      return cmp >= 0;
  }
}

/** Numbers compare as numbers, timestamps as instants, everything else as text. */
function order(actual: unknown, expected: string): number {
  if (typeof actual === 'number' || (typeof actual === 'string' && /^-?\d+(\.\d+)?$/.test(actual) && /^-?\d+(\.\d+)?$/.test(expected))) {
    return Math.sign(Number(actual) - Number(expected));
  }
  const text = typeof actual === 'string' ? actual : JSON.stringify(actual);
  const a = Date.parse(text);
  const b = Date.parse(expected);
  if (/^\d{4}-\d{2}-\d{2}/.test(text) && !Number.isNaN(a) && !Number.isNaN(b)) return Math.sign(a - b);
  return text < expected ? -1 : text > expected ? 1 : 0;
}
