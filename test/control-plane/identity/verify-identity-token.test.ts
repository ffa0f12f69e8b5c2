// Caller identity from a bearer ID token, verified with google-auth-library against the local
// issuer's certificates (started in-process): a valid token gives the email; each way a token can
// be wrong is refused with its own reason, as a 401 in Google's error shape.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Impersonated, OAuth2Client } from 'google-auth-library';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callerIdentity } from '../../../control-plane/api/caller.js';
import { googleError } from '../../../control-plane/api/google-error.js';
import { IdentityError, type IdentityFailure } from '../../../control-plane/identity/identity-error.js';
import { identityVerifier, identityVerifierFor } from '../../../control-plane/identity/verify-identity-token.js';
import { readSettings } from '../../../control-plane/runtime/settings.js';
import { accountUniqueId } from '../../../emulators/identity/id-tokens.js';
import { startIdentityEmulator, type IdentityEmulator } from '../../../emulators/identity/server.js';
import { SigningKey } from '../../../emulators/identity/signing-key.js';

const AUDIENCE = 'https://mlopsapi-abc-uc.a.run.app';
const ALICE = 'alice@example.com';

let dir: string;
let emulator: IdentityEmulator;
/** The issuer's own key, opened from its data dir, to sign claims the REST API would never sign. */
let trustedKey: SigningKey;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'identity-'));
  emulator = await startIdentityEmulator({ dataDir: join(dir, 'issuer') });
  trustedKey = await SigningKey.open(join(dir, 'issuer'));
});
afterAll(async () => {
  await emulator?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A token through the IAM Credentials API, with google-auth-library's own impersonation client. */
async function generateIdToken(email: string, audience: string, includeEmail = true): Promise<string> {
  const source = new OAuth2Client();
  source.setCredentials({ access_token: 'local', expiry_date: Date.now() + 3_600_000 });
  const client = new Impersonated({ sourceClient: source, targetPrincipal: email, targetScopes: [], endpoint: emulator.url });
  return client.fetchIdToken(audience, { includeEmail });
}

const verifier = () => identityVerifier({ certsUrl: emulator.certsUrl, audiences: [AUDIENCE] });
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

async function refusal(call: Promise<unknown>): Promise<IdentityError> {
  const err = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(IdentityError);
  return err as IdentityError;
}

function claims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const iat = Math.floor(Date.now() / 1000);
  return { aud: AUDIENCE, azp: '1', email: ALICE, email_verified: true, exp: iat + 3600, iat, iss: 'https://accounts.google.com', sub: accountUniqueId(ALICE), ...overrides };
}

describe('callerIdentity', () => {
  it('accepts a token from the issuer and gives the verified email, subject and issuer', async () => {
    const token = await generateIdToken(ALICE, AUDIENCE);
    const identity = await callerIdentity(bearer(token), verifier());
    expect(identity).toEqual({ email: ALICE, subject: accountUniqueId(ALICE), issuer: 'https://accounts.google.com' });
    // A header array (node gives one for repeated headers) and the bare `accounts.google.com` issuer.
    expect((await callerIdentity({ authorization: [`Bearer ${trustedKey.signJwt(claims({ iss: 'accounts.google.com' }))}`] }, verifier())).issuer).toBe('accounts.google.com');
  });

  it('accepts any of the configured audiences', async () => {
    const other = 'https://us-central1-p.cloudfunctions.net/mlopsApi';
    const v = identityVerifier({ certsUrl: emulator.certsUrl, audiences: [AUDIENCE, other] });
    expect((await callerIdentity(bearer(await generateIdToken(ALICE, other)), v)).email).toBe(ALICE);
  });

  type Headers = Record<string, string | undefined>;
  const cases: [string, () => Headers | Promise<Headers>, IdentityFailure, RegExp][] = [
    ['no Authorization header', () => ({}), 'missing', /needs an ID token/],
    ['a Basic header', () => ({ authorization: 'Basic YWxpY2U6c2VjcmV0' }), 'malformed', /Bearer <ID token>/],
    ['a bearer that is not a JWT', () => bearer('opaque-access-token'), 'malformed', /not a JWT/],
    ['a JWT whose header is not JSON', () => bearer(`${Buffer.from('{').toString('base64url')}.e30.c2ln`), 'malformed', /header/],
    ['a token for another audience', async () => bearer(await generateIdToken(ALICE, 'https://other-service.example')), 'audience', /other-service\.example.*accepts https:\/\/mlopsapi/],
    ['an expired token', () => bearer(trustedKey.signJwt(claims({ iat: Math.floor(Date.now() / 1000) - 7200, exp: Math.floor(Date.now() / 1000) - 3600 }))), 'expired', /expired/],
    ['a token issued in the future', () => bearer(trustedKey.signJwt(claims({ iat: Math.floor(Date.now() / 1000) + 3600, exp: Math.floor(Date.now() / 1000) + 7200 }))), 'lifetime', /not valid yet/],
    ['a token of another issuer', () => bearer(trustedKey.signJwt(claims({ iss: 'https://evil.example' }))), 'issuer', /accounts\.google\.com/],
    ['an unverified email', () => bearer(trustedKey.signJwt(claims({ email_verified: false }))), 'email-unverified', /not verified/],
    ['a token without an email', async () => bearer(await generateIdToken(ALICE, AUDIENCE, false)), 'no-email', /includeEmail/],
    [
      'a tampered token (claims changed after signing)',
      async () => {
        const [header, , signature] = (await generateIdToken(ALICE, AUDIENCE)).split('.');
        return bearer(`${header}.${Buffer.from(JSON.stringify(claims({ email: 'mallory@example.com' }))).toString('base64url')}.${signature}`);
      },
      'signature',
      /signature is invalid/,
    ],
    [
      'a token signed by a key the certificates do not list',
      async () => bearer((await SigningKey.open(join(dir, 'stranger'))).signJwt(claims())),
      'unknown-key',
      /unknown key/,
    ],
  ];
  for (const [what, headers, reason, message] of cases) {
    it(`refuses ${what} (${reason}), answered 401 UNAUTHENTICATED`, async () => {
      const err = await refusal(callerIdentity(await headers(), verifier()));
      expect(err.reason).toBe(reason);
      expect(err.message).toMatch(message);
      const answer = googleError(err);
      expect(answer.httpStatus).toBe(401);
      expect(answer.body.error).toMatchObject({ code: 401, status: 'UNAUTHENTICATED', message: err.message });
      // The answer never echoes the token.
      expect(answer.body.error.message).not.toMatch(/eyJ/);
    });
  }

  it('keeps the certificates as their max-age allows, and answers 503 when they cannot be fetched', async () => {
    const issuer = await startIdentityEmulator({ dataDir: join(dir, 'short-lived') });
    const v = identityVerifier({ certsUrl: issuer.certsUrl, audiences: [AUDIENCE] });
    const token = issuer.issuer.idToken({ email: ALICE, audience: AUDIENCE });
    await expect(v.verify(token)).resolves.toMatchObject({ email: ALICE });
    await issuer.close();
    // Cached: the issuer is gone, the verification still succeeds.
    await expect(v.verify(token)).resolves.toMatchObject({ email: ALICE });
    const fresh = identityVerifier({ certsUrl: issuer.certsUrl, audiences: [AUDIENCE] });
    const err = await fresh.verify(token).catch((e: unknown) => e);
    expect(err).not.toBeInstanceOf(IdentityError);
    expect(googleError(err)).toMatchObject({ httpStatus: 503, body: { error: { status: 'UNAVAILABLE' } } });
  }, 30_000);

  it('takes its certificates URL and audiences from the settings, and refuses when no audience is configured', async () => {
    const base = { GOOGLE_CLOUD_PROJECT: 'my-project' };
    expect(readSettings(base)).toMatchObject({ identityCertsUrl: 'https://www.googleapis.com/oauth2/v1/certs', identityAudiences: [] });
    expect(readSettings({ ...base, MLOPS_API_URL: 'http://127.0.0.1:8080' }).identityAudiences).toEqual(['http://127.0.0.1:8080']);
    expect(readSettings({ ...base, MLOPS_API_URL: 'http://127.0.0.1:8080', MLOPS_IDENTITY_AUDIENCE: `${AUDIENCE}, https://b.example` }).identityAudiences).toEqual([AUDIENCE, 'https://b.example']);
    expect(() => readSettings({ ...base, MLOPS_IDENTITY_CERTS_URL: 'file:///etc/passwd' })).toThrow(/MLOPS_IDENTITY_CERTS_URL/);

    const settings = readSettings({ ...base, MLOPS_IDENTITY_CERTS_URL: emulator.certsUrl, MLOPS_IDENTITY_AUDIENCE: AUDIENCE });
    expect(identityVerifierFor(settings)).toBe(identityVerifierFor({ ...settings }));
    expect((await callerIdentity(bearer(await generateIdToken(ALICE, AUDIENCE)), identityVerifierFor(settings))).email).toBe(ALICE);

    const unconfigured = identityVerifierFor(readSettings({ ...base, MLOPS_IDENTITY_CERTS_URL: emulator.certsUrl }));
    const err = await unconfigured.verify(await generateIdToken(ALICE, AUDIENCE)).catch((e: unknown) => e);
    expect(googleError(err).body.error.status).toBe('FAILED_PRECONDITION');
    expect(googleError(err).body.error.message).toMatch(/MLOPS_IDENTITY_AUDIENCE/);
  });
});
