// Bucket and object naming: Cloud Storage's rules, plus the few extra rules that keep an object
// name a safe relative file path under the data directory (objects are plain files there).
import { badRequest } from '../kit/google-error.js';

const MAX_OBJECT_NAME_BYTES = 1024;
/** Linux NAME_MAX: one path segment becomes one directory entry. */
const MAX_SEGMENT_BYTES = 255;

/** https://cloud.google.com/storage/docs/buckets#naming (the rules a local emulator can check). */
export function validateBucketName(name: string): void {
  const fail = (why: string) => badRequest(`Invalid bucket name: '${name}': ${why}`, { location: 'name' });
  if (name.length < 3) throw fail('must be at least 3 characters');
  if (name.length > 222 || (!name.includes('.') && name.length > 63)) throw fail('is too long');
  if (!/^[a-z0-9][a-z0-9._-]*[a-z0-9]$/.test(name)) {
    throw fail('use lowercase letters, digits, dashes, underscores and dots; start and end with a letter or digit');
  }
  if (name.split('.').some((part) => part.length === 0 || part.length > 63)) throw fail('each dot-separated part must be 1-63 characters');
  if (/^\d+\.\d+\.\d+\.\d+$/.test(name)) throw fail('must not look like an IP address');
  if (name.startsWith('goog') || /g[o0][o0]g[l1]e/.test(name)) throw fail("must not begin with 'goog' or contain 'google'");
}

export interface ObjectPath {
  /** Path segments under the bucket directory. */
  readonly segments: string[];
  /** A name ending in '/': a zero-byte "folder" placeholder object, stored as a directory. */
  readonly folder: boolean;
}

/**
 * Cloud Storage's object naming rules (1-1024 bytes of UTF-8, no CR/LF, not '.' or '..') and the
 * emulator's: no NUL, no leading '/', no empty, '.' or '..' segments (they would not survive as a
 * file path), segments of at most 255 bytes.
 */
export function parseObjectName(name: string, field = 'name'): ObjectPath {
  const fail = (why: string) => badRequest(`Invalid object name '${printable(name)}': ${why}`, { location: field });
  if (name.length === 0) throw fail('must not be empty');
  if (!name.isWellFormed()) throw fail('must be valid UTF-8');
  if (Buffer.byteLength(name, 'utf8') > MAX_OBJECT_NAME_BYTES) throw fail(`must be at most ${MAX_OBJECT_NAME_BYTES} bytes of UTF-8`);
  if (/[\r\n]/.test(name)) throw fail('must not contain carriage return or line feed characters');
  if (name.includes('\0')) throw fail('must not contain NUL');
  if (name.startsWith('.well-known/acme-challenge/')) throw fail("must not start with '.well-known/acme-challenge/'");
  if (name.startsWith('/')) throw fail("must not start with '/' in this emulator (objects are files under the bucket directory)");
  const folder = name.endsWith('/');
  const segments = (folder ? name.slice(0, -1) : name).split('/');
  for (const segment of segments) {
    if (segment === '' || segment === '.' || segment === '..') {
      throw fail("must not contain empty, '.' or '..' path segments in this emulator (objects are files under the bucket directory)");
    }
    if (Buffer.byteLength(segment, 'utf8') > MAX_SEGMENT_BYTES) throw fail(`each '/'-separated part must be at most ${MAX_SEGMENT_BYTES} bytes`);
  }
  return { segments, folder };
}

/** Names go into error messages: keep control characters visible and the message bounded. */
function printable(name: string): string {
  const shown = name.length > 200 ? `${name.slice(0, 200)}...` : name;
  return JSON.stringify(shown).slice(1, -1);
}

/** Byte-wise UTF-8 order: the order in which Cloud Storage lists object names. */
export function compareNames(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}
