// Expression-level translation: tokens → DuckDB SQL for queries, table paths, functions,
// literals, parameters and types. Statement shapes (DDL, DML) build on it in translator.ts.
import type { FnArg } from './functions.js';
import { FUNCTIONS } from './functions.js';
import { columnKey, jsonPathGroups } from './json-paths.js';
import type { DatasetRef, DeclaredField, OptionValue, TableRef, TranslateContext } from './model.js';
import { SqlError } from './sql-error.js';
import type { Token } from './tokenizer.js';
import { isOp, kw } from './tokenizer.js';
import { MAX_RECORD_DEPTH } from '../table-schema.js';
import { canonicalType, duckColumnType, duckScalarType, quoteIdent, quoteString } from './types.js';

/** BigQuery's reserved keywords: never aliases, never table names. */
const RESERVED = new Set(
  (
    'ALL AND ANY ARRAY AS ASC ASSERT_ROWS_MODIFIED AT BETWEEN BY CASE CAST COLLATE CONTAINS CREATE CROSS CUBE CURRENT ' +
    'DEFAULT DEFINE DESC DISTINCT ELSE END ENUM ESCAPE EXCEPT EXCLUDE EXISTS EXTRACT FALSE FETCH FOLLOWING FOR FROM FULL ' +
    'GROUP GROUPING GROUPS HASH HAVING IF IGNORE IN INNER INTERSECT INTERVAL INTO IS JOIN LATERAL LEFT LIKE LIMIT LOOKUP ' +
    'MERGE NATURAL NEW NO NOT NULL NULLS OF ON OR ORDER OUTER OVER PARTITION PRECEDING PROTO QUALIFY RANGE RECURSIVE ' +
    'RESPECT RIGHT ROLLUP ROWS SELECT SET SOME STRUCT TABLESAMPLE THEN TO TREAT TRUE UNBOUNDED UNION UNNEST USING WHEN ' +
    'WHERE WINDOW WITH WITHIN'
  ).split(' '),
);

/** Reserved keywords that are also called like functions. */
const CALLABLE_RESERVED = new Set(['IF', 'CAST', 'EXTRACT', 'ARRAY', 'STRUCT', 'UNNEST', 'RANGE', 'GROUPING', 'LEFT', 'RIGHT', 'COLLATE']);

/** Words DuckDB reserves that BigQuery lets you use as plain names: quoted when they are names. */
const DUCK_ONLY_RESERVED = new Set(
  'ANALYSE ANALYZE ASYMMETRIC BOTH CHECK COLUMN CONSTRAINT DEFERRABLE DESCRIBE DO FOREIGN INITIALLY LAMBDA LEADING ONLY PIVOT_LONGER PIVOT_WIDER PLACING PRIMARY REFERENCES RETURNING SHOW SUMMARIZE SYMMETRIC TRAILING UNIQUE VARIADIC USER'.split(
    ' ',
  ),
);

/** Keywords that end a SELECT list or a FROM clause. */
const CLAUSE_END = new Set(['FROM', 'WHERE', 'GROUP', 'HAVING', 'QUALIFY', 'WINDOW', 'ORDER', 'LIMIT', 'UNION', 'INTERSECT', 'EXCEPT', 'SELECT', 'SET', 'WHEN', 'OFFSET']);

const DATE_PARTS = new Set(['MICROSECOND', 'MILLISECOND', 'SECOND', 'MINUTE', 'HOUR', 'DAY', 'WEEK', 'MONTH', 'QUARTER', 'YEAR']);

const INTERVAL_FN: Record<string, string> = {
  MICROSECOND: 'to_microseconds',
  MILLISECOND: 'to_milliseconds',
  SECOND: 'to_seconds',
  MINUTE: 'to_minutes',
  HOUR: 'to_hours',
  DAY: 'to_days',
  WEEK: 'to_weeks',
  MONTH: 'to_months',
  QUARTER: 'to_quarters',
  YEAR: 'to_years',
};

const TYPED_LITERALS: Record<string, string> = {
  DATE: 'DATE',
  TIME: 'TIME',
  DATETIME: 'TIMESTAMP',
  TIMESTAMP: 'TIMESTAMPTZ',
  NUMERIC: duckScalarType('NUMERIC'),
  DECIMAL: duckScalarType('NUMERIC'),
  BIGNUMERIC: duckScalarType('BIGNUMERIC'),
  BIGDECIMAL: duckScalarType('BIGNUMERIC'),
  JSON: 'JSON',
};

interface ExprState {
  /** Inside a FROM clause: a comma starts another table. */
  fromList: boolean;
  /** The next token starts a table expression. */
  expectTable: boolean;
}

interface ParsedType {
  duck: string;
  field: Omit<DeclaredField, 'name'>;
  next: number;
}

export abstract class ExpressionTranslator {
  protected readonly reads: TableRef[] = [];
  protected readonly ctes = new Set<string>();
  protected readonly aliases = new Set<string>();
  protected readonly match: Int32Array;
  protected positional = 0;
  protected unnests = 0;
  protected inMerge = false;
  private jsonPaths: Map<string, string[]> | undefined;

  constructor(
    protected readonly t: Token[],
    protected readonly ctx: TranslateContext,
    protected readonly source: string,
  ) {
    this.match = this.matchBrackets();
  }

  // ---- tokens -------------------------------------------------------------------------------

  protected tok(i: number): Token {
    return this.t[Math.min(i, this.t.length - 1)]!;
  }

