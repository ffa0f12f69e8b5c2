// The emulator really fires jobs on schedule, on a clock sped up for the test (240: one scheduled
// minute every quarter second), never twice for one scheduled time, stops on pause and delete,
// enforces the attempt deadline on the same clock, and keeps jobs across a restart.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PARENT, seconds, startTestScheduler, TargetServer, waitUntil, type TestScheduler } from './support.js';

const SPEEDUP = 240;
const MINUTE_REAL_MS = 60_000 / SPEEDUP;
// Generous: the machine may be busy, and a late timer only makes the test wait longer.
const WAIT_MS = 5_000;

let target: TargetServer;
beforeAll(async () => {
  target = await new TargetServer().start();
});
afterAll(async () => {
  await target?.close();
});

const scheduleTimes = (path: string) => target.on(path).map((r) => Date.parse(r.headers['x-cloudscheduler-scheduletime'] as string));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('Cloud Scheduler emulator: firing on schedule', () => {
  let scheduler: TestScheduler;
  beforeAll(async () => {
    scheduler = await startTestScheduler({ clockSpeedup: SPEEDUP });
  });
  afterAll(async () => {
    await scheduler?.close();
  });

  it('fires every scheduled minute once, at whole minutes, and stops while paused and once deleted', async () => {
    const [job] = await scheduler.client.createJob({ parent: PARENT, job: { name: `${PARENT}/jobs/every-minute`, schedule: '* * * * *', httpTarget: { uri: target.url('/tick') } } });
    expect(seconds(job.scheduleTime) % 60).toBe(0);
    await target.waitFor('/tick', 3, WAIT_MS);
    const times = scheduleTimes('/tick');
    expect(times.every((t) => t % 60_000 === 0)).toBe(true);
    // Consecutive minutes, none twice.
    expect(times.slice(1).map((t, i) => t - times[i]!)).toEqual(times.slice(1).map(() => 60_000));
    expect(times[0]).toBe(seconds(job.scheduleTime) * 1000);

    const [paused] = await scheduler.client.pauseJob({ name: job.name! });
    const atPause = target.on('/tick').length;
    await sleep(3 * MINUTE_REAL_MS);
    // An attempt already under way when the pause arrived may still land.
    expect(target.on('/tick').length).toBeLessThanOrEqual(atPause + 1);
    const beforeResume = target.on('/tick').length;
    const [resumed] = await scheduler.client.resumeJob({ name: job.name! });
    await target.waitFor('/tick', beforeResume + 2, WAIT_MS);
    const all = scheduleTimes('/tick');
    expect(new Set(all).size).toBe(all.length);
    // Resuming does not replay the minutes that passed while paused.
    const resumedTimes = all.slice(beforeResume);
    expect(resumedTimes[0]).toBeGreaterThan(seconds(resumed.userUpdateTime) * 1000);
    expect(resumedTimes[0]! - seconds(paused.userUpdateTime) * 1000).toBeGreaterThanOrEqual(3 * 60_000);

    await scheduler.client.deleteJob({ name: job.name! });
    await sleep(MINUTE_REAL_MS / 2);
    const atDelete = target.on('/tick').length;
    await sleep(3 * MINUTE_REAL_MS);
    expect(target.on('/tick')).toHaveLength(atDelete);
  });

  it("enforces the attempt deadline on the emulator's clock: a target that hangs fails with DEADLINE_EXCEEDED", async () => {
    target.answer = (req) => (req.path === '/slow' ? { status: 200, delayMs: 5_000 } : { status: 200 });
    // 15 s, the smallest deadline for HTTP targets, is 62.5 ms at this speed-up.
    const [job] = await scheduler.client.createJob({
      parent: PARENT,
      job: { name: `${PARENT}/jobs/slow`, schedule: '0 0 1 1 *', attemptDeadline: { seconds: 15 }, httpTarget: { uri: target.url('/slow') } },
    });
    const started = performance.now();
    await scheduler.client.runJob({ name: job.name! });
    const failed = await waitUntil(async () => (await scheduler.client.getJob({ name: job.name! }))[0], (j) => (j.status?.code ?? 0) !== 0);
    expect(failed.status?.code).toBe(4);
    expect(performance.now() - started).toBeLessThan(2_000);
  });
});

describe('Cloud Scheduler emulator: restarts', () => {
  it('keeps jobs, their state and last attempt across a restart, and never fires a scheduled time twice', async () => {
    const first = await startTestScheduler({ clockSpeedup: SPEEDUP });
    const dataDir = first.dataDir;
    const [job] = await first.client.createJob({ parent: PARENT, job: { name: `${PARENT}/jobs/durable`, schedule: '* * * * *', httpTarget: { uri: target.url('/durable') } } });
    const [paused] = await first.client.createJob({ parent: PARENT, job: { name: `${PARENT}/jobs/stays-paused`, schedule: '* * * * *', httpTarget: { uri: target.url('/paused') } } });
    await first.client.pauseJob({ name: paused.name! });
    await target.waitFor('/durable', 2, WAIT_MS);
    // On the sped-up clock the job may fire once between its creation and the pause (as Google's
    // would); nothing may come after the pause.
    const pausedHits = target.on('/paused').length;
    const [beforeRestart] = await first.client.getJob({ name: job.name! });
    await first.close();
    const firedBefore = scheduleTimes('/durable');

    const second = await startTestScheduler({ clockSpeedup: SPEEDUP, dataDir });
    try {
      const [restored] = await second.client.getJob({ name: job.name! });
      expect(restored).toMatchObject({ name: job.name, state: 'ENABLED', schedule: '* * * * *', httpTarget: { uri: target.url('/durable') } });
      expect(seconds(restored.lastAttemptTime)).toBeGreaterThanOrEqual(seconds(beforeRestart.lastAttemptTime));
      expect(restored.userUpdateTime).toEqual(job.userUpdateTime);
      expect((await second.client.getJob({ name: paused.name! }))[0].state).toBe('PAUSED');

      await target.waitFor('/durable', firedBefore.length + 2, WAIT_MS);
      const all = scheduleTimes('/durable');
      expect(new Set(all).size).toBe(all.length);
      // The clock does not run backwards across the restart: later runs are later scheduled times.
      expect(Math.min(...all.slice(firedBefore.length))).toBeGreaterThan(Math.max(...firedBefore));
      expect(target.on('/paused')).toHaveLength(pausedHits);
    } finally {
      await second.close();
    }
  });
});
