// The champion/challenger decision for a finished run, and its record. The pipeline did the
// measuring (gate on the test metrics; the paired bootstrap comparison with the champion on the
// same test split); this turns its outputs into an outcome, with the reasons and numbers.
// A training run's outcome says what happens to its new model; an evaluation run's says how an
// existing version fares against today's champion on fresh data, and changes nothing.
// A decision is written once (`decisions/{run id}.json`, created with ifGenerationMatch=0).
import { z } from 'zod';
import type { JsonObjectStore } from '../state/json-object-store.js';

export const OUTCOMES = [
  'REGISTER_AS_CHAMPION', 'REGISTER_AS_CHALLENGER', 'REJECT',
  'EVALUATED_BETTER', 'EVALUATED_NOT_BETTER', 'EVALUATED_NOT_COMPARED',
  'FAILED',
] as const;
export type Outcome = (typeof OUTCOMES)[number];

/** Training runs: what becomes of the new model. */
export const TRAINING_OUTCOMES = ['REGISTER_AS_CHAMPION', 'REGISTER_AS_CHALLENGER', 'REJECT', 'FAILED'] as const satisfies readonly Outcome[];

/**
 * Evaluation runs: `EVALUATED_BETTER`, the version passes the gate and beats the champion (a
 * training run would register it as challenger); `EVALUATED_NOT_BETTER`, it fails the gate or does
 * not beat the champion (a training run would reject it); `EVALUATED_NOT_COMPARED`, it passes the
 * gate but no champion could be compared with it (there is none, or it cannot score the data).
 * And `FAILED`.
 */
export const EVALUATION_OUTCOMES = ['EVALUATED_BETTER', 'EVALUATED_NOT_BETTER', 'EVALUATED_NOT_COMPARED', 'FAILED'] as const satisfies readonly Outcome[];

export const DECISION_KINDS = ['training', 'evaluation'] as const;
export type DecisionKind = (typeof DECISION_KINDS)[number];

export const VERDICTS = ['better', 'not_better', 'no_champion', 'champion_unusable'] as const;

export const Comparison = z.object({
  metric: z.string(),
  direction: z.string().optional(),
  challenger: z.number().nullable().optional(),
  champion: z.number().nullable().optional(),
  difference: z.number().nullable().optional(),
  ci_low: z.number().nullable().optional(),
  ci_high: z.number().nullable().optional(),
  confidence: z.number().optional(),
  n_rows: z.number().optional(),
  bootstrap_samples: z.number().optional(),
  verdict: z.enum(VERDICTS),
  reason: z.string().default(''),
}).loose();
export type Comparison = z.infer<typeof Comparison>;

export const Gate = z.object({ approved: z.boolean(), reason: z.string() });
export type Gate = z.infer<typeof Gate>;

export const DecisionRecord = z.object({
  name: z.string(),
  id: z.string(),
  model: z.string(),
  trainingRun: z.string(),
  pipelineJob: z.string(),
  kind: z.enum(DECISION_KINDS),
  outcome: z.enum(OUTCOMES),
  reasons: z.array(z.string()),
  gate: Gate.optional(),
  comparison: Comparison.optional(),
  /** The challenger's (an evaluation's: the evaluated version's) test metrics, as the evaluate step reported them. */
  metrics: z.record(z.string(), z.number()).default({}),
  /** The champion compared against, `projects/.../models/m@N`. */
  champion: z.string().optional(),
  /** Evaluation runs: the version evaluated, `projects/.../models/m@N`. */
  evaluatedVersion: z.string().optional(),
  failure: z.object({ task: z.string(), message: z.string() }).optional(),
  createTime: z.string(),
});
export type DecisionRecord = z.infer<typeof DecisionRecord>;

export interface DecisionInput {
  /** A training run (default) decides about its new model; an evaluation run only reports. */
  readonly kind?: DecisionKind;
  /** The pipeline body's final state, from the completion event. */
  readonly state: string;
  readonly gate?: Gate;
  readonly comparison?: Comparison;
  readonly failure?: { task: string; message: string };
  /** Whether a champion existed when the run was submitted. */
  readonly championExists: boolean;
  /**
   * For retrains triggered by drift, performance or age: the spec's automaticRetrainMaxDegradation.
   * A challenger that does not beat the champion is still registered unless clearly worse.
   */
  readonly automaticRetrainMaxDegradation?: number;
}

/**
 * Whether the challenger is at most `share` worse than the champion at the interval's worse end
 * (difference = challenger − champion; for lower-is-better metrics the worse end is the high one).
 */
function notClearlyWorse(c: Comparison, share: number): boolean {
  if (typeof c.champion !== 'number' || typeof c.ci_low !== 'number' || typeof c.ci_high !== 'number') return false;
  const margin = share * Math.abs(c.champion);
  return c.direction === 'higher' ? c.ci_low >= -margin : c.ci_high <= margin;
}