  protected get end(): number {
    return this.t.length - 1;
  }

  protected fail(message: string, i: number): never {
    const t = this.tok(i);
    throw new SqlError(message, t.line, t.col);
  }

  protected unexpected(i: number): never {
    this.fail(`Syntax error: Unexpected ${this.describe(i)}`, i);
  }

  protected expectKw(i: number, word: string): number {
    if (kw(this.tok(i)) !== word) this.fail(`Syntax error: Expected keyword ${word} but got ${this.describe(i)}`, i);
    return i + 1;
  }

  protected expectOp(i: number, op: string): number {
    if (!isOp(this.tok(i), op)) this.fail(`Syntax error: Expected "${op}" but got ${this.describe(i)}`, i);
    return i + 1;
  }

  /** A token as BigQuery's syntax errors name it. */
  protected describe(i: number): string {
    const t = this.tok(i);
    switch (t.kind) {
      case 'eof':
        return 'end of script';
      case 'ident':
        return RESERVED.has(kw(t)) ? `keyword ${kw(t)}` : `identifier "${t.text}"`;
      case 'string':
        return `string literal ${t.text}`;
      case 'number':
        return `${/[.eE]/.test(t.text) ? 'floating point' : 'integer'} literal "${t.text}"`;
      default:
        return `"${t.text}"`;
    }
  }

  protected sp(i: number): string {
    return this.tok(i).spaceBefore ? ' ' : '';
  }

  /** Index of the bracket closing the one at `i`. */
  protected close(i: number): number {
    const j = this.match[i]!;
    if (j < 0) this.unexpected(this.end);
    return j;
  }

  protected matchBrackets(): Int32Array {
    const match = new Int32Array(this.t.length).fill(-1);
    const stack: number[] = [];
    const pairs: Record<string, string> = { ')': '(', ']': '[' };
    this.t.forEach((t, i) => {
      if (isOp(t, '(') || isOp(t, '[')) stack.push(i);
      else if (isOp(t, ')') || isOp(t, ']')) {
        const open = stack.pop();
        if (open === undefined || this.t[open]!.text !== pairs[t.text]) this.unexpected(i);
        match[open] = i;
        match[i] = open;
      }
    });
    if (stack.length > 0) this.unexpected(this.end);
    return match;
  }

  /** The source text from token `from` up to (not including) token `to`. */
  protected text(from: number, to: number): string {
    return this.source.slice(this.tok(from).start, this.tok(to - 1).end);
  }

  // ---- shared by statements -------------------------------------------------------------------

  protected query(from: number, to: number): string {
    return this.expr(from, to, true);
  }

  /** CTE names and every name used as an alias, before translating (aliases may be used first). */
  protected prescan(): void {
    for (let i = 0; i < this.end; i++) {
      const k = kw(this.tok(i));
      if (k === 'AS' && (this.tok(i + 1).kind === 'ident' || this.tok(i + 1).kind === 'quoted')) {
        this.aliases.add(this.tok(i + 1).value.toLowerCase());
      }
      if (k !== 'WITH' || ['OFFSET', 'ORDINALITY', 'CONNECTION'].includes(kw(this.tok(i + 1)))) continue;
      let j = i + 1;
      if (kw(this.tok(j)) === 'RECURSIVE') j++;
      for (;;) {
        const name = this.tok(j);
        if (!(name.kind === 'ident' || name.kind === 'quoted') || kw(this.tok(j + 1)) !== 'AS' || !isOp(this.tok(j + 2), '(')) break;
        this.ctes.add(name.value.toLowerCase());
        j = this.close(j + 2) + 1;
        if (!isOp(this.tok(j), ',')) break;
        j++;
      }
    }
  }

  /** OPTIONS(name = literal, ...) starting at the '(' at `i`. */
  protected options(i: number): [Record<string, OptionValue>, number] {
    if (!isOp(this.tok(i), '(')) this.expectOp(i, '(');
    const close = this.close(i);
    const options: Record<string, OptionValue> = {};
    for (const [a, b] of this.splitCommas(i + 1, close)) {
      const name = this.tok(a);
      if (name.kind !== 'ident') this.unexpected(a);
      this.expectOp(a + 1, '=');
      const [value, after] = this.literal(a + 2);
      if (after !== b) this.fail(`Option ${name.text} must be a literal`, a + 2);
      options[name.text.toLowerCase()] = value;
    }
    return [options, close + 1];
  }

  protected literal(i: number): [OptionValue, number] {
    const t = this.tok(i);
    if (t.kind === 'string') return [t.value, i + 1];
    if (t.kind === 'number') return [Number(t.text), i + 1];
    if (isOp(t, '-') && this.tok(i + 1).kind === 'number') return [-Number(this.tok(i + 1).text), i + 2];
    const k = kw(t);
    // TIMESTAMP '...' and friends: the literal's text.
    if (k in TYPED_LITERALS && this.tok(i + 1).kind === 'string') return [this.tok(i + 1).value, i + 2];
    if (k === 'TRUE' || k === 'FALSE') return [k === 'TRUE', i + 1];
    if (k === 'NULL') return [null, i + 1];
    if (isOp(t, '[') || isOp(t, '(')) {
      const close = this.close(i);
      const items = this.splitCommas(i + 1, close).map(([a, b]) => {
        const [v, after] = this.literal(a);
        if (after !== b) this.fail('Option values must be literals', a);
        return v;
      });
      return [items, close + 1];
    }
    return this.fail('Option values must be literals', i);
  }

