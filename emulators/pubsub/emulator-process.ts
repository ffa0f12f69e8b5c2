// Google's Pub/Sub emulator (shipped with the Cloud CLI), started as a java child process.
// We start the jar directly: killing the gcloud wrapper would leave the java child running.
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { emulatorLog } from '../kit/log.js';

const SDK_ROOTS = ['/usr/lib/google-cloud-sdk', '/usr/share/google-cloud-sdk', '/opt/google-cloud-sdk', join(process.env.HOME ?? '/root', 'google-cloud-sdk')];

export const PUBSUB_INSTALL_HINT =
  "Google's Pub/Sub emulator is not installed. Install it with one of:\n" +
  '  sudo apt-get install google-cloud-cli-pubsub-emulator   (Debian/Ubuntu with Google Cloud CLI packages)\n' +
  '  gcloud components install pubsub-emulator              (Cloud CLI installed from the archive)\n' +
  'or point PUBSUB_EMULATOR_JAR at cloud-pubsub-emulator-*-all.jar; java 11+ must be on PATH.';

export class PubSubEmulatorMissing extends Error {
  constructor() {
    super(PUBSUB_INSTALL_HINT);
    this.name = 'PubSubEmulatorMissing';
  }
}

export function findPubSubEmulatorJar(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.PUBSUB_EMULATOR_JAR) return existsSync(env.PUBSUB_EMULATOR_JAR) ? env.PUBSUB_EMULATOR_JAR : undefined;
  for (const root of SDK_ROOTS) {
    const lib = join(root, 'platform', 'pubsub-emulator', 'lib');
    if (!existsSync(lib)) continue;
    const jar = readdirSync(lib).find((f) => /^cloud-pubsub-emulator-.*\.jar$/.test(f));
    if (jar) return join(lib, jar);
  }
  return undefined;
}

export interface PubSubEmulator {
  readonly host: string;
  readonly port: number;
  readonly pid: number;
  stop(): Promise<void>;
}

function portAnswers(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function waitForPort(host: string, port: number, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`Pub/Sub emulator exited with code ${child.exitCode} before listening`);
    if (await portAnswers(host, port)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`Pub/Sub emulator did not listen on ${host}:${port} within ${timeoutMs} ms`);
}

export async function startPubSubEmulator(options: { port: number; host?: string; dataDir?: string; startTimeoutMs?: number }): Promise<PubSubEmulator> {
  const jar = findPubSubEmulatorJar();
  if (!jar) throw new PubSubEmulatorMissing();
  const host = options.host ?? '127.0.0.1';
  const args = ['-jar', jar, `--host=${host}`, `--port=${options.port}`];
  // Its own process group, so that stopping it also stops anything it started.
  const child = spawn('java', args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  const keep = (chunk: Buffer) => {
    lines.push(...chunk.toString('utf8').split('\n'));
    if (lines.length > 50) lines.splice(0, lines.length - 50);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const spawned = await new Promise<boolean>((resolve) => {
    child.once('spawn', () => resolve(true));
    child.once('error', () => resolve(false));
  });
  if (!spawned) throw new PubSubEmulatorMissing();
  try {
    await waitForPort(host, options.port, child, options.startTimeoutMs ?? 30_000);
  } catch (err) {
    killGroup(child);
    throw new Error(`${(err as Error).message}\n${lines.join('\n')}`, { cause: err });
  }
  emulatorLog('INFO', 'Pub/Sub emulator started', { host, port: options.port, pid: child.pid, jar });
  // A detached java outlives its parent: if this process exits without stop() (an uncaught error), take it along.
  const killOnExit = () => killGroup(child, 'SIGKILL');
  process.once('exit', killOnExit);
  child.once('exit', () => process.removeListener('exit', killOnExit));
  return {
    host,
    port: options.port,
    pid: child.pid!,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      killGroup(child);
      const timer = setTimeout(() => killGroup(child, 'SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}
