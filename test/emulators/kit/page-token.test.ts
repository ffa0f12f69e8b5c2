// The kit's page-token codec: tokens round-trip, and a token only continues the listing it came from.
import { describe, expect, it } from 'vitest';
import { GoogleApiError, rpcCodeOf, unknownFieldMessage } from '../../../emulators/kit/google-error.js';
import { decodeOffsetToken, decodePageToken, encodeOffsetToken, encodePageToken, queryFingerprint } from '../../../emulators/kit/page-token.js';

describe('kit page tokens', () => {
  it('round-trips offsets and refuses a token from another listing with the caller’s error', () => {
    const a = queryFingerprint(['filter=x', 'order']);
    const b = queryFingerprint(['filter=y', 'order']);
    expect(a).not.toBe(b);
    expect(decodeOffsetToken(encodeOffsetToken(a, 7, 3), a)).toEqual({ offset: 7, inner: 3 });
    expect(decodeOffsetToken(undefined, a)).toEqual({ offset: 0, inner: 0 });
    expect(() => decodeOffsetToken(encodeOffsetToken(a, 7), b)).toThrow(/pageToken had an invalid value/);
    expect(() => decodeOffsetToken('not-a-token', a, () => new Error('mine'))).toThrow('mine');
    expect(() => decodeOffsetToken(encodePageToken({ q: a, o: -1 }), a)).toThrow(GoogleApiError);
  });

  it('decodes cursors through the caller’s guard', () => {
    const token = encodePageToken({ k: 'a/b', p: true });
    expect(decodePageToken(token, (v) => v)).toEqual({ k: 'a/b', p: true });
    expect(decodePageToken(token, () => undefined)).toBeUndefined();
    expect(decodePageToken('%%%', (v) => v)).toBeUndefined();
  });
});

describe('kit google.rpc and unknown-field messages', () => {
  it('maps status names to google.rpc codes', () => {
    expect(rpcCodeOf('NOT_FOUND')).toBe(5);
    expect(rpcCodeOf('FAILED_PRECONDITION')).toBe(9);
    expect(rpcCodeOf('toString')).toBeUndefined();
  });

  it("words unknown fields as Google's JSON parser does", () => {
    expect(unknownFieldMessage('x', 'job.configuration')).toBe(`Invalid JSON payload received. Unknown name "x" at 'job.configuration': Cannot find field.`);
    expect(unknownFieldMessage('x')).toBe('Invalid JSON payload received. Unknown name "x": Cannot find field.');
  });
});
