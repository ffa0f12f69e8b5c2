// The subset of CEL that KFP's compiler emits (FORMAT.md §8) and nothing more:
//   conditions  `int(inputs.parameter_values['x']) > 3 && !(inputs.parameter_values['y'] == 'a')`
//   selectors   `parseJson(string_value)["key"]`
// Literals (strings, numbers, true/false/null), identifiers, `.field`, `[index]`, the functions
// int/double/parseJson, unary `!` and `-`, `&&`, and == != < <= > >=. Anything else is rejected.
import type { JsonValue } from '../../../pipelines/ir/index.js';

export class CelError extends Error {
  override readonly name = 'CelError';
}

type CompareOp = '==' | '!=' | '<' | '<=' | '>' | '>=';
type FunctionName = 'int' | 'double' | 'parseJson';

export type CelNode =
  | { kind: 'literal'; value: JsonValue }
  | { kind: 'ident'; name: string }
  | { kind: 'member'; object: CelNode; field: string }
  | { kind: 'index'; object: CelNode; index: CelNode }
  | { kind: 'call'; fn: FunctionName; arg: CelNode }
  | { kind: 'not'; operand: CelNode }
  | { kind: 'negate'; operand: CelNode }
  | { kind: 'and'; left: CelNode; right: CelNode }
  | { kind: 'compare'; op: CompareOp; left: CelNode; right: CelNode };

type Token =
  | { type: 'punct'; text: string; pos: number }
  | { type: 'string'; value: string; pos: number }
  | { type: 'number'; value: number; pos: number }
  | { type: 'ident'; text: string; pos: number }
  | { type: 'end'; pos: number };

const FUNCTIONS = new Set<string>(['int', 'double', 'parseJson']);
const PUNCT = ['&&', '==', '!=', '<=', '>=', '<', '>', '!', '(', ')', '[', ']', '.', ',', '-'];
const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"' };

function tokenize(src: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const fail = (msg: string): never => {
    throw new CelError(`${msg} at position ${i} in CEL expression: ${src}`);
  };
  while (i < src.length) {
    const ch = src[i]!;
    if (/\s/.test(ch)) {
      i++;
    } else if (ch === "'" || ch === '"') {
      const start = i++;
      let value = '';
      while (i < src.length && src[i] !== ch) {
        if (src[i] === '\\') {
          const esc = ESCAPES[src[i + 1] ?? ''];
          if (esc === undefined) fail('unsupported escape sequence');
          value += esc;
          i += 2;
        } else {
          value += src[i++];
        }
      }
      if (i >= src.length) {
        i = start;
        fail('unterminated string literal');
      }
      i++;
      tokens.push({ type: 'string', value, pos: start });
    } else if (/[0-9]/.test(ch)) {
      const m = /^[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/.exec(src.slice(i))!;
      tokens.push({ type: 'number', value: Number(m[0]), pos: i });
      i += m[0].length;
    } else if (/[A-Za-z_]/.test(ch)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i))!;
      tokens.push({ type: 'ident', text: m[0], pos: i });
      i += m[0].length;
    } else {
      if (src.startsWith('||', i)) fail("'||' is not supported (KFP emits only '&&')");
      const p = PUNCT.find((op) => src.startsWith(op, i));
      if (!p) fail(`unsupported character '${ch}' (only KFP's condition forms are supported)`);
      tokens.push({ type: 'punct', text: p!, pos: i });
      i += p!.length;
    }
  }
  tokens.push({ type: 'end', pos: src.length });
  return tokens;
}

class Parser {
  private i = 0;
  constructor(
    private readonly src: string,
    private readonly tokens: Token[],
  ) {}

  parse(): CelNode {
    const node = this.and();
    const t = this.peek();
    if (t.type !== 'end') this.fail(t, 'unexpected token');
    return node;
  }

  private peek(): Token {
    return this.tokens[this.i]!;
  }

  private next(): Token {
    return this.tokens[this.i++]!;
  }

  private isPunct(text: string): boolean {
    const t = this.peek();
    return t.type === 'punct' && t.text === text;
  }

