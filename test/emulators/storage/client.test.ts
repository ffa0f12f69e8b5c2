// The emulator through the official client, as the product calls it.
import type { Bucket, Storage } from '@google-cloud/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StorageEmulator } from '../../../emulators/storage/server.js';
import { expectApiError, patternBytes, startEmulator, storageClient, tempDir } from './support.js';

let dir: { path: string; remove: () => Promise<void> };
let emulator: StorageEmulator;
let storage: Storage;
let bucket: Bucket;

beforeAll(async () => {
  dir = await tempDir();
  emulator = await startEmulator(dir.path);
  storage = storageClient(emulator.url);
  [bucket] = await storage.createBucket('client-bucket', { location: 'us-central1', labels: { team: 'mlops' } });
});
afterAll(async () => {
  await emulator.close();
  await dir.remove();
});

describe('buckets', () => {
  it('creates, gets, lists, patches and deletes buckets', async () => {
    const [created] = await storage.createBucket('lifecycle-bucket', { storageClass: 'NEARLINE' });
    const [meta] = await created.getMetadata();
    expect(meta).toMatchObject({ kind: 'storage#bucket', name: 'lifecycle-bucket', id: 'lifecycle-bucket', storageClass: 'NEARLINE', location: 'US', metageneration: '1' });
    expect((await created.exists())[0]).toBe(true);

    const [buckets] = await storage.getBuckets();
    expect(buckets.map((b) => b.name)).toEqual(expect.arrayContaining(['client-bucket', 'lifecycle-bucket']));
    const [firstPage, , response] = await storage.getBuckets({ maxResults: 1, autoPaginate: false });
    expect(firstPage).toHaveLength(1);
    expect((response as { nextPageToken?: string }).nextPageToken).toBeTruthy();

    const [patched] = await created.setMetadata({ labels: { env: 'test' } });
    expect(patched).toMatchObject({ labels: { env: 'test' }, metageneration: '2' });

    await expectApiError(storage.createBucket('lifecycle-bucket'), 409, 'conflict');
    await created.file('keep.txt').save('x', { resumable: false });
    await expectApiError(created.delete(), 409);
    await created.file('keep.txt').delete();
    await created.delete();
    expect((await created.exists())[0]).toBe(false);
  });

  it('reports region and labels given at creation', async () => {
    const [meta] = await bucket.getMetadata();
    expect(meta).toMatchObject({ location: 'US-CENTRAL1', locationType: 'region', labels: { team: 'mlops' } });
  });

  it('answers 404 in Google’s error shape for a missing bucket', async () => {
    const err = await expectApiError(storage.bucket('no-such-bucket').getMetadata(), 404, 'notFound');
    expect(err.message).toMatch(/bucket does not exist/);
    await expectApiError(storage.bucket('no-such-bucket').file('x').save('x', { resumable: false }), 404);
  });

  it('validates bucket bodies strictly', async () => {
    const res = await fetch(`${emulator.url}/storage/v1/b?project=local-project`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'strict-bucket', locaton: 'EU' }),
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { code: number; message: string; status: string; errors: { reason: string; location?: string }[] } };
    expect(body.error).toMatchObject({ code: 400, status: 'INVALID_ARGUMENT', errors: [{ reason: 'invalid', location: 'locaton' }] });
    expect(body.error.message).toMatch(/Unknown name "locaton"/);
    const badName = await fetch(`${emulator.url}/storage/v1/b?project=local-project`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'Bad_Name' }) });
    expect(badName.status).toBe(400);
  });
});

