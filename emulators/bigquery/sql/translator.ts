// BigQuery GoogleSQL → DuckDB SQL, on tokens (strings, quoted names and comments are never
// rewritten). Table paths become the catalog/schema/table of the emulator's layout, query
// parameters become typed literals, and the functions and syntax DuckDB lacks are rewritten.
// Statements the emulator cannot run fail the way BigQuery fails: SqlError → 400 invalidQuery.
import { ExpressionTranslator } from './expressions.js';
import type { DeclaredField, OptionValue, StatementType, TranslateContext, TranslatedStatement } from './model.js';
import { SqlError } from './sql-error.js';
import type { Token } from './tokenizer.js';
import { isOp, kw, tokenize } from './tokenizer.js';
import { duckColumnType, quoteIdent } from './types.js';

export type { DatasetRef, DeclaredField, OptionValue, QueryParamsSql, StatementType, TableRef, TranslateContext, TranslatedStatement } from './model.js';

/** Translate a query text (one or more statements separated by ';'). */
export function translate(sql: string, ctx: TranslateContext): TranslatedStatement[] {
  const tokens = tokenize(sql);
  const statements: TranslatedStatement[] = [];
  let begin = 0;
  let depth = 0;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (isOp(t, '(') || isOp(t, '[')) depth++;
    else if (isOp(t, ')') || isOp(t, ']')) depth--;
    if ((isOp(t, ';') && depth <= 0) || t.kind === 'eof') {
      if (i > begin) {
        const slice = tokens.slice(begin, i);
        slice.push({ ...t, kind: 'eof', text: '', value: '' });
        statements.push(new StatementTranslator(slice, ctx, sql).statement());
      }
      begin = i + 1;
    }
  }
  if (statements.length === 0) {
    const last = tokens[tokens.length - 1]!;
    throw new SqlError('Syntax error: Unexpected end of script', last.line, last.col);
  }
  return statements;
}

/** One statement: its kind, its target, and the DuckDB SQL that runs it. */
class StatementTranslator extends ExpressionTranslator {
  constructor(tokens: Token[], ctx: TranslateContext, source: string) {
    super(tokens, ctx, source);
  }

  statement(): TranslatedStatement {
    this.prescan();
    const first = kw(this.tok(0));
    switch (first) {
      case 'SELECT':
      case 'WITH':
        return this.result('SELECT', this.query(0, this.end));
      case 'INSERT':
        return this.insert();
      case 'UPDATE':
        return this.update();
      case 'DELETE':
        return this.deleteStatement();
      case 'MERGE':
        return this.merge();
      case 'CREATE':
        return this.create();
      case 'DROP':
        return this.drop();
      case 'TRUNCATE':
        return this.truncate();
      case 'ALTER':
        return this.alter();
      case 'EXPORT':
        return this.exportData();
      case 'DECLARE':
      case 'BEGIN':
      case 'CALL':
      case 'ASSERT':
      case 'LOOP':
      case 'WHILE':
      case 'FOR':
      case 'REPEAT':
      case 'EXECUTE':
      case 'LOAD':
        return this.fail(`${first} statements are not supported by the BigQuery emulator`, 0);
      default:
        if (isOp(this.tok(0), '(')) return this.result('SELECT', this.query(0, this.end));
        if (first === 'SET') return this.fail('SET statements are not supported by the BigQuery emulator', 0);
        return this.unexpected(0);
    }
  }

  private result(type: StatementType, sql: string, extra: Partial<TranslatedStatement> = {}): TranslatedStatement {
    return { type, sql: sql.trim(), reads: this.reads, ...extra };
  }

  private insert(): TranslatedStatement {
    let i = 1;
    if (kw(this.tok(i)) === 'INTO') i++;
    const { ref, sql, next } = this.tableTarget(i);
    const rest = this.query(next, this.end);
    return this.result('INSERT', `INSERT INTO ${sql}${rest}`, { target: ref });
  }

  private update(): TranslatedStatement {
    const { ref, sql, next } = this.tableTarget(1);
    this.requireWhere(next, 'UPDATE');
    return this.result('UPDATE', `UPDATE ${sql}${this.expr(next, this.end)}`, { target: ref });
  }

  private deleteStatement(): TranslatedStatement {
    let i = 1;
    if (kw(this.tok(i)) === 'FROM') i++;
    const { ref, sql, next } = this.tableTarget(i);
    this.requireWhere(next, 'DELETE');
    return this.result('DELETE', `DELETE FROM ${sql}${this.expr(next, this.end)}`, { target: ref });
  }

