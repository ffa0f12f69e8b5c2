// The background work of running jobs, by resource name: cancelling aborts its signal, and the
// emulator's close() aborts everything and waits until every process it started is gone.
import { emulatorLog } from '../../kit/log.js';

/** The abort reason when the emulator itself stops: the job's processes are lost, not cancelled. */
class EmulatorShutdown extends Error {
  override readonly name = 'EmulatorShutdown';
  constructor() {
    super('the local Vertex AI emulator is stopping');
  }
}

export function isShutdown(signal: AbortSignal): boolean {
  return signal.reason instanceof EmulatorShutdown;
}

interface Run {
  controller: AbortController;
  done: Promise<void>;
}

export class RunningJobs {
  private readonly runs = new Map<string, Run>();

  start(name: string, work: (signal: AbortSignal) => Promise<void>): void {
    const controller = new AbortController();
    const done = work(controller.signal)
      .catch((err: unknown) => {
        emulatorLog('ERROR', 'vertex: job runner crashed', { service: 'vertex', job: name, error: String(err instanceof Error ? err.stack : err) });
      })
      .finally(() => {
        if (this.runs.get(name)?.controller === controller) this.runs.delete(name);
      });
    this.runs.set(name, { controller, done });
  }

  isRunning(name: string): boolean {
    return this.runs.has(name);
  }

  /** Aborts the job's work; false when nothing runs under that name. */
  cancel(name: string): boolean {
    const run = this.runs.get(name);
    if (!run) return false;
    run.controller.abort();
    return true;
  }

  async stopAll(): Promise<void> {
    const runs = [...this.runs.values()];
    for (const run of runs) run.controller.abort(new EmulatorShutdown());
    await Promise.allSettled(runs.map((r) => r.done));
  }
}
