// Tokens of the Cloud Monitoring filter language
// (https://cloud.google.com/monitoring/api/v3/filters): selectors, quoted strings, numbers,
// comparison operators, parentheses, commas and the AND / OR / NOT keywords.
import { readQuotedString } from '../../kit/quoted-string.js';

export type TokenKind = 'ident' | 'string' | 'number' | 'op' | 'lparen' | 'rparen' | 'comma' | 'and' | 'or' | 'not' | 'end';

export interface Token {
  kind: TokenKind;
  /** Identifier text, decoded string value, number text or operator. */
  text: string;
  /** Zero-based offset in the filter, for error messages. */
  pos: number;
}

export class FilterSyntaxError extends Error {
  constructor(
    message: string,
    readonly pos: number,
  ) {
    super(message);
    this.name = 'FilterSyntaxError';
  }
}

const OPERATORS = ['!=', '>=', '<=', '=~', '!~', '=', '>', '<', ':'];
const IDENT_START = /[A-Za-z_]/;
const IDENT_PART = /[A-Za-z0-9_.\-/]/;
const KEYWORDS: Record<string, TokenKind> = { AND: 'and', OR: 'or', NOT: 'not' };

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
    if (c === '(' || c === ')' || c === ',') {
      tokens.push({ kind: c === '(' ? 'lparen' : c === ')' ? 'rparen' : 'comma', text: c, pos: start });
      i += 1;
    } else if (c === '"' || c === "'") {
      const [text, next] = readString(filter, i);
      tokens.push({ kind: 'string', text, pos: start });
      i = next;
    } else if (/[0-9]/.test(c) || (c === '-' && /[0-9.]/.test(filter[i + 1] ?? ''))) {
      const m = /^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?/.exec(filter.slice(i))!;
      tokens.push({ kind: 'number', text: m[0], pos: start });
      i += m[0].length;
    } else if (IDENT_START.test(c)) {
      while (i < filter.length && IDENT_PART.test(filter[i]!)) i += 1;
      const text = filter.slice(start, i);
      tokens.push({ kind: KEYWORDS[text] ?? 'ident', text, pos: start });
    } else {
      const op = OPERATORS.find((o) => filter.startsWith(o, i));
      if (!op) throw new FilterSyntaxError(`unexpected character '${c}'`, start);
      tokens.push({ kind: 'op', text: op, pos: start });
      i += op.length;
    }
  }
  tokens.push({ kind: 'end', text: '', pos: filter.length });
  return tokens;
}

function readString(filter: string, open: number): [string, number] {
  return readQuotedString(filter, open, (message, pos) => {
    throw new FilterSyntaxError(message, pos);
  });
}
