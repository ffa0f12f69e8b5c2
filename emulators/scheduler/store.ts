// The jobs, in memory and in one JSON file under dataDir (written atomically after every change),
// so that they survive a restart with their state, last attempt and the last scheduled time fired.
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { isErrno, removeAbandonedTemps, writeFileAtomic } from '../kit/fs-atomic.js';
import { KeyedMutex } from '../kit/keyed-mutex.js';
import type { JobSpec } from './job-spec.js';

export interface AttemptStatus {
  /** google.rpc.Code; 0 for a delivered attempt. */
  code: number;
  message?: string;
}

export interface StoredJob {
  name: string;
  spec: JobSpec;
  state: 'ENABLED' | 'PAUSED';
  /** Times are epoch milliseconds on the emulator's clock. */
  userUpdateTime: number;
  status?: AttemptStatus;
  /** The next time of the schedule (absent while paused). */
  nextRunTime?: number;
  /** When a failed execution is retried next, if it will be. */
  retryTime?: number;
  lastAttemptTime?: number;
  /** The last scheduled time dispatched: a time is never dispatched twice, restarts included. */
  lastScheduledTime?: number;
}

// The file is ours, but a hand edit or a crash of an older version must not crash the emulator.
const StateFileSchema = z.object({
  version: z.literal(1),
  clock: z.number(),
  jobs: z.array(z.object({ name: z.string(), spec: z.looseObject({}), state: z.enum(['ENABLED', 'PAUSED']), userUpdateTime: z.number() }).loose()),
});

export class JobStore {
  private readonly jobs = new Map<string, StoredJob>();
  private readonly writes = new KeyedMutex();
  private dirty = false;
  private closed = false;

  private constructor(
    private readonly file: string,
    private readonly tempDir: string,
    /** The emulated time when the file was last written. */
    readonly savedClock: number,
    jobs: StoredJob[],
    private clock: () => number = () => 0,
  ) {
    for (const job of jobs) this.jobs.set(job.name, job);
  }

  static async open(dataDir: string): Promise<JobStore> {
    const tempDir = join(dataDir, 'tmp');
    await mkdir(tempDir, { recursive: true });
    await removeAbandonedTemps(tempDir);
    const file = join(dataDir, 'jobs.json');
    let text: string | undefined;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      if (!isErrno(err, 'ENOENT')) throw err;
    }
    if (text === undefined) return new JobStore(file, tempDir, 0, []);
    const parsed = StateFileSchema.safeParse(JSON.parse(text));
    if (!parsed.success) throw new Error(`${file} is not a Cloud Scheduler emulator state file: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
    return new JobStore(file, tempDir, parsed.data.clock, parsed.data.jobs as unknown as StoredJob[]);
  }

  /** The clock whose time is saved with the jobs (set once the clock exists). */
  useClock(clock: () => number): void {
    this.clock = clock;
  }

  get(name: string): StoredJob | undefined {
    const job = this.jobs.get(name);
    return job && structuredClone(job);
  }

  /** The jobs of a location, by name. */
  list(parent: string): StoredJob[] {
    const prefix = `${parent}/jobs/`;
    return [...this.jobs.values()]
      .filter((j) => j.name.startsWith(prefix))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
      .map((j) => structuredClone(j));
  }

  all(): StoredJob[] {
    return [...this.jobs.values()].map((j) => structuredClone(j));
  }

  async put(job: StoredJob): Promise<void> {
    this.jobs.set(job.name, structuredClone(job));
    await this.flush();
  }

  async delete(name: string): Promise<void> {
    this.jobs.delete(name);
    await this.flush();
  }

  /** No writes after this; the last one has finished when it resolves. */
  async close(): Promise<void> {
    await this.flush();
    this.closed = true;
  }

  /** Writes the current jobs; concurrent changes share one write that starts after the running one. */
  private async flush(): Promise<void> {
    if (this.closed) return;
    this.dirty = true;
    await this.writes.run('file', async () => {
      if (!this.dirty) return;
      this.dirty = false;
      const contents = JSON.stringify({ version: 1, clock: this.clock(), jobs: [...this.jobs.values()] });
      await writeFileAtomic(this.file, contents, this.tempDir);
    });
  }
}
