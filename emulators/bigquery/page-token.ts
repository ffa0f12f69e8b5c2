// BigQuery's page tokens (the kit's offset tokens with BigQuery's 400) and its uint query parameters.
import { GoogleApiError } from '../kit/google-error.js';
import { decodeOffsetToken, encodeOffsetToken } from '../kit/page-token.js';
import { protoFieldName } from './validation.js';

export function encodePageToken(offset: number, scope: string): string {
  return encodeOffsetToken(scope, offset);
}

/** The offset a token resumes at; 400 for a token that is not ours or belongs to another listing. */
export function decodePageToken(token: string | null | undefined, scope: string): number {
  return decodeOffsetToken(token, scope, () => new GoogleApiError(400, `Invalid page token: ${token ?? ''}`, { reason: 'invalid', location: 'pageToken' })).offset;
}

/** The unsigned integer types of BigQuery's query parameters, and their largest values. */
const UINT_MAX = { TYPE_UINT32: 2n ** 32n - 1n, TYPE_UINT64: 2n ** 64n - 1n } as const;

/**
 * An unsigned integer query parameter (maxResults and timeoutMs are uint32, startIndex and the
 * creation times uint64), or the default; anything else is BigQuery's 400:
 * `Invalid value at 'max_results' (TYPE_UINT32), "-1"`.
 */
export function intParam(query: URLSearchParams, name: string, fallback?: number, type: keyof typeof UINT_MAX = 'TYPE_UINT32'): number | undefined {
  const raw = query.get(name);
  if (raw === null || raw === '') return fallback;
  if (!/^\d{1,20}$/.test(raw) || BigInt(raw) > UINT_MAX[type]) {
    const field = protoFieldName(name);
    throw new GoogleApiError(400, `Invalid value at '${field}' (${type}), "${raw}"`, { reason: 'invalid', location: field });
  }
  return Number(raw);
}
