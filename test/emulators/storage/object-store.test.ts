// The ObjectStore API that other emulators import (BigQuery loads, Vertex /gcs/ paths).
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GoogleApiError } from '../../../emulators/kit/google-error.js';
import { crc32cBase64 } from '../../../emulators/storage/crc32c.js';
import { ObjectStore } from '../../../emulators/storage/object-store.js';
import { patternBytes, tempDir } from './support.js';

let dir: { path: string; remove: () => Promise<void> };
let store: ObjectStore;

beforeAll(async () => {
  dir = await tempDir('object-store-');
  store = new ObjectStore(dir.path);
  await store.createBucket('store-bucket');
});
afterAll(async () => dir.remove());

async function apiError(promise: Promise<unknown>): Promise<GoogleApiError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof GoogleApiError) return err;
    throw err;
  }
  throw new Error('expected a GoogleApiError');
}

async function readAll(stream: AsyncIterable<unknown>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

const md5 = (data: Buffer) => createHash('md5').update(data).digest('base64');

describe('ObjectStore', () => {
  it('stores objects as plain files with metadata beside them, never among them', async () => {
    const data = Buffer.from('{"x":1}\n');
    const meta = await store.writeObject('store-bucket', 'nested/dir/data.json', data, { contentType: 'application/json', metadata: { k: 'v' } });
    const file = store.filePath('store-bucket', 'nested/dir/data.json');
    expect(file).toBe(join(dir.path, 'store-bucket', 'nested', 'dir', 'data.json'));
    expect(await readFile(file)).toEqual(data);
    expect(meta).toMatchObject({ bucket: 'store-bucket', name: 'nested/dir/data.json', size: String(data.length), md5Hash: md5(data), crc32c: crc32cBase64(data), metageneration: '1', contentType: 'application/json', metadata: { k: 'v' } });
    expect(await readdir(join(dir.path, 'store-bucket', 'nested', 'dir'))).toEqual(['data.json']);
    expect(await readdir(join(dir.path, '.staging'))).toEqual([]); // no temporary file left over
  });

  it('reads whole objects and inclusive byte ranges', async () => {
    const data = patternBytes(1000);
    await store.writeObject('store-bucket', 'range.bin', data);
    expect(await readAll((await store.readObject('store-bucket', 'range.bin')).stream)).toEqual(data);
    expect(await readAll((await store.readObject('store-bucket', 'range.bin', { start: 10, end: 19 })).stream)).toEqual(data.subarray(10, 20));
    expect((await apiError(store.readObject('store-bucket', 'range.bin', { start: 1000 }))).code).toBe(416);
  });

  it('sees files written straight into the data directory, and re-derives changed ones', async () => {
    const file = join(dir.path, 'store-bucket', 'direct', 'model.csv');
    await mkdir(join(file, '..'), { recursive: true });
    await writeFile(file, 'a,b\n1,2\n');
    const first = await store.statObject('store-bucket', 'direct/model.csv');
    expect(first).toMatchObject({ contentType: 'text/csv', size: '8', md5Hash: md5(Buffer.from('a,b\n1,2\n')), crc32c: crc32cBase64(Buffer.from('a,b\n1,2\n')) });
    expect(await store.statObject('store-bucket', 'direct/model.csv')).toEqual(first); // stable while unchanged
    await writeFile(file, 'a,b\n1,2\n3,4\n');
    const second = await store.statObject('store-bucket', 'direct/model.csv');
    expect(BigInt(second.generation)).toBeGreaterThan(BigInt(first.generation));
    expect(second.size).toBe('12');
  });

  it('gives every write a higher generation and checks preconditions', async () => {
    const a = await store.writeObject('store-bucket', 'gen.txt', Buffer.from('1'), { preconditions: { ifGenerationMatch: 0 } });
    const b = await store.writeObject('store-bucket', 'gen.txt', Buffer.from('2'), { preconditions: { ifGenerationMatch: a.generation } });
    expect(BigInt(b.generation)).toBeGreaterThan(BigInt(a.generation));
    expect((await apiError(store.writeObject('store-bucket', 'gen.txt', Buffer.from('3'), { preconditions: { ifGenerationMatch: 0 } }))).code).toBe(412);
    expect((await apiError(store.writeObject('store-bucket', 'gen.txt', Buffer.from('3'), { preconditions: { ifGenerationMatch: a.generation } }))).code).toBe(412);
    const patched = await store.patchObject('store-bucket', 'gen.txt', { metadata: { x: '1' } }, { ifMetagenerationMatch: 1 });
    expect(patched.metageneration).toBe('2');
    expect(patched.generation).toBe(b.generation);
    expect((await apiError(store.patchObject('store-bucket', 'gen.txt', { metadata: { x: '2' } }, { ifMetagenerationMatch: 1 }))).code).toBe(412);
    expect((await store.readObject('store-bucket', 'gen.txt', { generation: b.generation })).metadata.generation).toBe(b.generation);
    expect((await apiError(store.statObject('store-bucket', 'gen.txt', { generation: a.generation }))).code).toBe(404);
  });

  it('lets exactly one of many concurrent "create if absent" writers win', async () => {
    const results = await Promise.allSettled(
      Array.from({ length: 12 }, (_, i) => store.writeObject('store-bucket', 'race.txt', Buffer.from(`writer ${i}`), { preconditions: { ifGenerationMatch: 0 } })),
    );
    const won = results.filter((r) => r.status === 'fulfilled');
    expect(won).toHaveLength(1);
    for (const r of results) if (r.status === 'rejected') expect((r.reason as GoogleApiError).code).toBe(412);
    const { stream, metadata } = await store.readObject('store-bucket', 'race.txt');
    expect(metadata.generation).toBe(won[0]!.value.generation);
    expect((await readAll(stream)).toString()).toMatch(/^writer \d+$/);
  });

  it("refuses an object 'a/b' while 'a' exists (and the reverse) with a 409 that says why", async () => {
    await store.writeObject('store-bucket', 'clash', Buffer.from('file'));
    const down = await apiError(store.writeObject('store-bucket', 'clash/child', Buffer.from('x')));
    expect(down.code).toBe(409);
    expect(down.message).toMatch(/object 'clash' exists/);
    await store.writeObject('store-bucket', 'tree/leaf', Buffer.from('x'));
    const up = await apiError(store.writeObject('store-bucket', 'tree', Buffer.from('x')));
    expect(up.code).toBe(409);
    expect(up.message).toMatch(/'tree\/\.\.\.' exist/);
    // Once the object under it is gone, the name is free again.
    await store.deleteObject('store-bucket', 'tree/leaf');
    await store.writeObject('store-bucket', 'tree', Buffer.from('now a file'));
  });

  it('keeps folder placeholders (names ending in /) as directories', async () => {
    const folder = await store.writeObject('store-bucket', 'placeholder/', Buffer.alloc(0));
    expect(folder.size).toBe('0');
    await store.writeObject('store-bucket', 'placeholder/inside.txt', Buffer.from('x'));
    const listed = await store.listObjects('store-bucket', { prefix: 'placeholder/' });
    expect(listed.items.map((i) => i.name)).toEqual(['placeholder/', 'placeholder/inside.txt']);
    expect((await apiError(store.writeObject('store-bucket', 'nonempty/', Buffer.from('x')))).code).toBe(400);
  });

  it('rejects names that would leave the bucket directory', async () => {
    for (const name of ['../escape', 'a/../../escape', '/etc/passwd', 'a/./b', 'nul\0']) {
      expect((await apiError(store.writeObject('store-bucket', name, Buffer.from('x')))).code).toBe(400);
    }
    expect(() => store.filePath('store-bucket', '../../x')).toThrow(GoogleApiError);
  });

  it('does not follow symbolic links out of the bucket', async () => {
    const outside = join(dir.path, 'outside.txt');
    await writeFile(outside, 'secret');
    await symlink(outside, join(dir.path, 'store-bucket', 'link.txt'));
    expect((await apiError(store.statObject('store-bucket', 'link.txt'))).code).toBe(404);
    const names = (await store.listObjects('store-bucket')).items.map((i) => i.name);
    expect(names).not.toContain('link.txt');
  });

  it('imports finished files, copies and composes', async () => {
    const local = join(dir.path, 'local-upload.bin');
    const data = patternBytes(3000, 9);
    await writeFile(local, data);
    const imported = await store.importFile('store-bucket', 'imported/file.bin', local, { contentType: 'application/octet-stream' });
    expect(imported).toMatchObject({ size: '3000', md5Hash: md5(data), crc32c: crc32cBase64(data) });
    await expect(readFile(local)).rejects.toThrow(); // moved, not copied

    const copied = await store.copyObject({ bucket: 'store-bucket', name: 'imported/file.bin' }, { bucket: 'store-bucket', name: 'copy.bin' }, { fields: { metadata: { copied: 'yes' } } });
    expect(copied).toMatchObject({ md5Hash: imported.md5Hash, metadata: { copied: 'yes' } });

    const composed = await store.composeObjects('store-bucket', [{ name: 'copy.bin' }, { name: 'imported/file.bin' }], 'composed.bin');
    const both = Buffer.concat([data, data]);
    expect(composed).toMatchObject({ size: '6000', crc32c: crc32cBase64(both), componentCount: 2 });
  });

  it('lists in name order with prefixes, offsets, globs and pages', async () => {
    await store.createBucket('list-bucket');
    const names = ['a.txt', 'b/1.csv', 'b/2.csv', 'b/sub/3.csv', 'c/x.txt', 'd.txt'];
    for (const name of names) await store.writeObject('list-bucket', name, Buffer.from(name));
    expect((await store.listObjects('list-bucket')).items.map((i) => i.name)).toEqual(names);
    const top = await store.listObjects('list-bucket', { delimiter: '/' });
    expect(top.items.map((i) => i.name)).toEqual(['a.txt', 'd.txt']);
    expect(top.prefixes).toEqual(['b/', 'c/']);
    expect((await store.listObjects('list-bucket', { prefix: 'b/', delimiter: '/' })).prefixes).toEqual(['b/sub/']);
    expect((await store.listObjects('list-bucket', { startOffset: 'b/2', endOffset: 'c/x.txt' })).items.map((i) => i.name)).toEqual(['b/2.csv', 'b/sub/3.csv']);
    expect((await store.listObjects('list-bucket', { matchGlob: '**.csv' })).items.map((i) => i.name)).toEqual(['b/1.csv', 'b/2.csv', 'b/sub/3.csv']);

    const seen: string[] = [];
    let pageToken: string | undefined;
    do {
      const page = await store.listObjects('list-bucket', { delimiter: '/', maxResults: 1, pageToken });
      expect(page.items.length + page.prefixes.length).toBe(1);
      seen.push(...page.items.map((i) => i.name), ...page.prefixes);
      pageToken = page.nextPageToken;
    } while (pageToken);
    expect(seen).toEqual(['a.txt', 'b/', 'c/', 'd.txt']);
  });

  it('deletes buckets only when empty', async () => {
    await store.createBucket('doomed-bucket');
    await store.writeObject('doomed-bucket', 'deep/x', Buffer.from('x'));
    expect((await apiError(store.deleteBucket('doomed-bucket'))).code).toBe(409);
    await store.deleteObject('doomed-bucket', 'deep/x');
    await store.deleteBucket('doomed-bucket');
    expect((await apiError(store.getBucket('doomed-bucket'))).code).toBe(404);
    expect((await apiError(store.createBucket('store-bucket'))).code).toBe(409);
  });
});
