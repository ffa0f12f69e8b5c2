import { CRC32C } from '@google-cloud/storage';
import { describe, expect, it } from 'vitest';
import { crc32cBase64, crc32cToBase64, crc32cUpdate } from '../../../emulators/storage/crc32c.js';
import { checkExpectedHashes, formatGoogHash, ObjectHasher, parseGoogHash } from '../../../emulators/storage/hashes.js';
import { patternBytes } from './support.js';

describe('crc32c', () => {
  it('matches the standard check value and published vectors', () => {
    expect(crc32cUpdate(0, Buffer.from('123456789'))).toBe(0xe3069283);
    expect(crc32cUpdate(0, Buffer.alloc(32, 0))).toBe(0x8a9136aa); // RFC 3720 B.4
    expect(crc32cUpdate(0, Buffer.alloc(32, 0xff))).toBe(0x62a8ab43);
    expect(crc32cBase64(Buffer.from('data'))).toBe('rth90Q==');
    expect(crc32cBase64(Buffer.alloc(0))).toBe('AAAAAA==');
  });

  it('agrees with the storage client for every length around the 8-byte stride', () => {
    for (const size of [1, 2, 3, 7, 8, 9, 15, 16, 17, 63, 64, 65, 1000, 4099]) {
      const bytes = patternBytes(size, size);
      const reference = new CRC32C();
      reference.update(bytes);
      expect(crc32cBase64(bytes), `size ${size}`).toBe(reference.toString());
    }
  });

  it('continues across chunk boundaries', () => {
    const bytes = patternBytes(10_000, 7);
    let crc = 0;
    for (let i = 0; i < bytes.length; i += 333) crc = crc32cUpdate(crc, bytes.subarray(i, i + 333));
    expect(crc32cToBase64(crc)).toBe(crc32cBase64(bytes));
  });
});

describe('object hashes', () => {
  it('computes md5, crc32c and size incrementally', () => {
    const hasher = new ObjectHasher();
    hasher.update(Buffer.from('hello '));
    hasher.update(Buffer.from('world'));
    expect(hasher.digest()).toEqual({ md5Hash: 'XrY7u+Ae7tCTyyK7j1rNww==', crc32c: 'yZRlqg==', size: 11 });
  });

  it('parses and formats x-goog-hash', () => {
    expect(parseGoogHash('crc32c=yZRlqg==,md5=XrY7u+Ae7tCTyyK7j1rNww==')).toEqual({ crc32c: 'yZRlqg==', md5Hash: 'XrY7u+Ae7tCTyyK7j1rNww==' });
    expect(parseGoogHash(['crc32c=AAAAAA==', 'md5=x'])).toEqual({ crc32c: 'AAAAAA==', md5Hash: 'x' });
    expect(formatGoogHash({ crc32c: 'a', md5Hash: 'b' })).toBe('crc32c=a,md5=b');
  });

  it('refuses checksums that do not match', () => {
    const actual = { md5Hash: 'XrY7u+Ae7tCTyyK7j1rNww==', crc32c: 'yZRlqg==', size: 11 };
    expect(() => checkExpectedHashes(actual, { crc32c: 'yZRlqg==' })).not.toThrow();
    expect(() => checkExpectedHashes(actual, { crc32c: 'AAAAAA==' })).toThrow(/CRC32C/);
    expect(() => checkExpectedHashes(actual, { md5Hash: 'nope' })).toThrow(/MD5/);
  });
});
