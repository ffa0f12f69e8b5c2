// Page tokens: opaque to callers, bound to the query that produced them so that a token replayed
// against a different query is rejected instead of silently skipping results.
import { createHash } from 'node:crypto';
import { badRequest } from '../kit/google-error.js';

interface TokenBody {
  /** Fingerprint of the query. */
  q: string;
  /** Offset into the result (its meaning is up to the caller). */
  o: number;
  /** Secondary offset, e.g. a point within a series. */
  p?: number;
}

export function queryFingerprint(parts: readonly unknown[]): string {
  const text = JSON.stringify(parts, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
  return createHash('sha256').update(text).digest('base64url').slice(0, 16);
}

export function encodePageToken(fingerprint: string, offset: number, inner?: number): string {
  const body: TokenBody = { q: fingerprint, o: offset, ...(inner ? { p: inner } : {}) };
  return Buffer.from(JSON.stringify(body)).toString('base64url');
}

/** Decodes a token from a previous call of the same query; empty means the first page. */
export function decodePageToken(token: string | undefined, fingerprint: string): { offset: number; inner: number } {
  if (!token) return { offset: 0, inner: 0 };
  let body: unknown;
  try {
    body = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    body = undefined;
  }
  const t = body as Partial<TokenBody> | undefined;
  if (!t || typeof t.o !== 'number' || t.q !== fingerprint || !Number.isInteger(t.o) || t.o < 0) {
    throw badRequest('Field pageToken had an invalid value: the page token is invalid or belongs to a different query.', { location: 'pageToken' });
  }
  return { offset: t.o, inner: typeof t.p === 'number' ? t.p : 0 };
}

/** Google: page sizes <= 0 or above the maximum mean "the maximum". */
export function effectivePageSize(requested: number | undefined, max: number): number {
  return requested === undefined || requested <= 0 || requested > max ? max : requested;
}
