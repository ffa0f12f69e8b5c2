// One deployed model's server: a container started through the launcher, ready once its health
// route answers 200, stopped by aborting the launch (the launcher kills the process group).
import type { ContainerLauncher, LaunchRequest, LaunchResult } from '../containers/index.js';
import { httpCall } from './http-client.js';
import { readLogTail } from './log-tail.js';

export interface ModelProcessStart {
  launcher: ContainerLauncher;
  /** Everything but the signal, which the process owns. */
  request: Omit<LaunchRequest, 'signal'>;
  port: number;
  healthRoute: string;
  startupTimeoutMs: number;
  /** Aborting stops the process, also while it starts. */
  signal?: AbortSignal;
}

/** How the process ended: the launcher's result, or why launching failed outright. */
export type Ending = { result: LaunchResult } | { launchError: unknown };

export class ModelServerStartError extends Error {
  override readonly name = 'ModelServerStartError';
  constructor(
    message: string,
    readonly logTail: string,
  ) {
    super(`${message}\n--- model server log (tail) ---\n${logTail}`);
  }
}

export class ModelProcess {
  private ending: Ending | undefined;

  private constructor(
    readonly port: number,
    readonly logFile: string,
    private readonly controller: AbortController,
    /** Settles when the process has ended, however it ended. */
    readonly ended: Promise<Ending>,
  ) {
    void ended.then((e) => (this.ending = e));
  }

  static async start(options: ModelProcessStart): Promise<ModelProcess> {
    const controller = new AbortController();
    if (options.signal?.aborted) controller.abort();
    options.signal?.addEventListener('abort', () => controller.abort(), { once: true });
    const ended: Promise<Ending> = options.launcher.launch({ ...options.request, signal: controller.signal }).then(
      (result) => ({ result }),
      (launchError: unknown) => ({ launchError }),
    );
    const server = new ModelProcess(options.port, options.request.logFile, controller, ended);
    try {
      await server.waitHealthy(options.healthRoute, options.startupTimeoutMs);
    } catch (err) {
      await server.stop();
      throw err;
    }
    return server;
  }

  /** Undefined while running; how it ended otherwise. */
  get exit(): LaunchResult | undefined {
    return this.ending && 'result' in this.ending ? this.ending.result : undefined;
  }

  get running(): boolean {
    return this.ending === undefined;
  }

  async stop(): Promise<void> {
    this.controller.abort();
    await this.ended;
  }

  private async waitHealthy(route: string, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let delay = 50;
    while (Date.now() < deadline) {
      if (this.ending) await this.failEnded();
      try {
        const reply = await httpCall({ port: this.port, method: 'GET', path: route, timeoutMs: 2_000 });
        if (reply.status === 200) return;
      } catch {
        // Not listening yet: the server loads its model before it opens the port.
      }
      await Promise.race([sleep(delay), this.ended]);
      delay = Math.min(delay * 2, 250);
    }
    if (this.ending) await this.failEnded();
    throw new ModelServerStartError(`model server on port ${this.port} did not answer 200 on ${route} within ${timeoutMs} ms`, await readLogTail(this.logFile));
  }

  private async failEnded(): Promise<never> {
    const ending = this.ending;
    if (ending && 'launchError' in ending) throw ending.launchError;
    const result = ending?.result;
    const how = result?.error ?? (result?.signal ? `was killed by ${result.signal}` : `exited with code ${result?.exitCode}`);
    throw new ModelServerStartError(`model server ${how} before its health route answered`, await readLogTail(this.logFile));
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
