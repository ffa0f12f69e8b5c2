// Object reads survive injected 429/503 answers: the official client (8.4, Node 24) crashes the
// process on a retried media download, so reads go through google-clients/download-object.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { FaultInjector } from '../../../emulators/kit/faults.js';
import type { StorageEmulator } from '../../../emulators/storage/server.js';
import { downloadObject, mediaReadClient } from '../../../google-clients/download-object.js';
import { startEmulator, storageClient, tempDir } from './support.js';

let dir: Awaited<ReturnType<typeof tempDir>>;
let emulator: StorageEmulator;
const faults = new FaultInjector();
beforeAll(async () => {
  dir = await tempDir();
  emulator = await startEmulator(join(dir.path, 'data'), faults);
  const storage = storageClient(emulator.url);
  await storage.createBucket('fault-bucket');
  await storage.bucket('fault-bucket').file('model/weights.bin').save(Buffer.from('weights v1'), { resumable: false });
});
afterAll(async () => {
  await emulator.close();
  await dir.remove();
});

const ce = () => ({ projectId: 'local-project', env: { STORAGE_EMULATOR_HOST: emulator.url } });

describe('downloadObject', () => {
  it('completes after one injected 503 and one injected 429 on the media GET', async () => {
    const put = await fetch(`${emulator.url}/_emulator/faults`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([
        { path: '/o/', fault: 503, count: 1 },
        { path: '/o/', fault: 429, count: 1 },
      ]),
    });
    expect(put.status).toBe(200);
    const bytes = await downloadObject('fault-bucket', 'model/weights.bin', { ce: ce(), baseDelayMs: 10 });
    expect(bytes.toString()).toBe('weights v1');
    expect(faults.list().map((r) => r.count)).toEqual([0, 0]); // both faults fired
  });

  it('fails with a catchable error when the faults outlast the tries', async () => {
    faults.configure([{ path: '/o/', fault: 503, count: 5 }]);
    const err = await downloadObject('fault-bucket', 'model/weights.bin', { storage: mediaReadClient(ce()), attempts: 2, baseDelayMs: 10 }).catch((e: unknown) => e);
    expect((err as { code?: unknown }).code).toBe(503);
    faults.clear();
  });

  it('does not retry what cannot succeed (404)', async () => {
    const err = await downloadObject('fault-bucket', 'missing.bin', { ce: ce(), baseDelayMs: 10 }).catch((e: unknown) => e);
    expect((err as { code?: unknown }).code).toBe(404);
  });
});
