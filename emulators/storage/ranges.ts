// HTTP byte ranges: `Range` on downloads and `Content-Range` on resumable upload chunks.
import { badRequest } from '../kit/google-error.js';

export type ByteRange = { start: number; end: number };

/**
 * A download's `Range` header against an object of `size` bytes. Undefined: serve everything
 * (no header, a header this server ignores such as several ranges, or an empty object).
 * 'unsatisfiable': answer 416.
 */
export function parseRange(header: string | undefined, size: number): ByteRange | 'unsatisfiable' | undefined {
  if (!header) return undefined;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return undefined;
  if (size === 0) return undefined;
  if (m[1] === '') {
    const suffix = Number(m[2]);
    if (suffix === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(m[1]);
  const last = m[2] === '' ? undefined : Number(m[2]);
  if (last !== undefined && last < start) return undefined; // syntactically invalid: ignored, as RFC 9110 says
  if (start >= size) return 'unsatisfiable';
  return { start, end: Math.min(last ?? size - 1, size - 1) };
}

// A resumable upload request's `Content-Range` (written with "ALL" for the asterisk here):
// - `bytes ALL/ALL` or `bytes ALL/N`: no bytes, a status query (N: the total is now known);
// - `bytes A-B/N` or `bytes A-B/ALL`: bytes A..B (inclusive) of an N-byte or not yet known total;
// - `bytes A-ALL/N` or `bytes A-ALL/ALL`: the rest of the object from A, however long the body is.
export interface UploadRange {
  start?: number;
  /** Inclusive; undefined with `start` set: open-ended (to the end of the request body). */
  end?: number;
  total?: number;
}

export function parseContentRange(header: string | undefined): UploadRange {
  if (header === undefined) return { start: 0 }; // the whole object in one request
  const m = /^bytes\s+(?:\*|(\d+)-(\d+|\*))\/(\d+|\*)$/.exec(header.trim());
  if (!m) throw badRequest(`Invalid Content-Range header: '${header}'`, { location: 'Content-Range' });
  const range: UploadRange = {};
  if (m[3] !== '*') range.total = Number(m[3]);
  if (m[1] !== undefined) {
    range.start = Number(m[1]);
    if (m[2] !== '*') {
      range.end = Number(m[2]);
      if (range.end < range.start) throw badRequest(`Invalid Content-Range header: '${header}' (end before start)`, { location: 'Content-Range' });
    }
  }
  if (range.total !== undefined && range.end !== undefined && range.end >= range.total) {
    throw badRequest(`Invalid Content-Range header: '${header}' (range beyond the total size)`, { location: 'Content-Range' });
  }
  return range;
}
