// BigQuery names and query text in a model spec. Table and column names are later quoted into
// SQL (`EXPORT DATA ... AS SELECT ...`), so they are held to a strict subset of what BigQuery
// accepts; a query is checked for what the snapshot needs: one SELECT whose named parameters
// (`@name`) are exactly those the spec declares.

/** BigQuery's TableReference, as the REST API and the client libraries name its parts. */
export interface TableReference {
  /** Absent: the project the control plane runs in. */
  readonly projectId?: string;
  readonly datasetId: string;
  readonly tableId: string;
}

// Project ids: 6-30 characters, lowercase letter first, optionally domain-scoped (`example.com:proj`).
const PROJECT_ID = /^(?:[a-z0-9](?:[a-z0-9.-]{0,61}[a-z0-9])?:)?[a-z][a-z0-9-]{4,28}[a-z0-9]$/;
// Datasets: letters, digits, underscores, up to 1024. Tables also allow Unicode and spaces in
// BigQuery; the spec keeps to the ASCII subset so that a name never needs escaping.
const DATASET_ID = /^[A-Za-z0-9_]{1,1024}$/;
const TABLE_ID = /^[A-Za-z0-9_]{1,1024}$/;
// Columns: a letter or underscore first, then letters, digits and underscores, up to 300.
const COLUMN_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,299}$/;
/** BigQuery reserves these column-name prefixes (case-insensitive). */
const RESERVED_COLUMN_PREFIXES = ['_table_', '_file_', '_partition', '_row_timestamp', '__root__', '_colon_'];
// Named query parameters: `@name`, as BigQuery's parameterMode NAMED reads them.
const PARAMETER_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;

/** `dataset.table` or `project.dataset.table`, or what is wrong with it. */
export function parseTableReference(text: string): { table: TableReference } | { problem: string } {
  const parts = text.split('.');
  const expected = `must be "dataset.table" or "project.dataset.table", got ${JSON.stringify(text)}`;
  // A domain-scoped project id holds a dot itself: `example.com:proj.dataset.table`.
  if (parts.length === 4 && parts[1]!.includes(':')) parts.splice(0, 2, `${parts[0]}.${parts[1]}`);
  if (parts.length !== 2 && parts.length !== 3) return { problem: expected };
  const [projectId, datasetId, tableId] = parts.length === 3 ? parts : [undefined, ...parts];
  if (projectId !== undefined && !PROJECT_ID.test(projectId)) {
    return { problem: `${expected}: project id ${JSON.stringify(projectId)} must be 6-30 lowercase letters, digits and hyphens, starting with a letter` };
  }
  if (!DATASET_ID.test(datasetId!)) return { problem: `${expected}: dataset id ${JSON.stringify(datasetId)} may hold only letters, digits and underscores` };
  if (!TABLE_ID.test(tableId!)) return { problem: `${expected}: table id ${JSON.stringify(tableId)} may hold only letters, digits and underscores` };
  return { table: { ...(projectId === undefined ? {} : { projectId }), datasetId: datasetId!, tableId: tableId! } };
}

/** `project.dataset.table` with the given default project, for SQL and for Vertex's `bq://` URIs. */
export function tableReferenceText(table: TableReference, defaultProject?: string): string {
  const project = table.projectId ?? defaultProject;
  return `${project === undefined ? '' : `${project}.`}${table.datasetId}.${table.tableId}`;
}

/** What is wrong with `name` as a column name; undefined when it is fine. */
export function columnNameProblem(name: string): string | undefined {
  if (!COLUMN_NAME.test(name)) return `must be a column name (a letter or underscore, then letters, digits and underscores; at most 300), got ${JSON.stringify(name)}`;
  const reserved = RESERVED_COLUMN_PREFIXES.find((prefix) => name.toLowerCase().startsWith(prefix));
  return reserved === undefined ? undefined : `BigQuery reserves column names starting with ${reserved.toUpperCase()}`;
}

export function parameterNameProblem(name: string): string | undefined {
  return PARAMETER_NAME.test(name) ? undefined : `must be a query parameter name (a letter or underscore, then letters, digits and underscores), got ${JSON.stringify(name)}`;
}

export interface QueryScan {
  /** Named parameters the query uses, in order of first use. */
  readonly parameters: readonly string[];
  /** What makes the text unusable as the snapshot's query; undefined when nothing does. */
  readonly problem?: string;
}

/** Where each quoted or commented span ends, so that `@x` and `;` inside them are not read as SQL. */
function skipQuotedOrComment(sql: string, i: number): number | undefined {
  const rest = sql.slice(i);
  if (rest.startsWith('--') || rest.startsWith('#')) {
    const end = sql.indexOf('\n', i);
    return end === -1 ? sql.length : end + 1;
  }
  if (rest.startsWith('/*')) {
    const end = sql.indexOf('*/', i + 2);
    return end === -1 ? sql.length : end + 2;
  }
  for (const quote of ["'''", '"""', "'", '"', '`']) {
    if (!rest.startsWith(quote)) continue;
    let j = i + quote.length;
    while (j < sql.length) {
      if (sql[j] === '\\') j += 2;
      else if (sql.startsWith(quote, j)) return j + quote.length;
      else j += 1;
    }
    return sql.length;
  }
  return undefined;
}

/** The query with string literals, quoted identifiers and comments blanked: what is left is SQL. */
function codeOnly(sql: string): string {
  let code = '';
  let i = 0;
  while (i < sql.length) {
    const skipped = skipQuotedOrComment(sql, i);
    code += skipped === undefined ? sql[i] : ' ';
    i = skipped ?? i + 1;
  }
  return code;
}

/** Reads a GoogleSQL query the way BigQuery tokenizes it, as far as parameters and statements go. */
export function scanQuery(sql: string): QueryScan {
  const code = codeOnly(sql);
  // `@@name` is a system variable, not a parameter.
  const parameters = [...new Set([...code.matchAll(/(?<!@)@([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1]!))];
  const firstWord = /^\s*(\(|[A-Za-z]+)/.exec(code)?.[1]?.toUpperCase();
  let problem: string | undefined;
  if (firstWord !== 'SELECT' && firstWord !== 'WITH' && firstWord !== '(') {
    problem = `must be a query (SELECT ... or WITH ... SELECT ...): the snapshot exports its result; it starts with ${JSON.stringify(firstWord ?? code.trim().slice(0, 20))}`;
  } else if (code.replace(/;\s*$/, '').includes(';')) {
    problem = 'must be a single statement (no `;` between statements)';
  } else if (code.includes('?')) {
    problem = 'must use named parameters (`@name`), not positional `?` parameters';
  }
  return problem === undefined ? { parameters } : { parameters, problem };
}