const fmt = (n: number | null | undefined) => (typeof n === 'number' ? Number(n.toPrecision(4)).toString() : 'n/a');

const interval = (c: Comparison) =>
  `${c.metric} difference ${fmt(c.difference)} (challenger ${fmt(c.challenger)} vs champion ${fmt(c.champion)}), ${Math.round((c.confidence ?? 0) * 100)}% CI [${fmt(c.ci_low)}, ${fmt(c.ci_high)}] over ${c.n_rows ?? '?'} rows`;

/** The outcome and its reasons; pure, so the policy is tested without a cloud. */
export function decide(input: DecisionInput): { outcome: Outcome; reasons: string[] } {
  if (input.state !== 'SUCCEEDED' || input.gate === undefined) {
    const why = input.failure ? `task ${input.failure.task} failed: ${input.failure.message}` : `the pipeline ended ${input.state} without a gate decision`;
    return { outcome: 'FAILED', reasons: [why] };
  }
  if (input.kind === 'evaluation') return decideEvaluation(input.gate, input.championExists ? input.comparison : undefined);
  if (!input.gate.approved) return { outcome: 'REJECT', reasons: [`gate: ${input.gate.reason}`] };
  const c = input.comparison;
  if (!input.championExists || c === undefined || c.verdict === 'no_champion') {
    return { outcome: 'REGISTER_AS_CHAMPION', reasons: [`gate: ${input.gate.reason}`, 'no champion yet: the first approved model becomes champion'] };
  }
  const ci = interval(c);
  switch (c.verdict) {
    case 'better':
      return { outcome: 'REGISTER_AS_CHALLENGER', reasons: [`gate: ${input.gate.reason}`, `beats the champion: ${ci}`] };
    case 'champion_unusable':
      // The champion cannot score today's data (its features changed): a person decides in the rollout.
      return { outcome: 'REGISTER_AS_CHALLENGER', reasons: [`gate: ${input.gate.reason}`, `not compared: the champion could not be evaluated (${c.reason})`] };
    default: {
      const share = input.automaticRetrainMaxDegradation;
      if (share !== undefined && c.verdict === 'not_better' && notClearlyWorse(c, share)) {
        return {
          outcome: 'REGISTER_AS_CHALLENGER',
          reasons: [`gate: ${input.gate.reason}`, `an automatic retrain not clearly worse than the champion (worse end within ${fmt(share * 100)}% of its ${c.metric}): ${ci}; the canary judges it on live traffic`],
        };
      }
      return { outcome: 'REJECT', reasons: [`does not beat the champion: ${ci}${c.reason ? `; ${c.reason}` : ''}`] };
    }
  }
}

/** An evaluated version's verdict: what a training run's decision would have been, without acting on it. */
function decideEvaluation(gate: Gate, c: Comparison | undefined): { outcome: Outcome; reasons: string[] } {
  const better = c?.verdict === 'better';
  const versus = c !== undefined && (better || c.verdict === 'not_better')
    ? `${better ? 'beats' : 'does not beat'} the champion: ${interval(c)}${!better && c.reason ? `; ${c.reason}` : ''}`
    : undefined;
  if (!gate.approved) return { outcome: 'EVALUATED_NOT_BETTER', reasons: [`would be rejected by the gate: ${gate.reason}`, ...(versus ? [versus] : [])] };
  const passed = `gate: ${gate.reason}`;
  if (versus === undefined) {
    const why = c?.verdict === 'champion_unusable' ? `the champion could not be evaluated (${c.reason})` : 'there is no champion to compare with';
    return { outcome: 'EVALUATED_NOT_COMPARED', reasons: [passed, `not compared: ${why}`] };
  }
  return { outcome: better ? 'EVALUATED_BETTER' : 'EVALUATED_NOT_BETTER', reasons: [passed, versus] };
}

const pathOf = (id: string) => `decisions/${id}.json`;

export class DecisionRecords {
  constructor(private readonly store: JsonObjectStore) {}

  async get(id: string): Promise<DecisionRecord | undefined> {
    return (await this.store.read(pathOf(id), DecisionRecord))?.value;
  }

  /** Records the decision once; a second call returns the first record, whatever it is given. */
  async recordOnce(record: DecisionRecord): Promise<{ record: DecisionRecord; created: boolean }> {
    if ((await this.store.create(pathOf(record.id), record)) !== undefined) return { record, created: true };
    const existing = await this.get(record.id);
    if (!existing) throw new Error(`decision ${record.id} exists but cannot be read`);
    return { record: existing, created: false };
  }

  /** Decisions of one model, newest first. */
  async listForModel(model: string): Promise<DecisionRecord[]> {
    const paths = await this.store.list(`decisions/${model.slice(0, 40)}`);
    const records = await Promise.all(paths.map((p) => this.store.read(p, DecisionRecord)));
    return records.flatMap((r) => (r && r.value.model === model ? [r.value] : [])).sort((a, b) => b.createTime.localeCompare(a.createTime));
  }
}
