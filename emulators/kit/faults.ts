// Fault injection: make chosen routes fail (429, 500, 503) or hang (timeout) for the next N calls
// or at a rate, so reliability tests can prove retries and recovery against the emulators.
import { RE2JS, RE2JSException } from 're2js';
import { z } from 'zod';

/** RE2 (linear time): a rule's pattern is tested on every request and must not stall the server. */
function compilePattern(pattern: string): RE2JS {
  return RE2JS.compile(pattern);
}

const FaultRuleSchema = z
  .object({
    /** Which emulator: storage, bigquery, monitoring, vertex; absent = all. */
    service: z.string().optional(),
    /** HTTP method; absent = any. */
    method: z.string().toUpperCase().optional(),
    /** RE2 regular expression searched for in the request path (without query). */
    path: z.string().superRefine((pattern, ctx) => {
      try {
        compilePattern(pattern);
      } catch (err) {
        if (!(err instanceof RE2JSException)) throw err;
        ctx.addIssue({ code: 'custom', message: `invalid regular expression (RE2 syntax): ${err.message}` });
      }
    }),
    /** HTTP status to answer, or `timeout` to never answer. */
    fault: z.union([z.literal(429), z.literal(500), z.literal(503), z.literal('timeout')]),
    /** Fail the next `count` matching calls... */
    count: z.number().int().positive().optional(),
    /** ...or each matching call with this probability. */
    rate: z.number().min(0).max(1).optional(),
  })
  .strict()
  .refine((r) => (r.count === undefined) !== (r.rate === undefined), { message: 'set exactly one of count or rate' });

export type FaultRule = z.infer<typeof FaultRuleSchema>;

export type FaultDecision = { kind: 'none' } | { kind: 'status'; status: 429 | 500 | 503 } | { kind: 'timeout' };

interface ActiveRule {
  rule: FaultRule;
  pattern: RE2JS;
  remaining: number | undefined;
}

export class FaultInjector {
  private rules: ActiveRule[] = [];

  constructor(private readonly random: () => number = Math.random) {}

  /** Replace all rules (validated; a bad rule names its field). */
  configure(rules: unknown): void {
    const parsed = z.array(FaultRuleSchema).parse(rules);
    this.rules = parsed.map((rule) => ({ rule, pattern: compilePattern(rule.path), remaining: rule.count }));
  }

  add(rule: FaultRule): void {
    const parsed = FaultRuleSchema.parse(rule);
    this.rules.push({ rule: parsed, pattern: compilePattern(parsed.path), remaining: parsed.count });
  }

  clear(): void {
    this.rules = [];
  }

  list(): FaultRule[] {
    return this.rules.map((r) => ({ ...r.rule, ...(r.remaining !== undefined ? { count: r.remaining } : {}) }));
  }

  decide(service: string, method: string, path: string): FaultDecision {
    for (const active of this.rules) {
      const { rule } = active;
      if (rule.service && rule.service !== service) continue;
      if (rule.method && rule.method !== method.toUpperCase()) continue;
      if (!active.pattern.test(path)) continue;
      if (active.remaining !== undefined) {
        if (active.remaining <= 0) continue;
        active.remaining -= 1;
      } else if (this.random() >= (rule.rate ?? 0)) {
        continue;
      }
      return rule.fault === 'timeout' ? { kind: 'timeout' } : { kind: 'status', status: rule.fault };
    }
    return { kind: 'none' };
  }
}

/** Faults from the environment: `EMULATOR_FAULTS` holds a JSON array of rules. */
export function faultsFromEnv(env: NodeJS.ProcessEnv = process.env): FaultInjector {
  const injector = new FaultInjector();
  if (env.EMULATOR_FAULTS) injector.configure(JSON.parse(env.EMULATOR_FAULTS));
  return injector;
}
