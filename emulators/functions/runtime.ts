// The local functions runtime: each declared function is served by the real functions framework
// CLI (`functions-framework --target --signature-type --source --port`), one child process per
// function as Cloud Run runs one container per function, over the same bundle that deploys.
// Pub/Sub push bodies reach CloudEvent functions through the framework's own conversion (see
// pushEndpointFor), so handlers see what they will see in the cloud.
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { createConnection } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { camelToSnake } from '../../common/suggest.js';
import type { FunctionDeclaration } from '../../infra/functions.js';
import { FUNCTIONS } from '../../infra/functions.js';
import { freePort } from '../kit/free-port.js';
import { emulatorLog } from '../kit/log.js';
import { ensureFunctionsBundle } from './bundle.js';
import { pipeFunctionOutput } from './function-log.js';

const require = createRequire(import.meta.url);
/** The framework's CLI, from the same install the bundle imports it from (one function registry). */
const FRAMEWORK_MAIN = join(dirname(require.resolve('@google-cloud/functions-framework')), 'main.js');

/** From the developer's shell, only what any process needs; the rest of a function's env is declared. */
const INHERITED_ENV = ['PATH', 'HOME', 'TMPDIR', 'LANG', 'TZ', 'LOG_LEVEL'];

export interface FunctionsRuntimeOptions {
  /** The local cloud's environment (GOOGLE_CLOUD_PROJECT, *_EMULATOR_HOST, ...): every function gets it. */
  readonly env: Readonly<Record<string, string>>;
  /** More variables for every function (e.g. MLOPS_* settings), as `--set-env-vars` would give them. */
  readonly extraEnv?: Readonly<Record<string, string>>;
  /** Which functions to serve (default: infra/functions.ts). */
  readonly functions?: readonly FunctionDeclaration[];
  /** The bundle served as `--source`; default dist/functions, built first when missing or stale. Must lie under the repo so that its imports resolve. */
  readonly bundleDir?: string;
  readonly host?: string;
  /** How long a function may take to listen (default 30 s: loading Google's clients takes seconds). */
  readonly startTimeoutMs?: number;
}

export interface LocalFunction {
  readonly name: string;
  readonly signatureType: FunctionDeclaration['signatureType'];
  readonly url: string;
  readonly pid: number;
}

export interface FunctionsRuntime {
  readonly bundleDir: string;
  readonly functions: readonly LocalFunction[];
  /** Each function's base URL by name. */
  readonly urls: Readonly<Record<string, string>>;
  /**
   * Where a Pub/Sub push subscription delivers to a CloudEvent function: its URL with the path
   * `/projects/{project}/topics/{topic}`, from which the framework takes the CloudEvent's source.
   * Undefined for functions this runtime does not serve or that have no trigger topic.
   */
  pushEndpointFor(functionName: string): string | undefined;
  stop(): Promise<void>;
}

/** `mlopsApi` → `MLOPS_API_URL`: the env entry holding a function's local URL. */
export function functionUrlVariable(functionName: string): string {
  return `${camelToSnake(functionName).toUpperCase()}_URL`;
}

/** Cloud Run's service name for a gen2 function: the function name, lowercased. */
function serviceName(functionName: string): string {
  return functionName.toLowerCase();
}

function functionEnv(declaration: FunctionDeclaration, port: number, siblingUrls: Readonly<Record<string, string>>, options: Pick<FunctionsRuntimeOptions, 'env' | 'extraEnv'>): Record<string, string> {
  const inherited = Object.fromEntries(INHERITED_ENV.flatMap((name) => (process.env[name] === undefined ? [] : [[name, process.env[name]]])));
  const service = serviceName(declaration.name);
  return {
    ...inherited,
    // What the Cloud Functions v2 platform sets for a Node.js function.
    NODE_ENV: 'production',
    LOG_EXECUTION_ID: 'true',
    // Local only: stack traces point into functions/*.ts through the bundle's source map.
    NODE_OPTIONS: '--enable-source-maps',
    ...options.env,
    // Every served function's URL (MLOPS_API_URL ...), e.g. for the audience an OIDC token must name.
    ...siblingUrls,
    ...options.extraEnv,
    // Reserved by Cloud Run: a function cannot override these.
    PORT: String(port),
    K_SERVICE: service,
    K_CONFIGURATION: service,
    K_REVISION: `${service}-00001-loc`,
    FUNCTION_TARGET: declaration.name,
    FUNCTION_SIGNATURE_TYPE: declaration.signatureType,
    CLOUD_RUN_TIMEOUT_SECONDS: String(declaration.timeoutSeconds),
  };
}

function portAnswers(host: string, port: number): Promise<boolean> {
  return new Promise((resolvePort) => {
    const socket = createConnection({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolvePort(true);
    });
    socket.once('error', () => resolvePort(false));
  });
}

function exited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (exited(child)) return;
  const done = new Promise<void>((resolveExit) => child.once('exit', () => resolveExit()));
  killGroup(child, 'SIGTERM');
  const timer = setTimeout(() => killGroup(child, 'SIGKILL'), 5_000);
  await done;
  clearTimeout(timer);
}

interface StartedFunction {
  readonly declaration: FunctionDeclaration;
  readonly child: ChildProcess;
  readonly url: string;
  readonly recentOutput: string[];
}

/** How one function's process is started: the framework CLI's command line, working directory and environment. */
export interface FunctionProcessSpec {
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd: string;
  readonly env: Readonly<Record<string, string>>;
}

