// The Designer computed by a long-lived Python worker (python/local_vizier/worker.py): JSON lines
// on its stdin/stdout, one request id each, so concurrent calls share the worker (it answers in
// order; the pipe queues the rest). Spawned on the first call; if it dies, the calls waiting on it
// fail with the exit status and the next call starts a fresh one. Its stderr goes to the emulator log.
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { emulatorLog } from '../../kit/log.js';
import type { ParameterSpec } from '../hyperparameter-tuning-jobs/study-spec.js';
import type { Assignment } from '../hyperparameter-tuning-jobs/suggestions.js';
import type { DecayCurveInput, DecayCurveVerdict, Designer, SuggestInput } from './designer.js';

export const DESIGNER_PYTHON_DIR = fileURLToPath(new URL('./python', import.meta.url));

export interface DesignerProcessOptions {
  /** The interpreter with scikit-learn and SciPy (Debian's): /usr/bin/python3 by default. */
  python?: string;
}

export interface DesignerProcess extends Designer {
  /** The worker's pid while one runs (tests kill it to check recovery). */
  readonly pid: number | undefined;
}

const Reply = z.object({
  id: z.number().int().nullable(),
  result: z.unknown().optional(),
  error: z.string().optional(),
});

const AssignmentSchema = z.object({
  parameterId: z.string(),
  value: z.union([z.number(), z.string()]),
  kind: z.enum(['double', 'integer', 'categorical', 'discrete']),
});
const SuggestResult = z.array(z.array(AssignmentSchema));

const VerdictSchema = z.object({
  stop: z.boolean(),
  reason: z.string(),
  predictedFinal: z.number().optional(),
  bestCompleted: z.number().optional(),
  probabilityOfImprovement: z.number().optional(),
});

interface Waiter {
  method: string;
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}

