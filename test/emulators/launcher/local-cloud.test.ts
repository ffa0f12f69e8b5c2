// The whole local cloud, as `npm run local` starts it, reached through the one client factory.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { envFileText } from '../../../emulators/launcher/local-cloud.js';
import { FIXTURE_TABLE, SAMPLES_DATASET } from '../../../emulators/launcher/seed.js';
import { callerIdentity } from '../../../control-plane/api/caller.js';
import { identityVerifier } from '../../../control-plane/identity/verify-identity-token.js';
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
      ['BIGQUERY_EMULATOR_HOST', 'GOOGLE_CLOUD_PROJECT', 'IAM_CREDENTIALS_EMULATOR_HOST', 'METADATA_SERVER_DETECTION', 'MLOPS_IDENTITY_CERTS_URL', 'MONITORING_EMULATOR_HOST', 'STORAGE_EMULATOR_HOST'].sort(),
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

  /** A token for a named user from the local issuer the env names, as `npm run identity-token` gets one. */
  const localIdToken = async (email: string, audience: string) => {
    const res = await fetch(`http://${cloud.env.IAM_CREDENTIALS_EMULATOR_HOST}/v1/projects/-/serviceAccounts/${email}:generateIdToken`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ audience, includeEmail: true }),
    });
    return ((await res.json()) as { token: string }).token;
  };

  it('signs ID tokens that verify against the certificates the env names', async () => {
    const verifier = identityVerifier({ certsUrl: cloud.env.MLOPS_IDENTITY_CERTS_URL!, audiences: ['http://api.local'] });
    const token = await localIdToken('alice@example.com', 'http://api.local');
    expect(await callerIdentity({ authorization: `Bearer ${token}` }, verifier)).toMatchObject({ email: 'alice@example.com' });
  });

  it('keeps data across a restart on the same data directory', async () => {
    const token = await localIdToken('alice@example.com', 'http://api.local');
    await cloud.stop();
    cloud = await startTestCloud({ dataDir, seed: 'none' });
    const [rows] = await bigQueryClient(ce()).query({ query: `SELECT COUNT(*) AS n FROM \`${cloud.projectId}.${SAMPLES_DATASET}.${FIXTURE_TABLE}\`` });
    expect(rows).toEqual([{ n: 2000 }]);
    // The identity issuer's key too: a token minted before the restart still verifies.
    const verifier = identityVerifier({ certsUrl: cloud.env.MLOPS_IDENTITY_CERTS_URL!, audiences: ['http://api.local'] });
    expect((await verifier.verify(token)).email).toBe('alice@example.com');
  }, 60_000);
});
