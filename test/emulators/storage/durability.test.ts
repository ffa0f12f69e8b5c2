// The data directory as the source of truth (direct writes, restarts), path safety over HTTP,
// retries of injected faults, and STORAGE_EMULATOR_HOST.
import { Storage } from '@google-cloud/storage';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FaultInjector } from '../../../emulators/kit/faults.js';
import { crc32cBase64 } from '../../../emulators/storage/crc32c.js';
import type { StorageEmulator } from '../../../emulators/storage/server.js';
import { downloadFile, expectApiError, patternBytes, PROJECT, startEmulator, storageClient, tempDir } from './support.js';

let dir: { path: string; remove: () => Promise<void> };
let emulator: StorageEmulator;
const faults = new FaultInjector();

beforeAll(async () => {
  dir = await tempDir('gcs-durability-');
  emulator = await startEmulator(join(dir.path, 'data'), faults);
  await storageClient(emulator.url).createBucket('durable-bucket');
});
afterAll(async () => {
  await emulator.close();
  await dir.remove();
});

describe('files written directly into the data directory', () => {
  it('are listed and downloadable with correct checksums, validated by the client', async () => {
    const data = patternBytes(123_456, 42);
    const target = join(dir.path, 'data', 'durable-bucket', 'vertex', 'outputs', 'model.pkl');
    await mkdir(join(target, '..'), { recursive: true });
    await writeFile(target, data);

    const bucket = storageClient(emulator.url).bucket('durable-bucket');
    const [files] = await bucket.getFiles({ prefix: 'vertex/' });
    expect(files.map((f) => f.name)).toEqual(['vertex/outputs/model.pkl']);
    const [meta] = await bucket.file('vertex/outputs/model.pkl').getMetadata();
    expect(meta.md5Hash).toBe(createHash('md5').update(data).digest('base64'));
    expect(meta.crc32c).toBe(crc32cBase64(data));
    expect(await downloadFile(bucket.file('vertex/outputs/model.pkl'))).toEqual(data); // crc32c validation
    expect(await downloadFile(bucket.file('vertex/outputs/model.pkl'), { validation: 'md5' })).toEqual(data);
    expect(emulator.store.filePath('durable-bucket', 'vertex/outputs/model.pkl')).toBe(target);
  });
});

describe('restart', () => {
  it('keeps buckets, objects, generations and metadata across a restart on the same directory', async () => {
    const client = storageClient(emulator.url);
    const file = client.bucket('durable-bucket').file('restart/keep.json');
    await file.save('{"kept":true}', { resumable: false, contentType: 'application/json', metadata: { metadata: { run: '7' } } });
    await file.setMetadata({ cacheControl: 'no-store' });
    const [before] = await file.getMetadata();

    await emulator.close();
    emulator = await startEmulator(join(dir.path, 'data'), faults);

    const after = storageClient(emulator.url).bucket('durable-bucket').file('restart/keep.json');
    const [meta] = await after.getMetadata();
    expect(meta).toMatchObject({ generation: before.generation, metageneration: '2', contentType: 'application/json', cacheControl: 'no-store', metadata: { run: '7' } });
    expect((await after.download())[0].toString()).toBe('{"kept":true}');
    expect(await readdir(join(dir.path, 'data', '.staging'))).toEqual([]);
  });
});

describe('path safety over HTTP', () => {
  it('rejects object names that would escape the bucket directory', async () => {
    const client = storageClient(emulator.url);
    for (const name of ['../escaped.txt', 'a/../../escaped.txt', '/abs.txt', 'a/./b.txt']) {
      const err = await expectApiError(client.bucket('durable-bucket').file(name).save('x', { resumable: false }), 400, 'invalid');
      expect(err.message).toMatch(/Invalid object name/);
    }
    const traversal = await fetch(`${emulator.url}/storage/v1/b/durable-bucket/o/..%2F..%2Fetc%2Fpasswd?alt=media`);
    expect(traversal.status).toBe(400);
    expect(existsSync(join(dir.path, 'escaped.txt'))).toBe(false);
    expect(existsSync(join(dir.path, 'data', 'escaped.txt'))).toBe(false);
  });
});

describe('faults', () => {
  it('an injected 503 on an upload is retried by the client and the upload succeeds', async () => {
    const put = await fetch(`${emulator.url}/_emulator/faults`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([{ service: 'storage', method: 'POST', path: '^/upload/storage/v1/b/durable-bucket/o$', fault: 503, count: 1 }]),
    });
    expect(put.status).toBe(200);
    const bucket = storageClient(emulator.url, { retryAlways: true }).bucket('durable-bucket');
    await bucket.file('faults/upload.txt').save('survived', { resumable: false });
    expect(faults.list()).toEqual([expect.objectContaining({ count: 0 })]); // the fault fired
    expect((await bucket.file('faults/upload.txt').download())[0].toString()).toBe('survived');
    faults.clear();
  });

  it('an injected 503 on a metadata read is retried (reads are idempotent)', async () => {
    faults.add({ method: 'GET', path: '^/storage/v1/b/durable-bucket/o/faults%2Fupload\\.txt$', fault: 503, count: 1 });
    const [meta] = await storageClient(emulator.url).bucket('durable-bucket').file('faults/upload.txt').getMetadata();
    expect(meta.name).toBe('faults/upload.txt');
    expect(faults.list()[0]?.count).toBe(0);
    faults.clear();
  });
});

describe('STORAGE_EMULATOR_HOST', () => {
  it('is honoured by the client, which then calls the /b/... paths', async () => {
    const previous = process.env.STORAGE_EMULATOR_HOST;
    process.env.STORAGE_EMULATOR_HOST = emulator.url;
    try {
      const storage = new Storage({ projectId: PROJECT });
      const [bucket] = await storage.createBucket('env-bucket');
      await bucket.file('env/one.txt').save('via env');
      await bucket.file('env/two.txt').save('via env, multipart', { resumable: false });
      const [files] = await bucket.getFiles({ prefix: 'env/' });
      expect(files.map((f) => f.name)).toEqual(['env/one.txt', 'env/two.txt']);
      expect((await bucket.file('env/one.txt').download())[0].toString()).toBe('via env');
    } finally {
      if (previous === undefined) delete process.env.STORAGE_EMULATOR_HOST;
      else process.env.STORAGE_EMULATOR_HOST = previous;
    }
  });
});
