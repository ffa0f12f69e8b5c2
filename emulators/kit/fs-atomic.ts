// Crash-safe file writes: bytes go to a temporary file on the same filesystem, are fsynced, and
// only then renamed over the destination (rename is atomic), so no reader ever sees a torn file.
import { randomBytes } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import { mkdir, open, readdir, rename, rmdir, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';

export function tempName(dir: string, hint = 'tmp'): string {
  return join(dir, `${hint}-${process.pid}-${randomBytes(8).toString('hex')}`);
}

/**
 * Stream `data` into a new file at `path` (which must not exist), calling `onChunk` for each
 * chunk, and fsync it. The file is removed again if anything fails.
 */
export async function writeNewFile(path: string, data: Buffer | AsyncIterable<Uint8Array>, onChunk: (chunk: Uint8Array) => void = () => {}): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const handle = await open(path, 'wx', 0o644);
  try {
    if (Buffer.isBuffer(data)) {
      onChunk(data);
      await writeAll(handle, data);
    } else {
      for await (const chunk of data) {
        onChunk(chunk);
        await writeAll(handle, chunk);
      }
    }
    await handle.sync();
  } catch (err) {
    await handle.close().catch(() => {});
    await unlink(path).catch(() => {});
    throw err;
  }
  await handle.close();
}

async function writeAll(handle: FileHandle, chunk: Uint8Array): Promise<void> {
  let offset = 0;
  while (offset < chunk.length) {
    const { bytesWritten } = await handle.write(chunk, offset, chunk.length - offset);
    offset += bytesWritten;
  }
}

/** Rename into place and fsync the directory, so the rename itself survives a crash. */
export async function commitRename(from: string, to: string): Promise<void> {
  await rename(from, to);
  await syncDirShared(dirname(to));
}

interface DirSync {
  running: Promise<void> | undefined;
  /** Starts when `running` ends; every caller that came during `running` shares it. */
  next: Promise<void> | undefined;
}
const dirSyncs = new Map<string, DirSync>();

/**
 * An fsync of `dir` that starts after this call: renames into one directory at the same time
 * (a batch of state files) share one or two fsyncs instead of one each, each of which commits
 * the filesystem's journal and stalls every other writer on a busy disk.
 */
function syncDirShared(dir: string): Promise<void> {
  let entry = dirSyncs.get(dir);
  if (!entry) {
    entry = { running: undefined, next: undefined };
    dirSyncs.set(dir, entry);
  }
  const slot = entry;
  const start = (): Promise<void> =>
    syncDir(dir).finally(() => {
      slot.running = undefined;
      if (!slot.next) dirSyncs.delete(dir);
    });
  if (!slot.running) return (slot.running = start());
  // One is running, but it may have begun before our rename: wait for the one after it.
  slot.next ??= slot.running.catch(() => undefined).then(() => {
    slot.next = undefined;
    return (slot.running = start());
  });
  return slot.next;
}

export async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r').catch(() => undefined);
  if (!handle) return;
  try {
    await handle.sync();
  } catch {
    // Some filesystems refuse fsync on directories; the rename has happened either way.
  } finally {
    await handle.close();
  }
}

/** Replace a small file (JSON metadata) atomically. */
export async function writeFileAtomic(path: string, contents: string | Buffer, tempDir: string): Promise<void> {
  const temp = tempName(tempDir, 'meta');
  await writeNewFile(temp, Buffer.isBuffer(contents) ? contents : Buffer.from(contents, 'utf8'));
  await mkdir(dirname(path), { recursive: true });
  try {
    await commitRename(temp, path);
  } catch (err) {
    await unlink(temp).catch(() => {});
    throw err;
  }
}

export function isErrno(err: unknown, ...codes: string[]): boolean {
  return err instanceof Error && 'code' in err && typeof err.code === 'string' && codes.includes(err.code);
}

export async function fsyncFile(path: string): Promise<void> {
  const handle = await open(path, 'r+');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Remove a directory tree that holds only directories; fails (ENOTEMPTY) if a file is in it. */
export async function removeEmptyTree(dir: string): Promise<void> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) await removeEmptyTree(join(dir, entry.name));
  }
  await rmdir(dir);
}

/** Temporary files of processes that are gone (a crash mid-write) are removed on start. */
export async function removeAbandonedTemps(dir: string): Promise<void> {
  for (const entry of await readdir(dir).catch(() => [] as string[])) {
    const pid = Number(/^[a-z]+-(\d+)-/.exec(entry)?.[1]);
    if (!Number.isInteger(pid) || pid === process.pid || processAlive(pid)) continue;
    await unlink(join(dir, entry)).catch(() => {});
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return isErrno(err, 'EPERM');
  }
}
