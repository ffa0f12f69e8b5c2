// The audit trail (design §4): each decision appended to the BigQuery audit table with its id as
// the streaming insertId (a repeated append is dropped by BigQuery's de-duplication) and published
// to `deployment-events` (consumers de-duplicate by the `decisionId` attribute).
import { AUDIT_TABLE } from '../config/bigquery-tables.js';
import { TOPICS } from '../config/topics.js';
import type { ControlPlaneContext } from '../runtime/context.js';
import { appendRows } from '../state/append-rows.js';

export interface AuditedDecision {
  readonly id: string;
  readonly at: string;
  readonly model: string;
  readonly version?: string;
  /** A rollout id, a training run id, or a monitoring incident id. */
  readonly subject: string;
  /** What decided: `rollout` (default) or `retraining` (drift alerts and the scheduled checks). */
  readonly area?: 'rollout' | 'retraining';
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

export async function appendDecisions(ctx: ControlPlaneContext, decisions: readonly AuditedDecision[]): Promise<void> {
  if (decisions.length === 0) return;
  await appendRows(await ctx.clients.bigquery(), AUDIT_TABLE, decisions.map(row));
  const topic = (await ctx.clients.pubsub()).topic(TOPICS.deploymentEvents);
  await Promise.all(
    decisions.map((d) =>
      topic.publishMessage({
        json: { type: `${d.area ?? 'rollout'}-decision`, decision: d },
        attributes: { type: `${d.area ?? 'rollout'}-decision`, model: d.model, kind: d.kind, decisionId: d.id },
      }),
    ),
  );
}
