// Vertex ML Metadata list filters (the AIP-160 subset ListArtifacts/ListContexts/ListExecutions
// document): attributes (`display_name="x"`, `state=LIVE`, `create_time>"2024-01-01T00:00:00Z"`),
// `metadata.<key>.string_value|number_value|bool_value` (keys may be quoted: `metadata."a:b".number_value`),
// `labels.<key>`, `parent_contexts:"<name>"` / `child_contexts:"<name>"` on contexts,
// `in_context("<name>")` on artifacts and executions; AND, OR, NOT and parentheses.
// A field the resource kind does not have, or bad syntax, is INVALID_ARGUMENT naming the problem.
import { badFilter, orderSatisfies, tokenizeFilter } from '../api/filter.js';
import type { FilterToken, Op } from '../api/filter.js';
import type { JsonObject } from '../api/wire-json.js';
import { isPlainObject, text } from '../api/wire-json.js';
import type { MetadataKind } from './kinds.js';
import { KINDS } from './kinds.js';


type Node =
  | { kind: 'and' | 'or'; left: Node; right: Node }
  | { kind: 'not'; operand: Node }
  | { kind: 'cmp'; path: string[]; op: Op; value: string }
  | { kind: 'inContext'; context: string };

/** What a filter can ask of one resource besides its fields. */
export interface FilterSubject {
  resource: JsonObject;
  /** Contexts the artifact or execution was added to. */
  contexts: readonly string[];
  /** Parents of another context (for `child_contexts:`). */
  parentsOf: (context: string) => readonly string[];
}

export type MetadataPredicate = (subject: FilterSubject) => boolean;


const ATTRIBUTE_ALIASES: Readonly<Record<string, string>> = {
  displayName: 'display_name',
  schemaTitle: 'schema_title',
  schemaVersion: 'schema_version',
  createTime: 'create_time',
  updateTime: 'update_time',
  parentContexts: 'parent_contexts',
  childContexts: 'child_contexts',
};
const TIME_FIELDS = new Set(['create_time', 'update_time']);
const METADATA_TYPES = new Set(['string_value', 'number_value', 'bool_value']);
const MAX_DEPTH = 5;


