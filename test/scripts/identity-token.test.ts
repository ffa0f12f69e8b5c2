// `npm run identity-token`: reads the running local cloud's env file, asks its identity issuer for a
// token for the named user, and prints it; the token verifies as that user for MLOPS_API_URL.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callerIdentity } from '../../control-plane/api/caller.js';
import { identityVerifier } from '../../control-plane/identity/verify-identity-token.js';
import { startIdentityEmulator, type IdentityEmulator } from '../../emulators/identity/server.js';
import { envFileText } from '../../emulators/launcher/local-cloud.js';

const run = promisify(execFile);
const API = 'http://127.0.0.1:9/mlops';

let dir: string;
let issuer: IdentityEmulator;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'identity-token-'));
  issuer = await startIdentityEmulator({ dataDir: join(dir, 'identity') });
  writeFileSync(join(dir, 'env'), envFileText({ IAM_CREDENTIALS_EMULATOR_HOST: `${issuer.host}:${issuer.port}`, MLOPS_IDENTITY_CERTS_URL: issuer.certsUrl, MLOPS_API_URL: API }));
});
afterAll(async () => {
  await issuer?.close();
  rmSync(dir, { recursive: true, force: true });
});

const script = (...args: string[]) => run('npx', ['tsx', 'scripts/identity-token.ts', ...args], { encoding: 'utf8' });

describe('identity-token', () => {
  it('prints a token for the named user, for MLOPS_API_URL unless --audience says otherwise', async () => {
    const { stdout } = await script('--email', 'alice@example.com', '--data-dir', dir);
    const verifier = identityVerifier({ certsUrl: issuer.certsUrl, audiences: [API] });
    expect(await callerIdentity({ authorization: `Bearer ${stdout.trim()}` }, verifier)).toMatchObject({ email: 'alice@example.com' });
    const other = await script('--email', 'bob@example.com', '--audience', 'https://elsewhere.example', '--data-dir', dir);
    expect(JSON.parse(Buffer.from(other.stdout.split('.')[1]!, 'base64url').toString('utf8'))).toMatchObject({ aud: 'https://elsewhere.example', email: 'bob@example.com' });
  }, 30_000);

  it('needs --email, and a running local cloud', async () => {
    await expect(script('--data-dir', dir)).rejects.toMatchObject({ code: 2, stderr: expect.stringContaining('--email is required') as unknown });
    await expect(script('--email', 'a@example.com', '--data-dir', join(dir, 'nowhere'))).rejects.toMatchObject({ code: 1, stderr: expect.stringContaining('npm run local') as unknown });
  }, 30_000);
});