  // ---- names --------------------------------------------------------------------------------

  /** Split a path such as `a.b.c`, `` `p.d.t` `` or `my-project.d.t` written as contiguous tokens. */
  protected path(i: number): { parts: string[]; next: number } {
    let j = i;
    let raw = '';
    while (j < this.end) {
      const t = this.tok(j);
      if (j > i && t.spaceBefore) break;
      const joinable = t.kind === 'ident' || t.kind === 'quoted' || t.kind === 'number' || isOp(t, '.') || (j > i && (isOp(t, '-') || isOp(t, '*')));
      if (!joinable || (j > i && t.kind === 'ident' && RESERVED.has(kw(t)) && !isOp(this.tok(j - 1), '.'))) break;
      // Dots inside backticks separate path parts too: `p.d.t` is the same as `p`.`d`.`t`.
      raw += t.kind === 'quoted' ? t.value : t.text;
      j++;
    }
    const parts = raw.split('.');
    if (parts.some((p) => p === '')) this.fail(`Syntax error: Invalid table name ${raw}`, i);
    return { parts, next: j };
  }

  protected tableSql(ref: TableRef): string {
    return `${quoteIdent(this.ctx.catalogFor(ref.projectId))}.${quoteIdent(ref.datasetId)}.${quoteIdent(ref.tableId)}`;
  }

  protected schemaSql(ref: DatasetRef): string {
    return `${quoteIdent(this.ctx.catalogFor(ref.projectId))}.${quoteIdent(ref.datasetId)}`;
  }

  protected resolveTable(parts: string[], at: number): TableRef {
    if (parts.some((p) => p.includes('*'))) this.fail('Wildcard tables are not supported by the BigQuery emulator', at);
    if (parts.some((p) => p.toUpperCase() === 'INFORMATION_SCHEMA')) this.fail('INFORMATION_SCHEMA is not supported by the BigQuery emulator', at);
    if (parts.some((p) => p.includes('$'))) this.fail('Partition decorators are not supported by the BigQuery emulator', at);
    if (parts.length === 3) return { projectId: parts[0]!, datasetId: parts[1]!, tableId: parts[2]! };
    if (parts.length === 2) return { projectId: this.ctx.defaultProject, datasetId: parts[0]!, tableId: parts[1]! };
    if (parts.length === 1) {
      const ds = this.ctx.defaultDataset;
      if (!ds) this.fail(`Table "${parts[0]!}" must be qualified with a dataset (e.g. dataset.table).`, at);
      return { projectId: ds.projectId, datasetId: ds.datasetId, tableId: parts[0]! };
    }
    return this.fail(`Invalid table name: ${parts.join('.')}`, at);
  }

  /** The table a statement writes: its reference and DuckDB name. */
  protected tableTarget(i: number): { ref: TableRef; sql: string; next: number } {
    const t = this.tok(i);
    if (t.kind !== 'ident' && t.kind !== 'quoted') this.unexpected(i);
    const { parts, next } = this.path(i);
    const ref = this.resolveTable(parts, i);
    return { ref, sql: this.tableSql(ref), next };
  }

  protected datasetTarget(i: number): { ref: DatasetRef; next: number } {
    const t = this.tok(i);
    if (t.kind !== 'ident' && t.kind !== 'quoted') this.unexpected(i);
    const { parts, next } = this.path(i);
    if (parts.length === 1) return { ref: { projectId: this.ctx.defaultProject, datasetId: parts[0]! }, next };
    if (parts.length === 2) return { ref: { projectId: parts[0]!, datasetId: parts[1]! }, next };
    return this.fail(`Invalid dataset name: ${parts.join('.')}`, i);
  }

  // ---- expressions --------------------------------------------------------------------------

  /** Translate tokens [from, to). `nameColumns`: name anonymous SELECT columns as BigQuery does. */
  protected expr(from: number, to: number, nameColumns = false, state?: ExprState): string {
    const st: ExprState = state ?? { fromList: false, expectTable: false };
    let out = '';
    let i = from;
    while (i < to) {
      const [text, next] = this.step(i, to, st, nameColumns);
      out += text;
      i = next;
    }
    return out;
  }