/** Parses `filter` for one resource kind; an empty filter matches everything. */
export function parseMetadataFilter(filter: string | undefined, kind: MetadataKind): MetadataPredicate {
  if (filter === undefined || filter.trim() === '') return () => true;
  const tokens = tokenizeFilter(filter, { commas: true });
  let pos = 0;
  const peek = () => tokens[pos];
  const isWord = (text: string) => peek()?.type === 'word' && peek()?.text.toUpperCase() === text;
  const spec = KINDS[kind];

  const parseOr = (depth: number): Node => {
    if (depth > MAX_DEPTH) throw badFilter(filter, `expressions nest deeper than ${MAX_DEPTH} levels`);
    let left = parseAnd(depth);
    while (isWord('OR')) {
      pos++;
      left = { kind: 'or', left, right: parseAnd(depth) };
    }
    return left;
  };
  const parseAnd = (depth: number): Node => {
    let left = parseUnary(depth);
    for (;;) {
      if (isWord('AND')) pos++;
      else if (peek() === undefined || peek()?.type === ')' || isWord('OR')) break;
      left = { kind: 'and', left, right: parseUnary(depth) };
    }
    return left;
  };
  const parseUnary = (depth: number): Node => {
    if (isWord('NOT')) {
      pos++;
      // Each NOT nests one level (a long run of them would otherwise recurse without bound).
      if (depth + 1 > MAX_DEPTH) throw badFilter(filter, `expressions nest deeper than ${MAX_DEPTH} levels`);
      return { kind: 'not', operand: parseUnary(depth + 1) };
    }
    if (peek()?.type === '(') {
      pos++;
      const inner = parseOr(depth + 1);
      if (peek()?.type !== ')') throw badFilter(filter, "missing ')'");
      pos++;
      return inner;
    }
    const first = peek();
    if (first?.type === 'word' && tokens[pos + 1]?.type === '(') return parseFunction(first.text);
    return parseComparison();
  };
  const parseFunction = (name: string): Node => {
    pos += 2;
    if (name !== 'in_context') throw badFilter(filter, `unknown function '${name}' (supported: in_context)`);
    if (!spec.inContext) throw badFilter(filter, `in_context() filters artifacts and executions, not ${kind}`);
    const arg = peek();
    if (arg?.type !== 'string') throw badFilter(filter, 'in_context() takes one quoted context resource name');
    pos++;
    if (peek()?.type !== ')') throw badFilter(filter, "in_context() takes one argument; missing ')'");
    pos++;
    return { kind: 'inContext', context: arg.text };
  };
  const parsePath = (): string[] => {
    const segments: string[] = [];
    let previous: FilterToken | undefined;
    while (peek() && (peek()!.type === 'word' || peek()!.type === 'string')) {
      const token = peek()!;
      if (previous) {
        // Adjacent pieces join only across a dot: `metadata."a:b".number_value`.
        const joined = !token.spaced && (previous.text.endsWith('.') || token.text.startsWith('.')) && !(previous.type === 'string' && token.type === 'string');
        if (!joined) break;
      }
      if (token.type === 'string') segments.push(token.text);
      else segments.push(...token.text.split('.').filter((s) => s !== ''));
      previous = token;
      pos++;
    }
    return segments;
  };
  const parseComparison = (): Node => {
    const start = peek();
    if (start?.type !== 'word' && start?.type !== 'string') throw badFilter(filter, `expected a field name at token ${pos + 1}`);
    const path = parsePath();
    const field = path.join('.');
    const op = peek();
    if (op?.type !== 'op') throw badFilter(filter, `expected a comparison after '${field}'`);
    pos++;
    const value = peek();
    if (value?.type !== 'word' && value?.type !== 'string') throw badFilter(filter, `expected a value after '${field}${op.text}'`);
    pos++;
    const node: Node = { kind: 'cmp', path: normalisePath(filter, kind, path), op: op.text as Op, value: value.text };
    checkValue(filter, kind, node.path, node.op, node.value);
    return node;
  };

  const tree = parseOr(1);
  if (pos !== tokens.length) throw badFilter(filter, `unexpected '${tokens[pos]?.text ?? ''}'`);
  return (subject) => evaluate(tree, subject);
}

/** The path in snake_case, checked against the fields the kind has. */
function normalisePath(filter: string, kind: MetadataKind, path: string[]): string[] {
  const spec = KINDS[kind];
  const head = ATTRIBUTE_ALIASES[path[0] ?? ''] ?? path[0] ?? '';
  if (head === 'metadata') {
    if (path.length !== 3 || !METADATA_TYPES.has(path[2]!)) {
      throw badFilter(filter, `metadata fields are written metadata.<key>.string_value, metadata.<key>.number_value or metadata.<key>.bool_value, got '${path.join('.')}'`);
    }
    return path;
  }
  if (head === 'labels') {
    if (path.length !== 2) throw badFilter(filter, `labels are written labels.<key>, got '${path.join('.')}'`);
    return path;
  }
  if (head === 'parent_contexts' || head === 'child_contexts') {
    if (kind !== 'contexts') throw badFilter(filter, `${head} filters contexts, not ${kind}`);
    if (path.length !== 1) throw badFilter(filter, `unknown field '${path.join('.')}'`);
    return [head];
  }
  if (path.length !== 1 || !spec.filterAttributes.includes(head)) {
    const fields = [...spec.filterAttributes, 'metadata.<key>.<type>_value', 'labels.<key>', ...(kind === 'contexts' ? ['parent_contexts', 'child_contexts'] : [])];
    throw badFilter(filter, `unknown field '${path.join('.')}' for ${kind} (supported: ${fields.join(', ')}${spec.inContext ? ', in_context("<context>")' : ''})`);
  }
  return [head];
}

