// Runs a command as the leader of its own process group with output appended to a log file.
// The whole group goes when the command ends or is aborted, as a container's processes do.
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

export interface GroupRunRequest {
  argv: readonly string[];
  env: Readonly<Record<string, string>>;
  cwd: string;
  logFile: string;
  signal?: AbortSignal;
  /** Between SIGTERM and SIGKILL on abort. */
  killGraceMs: number;
  /** Records the group while it runs, so a later emulator can reap it if this one is killed. */
  groups?: GroupTracker;
}

export interface GroupTracker {
  add(pid: number, argv0: string): Promise<void>;
  remove(pid: number): Promise<void>;
}

export interface GroupRunResult {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** Set when the command could not be started at all. */
  error?: string;
}

export async function runProcessGroup(req: GroupRunRequest): Promise<GroupRunResult> {
  const [program, ...rest] = req.argv;
  if (program === undefined) return { exitCode: 127, signal: null, error: 'empty command line' };
  if (req.signal?.aborted) return { exitCode: null, signal: 'SIGTERM' };
  mkdirSync(dirname(req.logFile), { recursive: true });
  mkdirSync(req.cwd, { recursive: true });
  const fd = openSync(req.logFile, 'a');
  try {
    return await new Promise<GroupRunResult>((resolve) => {
      const child = spawn(program, rest, { cwd: req.cwd, env: req.env, detached: true, stdio: ['ignore', fd, fd] });
      if (child.pid !== undefined) void req.groups?.add(child.pid, program);
      let killTimer: NodeJS.Timeout | undefined;
      const onAbort = () => {
        killGroup(child.pid, 'SIGTERM');
        killTimer = setTimeout(() => killGroup(child.pid, 'SIGKILL'), req.killGraceMs);
        killTimer.unref();
      };
      let done = false;
      const finish = (result: GroupRunResult) => {
        if (done) return;
        done = true;
        req.signal?.removeEventListener('abort', onAbort);
        if (killTimer) clearTimeout(killTimer);
        // Whatever the leader left running in its group ends with it, like a container's processes.
        killGroup(child.pid, 'SIGKILL');
        if (child.pid !== undefined) void req.groups?.remove(child.pid);
        resolve(result);
      };
      child.once('error', (err) => {
        const message = `cannot start '${program}': ${err.message}`;
        try {
          writeSync(fd, `[local-vertex] ${message}\n`);
        } catch {
          // The log is best effort; the task error carries the message too.
        }
        finish({ exitCode: 127, signal: null, error: message });
      });
      child.once('exit', (code, signal) => finish({ exitCode: code, signal }));
      req.signal?.addEventListener('abort', onAbort, { once: true });
    });
  } finally {
    closeSync(fd);
  }
}

function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH: the group is already gone.
  }
}