  protected step(i: number, to: number, st: ExprState, nameColumns: boolean): [string, number] {
    const t = this.tok(i);
    const sp = this.sp(i);
    const k = kw(t);
    const next = this.tok(i + 1);

    if (st.expectTable) {
      st.expectTable = false;
      if (k === 'UNNEST' && isOp(next, '(')) return this.unnestTable(i, to);
      // A string is never a table in BigQuery (DuckDB would read it as a file path).
      if (t.kind === 'string') this.unexpected(i);
      if (t.kind === 'quoted' || (t.kind === 'ident' && !RESERVED.has(k))) return this.tableExpression(i, to);
    }

    switch (t.kind) {
      case 'string':
        return [sp + quoteString(t.value), i + 1];
      case 'bytes':
        return [`${sp}from_base64(${quoteString(Buffer.from(t.bytes ?? []).toString('base64'))})`, i + 1];
      case 'number':
        // BigQuery's 1.5 is FLOAT64 (DuckDB would make it DECIMAL); hex is written out in decimal.
        if (/^0x/i.test(t.text)) return [sp + BigInt(t.text).toString(), i + 1];
        return [sp + (/[.eE]/.test(t.text) ? `CAST(${t.text} AS DOUBLE)` : t.text), i + 1];
      case 'param':
        return [sp + this.namedParam(i), i + 1];
      case 'positional':
        return [sp + this.positionalParam(i), i + 1];
      case 'sysvar':
        return [sp + this.systemVariable(i), i + 1];
      case 'quoted':
        return [sp + t.value.split('.').map(quoteIdent).join('.'), i + 1];
      case 'op':
        return this.operator(i, st);
      case 'eof':
        return ['', i + 1];
      case 'ident':
        break;
    }

    // `SAFE.` prefix: the function returns NULL instead of failing.
    if (k === 'SAFE' && isOp(next, '.') && this.tok(i + 2).kind === 'ident' && isOp(this.tok(i + 3), '(')) {
      const [call, after] = this.call(i + 2);
      return [`${sp}try(${call.trim()})`, after];
    }
    if (this.inMerge && k === 'INSERT' && kw(next) === 'ROW') return [`${sp}INSERT *`, i + 2];
    if (isOp(next, '(') && (!RESERVED.has(k) || CALLABLE_RESERVED.has(k))) {
      if (k === 'ARRAY' || k === 'STRUCT' || k === 'UNNEST') return this.constructor_(i, k);
      return this.call(i);
    }
    if (k in TYPED_LITERALS && next.kind === 'string') {
      if (k === 'DATE' || k === 'TIME') return [`${sp}${k} ${quoteString(next.value)}`, i + 2];
      return [`${sp}CAST(${quoteString(next.value)} AS ${TYPED_LITERALS[k]!})`, i + 2];
    }
    switch (k) {
      case 'INTERVAL':
        return this.interval(i, to);
      case 'ARRAY':
      case 'STRUCT':
        return this.constructor_(i, k);
      case 'SELECT':
        if (nameColumns) return this.selectList(i, to);
        return [sp + t.text, i + 1];
      case 'FROM': {
        if (!this.isDistinctFrom(i)) {
          st.fromList = true;
          st.expectTable = true;
        }
        return [sp + t.text, i + 1];
      }
      case 'JOIN':
        st.expectTable = true;
        return [sp + t.text, i + 1];
      case 'UNION':
      case 'INTERSECT':
      case 'EXCEPT':
        st.fromList = false;
        // DuckDB's UNION/INTERSECT/EXCEPT are DISTINCT already and do not take the word.
        if (kw(next) === 'DISTINCT') return [sp + t.text, i + 2];
        return [sp + t.text, i + 1];
      case 'IN':
        if (kw(next) === 'UNNEST' && isOp(this.tok(i + 2), '(')) {
          const close = this.close(i + 2);
          return [`${sp}IN (SELECT UNNEST(${this.expr(i + 3, close).trim()}))`, close + 1];
        }
        return [sp + t.text, i + 1];
      default:
        if (CLAUSE_END.has(k)) st.fromList = false;
        if (DUCK_ONLY_RESERVED.has(k) && !isOp(next, '(')) return [sp + quoteIdent(t.text), i + 1];
        return [sp + t.text, i + 1];
    }
  }

  protected operator(i: number, st: ExprState): [string, number] {
    const t = this.tok(i);
    const sp = this.sp(i);
    if (t.text === '(') {
      const close = this.close(i);
      return [`${sp}(${this.expr(i + 1, close)})`, close + 1];
    }
    if (t.text === '[') {
      const close = this.close(i);
      const prev = this.tok(i - 1);
      const subscript = i > 0 && (prev.kind === 'quoted' || prev.kind === 'param' || isOp(prev, ')') || isOp(prev, ']') || (prev.kind === 'ident' && !RESERVED.has(kw(prev))));
      if (subscript) return [this.subscript(i + 1, close), close + 1];
      return [`${sp}[${this.expr(i + 1, close)}]`, close + 1];
    }
    if (t.text === '*' && ['EXCEPT', 'REPLACE'].includes(kw(this.tok(i + 1))) && isOp(this.tok(i + 2), '(')) {
      const close = this.close(i + 2);
      const word = kw(this.tok(i + 1)) === 'EXCEPT' ? 'EXCLUDE' : 'REPLACE';
      return [`${sp}* ${word} (${this.expr(i + 3, close).trim()})`, close + 1];
    }
    if (t.text === ',' && st.fromList) st.expectTable = true;
    if (t.text === ';') this.unexpected(i);
    return [sp + t.text, i + 1];
  }

  /** `arr[OFFSET(i)]` (0-based), `arr[ORDINAL(i)]` (1-based), `arr[i]` (0-based): DuckDB lists are 1-based. */
  protected subscript(from: number, close: number): string {
    const k = kw(this.tok(from));
    if (['OFFSET', 'SAFE_OFFSET', 'ORDINAL', 'SAFE_ORDINAL'].includes(k) && isOp(this.tok(from + 1), '(') && this.close(from + 1) === close - 1) {
      const inner = this.expr(from + 2, close - 1).trim();
      return k.endsWith('ORDINAL') ? `[${inner}]` : `[(${inner}) + 1]`;
    }
    if (this.tok(from).kind === 'string' && close === from + 1) return `[${quoteString(this.tok(from).value)}]`;
    return `[(${this.expr(from, close).trim()}) + 1]`;
  }

