// The whole local cloud, as `npm run local` starts it, reached through the one client factory.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { envFileText } from '../../../emulators/launcher/local-cloud.js';
import { FIXTURE_TABLE, SAMPLES_DATASET } from '../../../emulators/launcher/seed.js';
import { bigQueryClient, metricServiceClient, storageClient } from '../../../google-clients/index.js';
import type { TestCloud } from '../../support/local-cloud.js';
import { startTestCloud } from '../../support/local-cloud.js';

describe('local cloud launcher', () => {
  let cloud: TestCloud;
  const dataDir = mkdtempSync(join(tmpdir(), 'launcher-test-'));

  beforeAll(async () => {
    cloud = await startTestCloud({ dataDir, seed: 'fixture' });
  }, 60_000);

  afterAll(async () => {
    await cloud?.teardown();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const ce = () => ({ projectId: cloud.projectId, env: cloud.env });

  it('exports the environment every client reads', () => {
    expect(Object.keys(cloud.env).sort()).toEqual(
      ['BIGQUERY_EMULATOR_HOST', 'GOOGLE_CLOUD_PROJECT', 'METADATA_SERVER_DETECTION', 'MONITORING_EMULATOR_HOST', 'STORAGE_EMULATOR_HOST'].sort(),
    );
    for (const url of Object.values(cloud.endpoints)) expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('seeds the BigQuery fixture through Storage and a load job', async () => {
    const [rows] = await bigQueryClient(ce()).query({
      query: `SELECT COUNT(*) AS n, COUNT(DISTINCT origin) AS origins FROM \`${cloud.projectId}.${SAMPLES_DATASET}.${FIXTURE_TABLE}\``,
    });
    expect(rows).toEqual([{ n: 2000, origins: expect.any(Number) as number }]);
    const [files] = await storageClient(ce()).bucket(`${cloud.projectId}-samples`).getFiles({ prefix: 'flights/' });
    expect(files.map((f) => f.name)).toContain('flights/flights-2k.json');
  });

  it('answers Monitoring through the REST client', async () => {
    const client = metricServiceClient(ce());
    const [descriptors] = await client.listMetricDescriptors({ name: `projects/${cloud.projectId}`, filter: 'metric.type = starts_with("custom.googleapis.com/")' });
    expect(descriptors).toEqual([]);
    await client.close();
  });

  it('fault injection makes a chosen route fail, then recovers', async () => {
    cloud.faults.add({ service: 'bigquery', path: '/queries$', fault: 503, count: 1 });
    const [rows] = await bigQueryClient(ce()).query({ query: 'SELECT 1 AS one' });
    // The client retried the injected 503 and then succeeded.
    expect(rows).toEqual([{ one: 1 }]);
    expect(cloud.faults.list()[0]?.count).toBe(0);
  });

  it('writes an env file a shell can source', () => {
    const file = join(dataDir, 'env-check');
    writeFileSync(file, envFileText({ ...cloud.env, ODD: "it's" }));
    const out = execFileSync('bash', ['-c', `source ${file} && echo "$STORAGE_EMULATOR_HOST|$ODD"`], { encoding: 'utf8' });
    expect(out.trim()).toBe(`${cloud.env.STORAGE_EMULATOR_HOST}|it's`);
  });

  it('keeps data across a restart on the same data directory', async () => {
    await cloud.stop();
    cloud = await startTestCloud({ dataDir, seed: 'none' });
    const [rows] = await bigQueryClient(ce()).query({ query: `SELECT COUNT(*) AS n FROM \`${cloud.projectId}.${SAMPLES_DATASET}.${FIXTURE_TABLE}\`` });
    expect(rows).toEqual([{ n: 2000 }]);
  }, 60_000);
});