  private expect(text: string): void {
    if (!this.isPunct(text)) this.fail(this.peek(), `expected '${text}'`);
    this.i++;
  }

  private fail(t: Token, msg: string): never {
    const shown = t.type === 'end' ? 'end of expression' : this.src.slice(t.pos, t.pos + 12);
    throw new CelError(`${msg} at position ${t.pos} ('${shown}') in CEL expression: ${this.src}`);
  }

  private and(): CelNode {
    let left = this.relation();
    while (this.isPunct('&&')) {
      this.i++;
      left = { kind: 'and', left, right: this.relation() };
    }
    return left;
  }

  private relation(): CelNode {
    const left = this.unary();
    const t = this.peek();
    if (t.type === 'punct' && ['==', '!=', '<', '<=', '>', '>='].includes(t.text)) {
      this.i++;
      const right = this.unary();
      const after = this.peek();
      if (after.type === 'punct' && ['==', '!=', '<', '<=', '>', '>='].includes(after.text)) this.fail(after, 'chained comparisons are not supported');
      return { kind: 'compare', op: t.text as CompareOp, left, right };
    }
    return left;
  }

  private unary(): CelNode {
    if (this.isPunct('!')) {
      this.i++;
      return { kind: 'not', operand: this.unary() };
    }
    if (this.isPunct('-')) {
      this.i++;
      return { kind: 'negate', operand: this.unary() };
    }
    return this.postfix();
  }

  private postfix(): CelNode {
    let node = this.primary();
    for (;;) {
      if (this.isPunct('.')) {
        this.i++;
        const t = this.next();
        if (t.type !== 'ident') this.fail(t, 'expected a field name');
        node = { kind: 'member', object: node, field: t.text };
      } else if (this.isPunct('[')) {
        this.i++;
        const index = this.and();
        this.expect(']');
        node = { kind: 'index', object: node, index };
      } else {
        return node;
      }
    }
  }

  private primary(): CelNode {
    const t = this.next();
    if (t.type === 'string') return { kind: 'literal', value: t.value };
    if (t.type === 'number') return { kind: 'literal', value: t.value };
    if (t.type === 'punct' && t.text === '(') {
      const inner = this.and();
      this.expect(')');
      return inner;
    }
    if (t.type === 'ident') {
      if (t.text === 'true' || t.text === 'false') return { kind: 'literal', value: t.text === 'true' };
      if (t.text === 'null') return { kind: 'literal', value: null };
      if (this.isPunct('(')) {
        if (!FUNCTIONS.has(t.text)) this.fail(t, `unsupported function '${t.text}' (supported: int, double, parseJson)`);
        this.i++;
        const arg = this.and();
        if (this.isPunct(',')) this.fail(this.peek(), `'${t.text}' takes one argument`);
        this.expect(')');
        return { kind: 'call', fn: t.text as FunctionName, arg };
      }
      return { kind: 'ident', name: t.text };
    }
    return this.fail(t, 'expected a value');
  }
}

/** Parse (and so validate) an expression without evaluating it. */
export function parseCel(expression: string): CelNode {
  return new Parser(expression, tokenize(expression)).parse();
}

export function evaluateCel(expression: string | CelNode, env: Readonly<Record<string, JsonValue>>): JsonValue {
  const node = typeof expression === 'string' ? parseCel(expression) : expression;
  const text = typeof expression === 'string' ? expression : '(parsed expression)';
  return new Evaluator(text, env).eval(node);
}

/** A trigger condition: must evaluate to a bool. */
export function evaluateCondition(expression: string, env: Readonly<Record<string, JsonValue>>): boolean {
  const value = evaluateCel(expression, env);
  if (typeof value !== 'boolean') throw new CelError(`condition evaluated to ${describe(value)}, not a bool: ${expression}`);
  return value;
}

function describe(v: JsonValue): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a map';
  return `${typeof v} ${JSON.stringify(v)}`;
}

function typeName(v: JsonValue): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'list';
  if (typeof v === 'object') return 'map';
  if (typeof v === 'number') return 'number';
  return typeof v;
}

class Evaluator {
  constructor(
    private readonly src: string,
    private readonly env: Readonly<Record<string, JsonValue>>,
  ) {}