  protected namedParam(i: number): string {
    const name = this.tok(i).value;
    const params = this.ctx.params;
    const sql = params?.named.get(name.toLowerCase());
    if (sql === undefined) {
      if (params && params.positional.length > 0) this.fail('Named parameters cannot be used in positional parameter mode', i);
      this.fail(`Query parameter '${name}' not found`, i);
    }
    return sql;
  }

  protected positionalParam(i: number): string {
    const params = this.ctx.params;
    const sql = params?.positional[this.positional];
    if (sql === undefined) {
      if (params && params.named.size > 0) this.fail('Positional parameters cannot be used in named parameter mode', i);
      this.fail(`Query parameter number ${this.positional + 1} not found`, i);
    }
    this.positional++;
    return sql;
  }

  protected systemVariable(i: number): string {
    const name = this.tok(i).value.toLowerCase();
    if (name === 'project_id') return quoteString(this.ctx.defaultProject);
    if (name === 'dataset_id' && this.ctx.defaultDataset) return quoteString(this.ctx.defaultDataset.datasetId);
    return this.fail(`Unrecognized system variable @@${name}`, i);
  }

  /** A function call at `i` (name) with its '(' at `i + 1`. */
  protected call(i: number): [string, number] {
    const t = this.tok(i);
    const sp = this.sp(i);
    const name = kw(t);
    const open = i + 1;
    const close = this.close(open);
    if (name === 'CAST' || name === 'SAFE_CAST') return [sp + this.cast(open, close, name === 'SAFE_CAST'), close + 1];
    if (name === 'EXTRACT') return [sp + this.extract(open, close), close + 1];
    const rewrite = FUNCTIONS[name];
    if (rewrite) {
      const args: FnArg[] = this.splitCommas(open + 1, close).map(([a, b]) => ({ sql: this.expr(a, b).trim(), tokens: this.t.slice(a, b), ...this.knownElements(a, b) }));
      return [sp + rewrite({ name, args, token: t, ...this.jsonPathsOf(name, args) }), close + 1];
    }
    return [`${sp}${t.text}${this.sp(open)}(${this.expr(open + 1, close)})`, close + 1];
  }

  /** JSON_VALUE / JSON_EXTRACT_SCALAR on a column: the statement's paths on that column, to share one parse. */
  private jsonPathsOf(name: string, args: FnArg[]): { jsonPaths?: string[] } {
    if (name !== 'JSON_VALUE' && name !== 'JSON_EXTRACT_SCALAR') return {};
    const key = args[0] && columnKey(args[0].tokens);
    if (key === undefined) return {};
    this.jsonPaths ??= jsonPathGroups(this.t, (open) => this.close(open));
    const paths = this.jsonPaths.get(key);
    return paths ? { jsonPaths: paths } : {};
  }

  /** An argument's array elements when they are known now: an ARRAY parameter, or `[…]` of (signed) numbers. */
  protected knownElements(a: number, b: number): { elements?: string[] } {
    const first = this.tok(a);
    if (b === a + 1 && first.kind === 'param') {
      const elements = this.ctx.params?.namedArrays?.get(first.value.toLowerCase());
      return elements ? { elements } : {};
    }
    if (!isOp(first, '[') || this.close(a) !== b - 1) return {};
    for (let j = a + 1; j < b - 1; j++) {
      const t = this.tok(j);
      if (t.kind !== 'number' && !isOp(t, ',') && !isOp(t, '-') && !isOp(t, '+')) return {};
    }
    return { elements: b - 1 > a + 1 ? this.splitCommas(a + 1, b - 1).map(([x, y]) => this.expr(x, y).trim()) : [] };
  }

  protected cast(open: number, close: number, safe: boolean): string {
    let as = -1;
    for (let j = open + 1; j < close; j++) {
      if (isOp(this.tok(j), '(') || isOp(this.tok(j), '[')) j = this.close(j);
      else if (kw(this.tok(j)) === 'AS') as = j;
    }
    if (as < 0) this.fail('Syntax error: Expected keyword AS', close);
    const type = this.parseType(as + 1);
    if (kw(this.tok(type.next)) === 'FORMAT') this.fail('CAST ... FORMAT is not supported by the BigQuery emulator', type.next);
    if (type.next !== close) this.unexpected(type.next);
    return `${safe ? 'TRY_CAST' : 'CAST'}(${this.expr(open + 1, as).trim()} AS ${type.duck})`;
  }