export function startDesignerProcess(options: DesignerProcessOptions = {}): DesignerProcess {
  const python = options.python ?? '/usr/bin/python3';
  let child: ChildProcessWithoutNullStreams | undefined;
  let nextId = 1;
  const waiting = new Map<number, Waiter>();

  const failAll = (reason: string) => {
    for (const [id, w] of waiting) {
      waiting.delete(id);
      w.reject(new Error(`Vizier designer worker ${reason} before answering ${w.method} (request ${id}); the next call starts a new worker.`));
    }
  };

  const start = (): ChildProcessWithoutNullStreams => {
    const env = {
      ...process.env,
      PYTHONPATH: [DESIGNER_PYTHON_DIR, process.env.PYTHONPATH].filter(Boolean).join(':'),
      PYTHONUNBUFFERED: '1',
      // No __pycache__ in the source tree.
      PYTHONDONTWRITEBYTECODE: '1',
      // One BLAS thread: the GP is small and the machine is shared.
      OMP_NUM_THREADS: '1',
      OPENBLAS_NUM_THREADS: '1',
      MKL_NUM_THREADS: '1',
    };
    const proc = spawn(python, ['-m', 'local_vizier.worker'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    createInterface({ input: proc.stdout }).on('line', (line) => onLine(line));
    createInterface({ input: proc.stderr }).on('line', (line) => {
      emulatorLog('WARNING', `vizier designer worker: ${line}`, { component: 'vizier-designer', pid: proc.pid });
    });
    // A write to a worker that just died: the exit handler reports it to the waiting calls.
    proc.stdin.on('error', () => undefined);
    proc.on('error', (err) => {
      if (child === proc) child = undefined;
      failAll(`could not run (${python}: ${err.message})`);
    });
    proc.on('exit', (code, signal) => {
      if (child === proc) child = undefined;
      failAll(signal ? `was killed by ${signal}` : `exited with code ${code}`);
    });
    return proc;
  };

  const onLine = (line: string) => {
    let parsed: z.infer<typeof Reply>;
    try {
      parsed = Reply.parse(JSON.parse(line));
    } catch (err) {
      emulatorLog('ERROR', 'vizier designer worker wrote a line that is not a reply', { line, error: String(err) });
      return;
    }
    if (parsed.id === null) {
      emulatorLog('ERROR', `vizier designer worker could not read a request: ${parsed.error ?? ''}`);
      return;
    }
    const w = waiting.get(parsed.id);
    if (!w) return;
    waiting.delete(parsed.id);
    if (parsed.error !== undefined) w.reject(new Error(`Vizier designer ${w.method} failed: ${parsed.error}`));
    else w.resolve(parsed.result);
  };

  const call = (method: string, params: unknown): Promise<unknown> => {
    if (!child || child.exitCode !== null || child.signalCode !== null) child = start();
    const id = nextId++;
    const proc = child;
    return new Promise((resolve, reject) => {
      waiting.set(id, { method, resolve, reject });
      proc.stdin.write(`${JSON.stringify({ id, method, params })}\n`);
    });
  };

  return {
    get pid() {
      return child?.pid;
    },

    async suggest(input: SuggestInput): Promise<Assignment[][]> {
      if (!Number.isInteger(input.count) || input.count < 1) throw new Error(`suggest: count must be a positive integer, got ${input.count}.`);
      // A completed trial without a finite value (NaN, Infinity) tells the GP nothing it can fit: it counts as infeasible.
      const finite = input.completed.filter((t) => Number.isFinite(t.value));
      const broken = input.completed.filter((t) => !Number.isFinite(t.value)).map((t) => ({ parameters: t.parameters }));
      const params = { ...input, completed: finite, infeasible: [...input.infeasible, ...broken], seed: input.seed >>> 0 };
      const raw = await call('suggest', params);
      const result = SuggestResult.safeParse(raw);
      if (!result.success) throw new Error(`Vizier designer suggest answered an unexpected shape: ${result.error.message}`);
      if (result.data.length !== input.count) throw new Error(`Vizier designer suggest answered ${result.data.length} suggestions, ${input.count} asked.`);
      for (const assignment of result.data) checkAssignment(input.parameters, assignment);
      return result.data;
    },

    async decayCurveStop(input: DecayCurveInput): Promise<DecayCurveVerdict> {
      const finite = (points: DecayCurveInput['running']) => points.filter((p) => Number.isFinite(p.step) && Number.isFinite(p.value));
      const params = { goal: input.goal, running: finite(input.running), completed: input.completed.map(finite) };
      const result = VerdictSchema.safeParse(await call('decayCurveStop', params));
      if (!result.success) throw new Error(`Vizier designer decayCurveStop answered an unexpected shape: ${result.error.message}`);
      return result.data;
    },

    async close(): Promise<void> {
      const proc = child;
      child = undefined;
      if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
      await new Promise<void>((resolve) => {
        proc.once('exit', () => resolve());
        proc.kill('SIGTERM');
      });
    },
  };
}

/** The worker's answer must fit the study: every active parameter once, of its kind, in range. */
function checkAssignment(specs: readonly ParameterSpec[], assignment: readonly Assignment[]): void {
  const byId = new Map(assignment.map((a) => [a.parameterId, a]));
  const expected = new Set<string>();
  const visit = (spec: ParameterSpec) => {
    const a = byId.get(spec.id);
    if (!a) throw new Error(`Vizier designer suggested no value for the active parameter "${spec.id}".`);
    expected.add(spec.id);
    const v = a.value;
    const ok =
      spec.kind === 'categorical'
        ? typeof v === 'string' && spec.values.includes(v)
        : typeof v === 'number' &&
          (spec.kind === 'discrete' ? spec.values.includes(v) : v >= spec.min && v <= spec.max && (spec.kind === 'double' || Number.isInteger(v)));
    if (!ok || a.kind !== spec.kind) throw new Error(`Vizier designer suggested ${JSON.stringify(v)} for "${spec.id}", outside its ${spec.kind} spec.`);
    for (const child of spec.children) if (child.parentValues.some((p) => p === v)) visit(child.spec);
  };
  specs.forEach(visit);
  const extra = assignment.find((a) => !expected.has(a.parameterId));
  if (extra) throw new Error(`Vizier designer suggested "${extra.parameterId}", which is not active in that trial.`);
}
