// IAM Service Account Credentials API v1, `projects.serviceAccounts.generateIdToken`: an ID token for
// the named account. Locally any syntactically valid email may have one, without the caller's own
// credentials being checked: this is the local cloud's stand-in for Google sign-in and for
// `roles/iam.serviceAccountOpenIdTokenCreator`.
import { z } from 'zod';
import { badRequest } from '../../kit/google-error.js';
import type { EmulatorServer } from '../../kit/server.js';
import type { IdTokenIssuer } from '../id-tokens.js';

const GenerateIdTokenRequest = z.strictObject({
  delegates: z.array(z.string()).optional(),
  audience: z.string().min(1, 'audience is required').max(2048),
  includeEmail: z.boolean().optional(),
  // Google's flag to put the email in `azp`; the local tokens keep the numeric id there.
  useEmailAzp: z.boolean().optional(),
});

const Email = z.email();

export function registerServiceAccountRoutes(server: EmulatorServer, issuer: IdTokenIssuer): void {
  server.route('POST', '/v1/projects/{project}/serviceAccounts/{account}:generateIdToken', async (ctx) => {
    const name = `projects/${ctx.params.project!}/serviceAccounts/${ctx.params.account!}`;
    if (ctx.params.project !== '-') throw badRequest(`Invalid resource name ${name}: the project must be the wildcard '-'.`, { location: 'name' });
    const email = ctx.params.account!;
    // Google also accepts an account's unique id here; locally only emails name accounts.
    if (!Email.safeParse(email).success) throw badRequest(`Invalid resource name ${name}: the account must be an email address.`, { location: 'name' });
    const body = GenerateIdTokenRequest.parse(await ctx.json());
    return { token: issuer.idToken({ email, audience: body.audience, includeEmail: body.includeEmail ?? false }) };
  });
}