  protected extract(open: number, close: number): string {
    let j = open + 1;
    const part = kw(this.tok(j));
    let weekStart = '';
    j++;
    if (part === 'WEEK' && isOp(this.tok(j), '(')) {
      weekStart = kw(this.tok(j + 1));
      j = this.close(j) + 1;
    }
    j = this.expectKw(j, 'FROM');
    let valueEnd = close;
    let tz: string | undefined;
    for (let x = j; x < close; x++) {
      if (isOp(this.tok(x), '(')) x = this.close(x);
      else if (kw(this.tok(x)) === 'AT' && kw(this.tok(x + 1)) === 'TIME' && kw(this.tok(x + 2)) === 'ZONE') {
        valueEnd = x;
        tz = this.expr(x + 3, close).trim();
        break;
      }
    }
    let value = this.expr(j, valueEnd).trim();
    if (tz !== undefined) value = `timezone(${tz}, ${value})`;
    switch (part) {
      case 'DAYOFWEEK':
        return `(dayofweek(${value}) + 1)`;
      case 'DAYOFYEAR':
        return `dayofyear(${value})`;
      case 'WEEK':
        if (weekStart && weekStart !== 'SUNDAY' && weekStart !== 'MONDAY') this.fail(`EXTRACT WEEK(${weekStart}) is not supported by the BigQuery emulator`, open + 1);
        return `CAST(strftime(${value}, '${weekStart === 'MONDAY' ? '%W' : '%U'}') AS BIGINT)`;
      case 'ISOWEEK':
        return `week(${value})`;
      case 'ISOYEAR':
        return `isoyear(${value})`;
      case 'MICROSECOND':
        return `(microsecond(${value}) % 1000000)`;
      case 'MILLISECOND':
        return `(millisecond(${value}) % 1000)`;
      case 'DATE':
        return `CAST(${value} AS DATE)`;
      case 'TIME':
        return `CAST(${value} AS TIME)`;
      case 'DATETIME':
        return `CAST(${value} AS TIMESTAMP)`;
      case 'SECOND':
      case 'MINUTE':
      case 'HOUR':
      case 'DAY':
      case 'MONTH':
      case 'QUARTER':
      case 'YEAR':
        return `extract(${part.toLowerCase()} FROM ${value})`;
      default:
        return this.fail(`A valid date part name is required but found ${this.tok(open + 1).text}`, open + 1);
    }
  }

  /** `INTERVAL <expr> <part>`: a DuckDB interval value of that many parts. */
  protected interval(i: number, to: number): [string, number] {
    const sp = this.sp(i);
    let j = i + 1;
    let unitAt = -1;
    for (; j < to; j++) {
      if (isOp(this.tok(j), '(') || isOp(this.tok(j), '[')) j = this.close(j);
      else if (DATE_PARTS.has(kw(this.tok(j))) && j > i + 1) {
        unitAt = j;
        break;
      }
    }
    if (unitAt < 0) this.fail('Syntax error: Expected an INTERVAL date part', i);
    if (kw(this.tok(unitAt + 1)) === 'TO') this.fail('INTERVAL ... TO ... ranges are not supported by the BigQuery emulator', i);
    const unit = kw(this.tok(unitAt));
    const single = unitAt === i + 2 ? this.tok(i + 1) : undefined;
    if (single?.kind === 'number' && /^[0-9]+$/.test(single.text)) return [`${sp}INTERVAL ${single.text} ${unit}`, unitAt + 1];
    const amount = single?.kind === 'string' ? quoteString(single.value) : this.expr(i + 1, unitAt).trim();
    return [`${sp}${INTERVAL_FN[unit]!}(CAST(${amount} AS BIGINT))`, unitAt + 1];
  }

  /** ARRAY(...), ARRAY<T>[...], ARRAY[...], STRUCT(...), STRUCT<...>(...), UNNEST(...) in expressions. */
  protected constructor_(i: number, k: string): [string, number] {
    const sp = this.sp(i);
    const next = this.tok(i + 1);
    if (k === 'UNNEST') {
      const close = this.close(i + 1);
      return [`${sp}UNNEST(${this.expr(i + 2, close).trim()})`, close + 1];
    }
    if (k === 'ARRAY') {
      if (isOp(next, '(')) {
        const close = this.close(i + 1);
        return [`${sp}ARRAY(${this.expr(i + 2, close).trim()})`, close + 1];
      }
      if (isOp(next, '[')) {
        const close = this.close(i + 1);
        return [`${sp}[${this.expr(i + 2, close).trim()}]`, close + 1];
      }
      if (isOp(next, '<')) {
        const type = this.parseType(i);
        if (!isOp(this.tok(type.next), '[')) this.unexpected(type.next);
        const close = this.close(type.next);
        return [`${sp}CAST([${this.expr(type.next + 1, close).trim()}] AS ${type.duck})`, close + 1];
      }
      return this.unexpected(i + 1);
    }
    // STRUCT
    let types: DeclaredField[] | undefined;
    let open = i + 1;
    if (isOp(next, '<')) {
      const type = this.parseType(i);
      types = type.field.fields ?? [];
      open = type.next;
    }
    if (!isOp(this.tok(open), '(')) this.unexpected(open);
    const close = this.close(open);
    const items = this.splitCommas(open + 1, close);
    if (types && types.length !== items.length) this.fail(`STRUCT type has ${types.length} fields but constructor call has ${items.length} fields`, i);
    const fields = items.map(([a, b], n) => {
      let valueEnd = b;
      let name: string | undefined = types?.[n]?.name;
      if (b - a >= 3 && kw(this.tok(b - 2)) === 'AS') {
        valueEnd = b - 2;
        name = this.tok(b - 1).value;
      } else if (!name && this.isPath(a, b)) {
        name = this.tok(b - 1).value;
      }
      let value = this.expr(a, valueEnd).trim();
      if (types?.[n]) value = `CAST(${value} AS ${duckColumnType(types[n])})`;
      return `${quoteIdent(name ?? `_field_${n + 1}`)} := ${value}`;
    });
    return [`${sp}struct_pack(${fields.join(', ')})`, close + 1];
  }

