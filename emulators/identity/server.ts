// The local cloud's identity issuer: Google's ID tokens without Google. It keeps an RSA key and its
// self-signed certificate under dataDir, serves the certificate as Google serves its own
// (`GET /oauth2/v1/certs`), and signs ID tokens through the IAM Credentials API's
// `generateIdToken`, so that code verifying Google's tokens (google-auth-library) verifies these
// once pointed at this certs URL. google-auth-library's `Impersonated` client reaches it with
// `endpoint: url`.
import { mkdir } from 'node:fs/promises';
import { faultsFromEnv, type FaultInjector } from '../kit/faults.js';
import { emulatorLog } from '../kit/log.js';
import { EmulatorServer } from '../kit/server.js';
import { IdTokenIssuer } from './id-tokens.js';
import { registerCertsRoutes } from './routes/certs.js';
import { registerServiceAccountRoutes } from './routes/service-accounts.js';
import { SigningKey } from './signing-key.js';

export interface IdentityEmulatorOptions {
  /** Where the signing key and certificate live; they persist across restarts on the same directory. */
  dataDir: string;
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  /** Fault rules shared with other emulators; default: from EMULATOR_FAULTS. */
  faults?: FaultInjector;
}

export interface IdentityEmulator {
  readonly host: string;
  readonly port: number;
  /** `http://host:port`: the IAM Credentials endpoint. */
  readonly url: string;
  /** `http://host:port/oauth2/v1/certs`: where verifiers fetch the certificates. */
  readonly certsUrl: string;
  /** Signs in-process, with the same key (the Scheduler emulator's OIDC tokens, tests). */
  readonly issuer: IdTokenIssuer;
  close(): Promise<void>;
}

export async function startIdentityEmulator(options: IdentityEmulatorOptions): Promise<IdentityEmulator> {
  await mkdir(options.dataDir, { recursive: true });
  const issuer = new IdTokenIssuer(await SigningKey.open(options.dataDir));
  const server = new EmulatorServer('iamcredentials', options.faults ?? faultsFromEnv());
  registerCertsRoutes(server, issuer);
  registerServiceAccountRoutes(server, issuer);
  const address = await server.listen(options.port ?? 0, options.host ?? '127.0.0.1');
  const url = `http://${address.host.includes(':') ? `[${address.host}]` : address.host}:${address.port}`;
  emulatorLog('INFO', 'identity issuer (IAM Credentials, OAuth2 certs) listening', { url, dataDir: options.dataDir, kid: issuer.kid });
  return { ...address, url, certsUrl: `${url}/oauth2/v1/certs`, issuer, close: () => server.close() };
}
