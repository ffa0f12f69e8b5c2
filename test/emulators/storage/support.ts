// Shared set-up for the storage emulator tests: a temp data directory, the emulator, and the
// official client pointed at it the way the product points it (apiEndpoint, no credentials).
import type { CreateReadStreamOptions, File } from '@google-cloud/storage';
import { IdempotencyStrategy, Storage } from '@google-cloud/storage';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { FaultInjector } from '../../../emulators/kit/faults.js';
import type { StorageEmulator } from '../../../emulators/storage/server.js';
import { startStorageEmulator } from '../../../emulators/storage/server.js';
import { downloadObject } from '../../../google-clients/download-object.js';

// Off-cloud: never probe the metadata server for credentials or a project.
process.env.METADATA_SERVER_DETECTION = 'none';

export const PROJECT = 'local-project';

export async function tempDir(prefix = 'gcs-emulator-'): Promise<{ path: string; remove: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

export async function startEmulator(dataDir: string, faults?: FaultInjector): Promise<StorageEmulator> {
  return startStorageEmulator({ dataDir, ...(faults ? { faults } : {}) });
}

/**
 * The client as the product builds it: a custom endpoint (so no credentials are looked up),
 * quick retries so fault tests stay fast.
 */
export function storageClient(url: string, options: { retryAlways?: boolean } = {}): Storage {
  return new Storage({
    apiEndpoint: url,
    projectId: PROJECT,
    retryOptions: {
      autoRetry: true,
      maxRetries: 3,
      retryDelayMultiplier: 1.1,
      maxRetryDelay: 1, // seconds; async-retry refuses less than its 1 s minimum
      totalTimeout: 20,
      ...(options.retryAlways ? { idempotencyStrategy: IdempotencyStrategy.RetryAlways } : {}),
    },
  });
}

/** The object's bytes through the product's reader (file.download() warns on bodies over 64 KiB). */
export function downloadFile(file: File, readOptions?: CreateReadStreamOptions): Promise<Buffer> {
  return downloadObject(file.bucket.name, file.name, { storage: file.storage, ...(readOptions ? { readOptions } : {}) });
}

/** The promise rejects with the client's ApiError carrying this HTTP code (and reason). */
export async function expectApiError(promise: Promise<unknown>, code: number, reason?: string): Promise<Error> {
  let caught: unknown;
  try {
    await promise;
  } catch (err) {
    caught = err;
  }
  expect(caught, `expected an error with code ${code}`).toBeInstanceOf(Error);
  const err = caught as Error & { code?: unknown; errors?: { reason?: string }[] };
  expect(err.code).toBe(code);
  if (reason !== undefined) expect(err.errors?.[0]?.reason).toBe(reason);
  return err;
}

/** Deterministic bytes that are not all alike (so offsets and checksums mean something). */
export function patternBytes(size: number, seed = 1): Buffer {
  const out = Buffer.alloc(size);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < size; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}
