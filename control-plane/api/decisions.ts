// GET /v1/models/{model}/decisions: the query it takes and the page it answers, as zod schemas
// (the console and other clients read this shape). The trail itself is read by
// control-plane/governance/decision-trail.ts.
import { z } from 'zod';

export const MAX_PAGE_SIZE = 500;
export const DEFAULT_PAGE_SIZE = 50;

// BigQuery's TIMESTAMP range: a time outside it is a 400 from BigQuery (our 500), so it is refused here.
const BIGQUERY_MIN_MS = Date.parse('0001-01-01T00:00:00Z');
const BIGQUERY_MAX_MS = Date.parse('9999-12-31T23:59:59.999Z');
/** An RFC 3339 timestamp BigQuery can hold (UTC years 0001 to 9999). */
export const rfc3339 = z.iso.datetime({ offset: true, abort: true, error: 'must be an RFC 3339 timestamp, e.g. 2026-01-05T03:00:00Z' })
  .refine((t) => Date.parse(t) >= BIGQUERY_MIN_MS && Date.parse(t) <= BIGQUERY_MAX_MS, 'must be between the years 0001 and 9999 (UTC)');
/** A query parameter given once (`?x=1`); given twice it arrives as a list, which is refused. */
const single = <T extends z.ZodType>(schema: T) => z.union([schema, z.array(z.string()).transform((_, ctx) => {
  ctx.addIssue({ code: 'custom', message: 'must be given once' });
  return z.NEVER;
})]);

/** The query string, as the route receives it (values are strings; `kind` may repeat or be a comma list). */
export const ListDecisionsQuery = z.strictObject({
  kind: z.union([z.string(), z.array(z.string())]).optional().transform((v, ctx) => {
    if (v === undefined) return undefined;
    const kinds = (Array.isArray(v) ? v : [v]).flatMap((k) => k.split(',')).map((k) => k.trim()).filter((k) => k !== '');
    for (const k of kinds) {
      if (!/^[A-Z][A-Z0-9_]{0,63}$/.test(k)) {
        ctx.addIssue({ code: 'custom', message: `must be decision kinds in capitals (e.g. PROMOTED,APPROVAL_GRANTED), got ${JSON.stringify(k.slice(0, 80))}` });
        return z.NEVER;
      }
    }
    return kinds.length > 0 ? kinds : undefined;
  }),
  version: single(z.string().regex(/^(?:[1-9][0-9]{0,9}|projects\/[^/]+\/locations\/[^/]+\/models\/[^/@]+@[1-9][0-9]{0,9})$/, 'must be a version id (e.g. 3) or projects/.../models/m@3')).optional(),
  since: single(rfc3339).optional(),
  until: single(rfc3339).optional(),
  pageSize: single(z.string().regex(/^[0-9]{1,6}$/, `must be a whole number from 1 to ${MAX_PAGE_SIZE}`).transform(Number).pipe(z.number().int().min(1, `must be from 1 to ${MAX_PAGE_SIZE}`).max(MAX_PAGE_SIZE, `must be at most ${MAX_PAGE_SIZE}`))).optional(),
  pageToken: single(z.string().max(2000, 'is not a page token this API gave')).optional(),
}).superRefine((q, ctx) => {
  if (q.since !== undefined && q.until !== undefined && Date.parse(q.since) >= Date.parse(q.until)) ctx.addIssue({ code: 'custom', message: 'must be after since', path: ['until'] });
});
export type ListDecisionsQuery = z.output<typeof ListDecisionsQuery>;

/** One decision of the audit trail. */
export const DecisionView = z.object({
  /** The decision id (the audit row's insertId). */
  id: z.string(),
  /** REGISTER_AS_CHALLENGER, VERSION_REGISTERED, TRAINING_RUN_SUBMITTED, PROMOTED, ABORTED, APPROVAL_GRANTED, RETRAIN_TRIGGERED, TUNING_SUCCEEDED, ... */
  kind: z.string(),
  /** When it was decided (RFC 3339, UTC). */
  decideTime: z.string(),
  model: z.string(),
  /** The model version concerned, `projects/.../models/m@N`, if any. */
  version: z.string().optional(),
  /** What it was about: a rollout id, a training or tuning run id, a monitoring incident. */
  subject: z.string(),
  /** Who or what decided: an email, or `onPipelineRunEvent`, `reconciler`, `analysis`, `policy`, `drift-check`, ... */
  actor: z.string(),
  /** Why, in words, with the numbers. */
  reason: z.string(),
  /** The numbers behind it (the row's JSON details, parsed). */
  details: z.record(z.string(), z.unknown()),
});
export type DecisionView = z.infer<typeof DecisionView>;

export const ListDecisionsResponse = z.object({
  /** Newest first (ties by id). */
  decisions: z.array(DecisionView),
  /** Present when more decisions match: pass it as `pageToken` with the same filters. */
  nextPageToken: z.string().optional(),
});
export type ListDecisionsResponse = z.infer<typeof ListDecisionsResponse>;
