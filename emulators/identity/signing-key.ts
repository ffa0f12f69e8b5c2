// The local issuer's RSA key and its self-signed X.509 certificate, both kept under dataDir so that
// tokens stay verifiable across restarts. The certificate is what Google's v1 certs endpoint serves
// (`{kid: PEM certificate}`); node:crypto cannot issue one, so node-forge signs it once, on first start.
import { createHash, createPrivateKey, generateKeyPair, sign, X509Certificate, type KeyObject } from 'node:crypto';
import { chmod, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import forge from 'node-forge';
import { isErrno, writeFileAtomic } from '../kit/fs-atomic.js';

const KEY_FILE = 'signing-key.pem';
const CERTIFICATE_FILE = 'signing-certificate.pem';
/** Google's certificates live about two weeks and rotate; the local one lives as long as the data dir. */
const CERTIFICATE_YEARS = 10;

export class SigningKey {
  /** Google's kids are 40 hex digits; here, the start of the public key's SHA-256. */
  readonly kid: string;

  private constructor(
    private readonly privateKey: KeyObject,
    readonly certificatePem: string,
  ) {
    const der = new X509Certificate(certificatePem).publicKey.export({ type: 'spki', format: 'der' });
    this.kid = createHash('sha256').update(der).digest('hex').slice(0, 40);
  }

  /** The key and certificate under `dataDir`, or new ones saved there (the key readable by its owner only). */
  static async open(dataDir: string): Promise<SigningKey> {
    const keyFile = join(dataDir, KEY_FILE);
    const certificateFile = join(dataDir, CERTIFICATE_FILE);
    let privateKey = await readOptional(keyFile).then((pem) => (pem === undefined ? undefined : createPrivateKey(pem)));
    if (!privateKey) {
      privateKey = (await promisify(generateKeyPair)('rsa', { modulusLength: 2048 })).privateKey;
      await writeFileAtomic(keyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }), join(dataDir, 'tmp'));
      await chmod(keyFile, 0o600);
    }
    let certificatePem = await readOptional(certificateFile);
    // A certificate of another key (a key file replaced by hand) is issued again.
    if (certificatePem === undefined || !certifies(certificatePem, privateKey)) {
      certificatePem = selfSignedCertificate(privateKey);
      await writeFileAtomic(certificateFile, certificatePem, join(dataDir, 'tmp'));
    }
    return new SigningKey(privateKey, certificatePem);
  }

  /** A compact RS256 JWS of `claims`, with this key's kid in the header. */
  signJwt(claims: Readonly<Record<string, unknown>>): string {
    const part = (value: object) => Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
    const signingInput = `${part({ alg: 'RS256', kid: this.kid, typ: 'JWT' })}.${part(claims)}`;
    return `${signingInput}.${sign('sha256', Buffer.from(signingInput), this.privateKey).toString('base64url')}`;
  }
}

async function readOptional(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    if (isErrno(err, 'ENOENT')) return undefined;
    throw err;
  }
}

function certifies(certificatePem: string, privateKey: KeyObject): boolean {
  try {
    return new X509Certificate(certificatePem).checkPrivateKey(privateKey);
  } catch {
    return false;
  }
}

function selfSignedCertificate(privateKey: KeyObject): string {
  const key = forge.pki.privateKeyFromPem(privateKey.export({ type: 'pkcs1', format: 'pem' }).toString());
  const certificate = forge.pki.createCertificate();
  certificate.publicKey = forge.pki.setRsaPublicKey(key.n, key.e);
  // A positive serial (leading 0 nibble avoids a negative DER integer).
  certificate.serialNumber = `0${forge.util.bytesToHex(forge.random.getBytesSync(15))}`;
  const now = new Date();
  certificate.validity.notBefore = now;
  certificate.validity.notAfter = new Date(now.getTime());
  certificate.validity.notAfter.setUTCFullYear(now.getUTCFullYear() + CERTIFICATE_YEARS);
  // Google's say CN=federated-signon.system.gserviceaccount.com; this one says it is the local cloud's.
  const name = [{ name: 'commonName', value: 'federated-signon.local-cloud.invalid' }];
  certificate.setSubject(name);
  certificate.setIssuer(name);
  certificate.sign(key, forge.md.sha256.create());
  return forge.pki.certificateToPem(certificate);
}
