// The retraining schedules as Cloud Scheduler jobs (infra/scheduler-jobs.ts), and the launcher's
// translation of their REST JSON form into the client's messages.
import { describe, expect, it } from 'vitest';
import { jobMessage } from '../../../emulators/launcher/scheduler-jobs.js';
import { retrainingSchedulerJobs } from '../../../infra/scheduler-jobs.js';

const CONTEXT = { project: 'my-project', location: 'europe-west4', apiUrl: 'https://mlopsapi-abc-ez.a.run.app/', invokerServiceAccount: 'scheduler@my-project.iam.gserviceaccount.com' };

describe('retrainingSchedulerJobs', () => {
  it('declares one job per model that POSTs {"reason":"schedule"} to its trainingRuns with an OIDC token for the API', () => {
    const [job, paused] = retrainingSchedulerJobs(
      [
        { name: 'flight-delay', cron: '0 3 * * 1', timeZone: 'Europe/Berlin', enabled: true },
        { name: 'churn', cron: '*/30 * * * *', timeZone: 'Etc/UTC', enabled: false },
      ],
      CONTEXT,
    );
    expect(job).toEqual({
      paused: false,
      job: {
        name: 'projects/my-project/locations/europe-west4/jobs/retrain-flight-delay',
        description: "Retrain flight-delay on its model spec's schedule",
        schedule: '0 3 * * 1',
        timeZone: 'Europe/Berlin',
        httpTarget: {
          uri: 'https://mlopsapi-abc-ez.a.run.app/v1/models/flight-delay/trainingRuns',
          httpMethod: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: Buffer.from('{"reason":"schedule"}').toString('base64'),
          oidcToken: { serviceAccountEmail: 'scheduler@my-project.iam.gserviceaccount.com', audience: 'https://mlopsapi-abc-ez.a.run.app' },
        },
        retryConfig: { retryCount: 3, maxRetryDuration: '0s', minBackoffDuration: '10s', maxBackoffDuration: '300s', maxDoublings: 3 },
        attemptDeadline: '60s',
      },
    });
    expect(paused).toMatchObject({ paused: true, job: { name: 'projects/my-project/locations/europe-west4/jobs/retrain-churn', schedule: '*/30 * * * *' } });
  });

  it('refuses a model name that cannot be a job id, and a model listed twice', () => {
    expect(() => retrainingSchedulerJobs([{ name: 'flight delay', cron: '0 3 * * *', timeZone: 'UTC', enabled: true }], CONTEXT)).toThrow(/model "flight delay": .*letters, digits, hyphens and underscores/);
    const twice = { name: 'm', cron: '0 3 * * *', timeZone: 'UTC', enabled: true };
    expect(() => retrainingSchedulerJobs([twice, twice], CONTEXT)).toThrow(/model m is listed twice/);
  });
});

describe('jobMessage (REST JSON → the client’s Job message)', () => {
  it('turns the base64 body into bytes and "<n>s" durations into Durations', () => {
    const { job } = retrainingSchedulerJobs([{ name: 'm1', cron: '0 3 * * *', timeZone: 'UTC', enabled: true }], CONTEXT)[0]!;
    const message = jobMessage({ ...job, attemptDeadline: '1.5s' });
    expect(Buffer.from(message.httpTarget!.body as Uint8Array).toString('utf8')).toBe('{"reason":"schedule"}');
    expect(message.attemptDeadline).toEqual({ seconds: 1, nanos: 500_000_000 });
    expect(message.retryConfig).toMatchObject({ retryCount: 3, minBackoffDuration: { seconds: 10, nanos: 0 }, maxBackoffDuration: { seconds: 300, nanos: 0 } });
    expect(() => jobMessage({ ...job, attemptDeadline: '5m' })).toThrow(/not a duration in seconds: "5m"/);
  });
});
