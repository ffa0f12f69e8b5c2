// ID tokens as Google mints them (IAM Credentials generateIdToken, Google sign-in): RS256 JWTs with
// iss https://accounts.google.com, aud, azp and sub (a stable numeric id for the account), email and
// email_verified when asked, iat and exp (one hour later, real time: verifiers compare with theirs).
import { createHash } from 'node:crypto';
import type { SigningKey } from './signing-key.js';

export const ID_TOKEN_ISSUER = 'https://accounts.google.com';
export const ID_TOKEN_LIFETIME_S = 3600;

/** A stable 21-digit id for an account, standing in for Google's unique id (the `sub` claim). */
export function accountUniqueId(email: string): string {
  const digest = createHash('sha256').update(email.toLowerCase()).digest();
  return `1${(digest.readBigUInt64BE(0) % 10n ** 20n).toString().padStart(20, '0')}`;
}

export interface IdTokenRequest {
  /** The account the token speaks for: any user or service account, locally. */
  readonly email: string;
  /** The `aud` claim: the URL of the service that will verify it. */
  readonly audience: string;
  /** Put `email` and `email_verified` in the token (Google's `includeEmail`; default true). */
  readonly includeEmail?: boolean;
  /** Real time in ms (default now). */
  readonly nowMs?: number;
}

export class IdTokenIssuer {
  constructor(private readonly key: SigningKey) {}

  get kid(): string {
    return this.key.kid;
  }

  /** Google's v1 certs document: `{kid: PEM certificate}`. */
  certificates(): Record<string, string> {
    return { [this.key.kid]: this.key.certificatePem };
  }

  idToken(request: IdTokenRequest): string {
    const iat = Math.floor((request.nowMs ?? Date.now()) / 1000);
    const id = accountUniqueId(request.email);
    return this.key.signJwt({
      aud: request.audience,
      azp: id,
      ...(request.includeEmail === false ? {} : { email: request.email, email_verified: true }),
      exp: iat + ID_TOKEN_LIFETIME_S,
      iat,
      iss: ID_TOKEN_ISSUER,
      sub: id,
    });
  }
}
