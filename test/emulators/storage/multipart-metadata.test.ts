// The metadata part of a multipart upload is JSON from the caller like any body: a value nested
// thousands deep is a 400 with no object written, as for every other JSON body.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StorageEmulator } from '../../../emulators/storage/server.js';
import { startEmulator, storageClient, tempDir } from './support.js';

let dir: Awaited<ReturnType<typeof tempDir>>;
let emulator: StorageEmulator;

beforeAll(async () => {
  dir = await tempDir();
  emulator = await startEmulator(dir.path);
  await storageClient(emulator.url).createBucket('multipart-deep');
});

afterAll(async () => {
  await emulator?.close();
  await dir?.remove();
});

function multipart(metadata: string, content: string): { body: string; type: string } {
  const boundary = 'fuzz-boundary';
  const body = [
    `--${boundary}`, 'content-type: application/json; charset=UTF-8', '', metadata,
    `--${boundary}`, 'content-type: text/plain', '', content, `--${boundary}--`, '',
  ].join('\r\n');
  return { body, type: `multipart/related; boundary=${boundary}` };
}

describe('multipart upload metadata', () => {
  it('refuses metadata nested 10,000 deep with a 400 and writes no object', async () => {
    const depth = 10_000;
    const { body, type } = multipart(`{"name":"deep.txt","metadata":{"k":${'['.repeat(depth)}1${']'.repeat(depth)}}}`, 'hello');
    const res = await fetch(`${emulator.url}/upload/storage/v1/b/multipart-deep/o?uploadType=multipart`, {
      method: 'POST',
      headers: { 'content-type': type },
      body,
    });
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/too deep/);
    const [exists] = await storageClient(emulator.url).bucket('multipart-deep').file('deep.txt').exists();
    expect(exists).toBe(false);
  });

  it('still accepts ordinary metadata', async () => {
    const { body, type } = multipart('{"name":"plain.txt","metadata":{"k":"v"}}', 'hello');
    const res = await fetch(`${emulator.url}/upload/storage/v1/b/multipart-deep/o?uploadType=multipart`, {
      method: 'POST',
      headers: { 'content-type': type },
      body,
    });
    expect(res.status).toBe(200);
  });
});
