// Small helpers shared by the Vertex benchmark sections: wall time, plain spawns, load loops.
import { spawn } from 'node:child_process';

/** Wall time of an async function, in ms. */
export async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t = performance.now();
  const value = await fn();
  return { ms: performance.now() - t, value };
}

/** `sh -c <script>` with node's child_process, resolved when it exits (rejected on a non-zero exit). */
export function spawnShell(script: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('sh', ['-c', script], { stdio: 'ignore' });
    child.once('error', reject);
    child.once('exit', (code, signal) => (code === 0 ? resolve() : reject(new Error(`sh -c ${script}: exit ${code ?? signal}`))));
  });
}

export interface LoadResult {
  requests: number;
  seconds: number;
  /** Per-request latencies in ms. */
  latencies: number[];
}

/**
 * Sends requests with `concurrency` workers, each one after the other, until `durationMs` has
 * passed; `send(i)` gets a running request number. Any failure ends the run with that error.
 */
export async function closedLoop(send: (i: number) => Promise<void>, concurrency: number, durationMs: number): Promise<LoadResult> {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  const deadline = started + durationMs;
  const worker = async () => {
    while (performance.now() < deadline) {
      const i = next++;
      const t = performance.now();
      await send(i);
      latencies.push(performance.now() - t);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { requests: latencies.length, seconds: (performance.now() - started) / 1000, latencies };
}
