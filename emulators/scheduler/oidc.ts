// OIDC ID tokens for HTTP targets, as Google mints them for a service account: RS256 JWTs with
// iss https://accounts.google.com, aud, azp/sub (the account's numeric id), email, email_verified,
// iat and exp (one hour). The key pair is generated on first start and kept under dataDir, and its
// public half is served as a JWKS, so a local verifier can check tokens across restarts.
import { createHash, createPrivateKey, createPublicKey, generateKeyPair, sign, type KeyObject } from 'node:crypto';
import { chmod, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { isErrno, writeFileAtomic } from '../kit/fs-atomic.js';

export const OIDC_ISSUER = 'https://accounts.google.com';
const TOKEN_LIFETIME_S = 3600;

export interface Jwk {
  kty: 'RSA';
  alg: 'RS256';
  use: 'sig';
  kid: string;
  n: string;
  e: string;
}

/** A stable numeric id for a service account, standing in for Google's 21-digit unique id. */
export function serviceAccountUniqueId(email: string): string {
  const digest = createHash('sha256').update(email).digest();
  return `1${(digest.readBigUInt64BE(0) % 10n ** 20n).toString().padStart(20, '0')}`;
}

const base64url = (value: object) => Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');

export class OidcIssuer {
  private readonly kid: string;
  private readonly jwk: Jwk;

  private constructor(private readonly privateKey: KeyObject) {
    const publicKey = createPublicKey(privateKey);
    this.kid = createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest('hex').slice(0, 40);
    const { n, e } = publicKey.export({ format: 'jwk' });
    this.jwk = { kty: 'RSA', alg: 'RS256', use: 'sig', kid: this.kid, n: n!, e: e! };
  }

  /** The key under `dataDir`, or a new one saved there (readable by its owner only). */
  static async open(dataDir: string): Promise<OidcIssuer> {
    const file = join(dataDir, 'oidc-signing-key.pem');
    try {
      return new OidcIssuer(createPrivateKey(await readFile(file, 'utf8')));
    } catch (err) {
      if (!isErrno(err, 'ENOENT')) throw err;
    }
    const { privateKey } = await promisify(generateKeyPair)('rsa', { modulusLength: 2048 });
    await writeFileAtomic(file, privateKey.export({ type: 'pkcs8', format: 'pem' }), join(dataDir, 'tmp'));
    await chmod(file, 0o600);
    return new OidcIssuer(privateKey);
  }

  jwks(): { keys: Jwk[] } {
    return { keys: [this.jwk] };
  }

  /** An ID token for `serviceAccountEmail` with audience `audience`; `nowMs` is real time (verifiers check exp against theirs). */
  idToken(serviceAccountEmail: string, audience: string, nowMs = Date.now()): string {
    const iat = Math.floor(nowMs / 1000);
    const id = serviceAccountUniqueId(serviceAccountEmail);
    const header = base64url({ alg: 'RS256', kid: this.kid, typ: 'JWT' });
    const claims = base64url({
      aud: audience,
      azp: id,
      email: serviceAccountEmail,
      email_verified: true,
      exp: iat + TOKEN_LIFETIME_S,
      iat,
      iss: OIDC_ISSUER,
      sub: id,
    });
    const signature = sign('sha256', Buffer.from(`${header}.${claims}`), this.privateKey).toString('base64url');
    return `${header}.${claims}.${signature}`;
  }
}
