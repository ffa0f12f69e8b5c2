// `npm run identity-token -- --email alice@example.com`: print an ID token for a named user from
// the running local cloud's identity issuer (the IAM Credentials API's generateIdToken, through
// google-auth-library's Impersonated client), for `Authorization: Bearer` on mlopsApi. Locally any
// named user or service account may have one: it stands in for Google sign-in.
import { Impersonated, OAuth2Client } from 'google-auth-library';
import { exitWithUsageError, parseCommandLineOrExit, usageErrorText } from './cli.js';
import { LocalCloudEnvMissing, readLocalCloudEnv } from './local-cloud-env.js';

const IDENTITY_TOKEN_COMMAND = {
  command: 'npm run identity-token --',
  summary: "Print an ID token for a named user, signed by the local cloud's identity issuer (one hour).",
  options: {
    email: { type: 'string', valueName: 'address', description: 'the user or service account the token names (required)' },
    audience: { type: 'string', valueName: 'url', description: "the service the token is for (default: the local cloud's MLOPS_API_URL)" },
    'data-dir': { type: 'string', default: '.local-cloud', valueName: 'dir', description: "the running local cloud's data directory (its env file)" },
  },
} as const;

const values = parseCommandLineOrExit(IDENTITY_TOKEN_COMMAND);
if (!values.email) exitWithUsageError(usageErrorText(IDENTITY_TOKEN_COMMAND, '--email is required'));

let env: Record<string, string>;
try {
  env = readLocalCloudEnv(values['data-dir']);
} catch (err) {
  if (!(err instanceof LocalCloudEnvMissing)) throw err;
  process.stderr.write(`identity-token: ${err.message}\n`);
  process.exit(1);
}
const issuer = env.IAM_CREDENTIALS_EMULATOR_HOST;
const audience = values.audience ?? env.MLOPS_API_URL;
if (!issuer) exitWithUsageError(`identity-token: ${values['data-dir']}/env names no IAM_CREDENTIALS_EMULATOR_HOST (a local cloud older than the identity issuer: restart it)\n`);
if (!audience) exitWithUsageError(usageErrorText(IDENTITY_TOKEN_COMMAND, 'no --audience, and the local cloud serves no mlopsApi (MLOPS_API_URL) to default to'));

// The issuer asks for no credentials; the client wants an access token to send, so it gets a placeholder.
const source = new OAuth2Client();
source.setCredentials({ access_token: 'local-cloud', expiry_date: Date.now() + 3_600_000 });
const client = new Impersonated({ sourceClient: source, targetPrincipal: values.email, targetScopes: [], endpoint: `http://${issuer}` });
try {
  process.stdout.write(`${await client.fetchIdToken(audience, { includeEmail: true })}\n`);
} catch (err) {
  process.stderr.write(`identity-token: the issuer at ${issuer} refused: ${(err as Error).message}\n`);
  process.exit(1);
}
