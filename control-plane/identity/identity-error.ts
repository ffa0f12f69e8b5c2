// Why a caller's identity was refused, as a typed error: the API answers it 401 UNAUTHENTICATED with
// the message, which names the problem without echoing the token.
import { ControlPlaneError } from '../errors.js';

export const IDENTITY_FAILURES = [
  /** No `Authorization` header. */
  'missing',
  /** Not `Bearer <JWT>`, or a JWT that cannot be decoded. */
  'malformed',
  /** Signed by a key the configured certificates do not list. */
  'unknown-key',
  /** The signature does not match the token. */
  'signature',
  'expired',
  /** Issued in the future, or valid for longer than a day. */
  'lifetime',
  /** Not issued by accounts.google.com. */
  'issuer',
  /** Minted for another service. */
  'audience',
  /** No `email` claim (a token minted without includeEmail). */
  'no-email',
  'email-unverified',
  /** Anything else the verification refused. */
  'invalid',
] as const;
export type IdentityFailure = (typeof IDENTITY_FAILURES)[number];

export class IdentityError extends ControlPlaneError {
  constructor(
    readonly reason: IdentityFailure,
    message: string,
  ) {
    super('UNAUTHENTICATED', message);
    this.name = 'IdentityError';
  }
}
