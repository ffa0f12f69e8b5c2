// Issue 8: a shell that still has `*_EMULATOR_HOST` from an earlier local cloud (`source
// .local-cloud/env` of a stopped instance) must not send the new local cloud's seeding elsewhere.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { freePort } from '../../../emulators/kit/free-port.js';
import { FIXTURE_TABLE, SAMPLES_DATASET } from '../../../emulators/launcher/seed.js';
import { bigQueryClient } from '../../../google-clients/index.js';
import type { TestCloud } from '../../support/local-cloud.js';
import { startTestCloud } from '../../support/local-cloud.js';

const VARIABLES = ['STORAGE_EMULATOR_HOST', 'BIGQUERY_EMULATOR_HOST'] as const;

describe('local cloud launcher with inherited emulator addresses', () => {
  const saved = Object.fromEntries(VARIABLES.map((v) => [v, process.env[v]]));
  let cloud: TestCloud | undefined;

  afterEach(async () => {
    await cloud?.teardown();
    vi.restoreAllMocks();
    for (const v of VARIABLES) {
      if (saved[v] === undefined) delete process.env[v];
      else process.env[v] = saved[v];
    }
  });

  it('seeds through the emulators it started and warns that it ignores the inherited ones', async () => {
    // Addresses of a stopped instance: nothing listens there.
    const dead = `http://127.0.0.1:${await freePort()}`;
    for (const v of VARIABLES) process.env[v] = dead;
    const stderr = vi.spyOn(process.stderr, 'write');

    cloud = await startTestCloud({ seed: 'fixture' });

    expect(cloud.env.STORAGE_EMULATOR_HOST).not.toBe(dead);
    const [rows] = await bigQueryClient({ projectId: cloud.projectId, env: cloud.env }).query({
      query: `SELECT COUNT(*) AS n FROM \`${cloud.projectId}.${SAMPLES_DATASET}.${FIXTURE_TABLE}\``,
    });
    expect(rows).toEqual([{ n: 2000 }]);
    const warnings = stderr.mock.calls.map(([chunk]) => String(chunk)).filter((line) => line.includes('WARNING') && line.includes('STORAGE_EMULATOR_HOST'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(dead);
  }, 60_000);
});
