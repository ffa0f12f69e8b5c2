// The Cloud Scheduler emulator through @google-cloud/scheduler: the job lifecycle, Google's
// errors naming the field, `:run` with Cloud Scheduler's headers and an OIDC token a verifier can
// check, retries with backoff, and pause/resume.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { protos } from '@google-cloud/scheduler';
import { nextScheduleTime } from '../../../emulators/scheduler/schedule.js';
import { PARENT, PROJECT, seconds, startTestScheduler, TargetServer, verifyJwt, waitUntil, type TestScheduler } from './support.js';

type Job = protos.google.cloud.scheduler.v1.IJob;

let scheduler: TestScheduler;
let target: TargetServer;

beforeAll(async () => {
  target = await new TargetServer().start();
  scheduler = await startTestScheduler();
});
afterAll(async () => {
  await scheduler?.close();
  await target?.close();
});

const httpJob = (id: string, extra: Job = {}): Job => ({
  name: `${PARENT}/jobs/${id}`,
  schedule: '*/5 * * * *',
  httpTarget: { uri: target.url(`/${id}`) },
  ...extra,
});

/** The client's error for a call that must fail. */
async function failure(call: Promise<unknown>): Promise<{ code: number; message: string }> {
  try {
    await call;
  } catch (err) {
    return err as { code: number; message: string };
  }
  throw new Error('the call succeeded');
}

