// The local cloud with its functions and Cloud Scheduler: the functions are served by the functions
// framework, the declared Pub/Sub push subscriptions point at them, and the retraining schedules
// become Scheduler jobs that call mlopsApi. The wiring is tested with the fixture functions served
// under the product's names; one test serves the real bundle (functions/index.ts) as well.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../../emulators/functions/bundle.js';
import { findPubSubEmulatorJar } from '../../../emulators/pubsub/emulator-process.js';
import { cloudSchedulerClient, pubSubClient } from '../../../google-clients/index.js';
import type { FunctionDeclaration } from '../../../infra/functions.js';
import { FUNCTIONS } from '../../../infra/functions.js';
import type { ModelSchedule } from '../../../infra/scheduler-jobs.js';
import type { FixtureBundle } from '../../support/functions-fixture.js';
import { buildFixtureFunctions } from '../../support/functions-fixture.js';
import type { TestCloud } from '../../support/local-cloud.js';
import { startTestCloud } from '../../support/local-cloud.js';

const hasPubSub = findPubSubEmulatorJar() !== undefined;
const SCHEDULES: readonly ModelSchedule[] = [
  { name: 'flight-delay', cron: '0 3 * * 1', timeZone: 'Europe/Berlin', enabled: true },
  { name: 'paused-model', cron: '30 2 * * *', timeZone: 'UTC', enabled: false },
];
// The product's function names, each served by the fixture's handler of the same signature.
const DECLARATIONS: readonly FunctionDeclaration[] = FUNCTIONS.map((f) => ({ ...f }));

function jsonLines<T>(file: string): T[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as T);
}

