// A lexer for BigQuery's GoogleSQL: enough of the lexical grammar that rewriting works on tokens,
// never inside strings, quoted names or comments.
// https://cloud.google.com/bigquery/docs/reference/standard-sql/lexical
import { SqlError } from './sql-error.js';

export type TokenKind =
  | 'ident' // unquoted identifier or keyword
  | 'quoted' // `backtick quoted` identifier or path; `value` holds the unquoted text
  | 'string' // string literal; `value` holds the decoded text
  | 'bytes' // bytes literal; `bytes` holds the decoded bytes
  | 'number'
  | 'param' // @name; `value` holds the name
  | 'sysvar' // @@name
  | 'positional' // ?
  | 'op' // operators and punctuation
  | 'eof';

export interface Token {
  kind: TokenKind;
  /** Source text of the token. */
  text: string;
  /** Decoded value for strings, quoted identifiers and parameters. */
  value: string;
  bytes?: Uint8Array;
  /** Offset into the source. */
  start: number;
  end: number;
  /** Whitespace or comments before the token. */
  spaceBefore: boolean;
  line: number;
  col: number;
}

const MULTI_OPS = ['<=', '>=', '<>', '!=', '||', '=>', '->'];
const SINGLE_OPS = new Set([...'()[]{},.;+-*/%=<>!~&|^:']);

export function tokenize(sql: string): Token[] {
  return new Lexer(sql).run();
}

class Lexer {
  private pos = 0;
  private readonly tokens: Token[] = [];
  private lineStarts: number[] = [0];

  constructor(private readonly src: string) {
    for (let i = 0; i < src.length; i++) if (src[i] === '\n') this.lineStarts.push(i + 1);
  }

  run(): Token[] {
    let space = false;
    for (;;) {
      const skipped = this.skipSpaceAndComments();
      space = space || skipped;
      if (this.pos >= this.src.length) {
        this.tokens.push(this.make('eof', this.pos, this.pos, '', space));
        return this.tokens;
      }
      this.tokens.push(this.next(space));
      space = false;
    }
  }