  private requireWhere(from: number, statement: string): void {
    for (let i = from; i < this.end; i++) {
      if (isOp(this.tok(i), '(') || isOp(this.tok(i), '[')) i = this.close(i);
      else if (kw(this.tok(i)) === 'WHERE') return;
    }
    this.fail(`${statement} must have a WHERE clause`, from);
  }

  private merge(): TranslatedStatement {
    let i = 1;
    if (kw(this.tok(i)) === 'INTO') i++;
    const { ref, sql, next } = this.tableTarget(i);
    let j = next;
    let alias = '';
    if (kw(this.tok(j)) === 'AS') j++;
    if (this.tok(j).kind === 'ident' && kw(this.tok(j)) !== 'USING') {
      alias = ` AS ${this.tok(j).text}`;
      j++;
    }
    j = this.expectKw(j, 'USING');
    // INSERT ROW inserts every column: DuckDB spells it INSERT * (see step).
    this.inMerge = true;
    const rest = this.expr(j, this.end, false, { fromList: false, expectTable: true });
    return this.result('MERGE', `MERGE INTO ${sql}${alias} USING${rest}`, { target: ref });
  }

  private create(): TranslatedStatement {
    let i = 1;
    let orReplace = false;
    if (kw(this.tok(i)) === 'OR') {
      i = this.expectKw(i + 1, 'REPLACE');
      orReplace = true;
    }
    if (['TEMP', 'TEMPORARY'].includes(kw(this.tok(i)))) this.fail('Temporary tables are only supported in scripts, which the BigQuery emulator does not run', i);
    const what = kw(this.tok(i));
    if (what === 'TABLE') return this.createTable(i + 1, orReplace);
    if (what === 'VIEW') return this.createView(i + 1, orReplace);
    if (what === 'SCHEMA') return this.createSchema(i + 1);
    return this.fail(`CREATE ${this.tok(i).text.toUpperCase()} is not supported by the BigQuery emulator`, i);
  }

  private ifNotExists(i: number): [boolean, number] {
    if (kw(this.tok(i)) === 'IF' && kw(this.tok(i + 1)) === 'NOT' && kw(this.tok(i + 2)) === 'EXISTS') return [true, i + 3];
    return [false, i];
  }

  private ifExists(i: number): [boolean, number] {
    if (kw(this.tok(i)) === 'IF' && kw(this.tok(i + 1)) === 'EXISTS') return [true, i + 2];
    return [false, i];
  }

  private createTable(from: number, orReplace: boolean): TranslatedStatement {
    const [ifNotExists, i] = this.ifNotExists(from);
    const { ref, sql, next } = this.tableTarget(i);
    let j = next;
    let columns: DeclaredField[] | undefined;
    let options: Record<string, OptionValue> | undefined;
    let query: string | undefined;
    if (isOp(this.tok(j), '(')) {
      const close = this.close(j);
      columns = this.columnDefinitions(j + 1, close);
      j = close + 1;
    }
    while (j < this.end) {
      const k = kw(this.tok(j));
      if (k === 'PARTITION' || k === 'CLUSTER') {
        // Partitioning and clustering change storage, not results: accepted and not modelled.
        j = this.expectKw(j + 1, 'BY');
        while (j < this.end && !['CLUSTER', 'OPTIONS', 'AS'].includes(kw(this.tok(j)))) j = isOp(this.tok(j), '(') ? this.close(j) + 1 : j + 1;
      } else if (k === 'OPTIONS') {
        [options, j] = this.options(j + 1);
      } else if (k === 'DEFAULT' && kw(this.tok(j + 1)) === 'COLLATE') {
        this.fail('DEFAULT COLLATE is not supported by the BigQuery emulator', j);
      } else if (k === 'AS') {
        query = this.query(j + 1, this.end);
        j = this.end;
      } else if (k === 'LIKE' || k === 'COPY' || k === 'CLONE') {
        this.fail(`CREATE TABLE ${k} is not supported by the BigQuery emulator`, j);
      } else {
        this.unexpected(j);
      }
    }
    if (!columns && query === undefined) this.fail('Syntax error: Expected "(" or keyword AS but got end of statement', j);
    const head = `CREATE ${orReplace ? 'OR REPLACE ' : ''}TABLE ${ifNotExists ? 'IF NOT EXISTS ' : ''}${sql}`;
    const extra = { target: ref, orReplace, ifNotExists, ...(columns ? { columns } : {}), ...(options ? { options } : {}) };
    if (!columns) return this.result('CREATE_TABLE_AS_SELECT', `${head} AS ${query!.trim()}`, extra);
    const defs = columns.map((c) => `${quoteIdent(c.name)} ${duckColumnType(c)}${c.mode === 'REQUIRED' ? ' NOT NULL' : ''}`).join(', ');
    if (query === undefined) return this.result('CREATE_TABLE', `${head} (${defs})`, extra);
    return this.result('CREATE_TABLE_AS_SELECT', `${head} (${defs}); INSERT INTO ${sql} ${query.trim()}`, extra);
  }

