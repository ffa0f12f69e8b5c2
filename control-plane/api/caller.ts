// Who called the HTTP API and why, from the request's headers: Cloud Scheduler names its job and
// the scheduled time (which gives a scheduled request its id, so a double firing is one run), and
// an OIDC bearer token names the caller. The platform (Cloud Run's IAM, or the local runtime) has
// verified the token before the function runs; it is only read here, for the audit trail.
import { z } from 'zod';

export interface Caller {
  /** The Scheduler job's id and the time it was scheduled to fire, when Cloud Scheduler called. */
  readonly schedule?: { readonly job: string; readonly time: string };
  /** The token's `email` claim, when a bearer token came. */
  readonly email?: string;
}

const Claims = z.object({ email: z.string().max(320).optional() }).loose();

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

/** `headers` as node's IncomingHttpHeaders (lowercase names). */
export function callerFromHeaders(headers: Readonly<Record<string, string | string[] | undefined>>): Caller {
  const header = (name: string) => {
    const value = headers[name];
    return Array.isArray(value) ? value[0] : value;
  };
  const job = header('x-cloudscheduler-jobname');
  const time = header('x-cloudscheduler-scheduletime');
  const email = tokenEmail(header('authorization'));
  return {
    ...(job && time && !Number.isNaN(Date.parse(time)) ? { schedule: { job: job.slice(0, 500), time: new Date(time).toISOString() } } : {}),
    ...(email ? { email } : {}),
  };
}
