// The real `gcloud scheduler` against the emulator (CLOUDSDK_API_ENDPOINT_OVERRIDES_CLOUDSCHEDULER):
// create an HTTP job with an OIDC token, list, run (the target receives it), pause and delete.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCATION, PARENT, PROJECT, startTestScheduler, TargetServer, type TestScheduler } from './support.js';

const GCLOUD = '/usr/bin/gcloud';
const run = promisify(execFile);
const hasGcloud = existsSync(GCLOUD);
if (!hasGcloud) console.warn(`gcloud scheduler tests skipped: the Cloud CLI is not installed at ${GCLOUD}`);

describe.skipIf(!hasGcloud)('gcloud scheduler against the emulator', () => {
  let scheduler: TestScheduler;
  let target: TargetServer;
  let config: string;

  const gcloud = (...args: string[]) =>
    run(GCLOUD, ['scheduler', 'jobs', ...args, `--location=${LOCATION}`], {
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: config,
        CLOUDSDK_CONFIG: config,
        CLOUDSDK_CORE_PROJECT: PROJECT,
        CLOUDSDK_AUTH_ACCESS_TOKEN: 'local-emulator-token',
        CLOUDSDK_API_ENDPOINT_OVERRIDES_CLOUDSCHEDULER: `${scheduler.emulator.url}/`,
        CLOUDSDK_CORE_DISABLE_PROMPTS: '1',
        CLOUDSDK_COMPONENT_MANAGER_DISABLE_UPDATE_CHECK: '1',
      },
      timeout: 60_000,
    });

  beforeAll(async () => {
    config = mkdtempSync(join(tmpdir(), 'gcloud-config-'));
    target = await new TargetServer().start();
    scheduler = await startTestScheduler();
  });
  afterAll(async () => {
    await scheduler?.close();
    await target?.close();
    rmSync(config, { recursive: true, force: true });
  });

  it('creates, lists, runs, pauses and deletes an HTTP job', async () => {
    const email = `scheduler@${PROJECT}.iam.gserviceaccount.com`;
    const created = await gcloud(
      'create', 'http', 'from-gcloud',
      '--schedule=*/10 * * * *', '--time-zone=Europe/Paris',
      `--uri=${target.url('/gcloud')}`, '--http-method=POST', '--message-body={"via":"gcloud"}', '--headers=Content-Type=application/json',
      `--oidc-service-account-email=${email}`, '--max-retry-attempts=2', '--attempt-deadline=60s',
    );
    expect(created.stdout).toContain(`name: ${PARENT}/jobs/from-gcloud`);
    const name = `${PARENT}/jobs/from-gcloud`;
    const [job] = await scheduler.client.getJob({ name });
    expect(job).toMatchObject({ schedule: '*/10 * * * *', timeZone: 'Europe/Paris', state: 'ENABLED', retryConfig: { retryCount: 2 }, httpTarget: { uri: target.url('/gcloud'), oidcToken: { serviceAccountEmail: email } } });

    const listed = await gcloud('list');
    expect(listed.stdout).toMatch(/from-gcloud\s+us-central1\s+\*\/10 \* \* \* \* \(Europe\/Paris\)\s+HTTP\s+ENABLED/);

    await gcloud('run', 'from-gcloud');
    const [request] = await target.waitFor('/gcloud', 1);
    expect(request!.body.toString()).toBe('{"via":"gcloud"}');
    expect(request!.headers).toMatchObject({ 'content-type': 'application/json', 'x-cloudscheduler': 'true', 'x-cloudscheduler-jobname': 'from-gcloud' });
    expect(request!.headers.authorization).toMatch(/^Bearer /);

    await gcloud('pause', 'from-gcloud');
    expect((await scheduler.client.getJob({ name }))[0].state).toBe('PAUSED');

    await gcloud('delete', 'from-gcloud', '--quiet');
    await expect(scheduler.client.getJob({ name })).rejects.toMatchObject({ code: 5 });
  }, 60_000);
});
