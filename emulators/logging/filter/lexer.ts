// Tokens of the Cloud Logging query language (https://cloud.google.com/logging/docs/view/logging-query-language):
// field paths with quoted segments (`labels."k8s-pod/app"`), double-quoted strings, bare values,
// the comparison operators, parentheses, AND / OR / NOT (upper case only) and `-` for negation.
import { readQuotedString } from '../../kit/quoted-string.js';

export type TokenKind = 'word' | 'string' | 'op' | 'lparen' | 'rparen' | 'and' | 'or' | 'not' | 'minus' | 'end';

export interface Token {
  kind: TokenKind;
  /** The text as written (strings: their decoded value). */
  text: string;
  /** For words: the path segments (`resource.labels.job_id` → three; quoted segments kept whole). */
  segments: string[];
  /** Zero-based offset in the filter, for error messages. */
  pos: number;
}

export class LoggingFilterError extends Error {
  constructor(
    message: string,
    readonly pos: number,
  ) {
    super(message);
    this.name = 'LoggingFilterError';
  }
}

export const OPERATORS = ['!=', '>=', '<=', '=~', '!~', '=', '>', '<', ':'] as const;
export type Operator = (typeof OPERATORS)[number];

const KEYWORDS: Partial<Record<string, TokenKind>> = { AND: 'and', OR: 'or', NOT: 'not' };
/** Characters that end a bare word. */
const DELIMITER = /[\s()"=<>!:~]/;

export function tokenize(filter: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < filter.length) {
    const c = filter[i]!;
    if (/\s/.test(c)) {
      i += 1;
      continue;
    }
    const start = i;
    if (c === '(' || c === ')') {
      tokens.push({ kind: c === '(' ? 'lparen' : 'rparen', text: c, segments: [], pos: start });
      i += 1;
    } else if (c === '"') {
      const [text, next] = readString(filter, i);
      tokens.push({ kind: 'string', text, segments: [], pos: start });
      i = next;
    } else if (c === '-' && /[A-Za-z_(]/.test(filter[i + 1] ?? '')) {
      // `-resource.type="x"` is NOT resource.type="x"; `-5` stays a number.
      tokens.push({ kind: 'minus', text: c, segments: [], pos: start });
      i += 1;
    } else {
      const op = OPERATORS.find((o) => filter.startsWith(o, i));
      if (op) {
        tokens.push({ kind: 'op', text: op, segments: [], pos: start });
        i += op.length;
      } else {
        const [token, next] = readWord(filter, i);
        tokens.push(token);
        i = next;
      }
    }
  }
  tokens.push({ kind: 'end', text: '', segments: [], pos: filter.length });
  return tokens;
}

/** A bare word; a `."quoted"` segment continues it as one path segment. */
function readWord(filter: string, start: number): [Token, number] {
  const segments: string[] = [];
  let current = '';
  let i = start;
  while (i < filter.length) {
    const c = filter[i]!;
    if (c === '"' && current === '' && segments.length > 0 && filter[i - 1] === '.') {
      const [text, next] = readString(filter, i);
      segments.push(text);
      i = next;
      if (filter[i] !== '.') return [wordToken(filter, start, i, segments), i];
      i += 1;
      continue;
    }
    if (DELIMITER.test(c)) break;
    if (c === '.') {
      segments.push(current);
      current = '';
    } else {
      current += c;
    }
    i += 1;
  }
  if (i === start) throw new LoggingFilterError(`unexpected character '${filter[start]!}'`, start);
  segments.push(current);
  return [wordToken(filter, start, i, segments), i];
}

function wordToken(filter: string, start: number, end: number, segments: string[]): Token {
  const text = filter.slice(start, end);
  return { kind: KEYWORDS[text] ?? 'word', text, segments, pos: start };
}

function readString(filter: string, open: number): [string, number] {
  return readQuotedString(filter, open, (message, pos) => {
    throw new LoggingFilterError(message, pos);
  });
}
