// Page tokens, one codec for every emulator: opaque base64url JSON that says where the next page
// starts and which listing it belongs to, so a token replayed against another listing is refused.
import { createHash } from 'node:crypto';
import { badRequest } from './google-error.js';

/** Encodes any JSON cursor as an opaque token. */
export function encodePageToken(cursor: object): string {
  return Buffer.from(JSON.stringify(cursor), 'utf8').toString('base64url');
}

/** The cursor inside a token, or undefined when it is not one of ours (the caller answers its API's 400). */
export function decodePageToken<T>(token: string, accept: (value: unknown) => T | undefined): T | undefined {
  try {
    return accept(JSON.parse(Buffer.from(token, 'base64url').toString('utf8')));
  } catch {
    return undefined;
  }
}

/** A short fingerprint of what a listing pages over (filter, order, parent...). */
export function queryFingerprint(parts: readonly unknown[]): string {
  const text = JSON.stringify(parts, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
  return createHash('sha256').update(text).digest('base64url').slice(0, 16);
}

interface OffsetCursor {
  /** Fingerprint of the listing. */
  q: string;
  /** Offset into the result. */
  o: number;
  /** Secondary offset, e.g. a point within a series. */
  p?: number;
}

/** A token for the page starting at `offset` of the listing `fingerprint`. */
export function encodeOffsetToken(fingerprint: string, offset: number, inner?: number): string {
  return encodePageToken({ q: fingerprint, o: offset, ...(inner ? { p: inner } : {}) } satisfies OffsetCursor);
}

const isOffset = (n: unknown): n is number => typeof n === 'number' && Number.isInteger(n) && n >= 0;

/** The answer of the newer APIs (Monitoring, Logging) to a token that is not theirs. */
const invalidToken = (): Error => badRequest('Field pageToken had an invalid value: the page token is invalid or belongs to a different query.', { location: 'pageToken' });

/**
 * The offsets a token resumes at (none: the first page); a malformed token or one from another
 * listing throws `invalid()`, the API's own 400.
 */
export function decodeOffsetToken(token: string | null | undefined, fingerprint: string, invalid: () => Error = invalidToken): { offset: number; inner: number } {
  if (!token) return { offset: 0, inner: 0 };
  const decoded = decodePageToken(token, (value) => {
    const t = value as Partial<OffsetCursor> | null;
    if (!t || typeof t !== 'object' || t.q !== fingerprint || !isOffset(t.o)) return undefined;
    return { offset: t.o, inner: isOffset(t.p) ? t.p : 0 };
  });
  if (!decoded) throw invalid();
  return decoded;
}

/** Google: page sizes <= 0 or above the maximum mean "the maximum". */
export function effectivePageSize(requested: number | undefined, max: number): number {
  return requested === undefined || requested <= 0 || requested > max ? max : requested;
}