/**
 * The process the runtime starts for `declaration` on `port`; exported so that a benchmark can time
 * a start (process start to first response) itself, with exactly the runtime's command and environment.
 */
export function functionProcessSpec(
  declaration: FunctionDeclaration,
  bundleDir: string,
  port: number,
  options: Pick<FunctionsRuntimeOptions, 'env' | 'extraEnv'>,
  siblingUrls: Readonly<Record<string, string>> = {},
): FunctionProcessSpec {
  return {
    command: process.execPath,
    args: [FRAMEWORK_MAIN, `--target=${declaration.name}`, `--signature-type=${declaration.signatureType}`, `--source=${bundleDir}`, `--port=${port}`],
    // The working directory is the source, as in Cloud Run functions (/workspace): relative paths such as models/ resolve in the bundle.
    cwd: bundleDir,
    env: functionEnv(declaration, port, siblingUrls, options),
  };
}

function spawnFunction(declaration: FunctionDeclaration, bundleDir: string, host: string, port: number, siblingUrls: Readonly<Record<string, string>>, options: FunctionsRuntimeOptions): StartedFunction {
  const spec = functionProcessSpec(declaration, bundleDir, port, options, siblingUrls);
  // Its own process group, so that stopping it stops anything it started.
  const child = spawn(spec.command, spec.args, { cwd: spec.cwd, env: spec.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const recentOutput: string[] = [];
  const keep = (line: string) => {
    recentOutput.push(line);
    if (recentOutput.length > 40) recentOutput.shift();
  };
  pipeFunctionOutput(declaration.name, 'stdout', child.stdout, keep);
  pipeFunctionOutput(declaration.name, 'stderr', child.stderr, keep);
  return { declaration, child, url: `http://${host}:${port}`, recentOutput };
}

async function waitUntilServing(started: StartedFunction, host: string, port: number, timeoutMs: number): Promise<void> {
  // The framework listens only once the function is loaded: a connection means it is ready.
  const deadline = Date.now() + timeoutMs;
  const spawnError = new Promise<Error>((resolveError) => started.child.once('error', resolveError));
  let failure: Error | undefined;
  void spawnError.then((err) => (failure = err));
  while (Date.now() < deadline) {
    if (failure) throw failure;
    if (exited(started.child)) {
      // Let the last lines of output arrive before quoting them.
      await new Promise((r) => setTimeout(r, 50));
      throw new Error(`function ${started.declaration.name} exited (code ${started.child.exitCode ?? started.child.signalCode}) before serving:\n${started.recentOutput.join('\n')}`);
    }
    if (await portAnswers(host, port)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`function ${started.declaration.name} did not listen on ${host}:${port} within ${timeoutMs} ms:\n${started.recentOutput.join('\n')}`);
}

export async function startFunctionsRuntime(options: FunctionsRuntimeOptions): Promise<FunctionsRuntime> {
  const declarations = options.functions ?? FUNCTIONS;
  const host = options.host ?? '127.0.0.1';
  const projectId = options.env.GOOGLE_CLOUD_PROJECT;
  if (!projectId) throw new Error('startFunctionsRuntime: env.GOOGLE_CLOUD_PROJECT is required (push endpoints name the project)');
  const bundleDir = options.bundleDir ? resolve(options.bundleDir) : await ensureFunctionsBundle();

  const started: StartedFunction[] = [];
  let stopping = false;
  // If the launcher's process ends without stop() (an uncaught error), take the functions with it.
  const killAll = () => started.forEach((s) => killGroup(s.child, 'SIGKILL'));
  process.once('exit', killAll);
  const stop = async () => {
    stopping = true;
    await Promise.all(started.map((s) => stopChild(s.child)));
    process.removeListener('exit', killAll);
  };
  try {
    const ports = await Promise.all(declarations.map(() => freePort(host)));
    const siblingUrls = Object.fromEntries(declarations.map((d, i) => [functionUrlVariable(d.name), `http://${host}:${ports[i]}`]));
    declarations.forEach((declaration, i) => started.push(spawnFunction(declaration, bundleDir, host, ports[i]!, siblingUrls, options)));
    await Promise.all(started.map((s, i) => waitUntilServing(s, host, ports[i]!, options.startTimeoutMs ?? 30_000)));
  } catch (err) {
    await stop();
    throw err;
  }
  for (const s of started) {
    s.child.once('exit', (code, signal) => {
      if (!stopping) emulatorLog('ERROR', `function ${s.declaration.name} exited; it is not restarted`, { function: s.declaration.name, code, signal });
    });
  }
  const functions = started.map((s) => ({ name: s.declaration.name, signatureType: s.declaration.signatureType, url: s.url, pid: s.child.pid! }));
  emulatorLog('INFO', 'functions serving', { bundleDir, functions: Object.fromEntries(functions.map((f) => [f.name, f.url])) });
  return {
    bundleDir,
    functions,
    urls: Object.fromEntries(functions.map((f) => [f.name, f.url])),
    pushEndpointFor: (functionName) => {
      const s = started.find((f) => f.declaration.name === functionName);
      if (!s || s.declaration.signatureType !== 'cloudevent' || !s.declaration.triggerTopic) return undefined;
      return `${s.url}/projects/${projectId}/topics/${s.declaration.triggerTopic}`;
    },
    stop,
  };
}