  /** A BigQuery type at `i`: its DuckDB spelling and its schema field shape. */
  /** A type at `i`; `depth` counts the STRUCTs around it (BigQuery nests at most 15). */
  protected parseType(i: number, depth = 0): ParsedType {
    const t = this.tok(i);
    const k = kw(t);
    if (k === 'ARRAY') {
      this.expectOp(i + 1, '<');
      const inner = this.parseType(i + 2, depth);
      if (inner.field.mode === 'REPEATED') this.fail('Arrays of arrays are not supported', i);
      const next = this.expectOp(inner.next, '>');
      return { duck: `${inner.duck}[]`, field: { ...inner.field, mode: 'REPEATED' }, next };
    }
    if (k === 'STRUCT') {
      if (depth >= MAX_RECORD_DEPTH) this.fail(`STRUCT types are nested too deeply; the maximum depth is ${MAX_RECORD_DEPTH}`, i);
      let j = this.expectOp(i + 1, '<');
      const fields: DeclaredField[] = [];
      while (!isOp(this.tok(j), '>')) {
        let name = `_field_${fields.length + 1}`;
        const after = this.tok(j + 1);
        if (!(isOp(after, '>') || isOp(after, ',') || isOp(after, '<') || isOp(after, '('))) {
          name = this.tok(j).value;
          j++;
        }
        const inner = this.parseType(j, depth + 1);
        fields.push({ name, ...inner.field });
        j = inner.next;
        if (isOp(this.tok(j), ',')) j++;
        else if (!isOp(this.tok(j), '>')) this.unexpected(j);
      }
      const duck = `STRUCT(${fields.map((f) => `${quoteIdent(f.name)} ${duckColumnType(f)}`).join(', ')})`;
      return { duck, field: { type: 'RECORD', mode: 'NULLABLE', fields }, next: j + 1 };
    }
    const type = t.kind === 'ident' ? canonicalType(t.text) : undefined;
    if (!type || type === 'RECORD') this.fail(`Type not found: ${t.text || 'end of statement'}`, i);
    let next = i + 1;
    let duck = duckScalarType(type);
    if (isOp(this.tok(next), '(')) {
      const close = this.close(next);
      const params = this.splitCommas(next + 1, close).map(([a]) => Number(this.tok(a).text));
      if ((type === 'NUMERIC' || type === 'BIGNUMERIC') && params.length > 0) {
        const [precision, scale = 0] = params as [number, number?];
        if (precision > 38) this.fail(`${type}(${precision}) exceeds the 38 digits the BigQuery emulator stores`, i);
        duck = `DECIMAL(${precision},${scale})`;
      }
      next = close + 1;
    }
    return { duck, field: { type, mode: 'NULLABLE' }, next };
  }

  protected isPath(a: number, b: number): boolean {
    for (let j = a; j < b; j++) {
      const t = this.tok(j);
      const even = (j - a) % 2 === 0;
      if (even && !(t.kind === 'quoted' || (t.kind === 'ident' && !RESERVED.has(kw(t))))) return false;
      if (!even && !isOp(t, '.')) return false;
    }
    return (b - a) % 2 === 1;
  }

  /** Ranges between top-level commas in [from, to); `ARRAY<...>` and `STRUCT<...>` nest too. */
  protected splitCommas(from: number, to: number): [number, number][] {
    const ranges: [number, number][] = [];
    let start = from;
    let angles = 0;
    for (let j = from; j < to; j++) {
      const t = this.tok(j);
      if (isOp(t, '(') || isOp(t, '[')) j = this.close(j);
      else if (isOp(t, '<') && ['ARRAY', 'STRUCT'].includes(kw(this.tok(j - 1)))) angles++;
      else if (isOp(t, '>') && angles > 0) angles--;
      else if (isOp(t, ',') && angles === 0) {
        ranges.push([start, j]);
        start = j + 1;
      }
    }
    if (to > start) ranges.push([start, to]);
    else if (ranges.length > 0) this.unexpected(to);
    return ranges;
  }

  /** SELECT list of the statement's outermost query: unnamed expressions become f0_, f1_, ... */
  protected selectList(i: number, to: number): [string, number] {
    let out = `${this.sp(i)}${this.tok(i).text}`;
    let j = i + 1;
    if (kw(this.tok(j)) === 'AS') this.fail(`SELECT AS ${this.tok(j + 1).text.toUpperCase()} is not supported by the BigQuery emulator`, j);
    if (['DISTINCT', 'ALL'].includes(kw(this.tok(j)))) out += `${this.sp(j)}${this.tok(j++).text}`;
    let end = j;
    for (; end < to; end++) {
      const t = this.tok(end);
      if (isOp(t, '(') || isOp(t, '[')) end = this.close(end);
      else if (CLAUSE_END.has(kw(t)) && !(kw(t) === 'EXCEPT' && isOp(this.tok(end - 1), '*')) && kw(t) !== 'SET' && kw(t) !== 'WHEN' && !this.isDistinctFrom(end)) break;
    }
    let anonymous = 0;
    const items = this.splitCommas(j, end).map(([a, b]) => {
      const sql = this.expr(a, b);
      return this.isNamed(a, b) ? sql : `${sql} AS ${quoteIdent(`f${anonymous++}_`)}`;
    });
    return [out + items.join(','), end];
  }

  /** The FROM of `a IS [NOT] DISTINCT FROM b`. */
  protected isDistinctFrom(i: number): boolean {
    return kw(this.tok(i)) === 'FROM' && kw(this.tok(i - 1)) === 'DISTINCT' && ['IS', 'NOT'].includes(kw(this.tok(i - 2)));
  }

