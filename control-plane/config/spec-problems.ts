// Turns what zod and the YAML parser find wrong into problems a person can act on: the field path
// as it is written in the file (`evaluation.championChallenger.metric`), a message in the spec's
// own words, and the line it is on.
import type { Document, LineCounter } from 'yaml';
import { isMap, isScalar, isSeq } from 'yaml';
import type { z } from 'zod';
import { notOneOf } from './suggestion.js';

export interface SpecProblem {
  /** Dotted path of the field, `[i]` for list items; empty for the file as a whole. */
  readonly field: string;
  readonly message: string;
  /** 1-based line in the file, when the field (or the nearest enclosing one) is found there. */
  readonly line?: number;
}

type PathSegment = PropertyKey;

export function fieldPath(path: readonly PathSegment[]): string {
  return path.reduce<string>((text, segment) => (typeof segment === 'number' ? `${text}[${segment}]` : text === '' ? String(segment) : `${text}.${String(segment)}`), '');
}

function describe(input: unknown): string {
  if (input === null) return 'null';
  if (Array.isArray(input)) return 'a list';
  if (typeof input === 'object') return 'a map';
  if (typeof input === 'string') return JSON.stringify(input);
  if (typeof input === 'number' || typeof input === 'boolean' || typeof input === 'bigint') return String(input);
  return typeof input;
}

const EXPECTED: Readonly<Record<string, string>> = {
  string: 'a string', number: 'a number', int: 'an integer', boolean: 'true or false',
  object: 'a map of fields', record: 'a map', array: 'a list',
};

/** The message for an issue zod words itself (the spec's own checks write theirs). */
export const specErrorMap: z.core.$ZodErrorMap = (issue) => {
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) return 'is required';
      return `must be ${EXPECTED[issue.expected] ?? issue.expected}, got ${describe(issue.input)}`;
    case 'too_small':
      if (issue.origin === 'array') return `must list at least ${String(issue.minimum)} item${issue.minimum === 1 ? '' : 's'}`;
      if (issue.origin === 'string') return 'must not be empty';
      return `must be ${issue.inclusive ? 'at least' : 'greater than'} ${String(issue.minimum)}, got ${describe(issue.input)}`;
    case 'too_big':
      return `must be ${issue.inclusive ? 'at most' : 'less than'} ${String(issue.maximum)}, got ${describe(issue.input)}`;
    case 'invalid_value':
      return notOneOf(issue.input, issue.values.map(String));
    case 'invalid_format':
      return `is not a valid ${issue.format}, got ${describe(issue.input)}`;
    default:
      return undefined;
  }
};

/** The line of the deepest node on `path` (a key's own line where the path ends at a key). */
export function lineOf(document: Document, lines: LineCounter, path: readonly PathSegment[]): number | undefined {
  let node: unknown = document.contents;
  let offset = isMap(node) || isSeq(node) ? node.range?.[0] : undefined;
  for (const segment of path) {
    if (isMap(node)) {
      const pair = node.items.find((item) => isScalar(item.key) && String(item.key.value) === String(segment));
      if (pair === undefined) break;
      offset = isScalar(pair.key) ? pair.key.range?.[0] : offset;
      node = pair.value;
    } else if (isSeq(node) && typeof segment === 'number') {
      const item: unknown = node.items[segment];
      if (item === undefined) break;
      offset = isScalar(item) || isMap(item) || isSeq(item) ? (item.range?.[0] ?? offset) : offset;
      node = item;
    } else {
      break;
    }
  }
  return offset === undefined ? undefined : lines.linePos(offset).line;
}

function problemAt(path: readonly PathSegment[], message: string, document: Document, lines: LineCounter): SpecProblem {
  const line = lineOf(document, lines, path);
  return { field: fieldPath(path), message, ...(line === undefined ? {} : { line }) };
}

/** One problem per zod issue, and per unknown field: its path ends at the field itself. */
export function problemsFromZod(error: z.ZodError, document: Document, lines: LineCounter): SpecProblem[] {
  return error.issues.flatMap((issue) => {
    if (issue.code !== 'unrecognized_keys') return [problemAt(issue.path, issue.message, document, lines)];
    // The spec's strict objects word one line per unknown key (model-spec.ts `strict`).
    const messages = issue.message.split('\n');
    if (messages.length !== issue.keys.length) return [problemAt(issue.path, issue.message, document, lines)];
    return issue.keys.map((key, index) => problemAt([...issue.path, key], messages[index]!, document, lines));
  });
}