async function eventually<T>(read: () => T, done: (value: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = read();
  while (!done(value) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    value = read();
  }
  return value;
}

describe('local cloud with functions and Cloud Scheduler', () => {
  let fixture: FixtureBundle;
  let cloud: TestCloud;
  const dataDir = mkdtempSync(join(tmpdir(), 'launcher-functions-'));
  const requestsFile = join(dataDir, 'requests.jsonl');
  const eventsFile = join(dataDir, 'events.jsonl');
  const start = (pubsub: boolean) =>
    startTestCloud({
      dataDir,
      pubsub,
      scheduler: true,
      functions: { bundleDir: fixture.bundleDir, declarations: DECLARATIONS, extraEnv: { FIXTURE_REQUESTS_FILE: requestsFile, FIXTURE_EVENTS_FILE: eventsFile } },
      retrainingSchedules: SCHEDULES,
    });

  beforeAll(async () => {
    fixture = await buildFixtureFunctions('launcher');
    cloud = await start(hasPubSub);
  }, 60_000);

  afterAll(async () => {
    await cloud?.teardown();
    fixture?.remove();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('exports the Scheduler endpoints and each function URL (MLOPS_API_URL ...)', () => {
    const { env } = cloud;
    expect(env.CLOUD_SCHEDULER_EMULATOR_HOST).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(env.CLOUDSDK_API_ENDPOINT_OVERRIDES_CLOUDSCHEDULER).toBe(`http://${env.CLOUD_SCHEDULER_EMULATOR_HOST}/`);
    expect(env.MLOPS_API_URL).toBe(cloud.functionUrls.mlopsApi);
    expect(env.SUBMIT_TRAINING_RUN_URL).toBe(cloud.functionUrls.submitTrainingRun);
    expect(env.ON_PIPELINE_RUN_EVENT_URL).toBe(cloud.functionUrls.onPipelineRunEvent);
    expect(Object.keys(cloud.functionUrls).sort()).toEqual(FUNCTIONS.map((f) => f.name).sort());
    expect(cloud.endpoints.scheduler).toBe(`http://${env.CLOUD_SCHEDULER_EMULATOR_HOST}`);
  });

  it('gives the functions the local cloud env and the caller’s extra env', async () => {
    const res = await fetch(`${cloud.env.MLOPS_API_URL}/v1/models`);
    const seen = (await res.json()) as { env: Record<string, string | null> };
    expect(seen.env).toMatchObject({ K_SERVICE: 'mlopsapi', GOOGLE_CLOUD_PROJECT: cloud.projectId, PUBSUB_EMULATOR_HOST: cloud.env.PUBSUB_EMULATOR_HOST ?? null });
  });

  it('creates one Scheduler job per model that calls mlopsApi with an OIDC token; a disabled one is paused', async () => {
    const client = cloudSchedulerClient({ projectId: cloud.projectId, env: cloud.env });
    try {
      const [jobs] = await client.listJobs({ parent: `projects/${cloud.projectId}/locations/us-central1` });
      const byId = Object.fromEntries(jobs.map((j) => [j.name!.split('/').pop()!, j]));
      expect(Object.keys(byId).sort()).toEqual(['retrain-flight-delay', 'retrain-paused-model']);
      expect(byId['retrain-flight-delay']).toMatchObject({
        schedule: '0 3 * * 1',
        timeZone: 'Europe/Berlin',
        state: 'ENABLED',
        httpTarget: { uri: `${cloud.env.MLOPS_API_URL}/v1/models/flight-delay/trainingRuns`, httpMethod: 'POST', oidcToken: { audience: cloud.env.MLOPS_API_URL } },
      });
      expect(byId['retrain-paused-model']?.state).toBe('PAUSED');

      await client.runJob({ name: byId['retrain-flight-delay']!.name! });
      type Seen = { method: string; path: string; headers: Record<string, string>; body: unknown };
      const calls = await eventually(() => jsonLines<Seen>(requestsFile).filter((r) => r.path === '/v1/models/flight-delay/trainingRuns'), (c) => c.length > 0);
      expect(calls[0]).toMatchObject({ method: 'POST', body: { reason: 'schedule' }, headers: { 'content-type': 'application/json', 'x-cloudscheduler-jobname': 'retrain-flight-delay' } });
      expect(calls[0]!.headers.authorization).toMatch(/^Bearer [\w-]+\.[\w-]+\.[\w-]+$/);
    } finally {
      await client.close();
    }
  });

  it.skipIf(!hasPubSub)('points the declared push subscriptions at the functions, through the framework’s Pub/Sub conversion', async () => {
    const pubsub = pubSubClient({ projectId: cloud.projectId, env: cloud.env });
    try {
      const [submit] = await pubsub.subscription('retraining-requests-submit').getMetadata();
      expect(submit.pushConfig?.pushEndpoint).toBe(`${cloud.env.SUBMIT_TRAINING_RUN_URL}/projects/${cloud.projectId}/topics/retraining-requests`);
      const [alerts] = await pubsub.subscription('model-monitoring-alerts-triage').getMetadata();
      expect(alerts.pushConfig?.pushEndpoint).toBe(`${cloud.env.ON_MONITORING_ALERT_URL}/projects/${cloud.projectId}/topics/model-monitoring-alerts`);
      // deployment-events has no function: that subscription stays pull.
      const [audit] = await pubsub.subscription('deployment-events-audit').getMetadata();
      expect(audit.pushConfig?.pushEndpoint ?? '').toBe('');

      const messageId = await pubsub.topic('retraining-requests').publishMessage({ json: { model: 'flight-delay', requestId: 'r-1' } });
      type Event = { id: string; type: string; function: string; data: { message: { data: string } } };
      const [event] = await eventually(() => jsonLines<Event>(eventsFile).filter((e) => e.id === messageId), (e) => e.length > 0);
      expect(event).toMatchObject({ function: 'submitTrainingRun', type: 'google.cloud.pubsub.topic.v1.messagePublished' });
      expect(JSON.parse(Buffer.from(event!.data.message.data, 'base64').toString('utf8'))).toEqual({ model: 'flight-delay', requestId: 'r-1' });
    } finally {
      await pubsub.close();
    }
  });

  it('on a restart, brings the existing jobs to the new mlopsApi URL', async () => {
    const oldUrl = cloud.env.MLOPS_API_URL;
    await cloud.stop();
    cloud = await start(false);
    expect(cloud.env.MLOPS_API_URL).not.toBe(oldUrl);
    const client = cloudSchedulerClient({ projectId: cloud.projectId, env: cloud.env });
    try {
      const [job] = await client.getJob({ name: `projects/${cloud.projectId}/locations/us-central1/jobs/retrain-flight-delay` });
      expect(job.httpTarget?.uri).toBe(`${cloud.env.MLOPS_API_URL}/v1/models/flight-delay/trainingRuns`);
      expect(job.state).toBe('ENABLED');
    } finally {
      await client.close();
    }
  }, 60_000);

  it('refuses retraining schedules without the functions that serve them', async () => {
    await expect(startTestCloud({ scheduler: true, retrainingSchedules: SCHEDULES })).rejects.toThrow(/retrainingSchedules .*need functions/);
  });
});

describe('local cloud serving the real functions bundle', () => {
  let cloud: TestCloud;

  beforeAll(async () => {
    cloud = await startTestCloud({ functions: true });
  }, 60_000);

  afterAll(async () => {
    await cloud?.teardown();
  });

  it('builds dist/functions from functions/index.ts and serves every declared function from it', async () => {
    expect(existsSync(join(REPO_ROOT, 'dist', 'functions', 'index.js'))).toBe(true);
    expect(Object.keys(cloud.functionUrls).sort()).toEqual(FUNCTIONS.map((f) => f.name).sort());
    // Whatever mlopsApi answers, it answers as an HTTP function of the framework, in JSON.
    const res = await fetch(`${cloud.env.MLOPS_API_URL}/v1/models`);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  });
});
