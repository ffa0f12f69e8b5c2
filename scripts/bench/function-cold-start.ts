// A function's cold start, timed from outside: the framework CLI started with the runtime's own
// command and environment, then the probe request sent every few milliseconds until the port
// accepts it; the time from spawn to the end of the first 2xx response is the cold start.
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import type { Agent } from 'node:http';
import { request } from 'node:http';
import { createInterface } from 'node:readline';
import type { FunctionProcessSpec } from '../../emulators/functions/runtime.js';
import { invocationOf } from './function-seconds.js';

export interface Probe {
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly body?: unknown;
}

export interface HttpAnswer {
  readonly status: number;
  readonly body: string;
}

export interface ColdStart {
  /** Spawn to the end of the first 2xx response. */
  readonly ms: number;
  readonly answer: HttpAnswer;
  /** The handler's own durationMs for that request, from its invocation line (when it came). */
  readonly handlerMs?: number;
}

const RETRY_MS = 5;
const STOP_GRACE_MS = 5_000;

/** One request; without `agent`, on a fresh connection (nothing carried between attempts). */
export function send(baseUrl: string, probe: Probe, agent?: Agent): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const body = probe.body === undefined ? undefined : Buffer.from(JSON.stringify(probe.body));
    const req = request(new URL(probe.path, baseUrl), {
      method: probe.method,
      agent: agent ?? false,
      headers: body ? { 'content-type': 'application/json', 'content-length': body.length } : {},
    });
    req.once('error', reject);
    req.once('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.once('error', reject);
      res.once('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.end(body);
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function exited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

async function stopGroup(child: ChildProcess): Promise<void> {
  if (exited(child) || child.pid === undefined) return;
  const done = new Promise<void>((r) => child.once('exit', () => r()));
  const kill = (signal: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, signal);
    } catch {
      // already gone
    }
  };
  kill('SIGTERM');
  const timer = setTimeout(() => kill('SIGKILL'), STOP_GRACE_MS);
  await done;
  clearTimeout(timer);
}

/**
 * Starts the function, sends `probe` to `http://127.0.0.1:<port>` until it connects, and stops the
 * process again. Fails when the process exits first, when the first answer is not 2xx, or after
 * `timeoutMs`; the error quotes the process's last lines.
 */
export async function timeColdStart(spec: FunctionProcessSpec, port: number, probe: Probe, timeoutMs = 30_000): Promise<ColdStart> {
  const baseUrl = `http://127.0.0.1:${port}`;
  const output: string[] = [];
  let handlerMs: number | undefined;
  const started = performance.now();
  const child = spawn(spec.command, [...spec.args], { cwd: spec.cwd, env: { ...spec.env }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => {
      output.push(line);
      if (output.length > 40) output.shift();
      if (handlerMs !== undefined || !line.startsWith('{')) return;
      try {
        handlerMs = invocationOf(JSON.parse(line) as Record<string, unknown>)?.durationMs;
      } catch {
        // not a JSON line
      }
    });
  }
  const failure = (why: string) => new Error(`${spec.args.find((a) => a.startsWith('--target='))} ${probe.method} ${probe.path}: ${why}\n${output.join('\n')}`);
  try {
    for (;;) {
      if (exited(child)) throw failure(`the process exited (${child.exitCode ?? child.signalCode}) before answering`);
      if (performance.now() - started > timeoutMs) throw failure(`no answer within ${timeoutMs} ms`);
      let answer: HttpAnswer;
      try {
        answer = await send(baseUrl, probe);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ECONNREFUSED') {
          await sleep(RETRY_MS);
          continue;
        }
        throw err;
      }
      const ms = performance.now() - started;
      if (answer.status < 200 || answer.status > 299) throw failure(`answered ${answer.status}: ${answer.body.slice(0, 500)}`);
      // mlopsApi logs its line after answering: give it a moment.
      for (let waited = 0; handlerMs === undefined && waited < 500; waited += 10) await sleep(10);
      return { ms, answer, ...(handlerMs !== undefined ? { handlerMs } : {}) };
    }
  } finally {
    await stopGroup(child);
  }
}
