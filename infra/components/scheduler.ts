// The Cloud Scheduler jobs infra/scheduler-jobs.ts declares: each model's retraining schedule
// (mlopsApi), the rollout reconcile pass every minute and the drift check hourly. Each calls its
// function with an OIDC token of the Scheduler service account whose audience is that function's URL.
import * as gcp from '@pulumi/gcp';
import * as pulumi from '@pulumi/pulumi';
import type { ResolvedModelSpec } from '../../control-plane/config/load-model-specs.js';
import type { StackConfig } from '../config.js';
import { childOptions } from './child-options.js';
import { driftCheckJob, type ModelSchedule, type RetrainingSchedulerJob, retrainingSchedulerJobs, rolloutReconcileJob } from '../scheduler-jobs.js';

/** The models' schedules as the job declarations take them (a spec without `schedule` has no job). */
export function modelSchedules(specs: readonly Pick<ResolvedModelSpec, 'name' | 'schedule'>[]): ModelSchedule[] {
  return specs.flatMap((s) => (s.schedule ? [{ name: s.name, cron: s.schedule.cron, timeZone: s.schedule.timeZone, enabled: s.schedule.enabled }] : []));
}

export interface SchedulerJobsArgs {
  readonly config: Pick<StackConfig, 'project' | 'region'>;
  readonly specs: readonly Pick<ResolvedModelSpec, 'name' | 'schedule'>[];
  /** The Scheduler service account (it holds run.invoker on the three functions). */
  readonly schedulerServiceAccount: { readonly email: pulumi.Input<string> };
  /** The functions' URLs (CloudFunctions.urls): mlopsApi, reconcileRollouts, checkDrift. */
  readonly urls: Readonly<Record<string, pulumi.Input<string>>>;
}

/** A declaration for given URL and service account (the declarations take plain strings). */
type Declare = (url: string, invokerServiceAccount: string) => RetrainingSchedulerJob;

// Fills the fields that do not depend on the URL or the account; the httpTarget is re-declared
// with the resolved values, so that uri and audience are exactly what the declaration makes of them.
const PLACEHOLDER_URL = 'https://placeholder.invalid';
const PLACEHOLDER_ACCOUNT = 'placeholder@placeholder.invalid';

export class SchedulerJobs extends pulumi.ComponentResource {
  /** By job id (`retrain-<model>`, `reconcile-rollouts`, `check-drift`). */
  readonly jobs: Record<string, gcp.cloudscheduler.Job>;

  constructor(name: string, args: SchedulerJobsArgs, opts?: pulumi.ComponentResourceOptions) {
    super('mlops:infra:SchedulerJobs', name, {}, opts);
    const { project, region: location } = args.config;
    const url = (fn: string) => {
      const found = args.urls[fn];
      if (found === undefined) throw new Error(`no URL for function ${fn} (CloudFunctions.urls)`);
      return found;
    };
    const schedules = modelSchedules(args.specs);
    const declarations: { fn: string; declare: Declare }[] = [
      ...schedules.map((_, i) => ({
        fn: 'mlopsApi',
        declare: (apiUrl: string, invokerServiceAccount: string) => retrainingSchedulerJobs(schedules, { project, location, apiUrl, invokerServiceAccount })[i]!,
      })),
      { fn: 'reconcileRollouts', declare: (reconcileUrl, invokerServiceAccount) => rolloutReconcileJob({ project, location, reconcileUrl, invokerServiceAccount }) },
      { fn: 'checkDrift', declare: (checkDriftUrl, invokerServiceAccount) => driftCheckJob({ project, location, checkDriftUrl, invokerServiceAccount }) },
    ];

    this.jobs = {};
    for (const { fn, declare } of declarations) {
      const { job, paused } = declare(PLACEHOLDER_URL, PLACEHOLDER_ACCOUNT);
      const id = job.name.slice(job.name.lastIndexOf('/') + 1);
      const httpTarget = pulumi.all([url(fn), args.schedulerServiceAccount.email]).apply(([target, email]) => {
        const t = declare(target, email).job.httpTarget;
        return { uri: t.uri, httpMethod: t.httpMethod, headers: { ...t.headers }, body: t.body, oidcToken: { ...t.oidcToken } };
      });
      this.jobs[id] = new gcp.cloudscheduler.Job(
        `job-${id}`,
        {
          name: id,
          project,
          region: location,
          description: job.description,
          schedule: job.schedule,
          timeZone: job.timeZone,
          paused,
          attemptDeadline: job.attemptDeadline,
          retryConfig: { ...job.retryConfig },
          httpTarget,
        },
        childOptions(this, opts),
      );
    }
    this.registerOutputs({});
  }
}