  private fail(msg: string): never {
    throw new CelError(`${msg} in CEL expression: ${this.src}`);
  }

  eval(node: CelNode): JsonValue {
    switch (node.kind) {
      case 'literal':
        return node.value;
      case 'ident':
        if (!Object.hasOwn(this.env, node.name)) this.fail(`unknown identifier '${node.name}'`);
        return this.env[node.name]!;
      case 'member':
        return this.select(this.eval(node.object), node.field);
      case 'index':
        return this.select(this.eval(node.object), this.eval(node.index));
      case 'call':
        return this.call(node.fn, this.eval(node.arg));
      case 'not': {
        const v = this.eval(node.operand);
        if (typeof v !== 'boolean') this.fail(`'!' needs a bool, got ${describe(v)}`);
        return !v;
      }
      case 'negate': {
        const v = this.eval(node.operand);
        if (typeof v !== 'number') this.fail(`'-' needs a number, got ${describe(v)}`);
        return -v;
      }
      case 'and': {
        const l = this.eval(node.left);
        if (typeof l !== 'boolean') this.fail(`'&&' needs bools, got ${describe(l)}`);
        if (!l) return false;
        const r = this.eval(node.right);
        if (typeof r !== 'boolean') this.fail(`'&&' needs bools, got ${describe(r)}`);
        return r;
      }
      case 'compare':
        return this.compare(node.op, this.eval(node.left), this.eval(node.right));
    }
  }

  private select(object: JsonValue, key: JsonValue): JsonValue {
    if (Array.isArray(object)) {
      if (typeof key !== 'number' || !Number.isInteger(key)) this.fail(`a list index must be an integer, got ${describe(key)}`);
      if (key < 0 || key >= object.length) this.fail(`index ${key} out of range (list of ${object.length})`);
      return object[key]!;
    }
    if (object !== null && typeof object === 'object') {
      if (typeof key !== 'string') this.fail(`a map key must be a string, got ${describe(key)}`);
      if (!Object.hasOwn(object, key)) this.fail(`no such key '${key}'`);
      return object[key]!;
    }
    return this.fail(`cannot select ${JSON.stringify(key)} from ${describe(object)}`);
  }

  private call(fn: FunctionName, arg: JsonValue): JsonValue {
    switch (fn) {
      case 'int': {
        if (typeof arg === 'number' && Number.isFinite(arg)) return Math.trunc(arg);
        if (typeof arg === 'string' && /^\s*[-+]?\d+\s*$/.test(arg)) return Number.parseInt(arg, 10);
        return this.fail(`int() cannot convert ${describe(arg)}`);
      }
      case 'double': {
        if (typeof arg === 'number') return arg;
        if (typeof arg === 'string' && arg.trim() !== '' && Number.isFinite(Number(arg))) return Number(arg);
        return this.fail(`double() cannot convert ${describe(arg)}`);
      }
      case 'parseJson': {
        if (typeof arg !== 'string') this.fail(`parseJson() needs a string, got ${describe(arg)}`);
        try {
          return JSON.parse(arg) as JsonValue;
        } catch {
          return this.fail(`parseJson() got text that is not JSON: ${arg.slice(0, 80)}`);
        }
      }
    }
  }

  private compare(op: CompareOp, l: JsonValue, r: JsonValue): boolean {
    const lt = typeName(l);
    const rt = typeName(r);
    if (op === '==' || op === '!=') {
      // CEL's heterogeneous equality: values of different types are simply unequal.
      const equal = lt === rt && canonical(l) === canonical(r);
      return op === '==' ? equal : !equal;
    }
    if (lt !== rt || !['number', 'string', 'boolean'].includes(lt)) this.fail(`no such overload: ${lt} ${op} ${rt}`);
    const a = l as number | string | boolean;
    const b = r as number | string | boolean;
    switch (op) {
      case '<':
        return a < b;
      case '<=':
        return a <= b;
      case '>':
        return a > b;
      case '>=':
        return a >= b;
    }
  }
}

/** Key-order independent text, for deep equality of lists and maps. */
function canonical(v: JsonValue): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(v[k]!)}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}
