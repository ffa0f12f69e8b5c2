// Page tokens: opaque to clients, an offset (and what it pages over) to the emulator.
import { GoogleApiError } from '../http/google-error.js';

export function encodePageToken(offset: number, scope: string): string {
  return Buffer.from(JSON.stringify({ o: offset, s: scope })).toString('base64url');
}

/** The offset a token resumes at; 400 for a token that is not ours or belongs to another listing. */
export function decodePageToken(token: string | null | undefined, scope: string): number {
  if (!token) return 0;
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { o?: unknown; s?: unknown };
    if (typeof parsed.o === 'number' && Number.isInteger(parsed.o) && parsed.o >= 0 && parsed.s === scope) return parsed.o;
  } catch {
    // fall through
  }
  throw new GoogleApiError(400, `Invalid page token: ${token}`, { reason: 'invalid', location: 'pageToken' });
}

/** A non-negative integer query parameter, or the default. */
export function intParam(query: URLSearchParams, name: string, fallback?: number): number | undefined {
  const raw = query.get(name);
  if (raw === null || raw === '') return fallback;
  if (!/^\d+$/.test(raw)) throw new GoogleApiError(400, `Invalid value for ${name}: ${raw}`, { reason: 'invalid', location: name });
  return Number(raw);
}
