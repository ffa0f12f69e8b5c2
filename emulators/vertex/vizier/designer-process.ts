// The Designer computed by a long-lived Python worker (python/local_vizier/worker.py): JSON lines
// on its stdin/stdout, one request id each, so concurrent calls share the worker (it answers in
// order; the pipe queues the rest). Spawned on the first call; if it dies, the calls waiting on that
// worker fail with the exit status and the next call starts a fresh one. A call unanswered within
// the timeout fails and its worker is killed (a hung engine must not hang a study or a job). The
// worker is not trusted: its answers are checked against the study, and what it is sent is kept in
// the range its floating point handles. Its stderr goes to the emulator log.
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { emulatorLog } from '../../kit/log.js';
import type { ParameterSpec } from '../hyperparameter-tuning-jobs/study-spec.js';
import type { Assignment } from '../hyperparameter-tuning-jobs/suggestions.js';
import { assignmentProblem } from './assignment-check.js';
import type { CurvePoint, DecayCurveInput, DecayCurveVerdict, Designer, SuggestInput } from './designer.js';

export const DESIGNER_PYTHON_DIR = fileURLToPath(new URL('./python', import.meta.url));

export interface DesignerProcessOptions {
  /** The interpreter with scikit-learn and SciPy: $LOCAL_VIZIER_PYTHON, else Debian's /usr/bin/python3. */
  python?: string;
  /** How long one call may wait for its answer: $LOCAL_VIZIER_CALL_TIMEOUT_MS, else 120 s (a GP over hundreds of trials on a busy machine). */
  callTimeoutMs?: number;
  /** How long close() waits after SIGTERM before SIGKILL (default 2 s). */
  closeGraceMs?: number;
}

const DEFAULT_CALL_TIMEOUT_MS = 120_000;
const DEFAULT_CLOSE_GRACE_MS = 2_000;
/** Magnitudes beyond this are clamped before they reach the worker: squares and sums of ±1e308 overflow numpy's float64. */
export const MAX_DESIGNER_MAGNITUDE = 1e100;

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

/** One worker process and the calls sent to it: a reply from it answers only its own calls. */
interface Worker {
  readonly proc: ChildProcessWithoutNullStreams;
  readonly waiting: Map<number, Waiter>;
  /** Resolves once the process is gone and its stdout drained ('close'), or it never started. */
  readonly gone: Promise<void>;
}

const positiveNumber = (raw: string | undefined): number | undefined => {
  const n = Number(raw);
  return raw !== undefined && raw !== '' && Number.isFinite(n) && n > 0 ? n : undefined;
};

