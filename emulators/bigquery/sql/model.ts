// The translator's vocabulary: references, statements and what a statement declares.
import type { BqType } from './types.js';

export interface DatasetRef {
  projectId: string;
  datasetId: string;
}

export interface TableRef extends DatasetRef {
  tableId: string;
}

export interface QueryParamsSql {
  /** Lower-cased names → SQL literal. */
  named: Map<string, string>;
  positional: string[];
  /** Lower-cased names of ARRAY parameters → their elements' SQL literals (for rewrites that unroll over them). */
  namedArrays?: Map<string, string[]>;
}

export interface TranslateContext {
  defaultProject: string;
  defaultDataset?: DatasetRef | undefined;
  params?: QueryParamsSql | undefined;
  /** The DuckDB catalog holding a project's datasets. */
  catalogFor: (projectId: string) => string;
}

/** A column as a DDL statement declares it, in the shape of a BigQuery schema field. */
export type DeclaredField = {
  name: string;
  type: BqType;
  mode: 'NULLABLE' | 'REQUIRED' | 'REPEATED';
  fields?: DeclaredField[];
  description?: string;
};

export type OptionValue = string | number | boolean | null | OptionValue[];

export type StatementType =
  | 'SELECT'
  | 'INSERT'
  | 'UPDATE'
  | 'DELETE'
  | 'MERGE'
  | 'CREATE_TABLE'
  | 'CREATE_TABLE_AS_SELECT'
  | 'CREATE_VIEW'
  | 'DROP_TABLE'
  | 'DROP_VIEW'
  | 'CREATE_SCHEMA'
  | 'DROP_SCHEMA'
  | 'ALTER_SCHEMA'
  | 'TRUNCATE_TABLE'
  | 'ALTER_TABLE'
  | 'EXPORT_DATA';

export interface TranslatedStatement {
  type: StatementType;
  /** DuckDB SQL; may hold several statements separated by ';'. Empty when nothing runs in DuckDB. */
  sql: string;
  /** Tables the statement reads (not CTEs). */
  reads: TableRef[];
  /** The table a DML or DDL statement writes. */
  target?: TableRef;
  /** CREATE/DROP/ALTER SCHEMA. */
  dataset?: DatasetRef;
  ifExists?: boolean;
  ifNotExists?: boolean;
  orReplace?: boolean;
  /** CREATE VIEW: the view's query as BigQuery SQL. */
  viewQuery?: string;
  /** CREATE TABLE / ALTER TABLE ADD COLUMN: the declared columns. */
  columns?: DeclaredField[];
  /** OPTIONS(...) of the table, schema or EXPORT DATA. */
  options?: Record<string, OptionValue>;
  /** ALTER TABLE ALTER COLUMN c SET OPTIONS(description=...). */
  columnDescriptions?: Record<string, string>;
  /** ALTER TABLE RENAME TO. */
  renameTo?: string;
}

