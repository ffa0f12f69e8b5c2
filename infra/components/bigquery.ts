// BigQuery datasets and tables: the control plane's audit and model-checks tables, and per model
// its request-response log (Vertex writes it) and its actuals. Only tables in the stack's project
// are created; a spec naming another project's table uses a table its owner provides.
import * as gcp from '@pulumi/gcp';
import type * as pulumi from '@pulumi/pulumi';
import type { TableDeclaration } from '../../control-plane/config/bigquery-tables.js';
import { AUDIT_TABLE, MODEL_CHECKS_TABLE } from '../../control-plane/config/bigquery-tables.js';
import type { ResolvedModelSpec } from '../../control-plane/config/load-model-specs.js';
import { actualsTable, requestResponseLogTable } from '../bigquery-log-tables.js';
import type { StackConfig } from '../config.js';

export type Datasets = Readonly<Record<string, gcp.bigquery.Dataset>>;
export type Tables = Readonly<Record<string, gcp.bigquery.Table>>;

type ServingSpec = Pick<ResolvedModelSpec, 'name' | 'task' | 'endpoint' | 'rollout'>;

/** The tables the stack creates, audit and model checks first, then per model (log, actuals). */
export function tableDeclarations(config: Pick<StackConfig, 'project'>, specs: readonly ServingSpec[]): TableDeclaration[] {
  const local = (t: { projectId?: string }) => t.projectId === undefined || t.projectId === config.project;
  return [
    AUDIT_TABLE,
    MODEL_CHECKS_TABLE,
    ...specs.flatMap((s) => {
      const log = s.endpoint.requestResponseLogging?.bigqueryTable;
      const truth = s.rollout.groundTruth;
      return [
        ...(log && local(log) ? [requestResponseLogTable(s.name, log)] : []),
        ...(truth && local(truth.table) ? [actualsTable(s.name, s.task, truth.table, truth)] : []),
      ];
    }),
  ];
}

/** The datasets holding the models' logs and actuals in this project (IAM scope `modelDatasets`). */
export function modelDatasetIds(config: Pick<StackConfig, 'project'>, specs: readonly ServingSpec[]): string[] {
  const fixed = new Set([AUDIT_TABLE.datasetId, MODEL_CHECKS_TABLE.datasetId]);
  return [...new Set(tableDeclarations(config, specs).map((t) => t.datasetId).filter((d) => !fixed.has(d)))];
}

/** `dataset.table` → the table's Pulumi name `bq-<dataset>-<table>`. */
export const tableKey = (t: { datasetId: string; tableId: string }) => `${t.datasetId}.${t.tableId}`;

export function createBigQuery(config: Pick<StackConfig, 'project' | 'region'>, specs: readonly ServingSpec[], opts?: pulumi.CustomResourceOptions): { datasets: Datasets; tables: Tables } {
  const declarations = tableDeclarations(config, specs);
  const datasets: Record<string, gcp.bigquery.Dataset> = {};
  for (const datasetId of new Set(declarations.map((t) => t.datasetId))) {
    datasets[datasetId] = new gcp.bigquery.Dataset(
      `bq-${datasetId}`,
      { project: config.project, datasetId, location: config.region, labels: { managed_by: 'mlops-control-plane' }, deleteContentsOnDestroy: false },
      opts,
    );
  }
  const tables: Record<string, gcp.bigquery.Table> = {};
  for (const t of declarations) {
    if (tables[tableKey(t)] !== undefined) throw new Error(`BigQuery table ${tableKey(t)} is declared twice (two model specs share it?)`);
    tables[tableKey(t)] = new gcp.bigquery.Table(
      `bq-${t.datasetId}-${t.tableId}`,
      {
        project: config.project,
        datasetId: datasets[t.datasetId]!.datasetId,
        tableId: t.tableId,
        description: t.description,
        schema: JSON.stringify(t.schema),
        ...(t.timePartitioningField ? { timePartitioning: { type: 'DAY', field: t.timePartitioningField } } : {}),
        // Decisions, checks and serving logs are records: replacing or destroying the table must be deliberate.
        deletionProtection: true,
        labels: { managed_by: 'mlops-control-plane' },
      },
      opts,
    );
  }
  return { datasets, tables };
}