/** A raw REST call, for what the client would refuse to send. */
async function rest(method: string, path: string, body?: unknown): Promise<{ status: number; body: { error?: { code: number; status: string; message: string } } & Record<string, unknown> }> {
  const res = await fetch(`${scheduler.emulator.url}${path}`, { method, headers: { 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  return { status: res.status, body: (await res.json()) as never };
}

describe('Cloud Scheduler emulator: jobs', () => {
  it("creates a job with Google's defaults and its next time in the job's time zone, gets, lists in pages, updates with a mask and deletes it", async () => {
    const before = Date.now();
    const [created] = await scheduler.client.createJob({ parent: PARENT, job: httpJob('crud-a', { timeZone: 'America/New_York', schedule: '30 9 * * 1-5', description: 'weekday mornings' }) });
    expect(created).toMatchObject({
      name: `${PARENT}/jobs/crud-a`,
      description: 'weekday mornings',
      state: 'ENABLED',
      schedule: '30 9 * * 1-5',
      timeZone: 'America/New_York',
      httpTarget: { uri: target.url('/crud-a'), httpMethod: 'POST', headers: { 'User-Agent': 'Google-Cloud-Scheduler' } },
      retryConfig: { retryCount: 0, maxDoublings: 5 },
    });
    expect(seconds(created.retryConfig?.minBackoffDuration)).toBe(5);
    expect(seconds(created.retryConfig?.maxBackoffDuration)).toBe(3600);
    expect(seconds(created.attemptDeadline)).toBe(180);
    expect(seconds(created.userUpdateTime) * 1000).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
    // 09:30 New York time on the next weekday, whatever the offset (EST or EDT) is then.
    const next = new Date(seconds(created.scheduleTime) * 1000);
    const local = new Intl.DateTimeFormat('en-US', { timeZone: 'America/New_York', hour: '2-digit', minute: '2-digit', weekday: 'short', hourCycle: 'h23' }).format(next);
    expect(local).toMatch(/^(Mon|Tue|Wed|Thu|Fri) 09:30$/);
    expect(next.getTime()).toBe(nextScheduleTime('30 9 * * 1-5', 'America/New_York', Date.now()));

    const [got] = await scheduler.client.getJob({ name: created.name! });
    expect(got).toEqual(created);

    await scheduler.client.createJob({ parent: PARENT, job: httpJob('crud-b') });
    await scheduler.client.createJob({ parent: PARENT, job: httpJob('crud-c') });
    const [page1, nextRequest] = await scheduler.client.listJobs({ parent: PARENT, pageSize: 2 }, { autoPaginate: false });
    expect(page1.map((j) => j.name)).toHaveLength(2);
    expect(nextRequest?.pageToken).toBeTruthy();
    const [page2] = await scheduler.client.listJobs({ parent: PARENT, pageSize: 2, pageToken: nextRequest!.pageToken! }, { autoPaginate: false });
    const listed = [...page1, ...page2].map((j) => j.name);
    expect(listed).toEqual(expect.arrayContaining(['crud-a', 'crud-b', 'crud-c'].map((id) => `${PARENT}/jobs/${id}`)));
    expect(new Set(listed).size).toBe(listed.length);

    const [updated] = await scheduler.client.updateJob({
      job: { name: created.name, schedule: '0 12 * * *', description: 'ignored: not in the mask', retryConfig: { retryCount: 2 } },
      updateMask: { paths: ['schedule', 'retry_config.retry_count'] },
    });
    expect(updated).toMatchObject({ schedule: '0 12 * * *', description: 'weekday mornings', timeZone: 'America/New_York', retryConfig: { retryCount: 2, maxDoublings: 5 } });
    expect(seconds(updated.retryConfig?.minBackoffDuration)).toBe(5);
    expect(seconds(updated.scheduleTime) * 1000).toBe(nextScheduleTime('0 12 * * *', 'America/New_York', Date.now()));
    expect(seconds(updated.userUpdateTime)).toBeGreaterThanOrEqual(seconds(created.userUpdateTime));

    // Switching the target (a oneof) through the mask.
    const [switched] = await scheduler.client.updateJob({
      job: { name: created.name, pubsubTarget: { topicName: `projects/${PROJECT}/topics/ticks`, data: Buffer.from('hi') } },
      updateMask: { paths: ['pubsub_target'] },
    });
    expect(switched.pubsubTarget).toMatchObject({ topicName: `projects/${PROJECT}/topics/ticks` });
    expect(Buffer.from(switched.pubsubTarget!.data as Uint8Array).toString()).toBe('hi');
    expect(switched.httpTarget ?? undefined).toBeUndefined();
    expect((switched as { target?: string }).target).toBe('pubsubTarget');

    await scheduler.client.deleteJob({ name: created.name! });
    expect((await failure(scheduler.client.getJob({ name: created.name! }))).code).toBe(5);
    expect((await failure(scheduler.client.deleteJob({ name: created.name! }))).code).toBe(5);
  });

  it('answers ALREADY_EXISTS, NOT_FOUND and INVALID_ARGUMENT naming the field', async () => {
    await scheduler.client.createJob({ parent: PARENT, job: httpJob('dup') });
    const dup = await failure(scheduler.client.createJob({ parent: PARENT, job: httpJob('dup') }));
    expect(dup.code).toBe(6);
    expect(dup.message).toContain(`${PARENT}/jobs/dup already exists`);
    expect((await failure(scheduler.client.runJob({ name: `${PARENT}/jobs/missing` }))).code).toBe(5);

    const invalid = async (job: Job, field: string) => {
      const err = await failure(scheduler.client.createJob({ parent: PARENT, job }));
      expect(err.code, err.message).toBe(3);
      expect(err.message).toContain(field);
    };
    await invalid(httpJob('bad-cron', { schedule: '61 * * * *' }), 'job.schedule');
    await invalid(httpJob('bad-cron2', { schedule: 'every 5 minutes' }), 'job.schedule');
    await invalid(httpJob('bad-tz', { timeZone: 'Mars/Olympus_Mons' }), 'job.time_zone');
    await invalid({ name: `${PARENT}/jobs/no-target`, schedule: '* * * * *' }, 'job.target');
    await invalid({ name: `${PARENT}/jobs/no-schedule`, httpTarget: { uri: target.url('/x') } }, 'job.schedule');
    await invalid(httpJob('bad id!'), 'JOB_ID');
    await invalid(httpJob('bad-uri', { httpTarget: { uri: 'ftp://example.com/x' } }), 'job.http_target.uri');
    await invalid(httpJob('get-body', { httpTarget: { uri: target.url('/x'), httpMethod: 'GET', body: Buffer.from('x') } }), 'job.http_target.body');
    await invalid(httpJob('retries', { retryConfig: { retryCount: 6 } }), 'job.retry_config.retry_count');
    await invalid(httpJob('backoff', { retryConfig: { minBackoffDuration: { seconds: 20 }, maxBackoffDuration: { seconds: 10 } } }), 'job.retry_config.min_backoff_duration');
    await invalid(httpJob('deadline', { attemptDeadline: { seconds: 5 } }), 'job.attempt_deadline');
    await invalid(httpJob('oidc', { httpTarget: { uri: target.url('/x'), oidcToken: { audience: 'a' } } }), 'job.http_target.oidc_token.service_account_email');
    await invalid({ name: `${PARENT}/jobs/topic`, schedule: '* * * * *', pubsubTarget: { topicName: 'projects/other/topics/ticks', data: Buffer.from('x') } }, 'job.pubsub_target.topic_name');
    await invalid({ name: `${PARENT}/jobs/empty-msg`, schedule: '* * * * *', pubsubTarget: { topicName: `projects/${PROJECT}/topics/ticks` } }, 'job.pubsub_target');
    await invalid(httpJob('elsewhere', { name: `projects/${PROJECT}/locations/europe-west1/jobs/elsewhere` }), 'job.name');

    const badMask = await failure(scheduler.client.updateJob({ job: { name: `${PARENT}/jobs/dup`, schedule: '* * * * *' }, updateMask: { paths: ['schedul'] } }));
    expect(badMask.code).toBe(3);
    expect(badMask.message).toContain('update_mask');
    expect(badMask.message).toContain('did you mean `schedule`');
    expect((await failure(scheduler.client.updateJob({ job: { name: `${PARENT}/jobs/dup` }, updateMask: { paths: ['state'] } }))).code).toBe(3);
  });

  it('refuses unknown fields and query parameters by name, over REST', async () => {
    const unknownField = await rest('POST', `/v1/${PARENT}/jobs`, { schedule: '* * * * *', httpTarget: { uri: target.url('/x'), verb: 'POST' } });
    expect(unknownField.status).toBe(400);
    expect(unknownField.body.error).toMatchObject({ status: 'INVALID_ARGUMENT', message: `Invalid JSON payload received. Unknown name "verb" at 'job.http_target': Cannot find field.` });
    const badType = await rest('POST', `/v1/${PARENT}/jobs`, { schedule: 5, httpTarget: { uri: target.url('/x') } });
    expect(badType.body.error?.message).toBe(`Invalid value at 'job.schedule' (TYPE_STRING), 5`);
    const badQuery = await rest('GET', `/v1/${PARENT}/jobs?pageSise=3`);
    expect(badQuery.status).toBe(400);
    expect(badQuery.body.error?.message).toContain('"pageSise"');
    const badParent = await rest('GET', `/v1/projects/${PROJECT}/locations/moon/jobs`);
    expect(badParent.status).toBe(400);
    // gcloud and the LocationsClient may ask for the service's locations.
    const locations = await rest('GET', `/v1/projects/${PROJECT}/locations`);
    expect(locations.body.locations).toContainEqual({ name: `projects/${PROJECT}/locations/us-central1`, locationId: 'us-central1' });
    expect((await rest('GET', `/v1/projects/${PROJECT}/locations/us-central1`)).status).toBe(200);
  });

  it(":run delivers at once with Cloud Scheduler's headers, the body and an OIDC token that verifies against the JWKS", async () => {
    const email = 'scheduler@sched-project.iam.gserviceaccount.com';
    const [job] = await scheduler.client.createJob({
      parent: PARENT,
      job: httpJob('run-now', {
        schedule: '0 0 1 1 *',
        httpTarget: {
          uri: target.url('/run-now'),
          httpMethod: 'PUT',
          headers: { 'Content-Type': 'application/json', 'X-Custom': 'kept', 'X-CloudScheduler-JobName': 'spoofed' },
          body: Buffer.from('{"reason":"scheduled"}'),
          oidcToken: { serviceAccountEmail: email },
        },
      }),
    });
    const runAt = Date.now();
    const [ran] = await scheduler.client.runJob({ name: job.name! });
    expect(ran.name).toBe(job.name);
    const [request] = await target.waitFor('/run-now', 1);
    expect(request!.method).toBe('PUT');
    expect(request!.body.toString()).toBe('{"reason":"scheduled"}');
    expect(request!.headers).toMatchObject({
      'content-type': 'application/json',
      'x-custom': 'kept',
      'user-agent': 'Google-Cloud-Scheduler',
      'x-cloudscheduler': 'true',
      'x-cloudscheduler-jobname': 'run-now',
    });
    const scheduleTime = request!.headers['x-cloudscheduler-scheduletime'] as string;
    expect(scheduleTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
    expect(Math.abs(Date.parse(scheduleTime) - runAt)).toBeLessThan(5_000);

    const authorization = request!.headers.authorization ?? '';
    expect(authorization).toMatch(/^Bearer [\w-]+\.[\w-]+\.[\w-]+$/);
    const jwks = (await (await fetch(`${scheduler.emulator.url}/_emulator/oidc/certs`)).json()) as Parameters<typeof verifyJwt>[1];
    const claims = verifyJwt(authorization.slice('Bearer '.length), jwks);
    expect(claims).toMatchObject({ iss: 'https://accounts.google.com', aud: target.url('/run-now'), email, email_verified: true });
    expect(claims.sub).toMatch(/^\d{21}$/);
    expect((claims.exp as number) - (claims.iat as number)).toBe(3600);
    expect(Math.abs((claims.iat as number) * 1000 - Date.now())).toBeLessThan(10_000);
    // A token altered in transit does not verify.
    const [h, c, s] = authorization.slice('Bearer '.length).split('.');
    const forged = Buffer.from(JSON.stringify({ ...claims, email: 'attacker@example.com' })).toString('base64url');
    expect(() => verifyJwt(`${h}.${forged}.${s}`, jwks)).toThrow('bad signature');
    expect(c).not.toBe(forged);

    const after = await waitUntil(async () => (await scheduler.client.getJob({ name: job.name! }))[0], (j) => j.lastAttemptTime != null);
    expect(after.status?.code ?? 0).toBe(0);
    expect(seconds(after.lastAttemptTime) * 1000).toBeGreaterThanOrEqual(Math.floor(runAt / 1000) * 1000);

    // An explicit audience is used as given.
    await scheduler.client.updateJob({ job: { name: job.name, httpTarget: { uri: target.url('/run-now'), oidcToken: { serviceAccountEmail: email, audience: 'https://mlops-api.example' } } }, updateMask: { paths: ['http_target'] } });
    await scheduler.client.runJob({ name: job.name! });
    const [, second] = await target.waitFor('/run-now', 2);
    expect(second!.method).toBe('POST');
    expect(verifyJwt(second!.headers.authorization!.slice(7), jwks).aud).toBe('https://mlops-api.example');
  });

  it('retries a failed attempt with exponential backoff until it succeeds, and records the last status', async () => {
    target.answer = (req, nth) => (req.path === '/flaky' && nth <= 2 ? { status: 500 } : { status: 200 });
    const [job] = await scheduler.client.createJob({
      parent: PARENT,
      job: httpJob('flaky', { schedule: '0 0 1 1 *', retryConfig: { retryCount: 3, minBackoffDuration: { nanos: 200_000_000 }, maxBackoffDuration: { seconds: 10 }, maxDoublings: 2 } }),
    });
    await scheduler.client.runJob({ name: job.name! });
    const [first, second, third] = await target.waitFor('/flaky', 3);
    // 0.2 s, then doubled to 0.4 s.
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(190);
    expect(third!.at - second!.at).toBeGreaterThanOrEqual(390);
    expect(third!.at - second!.at).toBeLessThan(1_500);
    // One execution: every attempt carries the same scheduled time.
    expect(new Set([first, second, third].map((r) => r!.headers['x-cloudscheduler-scheduletime'])).size).toBe(1);
    const done = await waitUntil(async () => (await scheduler.client.getJob({ name: job.name! }))[0], (j) => j.status?.code === 0);
    expect(seconds(done.lastAttemptTime) * 1000).toBeGreaterThan(Date.now() - 3_000);
    await new Promise((r) => setTimeout(r, 500));
    expect(target.on('/flaky')).toHaveLength(3);
  });

  it('records a failure: no retry when retry_count is 0, and the last status after retries are spent', async () => {
    target.answer = (req) => (req.path === '/down' ? { status: 503 } : req.path === '/broken' ? { status: 500 } : { status: 200 });
    const [down] = await scheduler.client.createJob({ parent: PARENT, job: httpJob('down', { schedule: '0 0 1 1 *' }) });
    await scheduler.client.runJob({ name: down.name! });
    const failed = await waitUntil(async () => (await scheduler.client.getJob({ name: down.name! }))[0], (j) => (j.status?.code ?? 0) !== 0);
    expect(failed.status).toMatchObject({ code: 14, message: 'HTTP 503 Service Unavailable' });

    const [broken] = await scheduler.client.createJob({
      parent: PARENT,
      job: httpJob('broken', { schedule: '0 0 1 1 *', retryConfig: { retryCount: 1, minBackoffDuration: { nanos: 100_000_000 } } }),
    });
    await scheduler.client.runJob({ name: broken.name! });
    await target.waitFor('/broken', 2);
    const spent = await waitUntil(async () => (await scheduler.client.getJob({ name: broken.name! }))[0], (j) => (j.status?.code ?? 0) !== 0 && target.on('/broken').length === 2);
    expect(spent.status?.code).toBe(13);
    await new Promise((r) => setTimeout(r, 400));
    expect(target.on('/down')).toHaveLength(1);
    expect(target.on('/broken')).toHaveLength(2);
  });

  it('pauses and resumes: PAUSED has no next time, and each transition needs the other state', async () => {
    const [job] = await scheduler.client.createJob({ parent: PARENT, job: httpJob('pausable') });
    const [paused] = await scheduler.client.pauseJob({ name: job.name! });
    expect(paused.state).toBe('PAUSED');
    expect(paused.scheduleTime).toBeNull();
    const again = await failure(scheduler.client.pauseJob({ name: job.name! }));
    expect(again.code).toBe(9);
    const [resumed] = await scheduler.client.resumeJob({ name: job.name! });
    expect(resumed.state).toBe('ENABLED');
    expect(seconds(resumed.scheduleTime) * 1000).toBe(nextScheduleTime('*/5 * * * *', undefined, Date.now()));
    expect((await failure(scheduler.client.resumeJob({ name: job.name! }))).code).toBe(9);
  });
});