  /** `name type [NOT NULL] [OPTIONS(...)]`, comma separated. */
  private columnDefinitions(from: number, to: number): DeclaredField[] {
    const fields: DeclaredField[] = [];
    for (const [a, b] of this.splitCommas(from, to)) {
      if (['PRIMARY', 'FOREIGN', 'CONSTRAINT'].includes(kw(this.tok(a)))) continue; // unenforced constraints
      const nameTok = this.tok(a);
      if (nameTok.kind !== 'ident' && nameTok.kind !== 'quoted') this.unexpected(a);
      const type = this.parseType(a + 1);
      const field: DeclaredField = { name: nameTok.value, ...type.field };
      let j = type.next;
      while (j < b) {
        if (kw(this.tok(j)) === 'NOT' && kw(this.tok(j + 1)) === 'NULL') {
          if (field.mode === 'REPEATED') this.fail('NOT NULL cannot be applied to ARRAY columns', j);
          field.mode = 'REQUIRED';
          j += 2;
        } else if (kw(this.tok(j)) === 'OPTIONS') {
          const [opts, next] = this.options(j + 1);
          if (typeof opts.description === 'string') field.description = opts.description;
          j = next;
        } else {
          this.unexpected(j);
        }
      }
      fields.push(field);
    }
    return fields;
  }

  private createView(from: number, orReplace: boolean): TranslatedStatement {
    const [ifNotExists, i] = this.ifNotExists(from);
    const { ref, sql, next } = this.tableTarget(i);
    let j = next;
    let columns = '';
    let options: Record<string, OptionValue> | undefined;
    if (isOp(this.tok(j), '(')) {
      const close = this.close(j);
      columns = ` (${this.splitCommas(j + 1, close)
        .map(([a]) => quoteIdent(this.tok(a).value))
        .join(', ')})`;
      j = close + 1;
    }
    if (kw(this.tok(j)) === 'OPTIONS') [options, j] = this.options(j + 1);
    j = this.expectKw(j, 'AS');
    const viewQuery = this.text(j, this.end);
    const body = this.query(j, this.end).trim();
    const head = `CREATE ${orReplace ? 'OR REPLACE ' : ''}VIEW ${ifNotExists ? 'IF NOT EXISTS ' : ''}${sql}${columns}`;
    return this.result('CREATE_VIEW', `${head} AS ${body}`, { target: ref, orReplace, ifNotExists, viewQuery, ...(options ? { options } : {}) });
  }

  private createSchema(from: number): TranslatedStatement {
    const [ifNotExists, i] = this.ifNotExists(from);
    const { ref, next } = this.datasetTarget(i);
    let j = next;
    let options: Record<string, OptionValue> | undefined;
    if (kw(this.tok(j)) === 'DEFAULT') this.fail('DEFAULT COLLATE is not supported by the BigQuery emulator', j);
    if (kw(this.tok(j)) === 'OPTIONS') [options, j] = this.options(j + 1);
    if (j < this.end) this.unexpected(j);
    const sql = `CREATE SCHEMA ${ifNotExists ? 'IF NOT EXISTS ' : ''}${this.schemaSql(ref)}`;
    return this.result('CREATE_SCHEMA', sql, { dataset: ref, ifNotExists, ...(options ? { options } : {}) });
  }

  private drop(): TranslatedStatement {
    const what = kw(this.tok(1));
    const [ifExists, i] = this.ifExists(2);
    if (what === 'TABLE' || what === 'VIEW') {
      const { ref, sql, next } = this.tableTarget(i);
      if (next < this.end) this.unexpected(next);
      return this.result(what === 'TABLE' ? 'DROP_TABLE' : 'DROP_VIEW', `DROP ${what} ${ifExists ? 'IF EXISTS ' : ''}${sql}`, { target: ref, ifExists });
    }
    if (what === 'SCHEMA') {
      const { ref, next } = this.datasetTarget(i);
      let mode = 'RESTRICT';
      let j = next;
      if (['CASCADE', 'RESTRICT'].includes(kw(this.tok(j)))) mode = kw(this.tok(j++));
      if (j < this.end) this.unexpected(j);
      return this.result('DROP_SCHEMA', `DROP SCHEMA ${ifExists ? 'IF EXISTS ' : ''}${this.schemaSql(ref)} ${mode}`, { dataset: ref, ifExists });
    }
    return this.fail(`DROP ${this.tok(1).text.toUpperCase()} is not supported by the BigQuery emulator`, 1);
  }

