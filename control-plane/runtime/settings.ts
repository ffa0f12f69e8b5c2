// The control plane's deployment settings, read once from the function's environment and
// validated at the edge: a missing or malformed variable fails the first request with its name.
import { z } from 'zod';

const ENVIRONMENTS = ['local', 'dev', 'prod'] as const;
export type EnvironmentName = (typeof ENVIRONMENTS)[number];

const BUCKET = /^[a-z0-9][a-z0-9._-]{1,220}[a-z0-9]$/;

/** Where Google publishes the certificates of its ID tokens (PEM, keyed by kid). */
export const GOOGLE_ID_TOKEN_CERTS_URL = 'https://www.googleapis.com/oauth2/v1/certs';
const HTTP_URL = z.url({ protocol: /^https?$/, error: 'an http(s) URL' });

const SettingsEnv = z.object({
  GOOGLE_CLOUD_PROJECT: z.string().regex(/^[a-z][a-z0-9-]{4,28}[a-z0-9]$/, 'a Google Cloud project id'),
  MLOPS_REGION: z.string().regex(/^[a-z]+-[a-z]+\d$/, 'a region such as us-central1').default('us-central1'),
  MLOPS_ENVIRONMENT: z.enum(ENVIRONMENTS).default('dev'),
  MLOPS_STATE_BUCKET: z.string().regex(BUCKET, 'a bucket name').optional(),
  MLOPS_PIPELINE_BUCKET: z.string().regex(BUCKET, 'a bucket name').optional(),
  MLOPS_PIPELINE_SERVICE_ACCOUNT: z.email().optional(),
  MLOPS_MODEL_SPECS_DIR: z.string().min(1).optional(),
  MLOPS_IDENTITY_CERTS_URL: HTTP_URL.default(GOOGLE_ID_TOKEN_CERTS_URL),
  // Comma-separated: a function answers on more than one URL (run.app, cloudfunctions.net), and a
  // user's `gcloud auth print-identity-token` names gcloud's OAuth client id, not a URL.
  MLOPS_IDENTITY_AUDIENCE: z
    .string()
    .transform((value) => value.split(',').map((a) => a.trim()).filter(Boolean))
    .pipe(z.array(z.string().max(2048)).max(10))
    .optional(),
  MLOPS_API_URL: HTTP_URL.optional(),
  // Comma-separated emails: the stack's approvers (Pulumi's mlops:approvers), besides each spec's.
  MLOPS_APPROVERS: z
    .string()
    .transform((value) => value.split(',').map((a) => a.trim()).filter(Boolean))
    .pipe(z.array(z.email({ error: (issue) => `must be comma-separated email addresses, got ${JSON.stringify(issue.input)}` })).max(100))
    .optional(),
});

export interface ControlPlaneSettings {
  readonly projectId: string;
  readonly region: string;
  readonly environment: EnvironmentName;
  /** Run records, decision records and leases (objects written with generation preconditions). */
  readonly stateBucket: string;
  /** Snapshots and the pipeline root. */
  readonly pipelineBucket: string;
  /** The service account PipelineJobs run as, unless a model spec names its own. */
  readonly pipelineServiceAccount?: string;
  readonly modelSpecsDir?: string;
  /**
   * Where the certificates that sign callers' ID tokens are published (Google's, or the local
   * cloud's issuer). This and the next are optional in the type only: readSettings always sets them.
   */
  readonly identityCertsUrl?: string;
  /**
   * The `aud` an ID token must name: this function's URL(s), from MLOPS_IDENTITY_AUDIENCE, else
   * MLOPS_API_URL (which the local cloud sets). Empty when neither is set: verification then refuses.
   */
  readonly identityAudiences?: readonly string[];
  /** Who may approve any model's rollouts in this deployment, besides each spec's approvers. */
  readonly approvers?: readonly string[];
}

export class SettingsError extends Error {}

/** The buckets' names when MLOPS_STATE_BUCKET / MLOPS_PIPELINE_BUCKET are not set. */
export function defaultBuckets(project: string): { stateBucket: string; pipelineBucket: string } {
  return { stateBucket: `${project}-mlops-state`, pipelineBucket: `${project}-pipelines` };
}

export function readSettings(env: NodeJS.ProcessEnv = process.env): ControlPlaneSettings {
  const parsed = SettingsEnv.safeParse({ ...env, GOOGLE_CLOUD_PROJECT: env.GOOGLE_CLOUD_PROJECT ?? env.GCLOUD_PROJECT });
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new SettingsError(`environment variable ${issue.path.join('.')}: ${issue.message}`);
  }
  const e = parsed.data;
  return {
    projectId: e.GOOGLE_CLOUD_PROJECT,
    region: e.MLOPS_REGION,
    environment: e.MLOPS_ENVIRONMENT,
    stateBucket: e.MLOPS_STATE_BUCKET ?? defaultBuckets(e.GOOGLE_CLOUD_PROJECT).stateBucket,
    pipelineBucket: e.MLOPS_PIPELINE_BUCKET ?? defaultBuckets(e.GOOGLE_CLOUD_PROJECT).pipelineBucket,
    ...(e.MLOPS_PIPELINE_SERVICE_ACCOUNT ? { pipelineServiceAccount: e.MLOPS_PIPELINE_SERVICE_ACCOUNT } : {}),
    ...(e.MLOPS_MODEL_SPECS_DIR ? { modelSpecsDir: e.MLOPS_MODEL_SPECS_DIR } : {}),
    identityCertsUrl: e.MLOPS_IDENTITY_CERTS_URL,
    identityAudiences: e.MLOPS_IDENTITY_AUDIENCE ?? (e.MLOPS_API_URL ? [e.MLOPS_API_URL] : []),
    ...(e.MLOPS_APPROVERS?.length ? { approvers: e.MLOPS_APPROVERS } : {}),
  };
}
