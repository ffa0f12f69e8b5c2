// Reading and writing the JSON sidecars that hold metadata next to (never among) object files.
import { readFile, unlink } from 'node:fs/promises';
import type { z } from 'zod';
import { isErrno, writeFileAtomic } from '../kit/fs-atomic.js';

/** The parsed sidecar, or undefined when it is missing or unreadable (metadata is then derived again). */
export async function readSidecar<S extends z.ZodType>(path: string, schema: S): Promise<z.infer<S> | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if (isErrno(err, 'ENOENT', 'ENOTDIR', 'EISDIR')) return undefined;
    throw err;
  }
  try {
    const parsed = schema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

export async function writeSidecar(path: string, value: unknown, tempDir: string): Promise<void> {
  await writeFileAtomic(path, `${JSON.stringify(value)}\n`, tempDir);
}

export async function removeSidecar(path: string): Promise<void> {
  await unlink(path).catch((err: unknown) => {
    if (!isErrno(err, 'ENOENT', 'ENOTDIR')) throw err;
  });
}
