// The per-model retraining schedules as Cloud Scheduler v1 jobs (REST JSON form), declared once:
// the local launcher creates them in the Scheduler emulator and the Pulumi program creates the
// same jobs in the cloud. Each job calls mlopsApi's `POST /v1/models/{model}/trainingRuns` with
// an OIDC token for the API's URL, on the model spec's cron and time zone.

/** What a model spec says about its schedule (the caller maps its specs to this). */
export interface ModelSchedule {
  readonly name: string;
  /** Unix cron, five fields, as Cloud Scheduler reads it. */
  readonly cron: string;
  /** IANA time zone, e.g. `Europe/Berlin`. */
  readonly timeZone: string;
  /** A disabled schedule still exists, paused, so that enabling it is a resume. */
  readonly enabled: boolean;
}

export interface RetrainingJobsContext {
  readonly project: string;
  readonly location: string;
  /** mlopsApi's base URL (the function's URL in the cloud, its local URL on the local cloud). */
  readonly apiUrl: string;
  /** The service account Cloud Scheduler signs the OIDC token as; it needs run.invoker on mlopsApi. */
  readonly invokerServiceAccount: string;
}

/** google.cloud.scheduler.v1.Job in its REST JSON form: durations as `"<n>s"`, body base64. */
export interface SchedulerJobDeclaration {
  readonly name: string;
  readonly description: string;
  readonly schedule: string;
  readonly timeZone: string;
  readonly httpTarget: {
    readonly uri: string;
    readonly httpMethod: 'POST';
    readonly headers: Readonly<Record<string, string>>;
    readonly body: string;
    readonly oidcToken: { readonly serviceAccountEmail: string; readonly audience: string };
  };
  readonly retryConfig: {
    readonly retryCount: number;
    readonly maxRetryDuration: string;
    readonly minBackoffDuration: string;
    readonly maxBackoffDuration: string;
    readonly maxDoublings: number;
  };
  readonly attemptDeadline: string;
}

export interface RetrainingSchedulerJob {
  readonly job: SchedulerJobDeclaration;
  /** Create it paused (Cloud Scheduler creates jobs enabled; the launcher pauses, Pulumi sets `paused`). */
  readonly paused: boolean;
}

/** Cloud Scheduler job ids: letters, digits, hyphens and underscores, at most 500. */
const JOB_ID = /^[A-Za-z0-9_-]{1,500}$/;

/** The job id of a model's retraining schedule. */
export function retrainingJobId(model: string): string {
  return `retrain-${model}`;
}

export function retrainingSchedulerJobs(models: readonly ModelSchedule[], context: RetrainingJobsContext): RetrainingSchedulerJob[] {
  const apiUrl = context.apiUrl.replace(/\/+$/, '');
  const seen = new Set<string>();
  return models.map((model) => {
    const jobId = retrainingJobId(model.name);
    if (!JOB_ID.test(jobId)) throw new Error(`model ${JSON.stringify(model.name)}: its Scheduler job id ${jobId} may hold only letters, digits, hyphens and underscores`);
    if (seen.has(jobId)) throw new Error(`model ${model.name} is listed twice: one Scheduler job per model`);
    seen.add(jobId);
    return {
      paused: !model.enabled,
      job: {
        name: `projects/${context.project}/locations/${context.location}/jobs/${jobId}`,
        description: `Retrain ${model.name} on its model spec's schedule`,
        schedule: model.cron,
        timeZone: model.timeZone,
        httpTarget: {
          uri: `${apiUrl}/v1/models/${encodeURIComponent(model.name)}/trainingRuns`,
          httpMethod: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: Buffer.from(JSON.stringify({ reason: 'schedule' })).toString('base64'),
          oidcToken: { serviceAccountEmail: context.invokerServiceAccount, audience: apiUrl },
        },
        // mlopsApi only publishes the request and returns, so a failure is transient: retry a few
        // times with backoff, then wait for the next scheduled run.
        retryConfig: { retryCount: 3, maxRetryDuration: '0s', minBackoffDuration: '10s', maxBackoffDuration: '300s', maxDoublings: 3 },
        attemptDeadline: '60s',
      },
    };
  });
}

export interface ReconcileJobContext {
  readonly project: string;
  readonly location: string;
  /** reconcileRollouts' URL (the function's URL in the cloud, its local URL on the local cloud). */
  readonly reconcileUrl: string;
  readonly invokerServiceAccount: string;
}

export const ROLLOUT_RECONCILE_JOB_ID = 'reconcile-rollouts';
export const DRIFT_CHECK_JOB_ID = 'check-drift';

/** A job that POSTs `{}` to one of the control plane's HTTP functions (its URL is the token's audience). */
function functionJob(context: ReconcileJobContext & { readonly uri: string }, id: string, description: string, schedule: string, attemptDeadline: string): RetrainingSchedulerJob {
  const uri = context.uri.replace(/\/+$/, '');
  return {
    paused: false,
    job: {
      name: `projects/${context.project}/locations/${context.location}/jobs/${id}`,
      description,
      schedule,
      timeZone: 'Etc/UTC',
      httpTarget: {
        uri,
        httpMethod: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: Buffer.from('{}').toString('base64'),
        oidcToken: { serviceAccountEmail: context.invokerServiceAccount, audience: uri },
      },
      // The next run does the same work: a failed run is retried once, briefly.
      retryConfig: { retryCount: 1, maxRetryDuration: '0s', minBackoffDuration: '5s', maxBackoffDuration: '30s', maxDoublings: 1 },
      attemptDeadline,
    },
  };
}

/** Every minute, reconcileRollouts advances the active rollouts (design §1). */
export function rolloutReconcileJob(context: ReconcileJobContext): RetrainingSchedulerJob {
  return functionJob({ ...context, uri: context.reconcileUrl }, ROLLOUT_RECONCILE_JOB_ID, 'Advance, pause, promote or roll back every active rollout', '* * * * *', '120s');
}

export interface DriftCheckJobContext extends Omit<ReconcileJobContext, 'reconcileUrl'> {
  /** checkDrift's URL. */
  readonly checkDriftUrl: string;
  /** unix-cron; default hourly (design §1). The local cloud runs it every (scheduled) minute. */
  readonly schedule?: string;
}

/** Hourly, checkDrift scores every model's drift, performance and age (design §1). */
export function driftCheckJob(context: DriftCheckJobContext): RetrainingSchedulerJob {
  return functionJob({ ...context, reconcileUrl: context.checkDriftUrl, uri: context.checkDriftUrl }, DRIFT_CHECK_JOB_ID, "Score each model's feature drift, performance and age", context.schedule ?? '0 * * * *', '300s');
}
