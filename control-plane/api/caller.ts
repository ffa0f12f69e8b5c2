// Who called the HTTP API and why, from the request's headers: Cloud Scheduler names its job and
// the scheduled time (which gives a scheduled request its id, so a double firing is one run), and
// an OIDC bearer token names the caller. For the audit trail the token is only read (callerFromHeaders:
// the platform, Cloud Run's IAM, has checked it); where the identity decides (approvals), the token
// is verified here (callerIdentity).
import { z } from 'zod';
import { IdentityError } from '../identity/identity-error.js';
import type { IdentityVerifier, VerifiedIdentity } from '../identity/verify-identity-token.js';

export interface Caller {
  /** The Scheduler job's id and the time it was scheduled to fire, when Cloud Scheduler called. */
  readonly schedule?: { readonly job: string; readonly time: string };
  /** The token's `email` claim, when a bearer token came. */
  readonly email?: string;
}

const Claims = z.object({ email: z.string().max(320).optional() }).loose();

/** Request headers as node's IncomingHttpHeaders (lowercase names). */
export type RequestHeaders = Readonly<Record<string, string | string[] | undefined>>;

function headerValue(headers: RequestHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function tokenEmail(authorization: string | undefined): string | undefined {
  const token = /^Bearer\s+([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)\.[A-Za-z0-9_-]*$/.exec(authorization ?? '');
  if (!token) return undefined;
  try {
    const claims = Claims.safeParse(JSON.parse(Buffer.from(token[2]!, 'base64url').toString('utf8')));
    return claims.success ? claims.data.email : undefined;
  } catch {
    return undefined;
  }
}

/** The audit view of the caller; the email is read from the token, not verified. */
export function callerFromHeaders(headers: RequestHeaders): Caller {
  const header = (name: string) => headerValue(headers, name);
  const job = header('x-cloudscheduler-jobname');
  const time = header('x-cloudscheduler-scheduletime');
  const email = tokenEmail(header('authorization'));
  return {
    ...(job && time && !Number.isNaN(Date.parse(time)) ? { schedule: { job: job.slice(0, 500), time: new Date(time).toISOString() } } : {}),
    ...(email ? { email } : {}),
  };
}

/**
 * The caller's verified identity from `Authorization: Bearer <ID token>`: IdentityError (401) when
 * the header is missing, is not a bearer JWT, or the token fails verification.
 */
export async function callerIdentity(headers: RequestHeaders, verifier: IdentityVerifier): Promise<VerifiedIdentity> {
  const authorization = headerValue(headers, 'authorization');
  if (authorization === undefined || authorization.trim() === '') throw new IdentityError('missing', 'this request needs an ID token: Authorization: Bearer <token>');
  const bearer = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(authorization);
  if (!bearer) throw new IdentityError('malformed', 'the Authorization header must be "Bearer <ID token>"');
  return verifier.verify(bearer[1]!);
}