export function startDesignerProcess(options: DesignerProcessOptions = {}): DesignerProcess {
  const python = options.python ?? (process.env.LOCAL_VIZIER_PYTHON || '/usr/bin/python3');
  const callTimeoutMs = options.callTimeoutMs ?? positiveNumber(process.env.LOCAL_VIZIER_CALL_TIMEOUT_MS) ?? DEFAULT_CALL_TIMEOUT_MS;
  const closeGraceMs = options.closeGraceMs ?? DEFAULT_CLOSE_GRACE_MS;
  /** The worker new calls go to. */
  let current: Worker | undefined;
  /** Every worker not yet gone (the current one, and any being killed). */
  const live = new Set<Worker>();
  let closed = false;
  let nextId = 1;

  const failAll = (worker: Worker, reason: string) => {
    for (const [id, w] of worker.waiting) {
      worker.waiting.delete(id);
      w.reject(new Error(`Vizier designer worker ${reason} before answering ${w.method} (request ${id}); the next call starts a new worker.`));
    }
  };

  /** New calls go to a fresh worker from now on; the old one is killed (its calls fail when it is gone). */
  const retire = (worker: Worker, signal: NodeJS.Signals) => {
    if (current === worker) current = undefined;
    if (worker.proc.exitCode === null && worker.proc.signalCode === null) worker.proc.kill(signal);
  };

  const start = (): Worker => {
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
    let markGone: () => void = () => {};
    const worker: Worker = { proc, waiting: new Map(), gone: new Promise<void>((resolve) => (markGone = resolve)) };
    live.add(worker);
    const end = (reason: string) => {
      if (current === worker) current = undefined;
      failAll(worker, reason);
      live.delete(worker);
      markGone();
    };
    createInterface({ input: proc.stdout }).on('line', (line) => onLine(worker, line));
    createInterface({ input: proc.stderr }).on('line', (line) => {
      emulatorLog('WARNING', `vizier designer worker: ${line}`, { component: 'vizier-designer', pid: proc.pid });
    });
    // A write to a worker that just died: its 'close' reports it to the waiting calls.
    proc.stdin.on('error', () => undefined);
    // 'error' without a pid: it never started (no 'close' need follow).
    proc.on('error', (err) => {
      if (proc.pid === undefined) end(`could not run (${python}: ${err.message})`);
      else emulatorLog('ERROR', 'vizier designer worker error', { pid: proc.pid, error: err.message });
    });
    // 'close', not 'exit': the answers it wrote before dying are read first.
    proc.on('close', (code, signal) => end(signal ? `was killed by ${signal}` : `exited with code ${code}`));
    return worker;
  };

  const onLine = (worker: Worker, line: string) => {
    let parsed: z.infer<typeof Reply>;
    try {
      parsed = Reply.parse(JSON.parse(line));
    } catch (err) {
      emulatorLog('ERROR', 'vizier designer worker wrote a line that is not a reply', { line: line.slice(0, 500), error: String(err) });
      return;
    }
    if (parsed.id === null) {
      emulatorLog('ERROR', `vizier designer worker could not read a request: ${parsed.error ?? ''}`);
      return;
    }
    const w = worker.waiting.get(parsed.id);
    if (!w) return;
    worker.waiting.delete(parsed.id);
    if (parsed.error !== undefined) w.reject(new Error(`Vizier designer ${w.method} failed: ${parsed.error}`));
    else w.resolve(parsed.result);
  };

  const call = (method: string, params: unknown): Promise<unknown> => {
    if (closed) return Promise.reject(new Error(`Vizier designer is closed: ${method} not sent.`));
    if (current && (current.proc.exitCode !== null || current.proc.signalCode !== null)) current = undefined;
    const worker = (current ??= start());
    const id = nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const w = worker.waiting.get(id);
        if (!w) return;
        worker.waiting.delete(id);
        emulatorLog('ERROR', 'vizier designer worker did not answer in time: killing it', { method, request: id, pid: worker.proc.pid, timeoutMs: callTimeoutMs });
        w.reject(new Error(`Vizier designer ${method} (request ${id}) got no answer within ${callTimeoutMs} ms; the worker was killed and the next call starts a new one.`));
        retire(worker, 'SIGKILL');
      }, callTimeoutMs);
      worker.waiting.set(id, {
        method,
        resolve: (value) => {
          clearTimeout(timer);
          resolve(value);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      worker.proc.stdin.write(`${JSON.stringify({ id, method, params })}\n`);
    });
  };

  const stop = async (worker: Worker) => {
    retire(worker, 'SIGTERM');
    const grace = setTimeout(() => retire(worker, 'SIGKILL'), closeGraceMs);
    await worker.gone;
    clearTimeout(grace);
  };

  return {
    get pid() {
      return current?.proc.pid;
    },

    async suggest(input: SuggestInput): Promise<Assignment[][]> {
      if (!Number.isInteger(input.count) || input.count < 1) throw new Error(`suggest: count must be a positive integer, got ${input.count}.`);
      for (const spec of flatten(input.parameters)) {
        if (spec.kind !== 'categorical' && (Math.abs(spec.min) > MAX_DESIGNER_MAGNITUDE || Math.abs(spec.max) > MAX_DESIGNER_MAGNITUDE)) {
          throw new Error(`Vizier designer cannot search parameter "${spec.id}": its range [${spec.min}, ${spec.max}] goes beyond ±${MAX_DESIGNER_MAGNITUDE}.`);
        }
      }
      // A completed trial without a finite value (NaN, Infinity) tells the GP nothing it can fit: it counts as infeasible.
      const finite = input.completed.filter((t) => Number.isFinite(t.value)).map((t) => ({ ...t, value: clamp(t.value) }));
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
      const finite = (points: readonly CurvePoint[]) =>
        points.filter((p) => Number.isFinite(p.step) && Number.isFinite(p.value)).map((p) => ({ step: clamp(p.step), value: clamp(p.value) }));
      const params = { goal: input.goal, running: finite(input.running), completed: input.completed.map(finite) };
      const result = VerdictSchema.safeParse(await call('decayCurveStop', params));
      if (!result.success) throw new Error(`Vizier designer decayCurveStop answered an unexpected shape: ${result.error.message}`);
      return result.data;
    },

    async close(): Promise<void> {
      closed = true;
      current = undefined;
      const workers = [...live];
      // The waiting calls fail now, not when the worker is gone.
      for (const worker of workers) failAll(worker, 'was closed');
      await Promise.all(workers.map(stop));
    },
  };
}

/** Finite values into the range the worker's float64 arithmetic survives, order kept. */
function clamp(value: number): number {
  return Math.max(-MAX_DESIGNER_MAGNITUDE, Math.min(MAX_DESIGNER_MAGNITUDE, value));
}

function flatten(specs: readonly ParameterSpec[]): ParameterSpec[] {
  return specs.flatMap((s) => [s, ...flatten(s.children.map((c) => c.spec))]);
}

/** The worker's answer must fit the study (assignment-check.ts): every active parameter once, of its kind, in range. */
function checkAssignment(specs: readonly ParameterSpec[], assignment: readonly Assignment[]): void {
  const found = assignmentProblem(specs, assignment);
  if (found === undefined) return;
  switch (found.problem) {
    case 'missing':
      throw new Error(`Vizier designer suggested no value for the active parameter "${found.parameterId}".`);
    case 'duplicate':
      throw new Error(`Vizier designer suggested "${found.parameterId}" twice in one trial.`);
    case 'inactive':
      throw new Error(`Vizier designer suggested "${found.parameterId}", which is not active in that trial.`);
    case 'outOfSpec':
      throw new Error(`Vizier designer suggested ${JSON.stringify(found.value)} for "${found.parameterId}", outside its ${found.spec.kind} spec.`);
  }
}
