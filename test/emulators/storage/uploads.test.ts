// Resumable uploads: the client's chunked mode, and the protocol itself (308 + Range, status
// queries, 256 KiB granularity, cancel, checksums, surviving a restart).
import type { Bucket, Storage } from '@google-cloud/storage';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crc32cBase64 } from '../../../emulators/storage/crc32c.js';
import type { StorageEmulator } from '../../../emulators/storage/server.js';
import { downloadFile, patternBytes, startEmulator, storageClient, tempDir } from './support.js';

const KIB256 = 256 * 1024;
let dir: { path: string; remove: () => Promise<void> };
let emulator: StorageEmulator;
let storage: Storage;
let bucket: Bucket;

beforeAll(async () => {
  dir = await tempDir('gcs-uploads-');
  emulator = await startEmulator(dir.path);
  storage = storageClient(emulator.url);
  [bucket] = await storage.createBucket('upload-bucket');
});
afterAll(async () => {
  await emulator.close();
  await dir.remove();
});

async function startSession(url: string, name: string, headers: Record<string, string> = {}): Promise<string> {
  const res = await fetch(`${url}/upload/storage/v1/b/upload-bucket/o?uploadType=resumable&name=${encodeURIComponent(name)}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ contentType: 'application/octet-stream', metadata: { via: 'raw' } }),
  });
  expect(res.status).toBe(200);
  const location = res.headers.get('location');
  expect(location).toContain('upload_id=');
  return location!;
}

function put(location: string, contentRange: string, body?: Buffer, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(location, { method: 'PUT', headers: { 'content-range': contentRange, ...headers }, ...(body ? { body } : {}) });
}

describe('resumable uploads through the client', () => {
  it('uploads in several chunks with a small chunkSize', async () => {
    const data = patternBytes(3 * KIB256 + 12_345, 11);
    const file = bucket.file('chunked/model.bin');
    await file.save(data, { resumable: true, chunkSize: KIB256, metadata: { contentType: 'application/octet-stream' } });
    const [meta] = await file.getMetadata();
    expect(meta.size).toBe(String(data.length));
    expect(meta.md5Hash).toBe(createHash('md5').update(data).digest('base64'));
    expect(meta.crc32c).toBe(crc32cBase64(data));
    expect(await downloadFile(file)).toEqual(data);
  });

  it('streams data of unknown length through createWriteStream', async () => {
    const data = patternBytes(600_000, 5);
    const file = bucket.file('streamed/data.bin');
    const source = Readable.from((function* () {
      for (let i = 0; i < data.length; i += 50_000) yield data.subarray(i, i + 50_000);
    })());
    await pipeline(source, file.createWriteStream({ resumable: true }));
    expect(await downloadFile(file)).toEqual(data);
  });
});

describe('the resumable protocol', () => {
  it('answers 308 with the persisted Range, keeps whole 256 KiB chunks, and finishes with the object', async () => {
    const data = patternBytes(300_000, 21);
    const location = await startSession(emulator.url, 'raw/protocol.bin');

    const status0 = await put(location, 'bytes */*');
    expect(status0.status).toBe(308);
    expect(status0.headers.get('range')).toBeNull();

    const first = await put(location, `bytes 0-${KIB256 - 1}/*`, data.subarray(0, KIB256));
    expect(first.status).toBe(308);
    expect(first.headers.get('range')).toBe(`bytes=0-${KIB256 - 1}`);

    // A non-final chunk that is not a multiple of 256 KiB: only whole chunks are kept.
    const partial = await put(location, `bytes ${KIB256}-${KIB256 + 99}/*`, data.subarray(KIB256, KIB256 + 100));
    expect(partial.status).toBe(308);
    expect(partial.headers.get('range')).toBe(`bytes=0-${KIB256 - 1}`);

    const gap = await put(location, `bytes ${KIB256 + 10}-${KIB256 + 19}/*`, data.subarray(KIB256 + 10, KIB256 + 20));
    expect(gap.status).toBe(400);

    const last = await put(location, `bytes ${KIB256}-${data.length - 1}/${data.length}`, data.subarray(KIB256));
    expect(last.status).toBe(200);
    const resource = (await last.json()) as Record<string, unknown>;
    expect(resource).toMatchObject({ kind: 'storage#object', name: 'raw/protocol.bin', size: String(data.length), crc32c: crc32cBase64(data), metadata: { via: 'raw' } });

    // A repeated final request (a retry) gets the same object again.
    const again = await put(location, `bytes */${data.length}`);
    expect(again.status).toBe(200);
    expect(((await again.json()) as { generation: string }).generation).toBe(resource.generation);
    expect(await downloadFile(bucket.file('raw/protocol.bin'))).toEqual(data);
  });

  it('accepts resent bytes that overlap what it already holds', async () => {
    const data = patternBytes(KIB256 + 500, 4);
    const location = await startSession(emulator.url, 'raw/overlap.bin');
    expect((await put(location, `bytes 0-${KIB256 - 1}/*`, data.subarray(0, KIB256))).status).toBe(308);
    const final = await put(location, `bytes 1000-${data.length - 1}/${data.length}`, data.subarray(1000));
    expect(final.status).toBe(200);
    expect(await downloadFile(bucket.file('raw/overlap.bin'))).toEqual(data);
  });

  it('refuses a final chunk whose x-goog-hash does not match, storing nothing', async () => {
    const location = await startSession(emulator.url, 'raw/bad-hash.bin');
    const res = await put(location, 'bytes 0-4/5', Buffer.from('hello'), { 'x-goog-hash': 'crc32c=AAAAAA==' });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/CRC32C/);
    expect((await bucket.file('raw/bad-hash.bin').exists())[0]).toBe(false);
  });

  it('cancels a session with DELETE (499), after which it is gone', async () => {
    const location = await startSession(emulator.url, 'raw/cancelled.bin');
    expect((await fetch(location, { method: 'DELETE' })).status).toBe(499);
    expect((await put(location, 'bytes */*')).status).toBe(404);
  });

  it('resumes a session after the emulator restarts on the same data directory', async () => {
    const data = patternBytes(KIB256 + 777, 8);
    const location = await startSession(emulator.url, 'raw/restart.bin');
    expect((await put(location, `bytes 0-${KIB256 - 1}/*`, data.subarray(0, KIB256))).status).toBe(308);
    await emulator.close();
    emulator = await startEmulator(dir.path);
    storage = storageClient(emulator.url);
    bucket = storage.bucket('upload-bucket');
    const moved = location.replace(/^http:\/\/[^/]+/, emulator.url);
    const status = await put(moved, 'bytes */*');
    expect(status.status).toBe(308);
    expect(status.headers.get('range')).toBe(`bytes=0-${KIB256 - 1}`);
    expect((await put(moved, `bytes ${KIB256}-${data.length - 1}/${data.length}`, data.subarray(KIB256))).status).toBe(200);
    expect(await downloadFile(bucket.file('raw/restart.bin'))).toEqual(data);
  });

  it('checks multipart checksums sent in the metadata', async () => {
    const boundary = 'test-boundary';
    const body = Buffer.concat([
      Buffer.from(`--${boundary}\r\nContent-Type: application/json\r\n\r\n${JSON.stringify({ name: 'raw/multipart.txt', md5Hash: 'AAAAAAAAAAAAAAAAAAAAAA==' })}\r\n`),
      Buffer.from(`--${boundary}\r\nContent-Type: text/plain\r\n\r\nhello\r\n--${boundary}--`),
    ]);
    const res = await fetch(`${emulator.url}/upload/storage/v1/b/upload-bucket/o?uploadType=multipart`, {
      method: 'POST',
      headers: { 'content-type': `multipart/related; boundary=${boundary}` },
      body,
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/MD5/);
  });
});
