// The checksums Cloud Storage keeps for every object (md5Hash, crc32c), computed while bytes stream.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { badRequest } from '../kit/google-error.js';
import { crc32cToBase64, crc32cUpdate } from './crc32c.js';

export interface ObjectHashes {
  /** base64 of the MD5 digest */
  md5Hash: string;
  /** base64 of the big-endian CRC-32C */
  crc32c: string;
  size: number;
}

export class ObjectHasher {
  private readonly md5 = createHash('md5');
  private crc = 0;
  private size = 0;

  update(chunk: Uint8Array): void {
    this.md5.update(chunk);
    this.crc = crc32cUpdate(this.crc, chunk);
    this.size += chunk.length;
  }

  digest(): ObjectHashes {
    return { md5Hash: this.md5.digest('base64'), crc32c: crc32cToBase64(this.crc), size: this.size };
  }
}

export async function hashFile(path: string): Promise<ObjectHashes> {
  const hasher = new ObjectHasher();
  for await (const chunk of createReadStream(path, { highWaterMark: 1024 * 1024 })) hasher.update(chunk as Buffer);
  return hasher.digest();
}

export interface ExpectedHashes {
  md5Hash?: string | undefined;
  crc32c?: string | undefined;
}

/** Checksums a client sent (metadata fields or `x-goog-hash`) must match what arrived. */
export function checkExpectedHashes(actual: ObjectHashes, expected: ExpectedHashes | undefined): void {
  if (expected?.md5Hash !== undefined && expected.md5Hash !== actual.md5Hash) {
    throw badRequest(`Provided MD5 hash "${expected.md5Hash}" doesn't match calculated MD5 hash "${actual.md5Hash}".`, { reason: 'invalid' });
  }
  if (expected?.crc32c !== undefined && expected.crc32c !== actual.crc32c) {
    throw badRequest(`Provided CRC32C "${expected.crc32c}" doesn't match calculated CRC32C "${actual.crc32c}".`, { reason: 'invalid' });
  }
}

/** `x-goog-hash: crc32c=...,md5=...` */
export function parseGoogHash(header: string | string[] | undefined): ExpectedHashes {
  const out: ExpectedHashes = {};
  const values = Array.isArray(header) ? header : header ? [header] : [];
  for (const part of values.flatMap((v) => v.split(','))) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const key = part.slice(0, eq).trim().toLowerCase();
    const value = part.slice(eq + 1).trim();
    if (key === 'md5') out.md5Hash = value;
    else if (key === 'crc32c') out.crc32c = value;
  }
  return out;
}

export function formatGoogHash(hashes: { md5Hash: string; crc32c: string }): string {
  return `crc32c=${hashes.crc32c},md5=${hashes.md5Hash}`;
}
