// The audit trail (design §4): each decision appended to the BigQuery audit table with its id as
// the streaming insertId (a repeated append is dropped by BigQuery's de-duplication) and published
// to `deployment-events` (consumers de-duplicate by the `decisionId` attribute).
import type { BigQuery } from '@google-cloud/bigquery';
import { AUDIT_TABLE } from '../config/bigquery-tables.js';
import { TOPICS } from '../config/topics.js';
import { httpStatus } from '../errors.js';
import type { ControlPlaneContext } from '../runtime/context.js';

export interface AuditedDecision {
  readonly id: string;
  readonly at: string;
  readonly model: string;
  readonly version?: string;
  /** A rollout id or a training run id. */
  readonly subject: string;
  readonly kind: string;
  readonly actor: string;
  readonly reason: string;
  readonly details: Readonly<Record<string, unknown>>;
}

function row(d: AuditedDecision) {
  return {
    insertId: d.id,
    json: {
      decision_id: d.id,
      decided_at: d.at,
      model: d.model,
      version: d.version ?? null,
      subject: d.subject,
      kind: d.kind,
      actor: d.actor,
      reason: d.reason.slice(0, 10_000),
      details: JSON.stringify(d.details),
    },
  };
}

/** Creates the audit dataset and table when missing (the Pulumi program creates them in the cloud). */
async function ensureAuditTable(bigquery: BigQuery): Promise<void> {
  const dataset = bigquery.dataset(AUDIT_TABLE.datasetId);
  try {
    await dataset.create();
  } catch (err) {
    if (httpStatus(err) !== 409) throw err;
  }
  try {
    await dataset.createTable(AUDIT_TABLE.tableId, {
      description: AUDIT_TABLE.description,
      schema: { fields: AUDIT_TABLE.schema.map((f) => ({ ...f })) },
      ...(AUDIT_TABLE.timePartitioningField ? { timePartitioning: { type: 'DAY', field: AUDIT_TABLE.timePartitioningField } } : {}),
    });
  } catch (err) {
    if (httpStatus(err) !== 409) throw err;
  }
}

async function appendRows(bigquery: BigQuery, decisions: readonly AuditedDecision[]): Promise<void> {
  const table = bigquery.dataset(AUDIT_TABLE.datasetId).table(AUDIT_TABLE.tableId);
  await table.insert(decisions.map(row), { raw: true });
}

export async function appendDecisions(ctx: ControlPlaneContext, decisions: readonly AuditedDecision[]): Promise<void> {
  if (decisions.length === 0) return;
  const bigquery = await ctx.clients.bigquery();
  try {
    await appendRows(bigquery, decisions);
  } catch (err) {
    if (httpStatus(err) !== 404) throw err;
    await ensureAuditTable(bigquery);
    await appendRows(bigquery, decisions);
  }
  const topic = (await ctx.clients.pubsub()).topic(TOPICS.deploymentEvents);
  await Promise.all(
    decisions.map((d) =>
      topic.publishMessage({
        json: { type: 'rollout-decision', decision: d },
        attributes: { type: 'rollout-decision', model: d.model, kind: d.kind, decisionId: d.id },
      }),
    ),
  );
}