  position(offset: number): { line: number; col: number } {
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, col: offset - this.lineStarts[lo]! + 1 };
  }

  private make(kind: TokenKind, start: number, end: number, value: string, spaceBefore: boolean): Token {
    const { line, col } = this.position(start);
    return { kind, text: this.src.slice(start, end), value, start, end, spaceBefore, line, col };
  }

  private fail(message: string, offset: number): never {
    const { line, col } = this.position(offset);
    throw new SqlError(`Syntax error: ${message}`, line, col);
  }

  private skipSpaceAndComments(): boolean {
    const s = this.src;
    const begin = this.pos;
    for (;;) {
      const c = s[this.pos];
      if (c === undefined) break;
      if (/\s/.test(c)) {
        this.pos++;
      } else if (c === '#' || (c === '-' && s[this.pos + 1] === '-')) {
        const nl = s.indexOf('\n', this.pos);
        this.pos = nl < 0 ? s.length : nl + 1;
      } else if (c === '/' && s[this.pos + 1] === '*') {
        const close = s.indexOf('*/', this.pos + 2);
        if (close < 0) this.fail('Unclosed comment', this.pos);
        this.pos = close + 2;
      } else {
        break;
      }
    }
    return this.pos > begin;
  }

  private next(space: boolean): Token {
    const s = this.src;
    const start = this.pos;
    const c = s[start]!;

    // String and bytes literals, with optional r/b prefixes in either order.
    const prefix = /^(?:[rR][bB]?|[bB][rR]?)(?=['"])/.exec(s.slice(start, start + 3));
    if (prefix || c === "'" || c === '"') {
      const p = prefix ? prefix[0].toLowerCase() : '';
      this.pos = start + p.length;
      const { text, bytes } = this.readQuoted(p.includes('r'));
      if (p.includes('b')) {
        const token = this.make('bytes', start, this.pos, text, space);
        token.bytes = Uint8Array.from(bytes);
        return token;
      }
      return this.make('string', start, this.pos, text, space);
    }
    if (c === '`') {
      const close = s.indexOf('`', start + 1);
      if (close < 0) this.fail('Unclosed identifier literal', start);
      this.pos = close + 1;
      const value = s.slice(start + 1, close);
      if (value === '') this.fail('Invalid empty identifier', start);
      return this.make('quoted', start, this.pos, value, space);
    }
    if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(s[start + 1] ?? ''))) {
      const m = /^(?:0[xX][0-9a-fA-F]+|(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)/.exec(s.slice(start))!;
      this.pos = start + m[0].length;
      return this.make('number', start, this.pos, m[0], space);
    }
    if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(s.slice(start))!;
      this.pos = start + m[0].length;
      return this.make('ident', start, this.pos, m[0], space);
    }
    if (c === '@') {
      const m = /^(@@?)([A-Za-z_][A-Za-z0-9_]*)/.exec(s.slice(start));
      if (!m) this.fail('Unexpected "@"', start);
      this.pos = start + m[0].length;
      return this.make(m[1] === '@@' ? 'sysvar' : 'param', start, this.pos, m[2]!, space);
    }
    if (c === '?') {
      this.pos++;
      return this.make('positional', start, this.pos, '?', space);
    }
    const two = s.slice(start, start + 2);
    if (MULTI_OPS.includes(two)) {
      this.pos += 2;
      return this.make('op', start, this.pos, two, space);
    }
    if (SINGLE_OPS.has(c)) {
      this.pos++;
      return this.make('op', start, this.pos, c, space);
    }
    return this.fail(`Illegal input character "${c}"`, start);
  }

  /**
   * Reads a quoted literal at `pos` (single, double or triple quoted): its text, and its bytes
   * (UTF-8 of the characters, escapes `\x..` and octal as single bytes) for bytes literals.
   */
  private readQuoted(raw: boolean): { text: string; bytes: number[] } {
    const s = this.src;
    const open = this.pos;
    const q = s[open]!;
    const triple = s.startsWith(q.repeat(3), open);
    const delim = triple ? q.repeat(3) : q;
    let i = open + delim.length;
    let out = '';
    const bytes: number[] = [];
    const push = (text: string, single: boolean) => {
      out += text;
      if (single) bytes.push(text.charCodeAt(0) & 0xff);
      else bytes.push(...Buffer.from(text, 'utf8'));
    };
    for (;;) {
      if (i >= s.length) this.fail('Unclosed string literal', open);
      if (s.startsWith(delim, i)) {
        this.pos = i + delim.length;
        return { text: out, bytes };
      }
      const ch = s[i]!;
      if (!triple && ch === '\n') this.fail('Unclosed string literal', open);
      if (ch === '\\') {
        if (raw) {
          // Raw strings keep the backslash; it still protects the next character from ending the string.
          push(ch + (s[i + 1] ?? ''), false);
          i += 2;
          continue;
        }
        const [decoded, length] = this.escape(i);
        const e = s[i + 1] ?? '';
        push(decoded, e === 'x' || e === 'X' || /[0-7]/.test(e));
        i += length;
        continue;
      }
      const cp = s.codePointAt(i)!;
      const char = String.fromCodePoint(cp);
      push(char, false);
      i += char.length;
    }
  }

  private escape(at: number): [string, number] {
    const s = this.src;
    const e = s[at + 1];
    const simple: Record<string, string> = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\', '?': '?', '"': '"', "'": "'", '`': '`' };
    if (e !== undefined && e in simple) return [simple[e]!, 2];
    const hex = (len: number, skip: number) => {
      const digits = s.slice(at + skip, at + skip + len);
      if (!new RegExp(`^[0-9a-fA-F]{${len}}$`).test(digits)) this.fail('Illegal escape sequence', at);
      return [String.fromCodePoint(parseInt(digits, 16)), skip + len] as [string, number];
    };
    if (e === 'x' || e === 'X') return hex(2, 2);
    if (e === 'u') return hex(4, 2);
    if (e === 'U') return hex(8, 2);
    if (e !== undefined && /[0-7]/.test(e)) {
      const digits = s.slice(at + 1, at + 4);
      if (!/^[0-7]{3}$/.test(digits)) this.fail('Illegal escape sequence', at);
      return [String.fromCharCode(parseInt(digits, 8)), 4];
    }
    return this.fail(`Illegal escape sequence: \\${e ?? ''}`, at);
  }
}

/** Upper-cased text of an identifier token, '' otherwise: keyword checks read this. */
export function kw(token: Token | undefined): string {
  return token?.kind === 'ident' ? token.text.toUpperCase() : '';
}

export function isOp(token: Token | undefined, op: string): boolean {
  return token?.kind === 'op' && token.text === op;
}
