// A recursive-descent parser for Cloud Logging queries. Logging's precedence differs from other
// Google filters: NOT binds tightest, then OR, then AND, and terms side by side are ANDed
// (`a OR b c` is `(a OR b) AND c`). Global restrictions (a bare value with no field) and
// functions (`log_id()`, `sample()`, `SEARCH()`, ...) are refused by name.
import type { Operator, Token } from './lexer.js';
import { LoggingFilterError, tokenize } from './lexer.js';

export type FilterValue = { kind: 'string' | 'word'; text: string };

export type FilterExpr =
  | { kind: 'and' | 'or'; items: FilterExpr[] }
  | { kind: 'not'; item: FilterExpr }
  | { kind: 'cmp'; path: string[]; op: Operator; value: FilterValue; pos: number };

/** Parses a non-empty query; throws LoggingFilterError naming the position and the problem. */
export function parseLoggingFilter(filter: string): FilterExpr {
  const parser = new Parser(tokenize(filter));
  if (parser.peek().kind === 'end') throw new LoggingFilterError('the filter is empty', 0);
  const expr = parser.conjunction();
  const rest = parser.peek();
  if (rest.kind !== 'end') throw new LoggingFilterError(`unexpected '${rest.text}'`, rest.pos);
  return expr;
}

const startsTerm = (t: Token) => t.kind === 'word' || t.kind === 'string' || t.kind === 'lparen' || t.kind === 'not' || t.kind === 'minus';

class Parser {
  private index = 0;

  constructor(private readonly tokens: Token[]) {}

  peek(): Token {
    return this.tokens[this.index]!;
  }

  private next(): Token {
    const token = this.tokens[this.index]!;
    if (token.kind !== 'end') this.index += 1;
    return token;
  }

  /** Terms joined by AND or by juxtaposition. */
  conjunction(): FilterExpr {
    const items = [this.disjunction()];
    for (;;) {
      if (this.peek().kind === 'and') {
        this.next();
        items.push(this.disjunction());
      } else if (startsTerm(this.peek())) {
        items.push(this.disjunction());
      } else {
        break;
      }
    }
    return items.length === 1 ? items[0]! : { kind: 'and', items };
  }

  private disjunction(): FilterExpr {
    const items = [this.unary()];
    while (this.peek().kind === 'or') {
      this.next();
      items.push(this.unary());
    }
    return items.length === 1 ? items[0]! : { kind: 'or', items };
  }

  private unary(): FilterExpr {
    const token = this.peek();
    if (token.kind === 'not' || token.kind === 'minus') {
      this.next();
      return { kind: 'not', item: this.unary() };
    }
    if (token.kind === 'lparen') {
      this.next();
      const inner = this.conjunction();
      if (this.next().kind !== 'rparen') throw new LoggingFilterError("missing ')'", token.pos);
      return inner;
    }
    return this.comparison();
  }

  private comparison(): FilterExpr {
    const field = this.next();
    if (field.kind === 'end') throw new LoggingFilterError('unexpected end of filter', field.pos);
    if (field.kind === 'word' && this.peek().kind === 'lparen' && this.peek().pos === field.pos + field.text.length) {
      throw new LoggingFilterError(`the function ${field.text}() is not supported by the local Logging emulator`, field.pos);
    }
    if (field.kind !== 'word' || this.peek().kind !== 'op') {
      if (field.kind === 'word' || field.kind === 'string') {
        throw new LoggingFilterError(`global restrictions (a value without a field, here ${JSON.stringify(field.text)}) are not supported by the local Logging emulator; compare a field, e.g. textPayload:${JSON.stringify(field.text)}`, field.pos);
      }
      throw new LoggingFilterError(`expected a field such as resource.type, got '${field.text}'`, field.pos);
    }
    if (field.segments.some((s) => s === '')) throw new LoggingFilterError(`invalid field path '${field.text}'`, field.pos);
    const op = this.next();
    const value = this.next();
    if (value.kind === 'word' && this.peek().kind === 'lparen' && this.peek().pos === value.pos + value.text.length) {
      throw new LoggingFilterError(`the function ${value.text}() is not supported by the local Logging emulator`, value.pos);
    }
    if (value.kind !== 'word' && value.kind !== 'string') {
      throw new LoggingFilterError(value.kind === 'end' ? `missing value after '${field.text}${op.text}'` : `expected a value after '${field.text}${op.text}', got '${value.text}'`, value.pos);
    }
    return { kind: 'cmp', path: field.segments, op: op.text as Operator, value: { kind: value.kind, text: value.text }, pos: field.pos };
  }
}
