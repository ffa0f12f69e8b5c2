import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { GoogleApiError } from '../../../emulators/kit/google-error.js';
import { globToRegExp } from '../../../emulators/storage/glob.js';
import { boundaryOf, parseMultipartRelated } from '../../../emulators/storage/multipart.js';
import { compareNames, parseObjectName, validateBucketName } from '../../../emulators/storage/names.js';
import { parseContentRange, parseRange } from '../../../emulators/storage/ranges.js';

function expect400(fn: () => unknown, message?: RegExp): void {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(GoogleApiError);
  expect((caught as GoogleApiError).code).toBe(400);
  if (message) expect((caught as GoogleApiError).message).toMatch(message);
}

/** The text as a stream arriving in chunks of `size` bytes. */
function chunked(text: string, size: number): AsyncIterable<Buffer> {
  const bytes = Buffer.from(text, 'utf8');
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += size) chunks.push(bytes.subarray(i, i + size));
  return Readable.from(chunks);
}

async function collect(stream: AsyncIterable<Buffer>): Promise<string> {
  const parts: Buffer[] = [];
  for await (const chunk of stream) parts.push(chunk);
  return Buffer.concat(parts).toString('utf8');
}

describe('Range header', () => {
  it('parses the forms the client sends', () => {
    expect(parseRange('bytes=2-4', 10)).toEqual({ start: 2, end: 4 });
    expect(parseRange('bytes=2-', 10)).toEqual({ start: 2, end: 9 });
    expect(parseRange('bytes=-3', 10)).toEqual({ start: 7, end: 9 });
    expect(parseRange('bytes=5-100', 10)).toEqual({ start: 5, end: 9 });
    expect(parseRange('bytes=-100', 10)).toEqual({ start: 0, end: 9 });
  });

  it('ignores what it does not serve and refuses what cannot be satisfied', () => {
    expect(parseRange(undefined, 10)).toBeUndefined();
    expect(parseRange('bytes=0-1,3-4', 10)).toBeUndefined();
    expect(parseRange('bytes=4-2', 10)).toBeUndefined();
    expect(parseRange('bytes=0-', 0)).toBeUndefined();
    expect(parseRange('bytes=10-', 10)).toBe('unsatisfiable');
    expect(parseRange('bytes=-0', 10)).toBe('unsatisfiable');
  });
});

describe('Content-Range of resumable chunks', () => {
  it('parses status queries, chunks and open-ended requests', () => {
    expect(parseContentRange('bytes */*')).toEqual({});
    expect(parseContentRange('bytes */100')).toEqual({ total: 100 });
    expect(parseContentRange('bytes 0-262143/*')).toEqual({ start: 0, end: 262143 });
    expect(parseContentRange('bytes 262144-299999/300000')).toEqual({ start: 262144, end: 299999, total: 300000 });
    expect(parseContentRange('bytes 0-*/*')).toEqual({ start: 0 });
    expect(parseContentRange('bytes 5-*/11')).toEqual({ start: 5, total: 11 });
    expect(parseContentRange(undefined)).toEqual({ start: 0 });
  });

  it('rejects malformed and inconsistent ranges', () => {
    expect400(() => parseContentRange('bytes 5-3/10'), /end before start/);
    expect400(() => parseContentRange('bytes 0-10/10'), /beyond the total/);
    expect400(() => parseContentRange('items 0-1/2'));
  });
});

describe('multipart/related', () => {
  const body = (boundary: string, media: string) =>
    `--${boundary}\r\nContent-Type: application/json\r\n\r\n{"name":"x.txt","contentType":"text/plain"}\r\n` +
    `--${boundary}\r\nContent-Type: text/plain\r\n\r\n${media}\r\n--${boundary}--`;

  it('reads the boundary from the Content-Type', () => {
    expect(boundaryOf('multipart/related; boundary=abc-123')).toBe('abc-123');
    expect(boundaryOf('multipart/related; boundary="quoted b"')).toBe('quoted b');
    expect400(() => boundaryOf('application/json'));
  });

  it('splits metadata and media whatever the chunking, including boundary look-alikes in the media', async () => {
    const media = 'line 1\r\n--notTheBoundary\r\n--b0undar almost\r\n--b0undarend';
    for (const size of [1, 2, 5, 17, 1000]) {
      const parts = await parseMultipartRelated(chunked(body('b0undary', media), size), 'b0undary');
      expect(JSON.parse(parts.metadata.toString('utf8'))).toEqual({ name: 'x.txt', contentType: 'text/plain' });
      expect(parts.mediaHeaders['content-type']).toBe('text/plain');
      expect(await collect(parts.media)).toBe(media);
    }
  });

  it('fails on a truncated body', async () => {
    const text = body('bnd', 'abcdef');
    const parts = await parseMultipartRelated(chunked(text.slice(0, -12), 4), 'bnd');
    await expect(collect(parts.media)).rejects.toThrow(/not closed by a boundary/);
  });
});

describe('matchGlob', () => {
  const matches = (glob: string, name: string) => globToRegExp(glob).test(name);

  it('follows Cloud Storage glob rules', () => {
    expect(matches('*.csv', 'a.csv')).toBe(true);
    expect(matches('*.csv', 'dir/a.csv')).toBe(false);
    expect(matches('**.csv', 'dir/a.csv')).toBe(true);
    expect(matches('dir/**/a.csv', 'dir/a.csv')).toBe(true);
    expect(matches('dir/**/a.csv', 'dir/x/y/a.csv')).toBe(true);
    expect(matches('file?.txt', 'file1.txt')).toBe(true);
    expect(matches('file[0-2].txt', 'file3.txt')).toBe(false);
    expect(matches('file[!0-2].txt', 'file3.txt')).toBe(true);
    expect(matches('*.{csv,json}', 'x.json')).toBe(true);
    expect(matches('a+b(c).txt', 'a+b(c).txt')).toBe(true);
  });
});

describe('names', () => {
  it('accepts Cloud Storage object names that make safe paths', () => {
    expect(parseObjectName('a/b/c.txt')).toEqual({ segments: ['a', 'b', 'c.txt'], folder: false });
    expect(parseObjectName('folder/')).toEqual({ segments: ['folder'], folder: true });
    expect(parseObjectName('名前 with spaces & symbols!').segments).toHaveLength(1);
  });

  it('rejects names that could escape the bucket directory or break the rules', () => {
    for (const bad of ['', '..', '.', '../x', 'a/../../etc/passwd', 'a/./b', '/abs', 'a//b', 'nul\0byte', 'line\nfeed', 'cr\r', 'x'.repeat(1025), '\ud800']) {
      expect400(() => parseObjectName(bad));
    }
  });

  it('validates bucket names', () => {
    expect(() => validateBucketName('my-bucket_1.example')).not.toThrow();
    for (const bad of ['ab', 'UPPER', '-start', 'end-', 'goog-bucket', 'my-google-bucket', '192.168.0.1', '.hidden', 'a'.repeat(64)]) {
      expect400(() => validateBucketName(bad));
    }
  });

  it('orders names by UTF-8 bytes, as Cloud Storage lists them', () => {
    const names = ['b', 'a/b', 'a-b', 'a', '\u{1F600}', '\uFF5E'];
    expect([...names].sort(compareNames)).toEqual(['a', 'a-b', 'a/b', 'b', '\uFF5E', '\u{1F600}']);
  });
});
