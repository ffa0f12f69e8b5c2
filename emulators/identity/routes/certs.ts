// The signing certificates, where verifiers fetch them: Google's
// `https://www.googleapis.com/oauth2/v1/certs` shape (`{kid: PEM certificate}`) with a max-age, which
// google-auth-library honours when it caches them.
import type { EmulatorServer } from '../../kit/server.js';
import { Reply } from '../../kit/server.js';
import type { IdTokenIssuer } from '../id-tokens.js';

/** Shorter than Google's hours: a `--reset` local cloud has a new key, and verifiers should see it soon. */
export const CERTS_MAX_AGE_S = 300;

export function registerCertsRoutes(server: EmulatorServer, issuer: IdTokenIssuer): void {
  server.route('GET', '/oauth2/v1/certs', () => new Reply(200, issuer.certificates(), { 'cache-control': `public, max-age=${CERTS_MAX_AGE_S}, must-revalidate, no-transform` }));
}