function checkValue(filter: string, kind: MetadataKind, path: string[], op: Op, value: string): void {
  const head = path[0]!;
  if ((head === 'parent_contexts' || head === 'child_contexts') && op !== ':') throw badFilter(filter, `${head} takes the has operator: ${head}:"<context name>"`);
  if (op === ':' && value === '*') return;
  if (TIME_FIELDS.has(head) && Number.isNaN(Date.parse(value))) throw badFilter(filter, `${head} takes an RFC 3339 timestamp, e.g. "2024-05-01T12:00:00Z", got "${value}"`);
  if (head === 'state') {
    const states = KINDS[kind].states;
    if (!states.includes(value)) throw badFilter(filter, `state of ${kind} is one of ${states.join(', ')}, got "${value}"`);
  }
  if (head === 'metadata' && path[2] === 'number_value' && !Number.isFinite(Number(value))) throw badFilter(filter, `${path.join('.')} takes a number, got "${value}"`);
  if (head === 'metadata' && path[2] === 'bool_value' && value !== 'true' && value !== 'false') throw badFilter(filter, `${path.join('.')} takes true or false, got "${value}"`);
}

function evaluate(node: Node, subject: FilterSubject): boolean {
  switch (node.kind) {
    case 'and':
      return evaluate(node.left, subject) && evaluate(node.right, subject);
    case 'or':
      return evaluate(node.left, subject) || evaluate(node.right, subject);
    case 'not':
      return !evaluate(node.operand, subject);
    case 'inContext':
      return subject.contexts.includes(node.context);
    case 'cmp':
      return compareField(node, subject);
  }
}

const CAMEL: Readonly<Record<string, string>> = {
  name: 'name',
  display_name: 'displayName',
  uri: 'uri',
  state: 'state',
  schema_title: 'schemaTitle',
  schema_version: 'schemaVersion',
  description: 'description',
  create_time: 'createTime',
  update_time: 'updateTime',
};

function compareField(node: Extract<Node, { kind: 'cmp' }>, subject: FilterSubject): boolean {
  const { resource } = subject;
  const [head, key = '', type] = node.path as [string, string?, string?];
  if (head === 'parent_contexts') {
    const parents = Array.isArray(resource.parentContexts) ? resource.parentContexts.map(String) : [];
    return node.value === '*' ? parents.length > 0 : parents.includes(node.value);
  }
  if (head === 'child_contexts') {
    const name = String(resource.name);
    if (node.value === '*') return false;
    return subject.parentsOf(node.value).includes(name);
  }
  if (head === 'labels') {
    const labels = isPlainObject(resource.labels) ? resource.labels : {};
    return compare(labels[key], node.op, node.value, 'string');
  }
  if (head === 'metadata') {
    const metadata = isPlainObject(resource.metadata) ? resource.metadata : {};
    const actual = metadata[key];
    const expected = type === 'number_value' ? 'number' : type === 'bool_value' ? 'boolean' : 'string';
    if (node.op === ':' && node.value === '*') return actual !== undefined && typeof actual === expected;
    if (typeof actual !== expected) return false;
    return compare(actual, node.op, node.value, expected);
  }
  return compare(resource[CAMEL[head] ?? head], node.op, node.value, TIME_FIELDS.has(head) ? 'time' : 'string');
}

function compare(actual: unknown, op: Op, expected: string, as: 'string' | 'number' | 'boolean' | 'time'): boolean {
  if (op === ':' && expected === '*') return actual !== undefined && actual !== null && actual !== '';
  if (actual === undefined || actual === null) return op === '!=' ? expected !== '' : op === '=' && expected === '';
  let cmp: number;
  if (as === 'number') cmp = Math.sign(Number(actual) - Number(expected));
  else if (as === 'boolean') cmp = text(actual) === expected ? 0 : 1;
  else if (as === 'time') cmp = Math.sign(Date.parse(text(actual)) - Date.parse(expected));
  else cmp = text(actual) < expected ? -1 : text(actual) > expected ? 1 : 0;
  return orderSatisfies(cmp, op);
}
