// Values outside the JSON API's closed sets (storage classes, predefined ACLs, projections) are
// refused the way Cloud Storage refuses them (400, errors[].reason "invalid") and nothing is written.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Storage } from '@google-cloud/storage';
import { join } from 'node:path';
import type { StorageEmulator } from '../../../emulators/storage/server.js';
import { expectApiError, startEmulator, storageClient, tempDir } from './support.js';

let dir: Awaited<ReturnType<typeof tempDir>>;
let emulator: StorageEmulator;
let storage: Storage;
beforeAll(async () => {
  dir = await tempDir();
  emulator = await startEmulator(join(dir.path, 'data'));
  storage = storageClient(emulator.url);
  await storage.createBucket('enum-bucket');
});
afterAll(async () => {
  await emulator.close();
  await dir.remove();
});

describe('storage classes', () => {
  it('refuses PLATINUM for a bucket and creates nothing', async () => {
    const err = await expectApiError(storage.createBucket('platinum-bucket', { storageClass: 'PLATINUM' }), 400, 'invalid');
    expect(err.message).toMatch(/storageClass/);
    expect((await storage.bucket('platinum-bucket').exists())[0]).toBe(false);
  });

  it('refuses PLATINUM for an object and writes nothing', async () => {
    const file = storage.bucket('enum-bucket').file('platinum.txt');
    await expectApiError(file.save('x', { resumable: false, metadata: { storageClass: 'PLATINUM' } }), 400, 'invalid');
    expect((await file.exists())[0]).toBe(false);
  });

  it('accepts the documented classes, legacy ones included, in any case', async () => {
    const [bucket] = await storage.createBucket('nearline-bucket', { storageClass: 'nearline' });
    expect(bucket.metadata.storageClass).toBe('NEARLINE');
    const file = storage.bucket('enum-bucket').file('legacy.txt');
    await file.save('x', { resumable: false, metadata: { storageClass: 'DURABLE_REDUCED_AVAILABILITY' } });
    expect((await file.getMetadata())[0].storageClass).toBe('DURABLE_REDUCED_AVAILABILITY');
  });
});

describe('predefined ACLs and projections', () => {
  it('refuses an unknown predefinedAcl on a bucket and creates nothing', async () => {
    await expectApiError(storage.createBucket('acl-bucket', { predefinedAcl: 'everyone' as 'private' }), 400, 'invalid');
    expect((await storage.bucket('acl-bucket').exists())[0]).toBe(false);
  });

  it('refuses an unknown predefinedDefaultObjectAcl', async () => {
    await expectApiError(storage.createBucket('default-acl-bucket', { predefinedDefaultObjectAcl: 'publicReadWrite' as 'private' }), 400, 'invalid');
    expect((await storage.bucket('default-acl-bucket').exists())[0]).toBe(false);
  });

  it('refuses a bucket-only ACL on an object upload and writes nothing', async () => {
    const file = storage.bucket('enum-bucket').file('acl.txt');
    const err = await expectApiError(file.save('x', { resumable: false, predefinedAcl: 'publicReadWrite' as 'private' }), 400, 'invalid');
    expect(err.message).toMatch(/predefinedAcl/);
    expect((await file.exists())[0]).toBe(false);
    await file.save('x', { resumable: false, predefinedAcl: 'bucketOwnerRead' });
    expect((await file.exists())[0]).toBe(true);
  });

  it('refuses an unknown projection on listings', async () => {
    await expectApiError(storage.bucket('enum-bucket').getFiles({ projection: 'everything' } as unknown as { prefix: string }), 400, 'invalid');
    const [files] = await storage.bucket('enum-bucket').getFiles({ projection: 'noAcl' } as unknown as { prefix: string });
    expect(files.length).toBeGreaterThan(0);
  });
});
