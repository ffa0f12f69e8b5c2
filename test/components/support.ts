// Running the Python components from tests: the interpreter, PYTHONPATH, a bounded process pool,
// and the check that decides whether the Python-dependent suites run at all.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PYTHON = '/usr/bin/python3';
const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const PYTHONPATH = join(REPO_ROOT, 'pipelines/components/python');
export const SERVING_CHECK = join(REPO_ROOT, 'test/components/serving_check.py');

export interface PythonCheck {
  readonly ok: boolean;
  readonly reason: string;
}

/** Whether `python3 -c "import <modules>"` works; the reason is printed when a suite is skipped. */
export function checkPython(modules: string): PythonCheck {
  const result = spawnSync(PYTHON, ['-c', `import ${modules}`], { encoding: 'utf8', timeout: 120_000 });
  if (result.error !== undefined) return { ok: false, reason: `${PYTHON} could not run: ${result.error.message}` };
  if (result.status !== 0) {
    const lines = result.stderr.trim().split('\n');
    const error = lines.findLast((line) => /Error\b/.test(line)) ?? lines.at(-1) ?? `exit ${String(result.status)}`;
    return { ok: false, reason: `${PYTHON} -c "import ${modules}" failed: ${error.trim()}` };
  }
  return { ok: true, reason: '' };
}

/** The stack the training components need; suites skip (saying why) only when it is missing. */
export function pythonStack(suite: string, modules = 'sklearn, xgboost, torch, pandas'): PythonCheck {
  const check = checkPython(modules);
  if (!check.ok) console.warn(`[${suite}] skipped: ${check.reason}`);
  return check;
}

export interface LogRecord {
  readonly severity: string;
  readonly message: string;
  readonly [field: string]: unknown;
}

export interface RunResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** stderr lines that are the components' structured JSON logs. */
  readonly logs: LogRecord[];
}

/** Caps concurrent Python processes: the CI machine has two cores and other suites run beside these. */
class ProcessPool {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly limit: number) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.running >= this.limit) await new Promise<void>((wake) => this.waiting.push(wake));
    this.running += 1;
    try {
      return await task();
    } finally {
      this.running -= 1;
      this.waiting.shift()?.();
    }
  }
}

const pool = new ProcessPool(2);

// Variables a developer's shell (or a Vertex-like CI) might carry that change the components' behaviour.
const SCRUBBED = ['CLOUD_ML_HP_METRIC_FILE', 'CLOUD_ML_TRIAL_ID', 'CLOUD_ML_HP_METRIC_TAG', 'AIP_MODEL_DIR', 'CLUSTER_SPEC',
  'VERTEX_EMULATOR_HOST', 'RANK', 'WORLD_SIZE', 'MASTER_ADDR', 'MASTER_PORT', 'LOG_FORMAT', 'LOG_LEVEL', 'NO_COLOR', 'FORCE_COLOR'];

export function componentEnv(extra: Readonly<Record<string, string>> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of SCRUBBED) delete env[name];
  return { ...env, PYTHONPATH, PYTHONDONTWRITEBYTECODE: '1', ...extra };
}

function parseLogs(stderr: string): LogRecord[] {
  const records: LogRecord[] = [];
  for (const line of stderr.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      const value: unknown = JSON.parse(line);
      if (typeof value === 'object' && value !== null && 'severity' in value && 'message' in value) records.push(value as LogRecord);
    } catch {
      // not a log line
    }
  }
  return records;
}

export interface RunOptions {
  readonly env?: Readonly<Record<string, string>>;
  readonly timeoutMs?: number;
  /** Skip the process pool (processes that must run side by side, like DDP ranks). */
  readonly unpooled?: boolean;
}

/** Runs a Python program (`-m module` or a script) to completion, killing it after `timeoutMs`. */
export function runPython(args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  const start = (): Promise<RunResult> => new Promise((resolvePromise, reject) => {
    const child = spawn(PYTHON, [...args], { env: componentEnv(options.env), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => { stdout += chunk; });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk; });
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolvePromise({ code, stdout, stderr, logs: parseLogs(stderr) });
    });
  });
  return options.unpooled === true ? start() : pool.run(start);
}

export function runComponent(module: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  return runPython(['-m', `mlops_components.steps.${module}`, ...args], options);
}

/** Fails with the component's own logs, which say what went wrong. */
export function assertSucceeded(result: RunResult, what: string): RunResult {
  if (result.code !== 0) throw new Error(`${what} exited ${String(result.code)}\n${result.stderr.slice(-4000)}`);
  return result;
}

export async function runOk(module: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  return assertSucceeded(await runComponent(module, args, options), module);
}

export function readJson<T>(path: string): T {
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}

export function readText(path: string): string {
  return readFileSync(path, 'utf8');
}

/** A temporary folder, created on first use: a skipped suite leaves nothing behind. */
export function makeWorkDir(name: string): { readonly dir: string; readonly cleanup: () => void } {
  let dir: string | undefined;
  return {
    get dir(): string {
      dir ??= mkdtempSync(join(tmpdir(), `mlops-${name}-`));
      return dir;
    },
    cleanup: () => {
      if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
    },
  };
}
