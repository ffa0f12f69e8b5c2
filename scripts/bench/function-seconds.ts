// Function-seconds from the functions' own invocation lines: each function logs one
// `{"message": "<fn> invocation", "function": "<fn>", "durationMs": N, ...}` line per invocation.
import { z } from 'zod';

const InvocationLine = z.object({
  message: z.string().regex(/ invocation$/),
  function: z.string().min(1),
  durationMs: z.number().nonnegative(),
  method: z.string().optional(),
  path: z.string().optional(),
  status: z.number().int().optional(),
  eventId: z.string().optional(),
}).loose();

export interface Invocation {
  readonly function: string;
  readonly durationMs: number;
  readonly method?: string;
  readonly path?: string;
  readonly status?: number;
  readonly eventId?: string;
}

/** The invocation a structured log line records, or undefined for any other line. */
export function invocationOf(record: Readonly<Record<string, unknown>>): Invocation | undefined {
  const parsed = InvocationLine.safeParse(record);
  if (!parsed.success) return undefined;
  const { function: fn, durationMs, method, path, status, eventId } = parsed.data;
  return { function: fn, durationMs, ...(method ? { method } : {}), ...(path ? { path } : {}), ...(status !== undefined ? { status } : {}), ...(eventId ? { eventId } : {}) };
}

export interface FunctionSeconds {
  readonly seconds: number;
  readonly invocations: number;
  /** Per function: how many invocations and their summed seconds. */
  readonly byFunction: Readonly<Record<string, { readonly invocations: number; readonly seconds: number }>>;
}

/** The summed handler time of the invocations. */
export function functionSeconds(invocations: readonly Invocation[]): FunctionSeconds {
  const byFunction: Record<string, { invocations: number; seconds: number }> = {};
  let ms = 0;
  for (const inv of invocations) {
    ms += inv.durationMs;
    const entry = (byFunction[inv.function] ??= { invocations: 0, seconds: 0 });
    entry.invocations += 1;
    entry.seconds += inv.durationMs / 1000;
  }
  return { seconds: ms / 1000, invocations: invocations.length, byFunction };
}
