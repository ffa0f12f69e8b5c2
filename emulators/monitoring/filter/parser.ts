// A recursive-descent parser for Monitoring filters. It builds an AST and leaves the meaning of
// selectors (metric.type, resource.labels.zone, ...) to selectors.ts, so the same grammar serves
// time series and metric descriptor filters.
import { FilterSyntaxError, tokenize, type Token } from './lexer.js';
import { compileFullMatch } from './regex.js';

export type FilterValue =
  | { kind: 'string'; value: string }
  | { kind: 'number'; value: number }
  | { kind: 'bool'; value: boolean }
  | { kind: 'call'; name: FunctionName; args: string[] };

export type ComparisonOp = '=' | '!=' | '<' | '>' | '<=' | '>=';

export type FilterExpr =
  | { kind: 'and'; items: FilterExpr[] }
  | { kind: 'or'; items: FilterExpr[] }
  | { kind: 'not'; item: FilterExpr }
  | { kind: 'cmp'; selector: string; op: ComparisonOp; value: FilterValue; pos: number };

const FUNCTIONS = ['starts_with', 'ends_with', 'has_substring', 'one_of', 'monitoring.regex.full_match'] as const;
export type FunctionName = (typeof FUNCTIONS)[number];

const isFunctionName = (s: string): s is FunctionName => (FUNCTIONS as readonly string[]).includes(s);

export function parseFilter(filter: string): FilterExpr {
  const parser = new Parser(tokenize(filter));
  if (parser.peek().kind === 'end') throw new FilterSyntaxError('the filter is empty', 0);
  const expr = parser.expression();
  const rest = parser.peek();
  if (rest.kind !== 'end') {
    throw new FilterSyntaxError(rest.kind === 'ident' || rest.kind === 'lparen' ? `expected AND or OR before '${rest.text}'` : `unexpected '${rest.text}'`, rest.pos);
  }
  return expr;
}

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

  /** `a AND b OR c` is ambiguous across Google's filter dialects: parentheses are required. */
  expression(): FilterExpr {
    const first = this.unary();
    const joiner = this.peek().kind;
    if (joiner !== 'and' && joiner !== 'or') return first;
    const items = [first];
    while (this.peek().kind === 'and' || this.peek().kind === 'or') {
      const op = this.next();
      if (op.kind !== joiner) throw new FilterSyntaxError('use parentheses to combine AND with OR', op.pos);
      items.push(this.unary());
    }
    return { kind: joiner, items };
  }

  private unary(): FilterExpr {
    if (this.peek().kind === 'not') {
      this.next();
      return { kind: 'not', item: this.unary() };
    }
    if (this.peek().kind === 'lparen') {
      const open = this.next();
      const inner = this.expression();
      if (this.next().kind !== 'rparen') throw new FilterSyntaxError("missing ')'", open.pos);
      return inner;
    }
    return this.comparison();
  }

  private comparison(): FilterExpr {
    const selector = this.next();
    if (selector.kind !== 'ident') throw new FilterSyntaxError(selector.kind === 'end' ? 'unexpected end of filter' : `expected a selector such as metric.type, got '${selector.text}'`, selector.pos);
    const op = this.next();
    if (op.kind !== 'op') throw new FilterSyntaxError(`expected a comparison operator after '${selector.text}'`, op.pos);
    if (op.text === '=~' || op.text === '!~') throw new FilterSyntaxError(`operator '${op.text}' is not part of Monitoring filters; use monitoring.regex.full_match("...")`, op.pos);
    if (op.text === ':') throw new FilterSyntaxError(`the ':' (has) operator is not supported; use = with has_substring("...")`, op.pos);
    const value = this.value();
    const cmpOp = op.text as ComparisonOp;
    if (value.kind === 'call' && cmpOp !== '=' && cmpOp !== '!=') throw new FilterSyntaxError(`${value.name}(...) can only be compared with = or !=`, op.pos);
    if ((value.kind === 'string' || value.kind === 'bool') && cmpOp !== '=' && cmpOp !== '!=') {
      throw new FilterSyntaxError(`operator '${cmpOp}' needs a number on its right-hand side`, op.pos);
    }
    return { kind: 'cmp', selector: selector.text, op: cmpOp, value, pos: selector.pos };
  }

  private value(): FilterValue {
    const token = this.next();
    if (token.kind === 'string') return { kind: 'string', value: token.text };
    if (token.kind === 'number') return { kind: 'number', value: Number(token.text) };
    if (token.kind === 'ident' && (token.text === 'true' || token.text === 'false')) return { kind: 'bool', value: token.text === 'true' };
    if (token.kind === 'ident' && this.peek().kind === 'lparen') return this.call(token);
    if (token.kind === 'ident') throw new FilterSyntaxError(`string values must be in double quotes: "${token.text}"`, token.pos);
    throw new FilterSyntaxError(token.kind === 'end' ? 'missing value at end of filter' : `expected a value, got '${token.text}'`, token.pos);
  }

  private call(name: Token): FilterValue {
    if (!isFunctionName(name.text)) throw new FilterSyntaxError(`unknown function '${name.text}'; supported: ${FUNCTIONS.join(', ')}`, name.pos);
    this.next(); // (
    const args: string[] = [];
    for (;;) {
      const arg = this.next();
      if (arg.kind !== 'string') throw new FilterSyntaxError(`${name.text}() takes quoted string arguments`, arg.pos);
      args.push(arg.text);
      const sep = this.next();
      if (sep.kind === 'rparen') break;
      if (sep.kind !== 'comma') throw new FilterSyntaxError(`expected ',' or ')' in ${name.text}(...)`, sep.pos);
    }
    if (name.text !== 'one_of' && args.length !== 1) throw new FilterSyntaxError(`${name.text}() takes exactly one argument`, name.pos);
    if (name.text === 'monitoring.regex.full_match') compileFullMatch(args[0]!, name.pos);
    return { kind: 'call', name: name.text, args };
  }
}