  private truncate(): TranslatedStatement {
    const i = this.expectKw(1, 'TABLE');
    const { ref, sql, next } = this.tableTarget(i);
    if (next < this.end) this.unexpected(next);
    return this.result('TRUNCATE_TABLE', `TRUNCATE ${sql}`, { target: ref });
  }

  private alter(): TranslatedStatement {
    const what = kw(this.tok(1));
    if (what === 'SCHEMA') {
      const [ifExists, i] = this.ifExists(2);
      const { ref, next } = this.datasetTarget(i);
      let j = this.expectKw(next, 'SET');
      j = this.expectKw(j, 'OPTIONS');
      const [options, after] = this.options(j);
      if (after < this.end) this.unexpected(after);
      return this.result('ALTER_SCHEMA', '', { dataset: ref, ifExists, options });
    }
    if (what !== 'TABLE') return this.fail(`ALTER ${this.tok(1).text.toUpperCase()} is not supported by the BigQuery emulator`, 1);
    const [ifExists, i] = this.ifExists(2);
    const { ref, sql, next } = this.tableTarget(i);
    const statements: string[] = [];
    const extra: Partial<TranslatedStatement> = { target: ref, ifExists };
    for (const [a, b] of this.splitCommas(next, this.end)) {
      const k = kw(this.tok(a));
      const k2 = kw(this.tok(a + 1));
      if (k === 'ADD' && k2 === 'COLUMN') {
        const [ine, c] = this.ifNotExists(a + 2);
        const [field] = this.columnDefinitions(c, b);
        if (field!.mode === 'REQUIRED') this.fail(`Cannot add a REQUIRED column ${field!.name} to an existing table`, a);
        (extra.columns ??= []).push(field!);
        statements.push(`ALTER TABLE ${sql} ADD COLUMN ${ine ? 'IF NOT EXISTS ' : ''}${quoteIdent(field!.name)} ${duckColumnType(field!)}`);
      } else if (k === 'DROP' && k2 === 'COLUMN') {
        const [ie, c] = this.ifExists(a + 2);
        statements.push(`ALTER TABLE ${sql} DROP COLUMN ${ie ? 'IF EXISTS ' : ''}${quoteIdent(this.tok(c).value)}`);
      } else if (k === 'RENAME' && k2 === 'TO') {
        extra.renameTo = this.tok(a + 2).value;
        statements.push(`ALTER TABLE ${sql} RENAME TO ${quoteIdent(extra.renameTo)}`);
      } else if (k === 'RENAME' && k2 === 'COLUMN') {
        const [, c] = this.ifExists(a + 2);
        const to = this.expectKw(c + 1, 'TO');
        statements.push(`ALTER TABLE ${sql} RENAME COLUMN ${quoteIdent(this.tok(c).value)} TO ${quoteIdent(this.tok(to).value)}`);
      } else if (k === 'SET' && k2 === 'OPTIONS') {
        [extra.options] = this.options(a + 2);
      } else if (k === 'ALTER' && k2 === 'COLUMN') {
        const [, c] = this.ifExists(a + 2);
        const column = this.tok(c).value;
        const action = [kw(this.tok(c + 1)), kw(this.tok(c + 2))].join(' ');
        if (action === 'DROP NOT') statements.push(`ALTER TABLE ${sql} ALTER COLUMN ${quoteIdent(column)} DROP NOT NULL`);
        else if (action === 'SET OPTIONS') {
          const [opts] = this.options(c + 3);
          if (typeof opts.description === 'string') (extra.columnDescriptions ??= {})[column] = opts.description;
        } else if (action === 'SET DATA') {
          const typeAt = this.expectKw(c + 3, 'TYPE');
          const type = this.parseType(typeAt);
          statements.push(`ALTER TABLE ${sql} ALTER COLUMN ${quoteIdent(column)} SET DATA TYPE ${type.duck}`);
        } else this.fail('Unsupported ALTER COLUMN action', c + 1);
      } else {
        this.fail(`ALTER TABLE ${this.tok(a).text.toUpperCase()} is not supported by the BigQuery emulator`, a);
      }
    }
    return this.result('ALTER_TABLE', statements.join('; '), extra);
  }

  private exportData(): TranslatedStatement {
    let i = this.expectKw(1, 'DATA');
    if (kw(this.tok(i)) === 'WITH') this.fail('EXPORT DATA WITH CONNECTION is not supported by the BigQuery emulator', i);
    i = this.expectKw(i, 'OPTIONS');
    const [options, next] = this.options(i);
    const j = this.expectKw(next, 'AS');
    return this.result('EXPORT_DATA', this.query(j, this.end), { options });
  }
}
