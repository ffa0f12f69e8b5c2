// One collection of resources (custom jobs, models, operations, ...) kept in memory and persisted
// as one JSON file per resource under `<dataDir>/<collection>/`. Files are replaced atomically
// (temp file + fsync + rename); rapid updates of one resource coalesce into the latest state.
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { removeAbandonedTemps, writeFileAtomic } from '../../kit/fs-atomic.js';
import { emulatorLog } from '../../kit/log.js';

interface StoredFile<T> {
  name: string;
  resource: T;
}

interface PendingWrite {
  /** Set while a write runs; another update then waits for it and writes the newest state. */
  running: Promise<void> | undefined;
  dirty: boolean;
  waiters: (() => void)[];
}

export class JsonStore<T> {
  private readonly items = new Map<string, T>();
  private readonly writes = new Map<string, PendingWrite>();
  private readonly dir: string;
  private readonly tempDir: string;

  constructor(dataDir: string, readonly collection: string) {
    this.dir = join(dataDir, collection);
    this.tempDir = join(dataDir, '.tmp');
  }

  /** Reads every stored resource; unreadable files are logged and skipped. */
  async load(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    await mkdir(this.tempDir, { recursive: true });
    await removeAbandonedTemps(this.tempDir);
    for (const file of await readdir(this.dir)) {
      if (!file.endsWith('.json')) continue;
      try {
        const parsed = JSON.parse(await readFile(join(this.dir, file), 'utf8')) as StoredFile<T>;
        if (typeof parsed.name === 'string') this.items.set(parsed.name, parsed.resource);
      } catch (err) {
        emulatorLog('WARNING', 'vertex: skipping unreadable state file', { service: 'vertex', file: join(this.dir, file), error: String(err) });
      }
    }
  }

  get(name: string): T | undefined {
    return this.items.get(name);
  }

  has(name: string): boolean {
    return this.items.has(name);
  }

  values(): T[] {
    return [...this.items.values()];
  }

  entries(): [string, T][] {
    return [...this.items.entries()];
  }

  /**
   * Stores the resource in memory only: the caller must `put` it (or a newer state) before relying
   * on it surviving a restart. For callers that gather several changes into one write.
   */
  stage(name: string, resource: T): void {
    this.items.set(name, resource);
  }

  /** Stores the resource in memory now; the promise settles once it (or a newer state) is on disk. */
  put(name: string, resource: T): Promise<void> {
    this.items.set(name, resource);
    return this.persist(name);
  }

  async delete(name: string): Promise<void> {
    this.items.delete(name);
    await this.persist(name);
  }

  /** Waits for every pending write. */
  async flush(): Promise<void> {
    await Promise.all([...this.writes.values()].map((w) => w.running ?? Promise.resolve()));
  }

  private fileOf(name: string): string {
    return join(this.dir, `${createHash('sha256').update(name).digest('hex').slice(0, 32)}.json`);
  }

  private persist(name: string): Promise<void> {
    let pending = this.writes.get(name);
    if (!pending) {
      pending = { running: undefined, dirty: false, waiters: [] };
      this.writes.set(name, pending);
    }
    const state = pending;
    const done = new Promise<void>((resolve) => state.waiters.push(resolve));
    state.dirty = true;
    if (!state.running) state.running = this.drain(name, state);
    return done;
  }

  private async drain(name: string, state: PendingWrite): Promise<void> {
    while (state.dirty) {
      state.dirty = false;
      const waiters = state.waiters.splice(0);
      const resource = this.items.get(name);
      try {
        if (resource === undefined) await unlink(this.fileOf(name)).catch(() => {});
        else await writeFileAtomic(this.fileOf(name), JSON.stringify({ name, resource } satisfies StoredFile<T>), this.tempDir);
      } catch (err) {
        emulatorLog('ERROR', 'vertex: cannot persist resource', { service: 'vertex', name, error: String(err) });
      }
      for (const w of waiters) w();
    }
    state.running = undefined;
    this.writes.delete(name);
  }
}
