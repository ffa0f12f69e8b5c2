// Verifies a caller's Google ID token with google-auth-library: the signature against the configured
// certificates (Google's `oauth2/v1/certs`, or the local cloud's issuer), the issuer
// (accounts.google.com), the audience (this function's URL), the validity window and a verified
// email. The library is imported on first use (cold starts), and one client per instance keeps the
// certificates for as long as their Cache-Control max-age allows.
import type { OAuth2Client } from 'google-auth-library';
import { z } from 'zod';
import { ControlPlaneError } from '../errors.js';
import { GOOGLE_ID_TOKEN_CERTS_URL, SettingsError, type ControlPlaneSettings } from '../runtime/settings.js';
import { IdentityError, type IdentityFailure } from './identity-error.js';

/** Who the caller is, as the token's signer vouches. */
export interface VerifiedIdentity {
  readonly email: string;
  /** The account's stable id (`sub`). */
  readonly subject: string;
  readonly issuer: string;
}

export interface IdentityVerifier {
  /** The identity in a compact JWT; IdentityError (401) when it is not a valid token for this service. */
  verify(idToken: string): Promise<VerifiedIdentity>;
}

export interface IdentityVerifierOptions {
  /** Where the signing certificates are published, in Google's v1 format (`{kid: PEM}`). */
  readonly certsUrl: string;
  /** The `aud` values accepted: this service's URL(s). */
  readonly audiences: readonly string[];
}

const ISSUERS = ['https://accounts.google.com', 'accounts.google.com'];
/** Google's ID tokens are about 1 KiB; anything much larger is not one. */
const MAX_TOKEN_LENGTH = 8192;

const Header = z.object({ alg: z.literal('RS256'), kid: z.string().min(1).max(200) }).loose();
const Payload = z
  .object({
    sub: z.string().min(1).max(255).optional(),
    email: z.string().max(320).optional(),
    // Some of Google's older tokens carry it as a string.
    email_verified: z.union([z.boolean(), z.literal('true'), z.literal('false')]).optional(),
    iss: z.string().optional(),
    aud: z.union([z.string(), z.array(z.string())]).optional(),
  })
  .loose();

function decodePart<T>(schema: z.ZodType<T>, part: string, what: string): T {
  try {
    const parsed = schema.safeParse(JSON.parse(Buffer.from(part, 'base64url').toString('utf8')));
    if (parsed.success) return parsed.data;
  } catch {
    // Reported below, as for a well-formed part of the wrong shape.
  }
  throw new IdentityError('malformed', `the bearer token is not a Google ID token: its ${what} cannot be read`);
}

/** google-auth-library's refusals are plain Errors; their messages (which quote the token) say which check failed. */
const LIBRARY_REFUSALS: readonly [RegExp, IdentityFailure, string][] = [
  [/^Invalid token signature/, 'signature', 'the ID token signature is invalid'],
  [/^No pem found/, 'unknown-key', 'the ID token is signed by an unknown key'],
  [/^Token used too late/, 'expired', 'the ID token has expired'],
  [/^Token used too early/, 'lifetime', 'the ID token is not valid yet (issued in the future)'],
  [/^Expiration time too far in future/, 'lifetime', 'the ID token is valid for too long (more than a day)'],
  [/^Invalid issuer/, 'issuer', 'the ID token was not issued by accounts.google.com'],
  [/^(No issue time|No expiration time|iat field|exp field|Wrong number of segments|Can't parse)/, 'malformed', 'the ID token lacks valid iat/exp claims'],
];

function refusal(err: unknown, payload: z.infer<typeof Payload>, audiences: readonly string[]): IdentityError {
  const message = err instanceof Error ? err.message : String(err);
  if (/^Wrong recipient/.test(message)) {
    return new IdentityError('audience', `the ID token is for audience ${JSON.stringify([payload.aud ?? ''].flat().join(',').slice(0, 200))}; this service accepts ${audiences.join(', ')}`);
  }
  const known = LIBRARY_REFUSALS.find(([pattern]) => pattern.test(message));
  return known ? new IdentityError(known[1], known[2]) : new IdentityError('invalid', 'the ID token was refused');
}

export function identityVerifier(options: IdentityVerifierOptions): IdentityVerifier {
  let client: Promise<OAuth2Client> | undefined;
  const oauth2 = () => {
    client ??= import('google-auth-library').then(({ OAuth2Client }) => new OAuth2Client({ endpoints: { oauth2FederatedSignonPemCertsUrl: options.certsUrl }, issuers: ISSUERS }));
    client.catch(() => (client = undefined));
    return client;
  };
  return {
    async verify(idToken) {
      // A deployment without an audience would accept tokens minted for any service: refuse instead.
      if (options.audiences.length === 0) throw new SettingsError('MLOPS_IDENTITY_AUDIENCE is not set (the URL callers mint their ID tokens for)');
      const parts = idToken.length <= MAX_TOKEN_LENGTH ? /^([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)$/.exec(idToken) : null;
      if (!parts) throw new IdentityError('malformed', 'the bearer token is not a JWT');
      const header = decodePart(Header, parts[1]!, 'header (an RS256 JWT with a kid)');
      const payload = decodePart(Payload, parts[2]!, 'claims');
      const verifier = await oauth2();
      let certs: Record<string, string>;
      try {
        certs = (await verifier.getFederatedSignonCertsAsync()).certs as Record<string, string>;
      } catch {
        // Not the caller's fault: answered 503, and the caller may retry.
        throw new ControlPlaneError('UNAVAILABLE', 'the identity token certificates cannot be fetched; retry later');
      }
      if (!Object.hasOwn(certs, header.kid)) throw new IdentityError('unknown-key', 'the ID token is signed by an unknown key');
      let claims;
      try {
        claims = (await verifier.verifySignedJwtWithCertsAsync(idToken, certs, [...options.audiences], ISSUERS)).getPayload();
      } catch (err) {
        throw refusal(err, payload, options.audiences);
      }
      if (!claims?.sub) throw new IdentityError('malformed', 'the ID token has no subject');
      if (!payload.email) throw new IdentityError('no-email', 'the ID token carries no email (mint it with includeEmail)');
      if (payload.email_verified !== true && payload.email_verified !== 'true') throw new IdentityError('email-unverified', 'the ID token email is not verified');
      return { email: payload.email, subject: claims.sub, issuer: claims.iss };
    },
  };
}

const perInstance = new Map<string, IdentityVerifier>();

/** This instance's verifier for `settings`: one per configuration, so the certificates are cached across requests. */
export function identityVerifierFor(settings: Pick<ControlPlaneSettings, 'identityCertsUrl' | 'identityAudiences'>): IdentityVerifier {
  const options = { certsUrl: settings.identityCertsUrl ?? GOOGLE_ID_TOKEN_CERTS_URL, audiences: settings.identityAudiences ?? [] };
  const key = JSON.stringify(options);
  let verifier = perInstance.get(key);
  if (!verifier) perInstance.set(key, (verifier = identityVerifier(options)));
  return verifier;
}