describe('objects', () => {
  it('uploads resumable (default), multipart and simple media, with metadata', async () => {
    const file = bucket.file('uploads/resumable.txt');
    await file.save('resumable body', { metadata: { contentType: 'text/plain', metadata: { source: 'test' } } });
    const [meta] = await file.getMetadata();
    expect(meta).toMatchObject({ kind: 'storage#object', name: 'uploads/resumable.txt', bucket: 'client-bucket', size: '14', contentType: 'text/plain', metadata: { source: 'test' }, metageneration: '1' });
    expect(meta.id).toBe(`client-bucket/uploads/resumable.txt/${meta.generation}`);
    expect(meta.mediaLink).toContain('/download/storage/v1/b/client-bucket/o/uploads%2Fresumable.txt');

    await bucket.file('uploads/multipart.json').save(JSON.stringify({ a: 1 }), { resumable: false, contentType: 'application/json' });
    expect((await bucket.file('uploads/multipart.json').getMetadata())[0].contentType).toBe('application/json');

    const res = await fetch(`${emulator.url}/upload/storage/v1/b/client-bucket/o?uploadType=media&name=${encodeURIComponent('uploads/media.bin')}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-test' },
      body: patternBytes(100),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ name: 'uploads/media.bin', size: '100', contentType: 'application/x-test' });
  });

  it('downloads whole objects (validated by the client) and byte ranges', async () => {
    const data = patternBytes(70_000, 3);
    const file = bucket.file('downloads/data.bin');
    await file.save(data, { resumable: false });
    expect((await file.download())[0]).toEqual(data);
    expect((await file.download({ validation: 'md5' }))[0]).toEqual(data);
    expect((await file.download({ start: 100, end: 199 }))[0]).toEqual(data.subarray(100, 200));
    expect((await file.download({ start: 69_990 }))[0]).toEqual(data.subarray(69_990));

    const ranged = await fetch(`${emulator.url}/download/storage/v1/b/client-bucket/o/downloads%2Fdata.bin?alt=media`, { headers: { range: 'bytes=-10' } });
    expect(ranged.status).toBe(206);
    expect(ranged.headers.get('content-range')).toBe('bytes 69990-69999/70000');
    expect(ranged.headers.get('x-goog-hash')).toMatch(/^crc32c=.+,md5=.+$/);
    expect(ranged.headers.get('x-goog-generation')).toMatch(/^\d+$/);
    expect(Buffer.from(await ranged.arrayBuffer())).toEqual(data.subarray(69_990));
    const beyond = await fetch(`${emulator.url}/storage/v1/b/client-bucket/o/downloads%2Fdata.bin?alt=media`, { headers: { range: 'bytes=70000-' } });
    expect(beyond.status).toBe(416);
    expect(beyond.headers.get('content-range')).toBe('bytes */70000');
  });

  it('round-trips empty objects, unusual names and gzip-encoded objects', async () => {
    await bucket.file('edge/empty.txt').save('');
    expect((await bucket.file('edge/empty.txt').download())[0]).toHaveLength(0);

    const weird = 'edge/名前 #1 %20+?&=.txt';
    await bucket.file(weird).save('unusual', { resumable: false });
    expect((await bucket.file(weird).download())[0].toString()).toBe('unusual');
    expect((await bucket.getFiles({ prefix: 'edge/名' }))[0].map((f) => f.name)).toEqual([weird]);

    // gzip: stored compressed; served as stored to clients that accept gzip, else decompressed.
    const text = 'compress me '.repeat(500);
    await bucket.file('edge/text.txt').save(text, { gzip: true, contentType: 'text/plain' });
    const [meta] = await bucket.file('edge/text.txt').getMetadata();
    expect(meta.contentEncoding).toBe('gzip');
    expect(Number(meta.size)).toBeLessThan(text.length);
    expect((await bucket.file('edge/text.txt').download())[0].toString()).toBe(text);
    const plain = await fetch(`${emulator.url}/storage/v1/b/client-bucket/o/edge%2Ftext.txt?alt=media`, { headers: { 'accept-encoding': 'identity' } });
    expect(plain.headers.get('x-goog-stored-content-encoding')).toBe('gzip');
    expect(await plain.text()).toBe(text);
  });

  it('lists with prefix, delimiter and paging', async () => {
    for (const name of ['list/a.txt', 'list/b/1.txt', 'list/b/2.txt', 'list/c/3.txt', 'list/d.txt']) await bucket.file(name).save(name, { resumable: false });
    const [all] = await bucket.getFiles({ prefix: 'list/' });
    expect(all.map((f) => f.name)).toEqual(['list/a.txt', 'list/b/1.txt', 'list/b/2.txt', 'list/c/3.txt', 'list/d.txt']);

    const [files, , response] = await bucket.getFiles({ prefix: 'list/', delimiter: '/', autoPaginate: false });
    expect(files.map((f) => f.name)).toEqual(['list/a.txt', 'list/d.txt']);
    expect((response as { prefixes?: string[] }).prefixes).toEqual(['list/b/', 'list/c/']);

    const [paged] = await bucket.getFiles({ prefix: 'list/', maxResults: 2, autoPaginate: false });
    expect(paged.map((f) => f.name)).toEqual(['list/a.txt', 'list/b/1.txt']);
    const [everything] = await bucket.getFiles({ prefix: 'list/', maxResults: 2 }); // follows nextPageToken
    expect(everything).toHaveLength(2);
    const seen: string[] = [];
    let query: { prefix: string; maxResults: number; autoPaginate: false; pageToken?: string } | null = { prefix: 'list/', maxResults: 2, autoPaginate: false };
    while (query) {
      const [page, next] = await bucket.getFiles(query);
      seen.push(...page.map((f) => f.name));
      query = next as typeof query;
    }
    expect(seen).toEqual(all.map((f) => f.name));
  });

  it('patches metadata and bumps the metageneration, not the generation', async () => {
    const file = bucket.file('patch/me.txt');
    await file.save('x', { resumable: false, metadata: { metadata: { keep: '1', drop: '2' } } });
    const [before] = await file.getMetadata();
    const [after] = await file.setMetadata({ contentType: 'text/markdown', cacheControl: 'no-cache', metadata: { drop: null, added: '3' } });
    expect(after).toMatchObject({ contentType: 'text/markdown', cacheControl: 'no-cache', metadata: { keep: '1', added: '3' }, generation: before.generation, metageneration: '2' });
    expect(after.metadata).not.toHaveProperty('drop');
    const bad = await fetch(`${emulator.url}/storage/v1/b/client-bucket/o/patch%2Fme.txt`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ contentTyp: 'x' }) });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toMatch(/Unknown name "contentTyp"/);
  });

  it('copies (rewrite), composes and deletes', async () => {
    const source = bucket.file('copy/source.txt');
    await source.save('copy me', { resumable: false, contentType: 'text/plain' });
    const [copied] = await source.copy(bucket.file('copy/target.txt'));
    const [target] = await copied.getMetadata();
    expect(target).toMatchObject({ name: 'copy/target.txt', size: '7', contentType: 'text/plain' });
    expect((await copied.download())[0].toString()).toBe('copy me');

    const [, , otherBucket] = [null, null, (await storage.createBucket('copy-destination'))[0]];
    await source.copy(otherBucket.file('elsewhere.txt'));
    expect((await otherBucket.file('elsewhere.txt').download())[0].toString()).toBe('copy me');

    const rewrite = await fetch(`${emulator.url}/storage/v1/b/client-bucket/o/copy%2Fsource.txt/rewriteTo/b/client-bucket/o/copy%2Frewritten.txt`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(await rewrite.json()).toMatchObject({ kind: 'storage#rewriteResponse', done: true, totalBytesRewritten: '7', objectSize: '7', resource: { name: 'copy/rewritten.txt' } });

    await bucket.file('compose/1').save('one,', { resumable: false });
    await bucket.file('compose/2').save('two', { resumable: false });
    const [composed] = await bucket.combine(['compose/1', 'compose/2'], 'compose/all.txt');
    expect((await composed.download())[0].toString()).toBe('one,two');
    expect((await composed.getMetadata())[0]).toMatchObject({ componentCount: 2, contentType: 'text/plain' });

    await copied.delete();
    expect((await copied.exists())[0]).toBe(false);
    await expectApiError(copied.delete(), 404, 'notFound');
  });

  it('tracks generations and enforces preconditions with 412', async () => {
    const file = bucket.file('pre/obj.txt');
    await file.save('v1', { resumable: false, preconditionOpts: { ifGenerationMatch: 0 } });
    const [v1] = await file.getMetadata();
    await expectApiError(file.save('again', { resumable: false, preconditionOpts: { ifGenerationMatch: 0 } }), 412, 'conditionNotMet');
    await expectApiError(file.save('again', { preconditionOpts: { ifGenerationMatch: 0 } }), 412); // resumable
    await expectApiError(file.save('v2', { resumable: false, preconditionOpts: { ifGenerationMatch: Number(v1.generation) + 1 } }), 412);
    await file.save('v2', { resumable: false, preconditionOpts: { ifGenerationMatch: Number(v1.generation) } });
    const [v2] = await file.getMetadata();
    expect(BigInt(v2.generation!)).toBeGreaterThan(BigInt(v1.generation!));
    expect(v2.metageneration).toBe('1');

    await expectApiError(file.setMetadata({ metadata: { a: 'b' } }, { ifMetagenerationMatch: 7 }), 412, 'conditionNotMet');
    await file.setMetadata({ metadata: { a: 'b' } }, { ifMetagenerationMatch: 1 });
    await expectApiError(file.delete({ ifGenerationMatch: Number(v1.generation) }), 412);

    // An old generation is gone (no object versioning); the live one is readable by number.
    await expectApiError(bucket.file('pre/obj.txt', { generation: Number(v1.generation) }).download(), 404);
    expect((await bucket.file('pre/obj.txt', { generation: Number(v2.generation) }).download())[0].toString()).toBe('v2');
  });

  it('answers 404 in Google’s error shape for a missing object', async () => {
    const err = await expectApiError(bucket.file('missing/object.txt').getMetadata(), 404, 'notFound');
    expect(err.message).toBe('No such object: client-bucket/missing/object.txt');
    await expectApiError(bucket.file('missing/object.txt').download(), 404);
    const res = await fetch(`${emulator.url}/storage/v1/b/client-bucket/o/missing%2Fobject.txt`);
    expect(await res.json()).toEqual({
      error: { code: 404, message: 'No such object: client-bucket/missing/object.txt', status: 'NOT_FOUND', errors: [{ message: 'No such object: client-bucket/missing/object.txt', domain: 'global', reason: 'notFound' }] },
    });
  });
});