  protected isNamed(a: number, b: number): boolean {
    const last = this.tok(b - 1);
    // `*`, `t.*`, `* EXCEPT (...)`: columns keep their names.
    if (isOp(this.tok(a), '*') || isOp(last, '*')) return true;
    if (this.isPath(a, b)) return true;
    const isName = last.kind === 'quoted' || (last.kind === 'ident' && !RESERVED.has(kw(last)));
    if (!isName || b - a < 2 || kw(this.tok(a)) === 'INTERVAL') return false;
    const before = this.tok(b - 2);
    if (kw(before) === 'AS') return true;
    return before.kind === 'ident' || before.kind === 'quoted' || before.kind === 'string' || before.kind === 'number' || before.kind === 'param' || isOp(before, ')') || isOp(before, ']');
  }

  /** A table path in a FROM clause, with its alias; a path that starts at an alias is an array. */
  protected tableExpression(i: number, to: number): [string, number] {
    const sp = this.sp(i);
    const { parts, next } = this.path(i);
    // The emulator has no table-valued functions; DuckDB's (read_csv, glob, ...) must not pass through.
    if (isOp(this.tok(next), '(')) this.fail(`Table-valued function not found: ${parts.join('.')}`, i);
    const head = parts[0]!.toLowerCase();
    if (parts.length === 1 && this.ctes.has(head)) {
      const [alias, after] = this.alias(next, to);
      return [sp + (this.tok(i).kind === 'quoted' ? quoteIdent(parts[0]!) : parts[0]!) + alias, after];
    }
    if (parts.length >= 2 && (this.aliases.has(head) || this.ctes.has(head))) {
      const path = parts.map(quoteIdent).join('.');
      return this.unnestWithAlias(sp, path, next, to);
    }
    const ref = this.resolveTable(parts, i);
    this.reads.push(ref);
    if (kw(this.tok(next)) === 'FOR' && kw(this.tok(next + 1)) === 'SYSTEM_TIME') this.fail('FOR SYSTEM_TIME AS OF is not supported by the BigQuery emulator', next);
    const [alias, after] = this.alias(next, to);
    return [sp + this.tableSql(ref) + alias, after];
  }

  protected alias(i: number, to: number): [string, number] {
    if (i >= to) return ['', i];
    const t = this.tok(i);
    if (kw(t) === 'AS') {
      const name = this.tok(i + 1);
      if (name.kind !== 'ident' && name.kind !== 'quoted') this.unexpected(i + 1);
      this.aliases.add(name.value.toLowerCase());
      return [` AS ${quoteIdent(name.value)}`, i + 2];
    }
    if (t.kind === 'quoted' || (t.kind === 'ident' && !RESERVED.has(kw(t)) && !['PIVOT', 'UNPIVOT'].includes(kw(t)))) {
      this.aliases.add(t.value.toLowerCase());
      return [` AS ${quoteIdent(t.value)}`, i + 1];
    }
    return ['', i];
  }

  /** UNNEST(expr) [AS alias] [WITH OFFSET [AS off]] in a FROM clause. */
  protected unnestTable(i: number, to: number): [string, number] {
    const close = this.close(i + 1);
    const value = this.expr(i + 2, close).trim();
    return this.unnestWithAlias(this.sp(i), value, close + 1, to);
  }

  protected unnestWithAlias(sp: string, value: string, from: number, to: number): [string, number] {
    let j = from;
    let alias: string | undefined;
    if (kw(this.tok(j)) === 'AS') j++;
    const a = this.tok(j);
    if (j < to && (a.kind === 'quoted' || (a.kind === 'ident' && !RESERVED.has(kw(a))))) {
      alias = a.value;
      this.aliases.add(alias.toLowerCase());
      j++;
    } else if (j > from) this.unexpected(j);
    let offset: string | undefined;
    if (kw(this.tok(j)) === 'WITH' && kw(this.tok(j + 1)) === 'OFFSET') {
      j += 2;
      offset = 'offset';
      if (kw(this.tok(j)) === 'AS') j++;
      const o = this.tok(j);
      if (j < to && (o.kind === 'quoted' || (o.kind === 'ident' && !RESERVED.has(kw(o))))) {
        offset = o.value;
        j++;
      }
    }
    // UNNEST in a subquery's SELECT list, not DuckDB's unnest table function: a correlated array
    // (`FROM t, UNNEST(t.arr)`) then joins row by row instead of through a hash join on every row
    // of t (~4× faster under a WHERE, ~20× without one).
    if (offset === undefined) {
      if (alias === undefined) return [`${sp}UNNEST(${value})`, j];
      return [`${sp}(SELECT UNNEST(${value}) AS ${quoteIdent(alias)}) AS ${quoteIdent(alias)}`, j];
    }
    const n = ++this.unnests;
    const element = quoteIdent(alias ?? `_element_${n}`);
    const off = quoteIdent(offset);
    const table = quoteIdent(`_unnest_${n}`);
    // A column's array is read twice, once for its elements and once for their positions (same
    // length, so they pair up); any other array once, numbered by WITH ORDINALITY (from 1).
    if (/^[\w."]+$/.test(value)) return [`${sp}(SELECT UNNEST(${value}) AS ${element}, generate_subscripts(${value}, 1) - 1 AS ${off}) AS ${table}`, j];
    const sql = `(SELECT _u.${element} AS ${element}, _u._ordinal - 1 AS ${off} FROM UNNEST(${value}) WITH ORDINALITY AS _u(${element}, _ordinal)) AS ${table}`;
    return [sp + sql, j];
  }
}

