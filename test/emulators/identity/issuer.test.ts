// The local identity issuer: Google's v1 certs shape with a max-age, the IAM Credentials
// generateIdToken shape and its refusals, and a key (hence kid and certificate) stable across restarts.
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startIdentityEmulator, type IdentityEmulator } from '../../../emulators/identity/server.js';

let dir: string;
let issuer: IdentityEmulator;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'identity-issuer-'));
  issuer = await startIdentityEmulator({ dataDir: dir });
});
afterAll(async () => {
  await issuer?.close();
  rmSync(dir, { recursive: true, force: true });
});

const generate = (account: string, body: unknown, project = '-') =>
  fetch(`${issuer.url}/v1/projects/${project}/serviceAccounts/${account}:generateIdToken`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

const claimsOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;

describe('identity issuer', () => {
  it('serves its self-signed certificate as {kid: PEM}, cacheable for a while', async () => {
    const res = await fetch(issuer.certsUrl);
    expect(res.headers.get('cache-control')).toMatch(/max-age=\d+/);
    const certs = (await res.json()) as Record<string, string>;
    expect(Object.keys(certs)).toEqual([issuer.issuer.kid]);
    const certificate = new X509Certificate(certs[issuer.issuer.kid]!);
    expect(certificate.checkIssued(certificate)).toBe(true);
    expect(new Date(certificate.validTo).getTime()).toBeGreaterThan(Date.now() + 365 * 86_400_000);
    // The private key is readable by its owner only.
    expect(statSync(join(dir, 'signing-key.pem')).mode & 0o077).toBe(0);
  });

  it('signs ID tokens for any named account, with email only when asked (as Google)', async () => {
    const res = await generate('alice@example.com', { audience: 'https://api.example', includeEmail: true });
    expect(res.status).toBe(200);
    const { token } = (await res.json()) as { token: string };
    const header = JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString('utf8')) as Record<string, unknown>;
    expect(header).toEqual({ alg: 'RS256', kid: issuer.issuer.kid, typ: 'JWT' });
    const claims = claimsOf(token);
    expect(claims).toMatchObject({ iss: 'https://accounts.google.com', aud: 'https://api.example', email: 'alice@example.com', email_verified: true });
    expect(claims.sub).toMatch(/^\d{21}$/);
    expect(Number(claims.exp) - Number(claims.iat)).toBe(3600);
    const bare = claimsOf(((await (await generate('sa@p.iam.gserviceaccount.com', { audience: 'https://api.example' })).json()) as { token: string }).token);
    expect(bare).not.toHaveProperty('email');
  });

  it('refuses what Google refuses, naming the problem', async () => {
    const answer = async (res: Response) => ({ status: res.status, message: ((await res.json()) as { error: { message: string } }).error.message });
    expect(await answer(await generate('alice@example.com', {}))).toMatchObject({ status: 400, message: expect.stringContaining('audience') as unknown });
    expect(await answer(await generate('alice@example.com', { audience: 'a', scope: 'x' }))).toMatchObject({ status: 400, message: expect.stringContaining('Unknown name "scope"') as unknown });
    expect(await answer(await generate('alice@example.com', { audience: 'a' }, 'my-project'))).toMatchObject({ status: 400, message: expect.stringContaining("'-'") as unknown });
    expect(await answer(await generate('not-an-email', { audience: 'a' }))).toMatchObject({ status: 400, message: expect.stringContaining('email') as unknown });
  });

  it('keeps its key across restarts on the same directory', async () => {
    const before = await (await fetch(issuer.certsUrl)).json();
    await issuer.close();
    issuer = await startIdentityEmulator({ dataDir: dir });
    expect(await (await fetch(issuer.certsUrl)).json()).toEqual(before);
  });
});
