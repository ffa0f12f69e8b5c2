// One helper for every test that needs the local cloud: the same stack `npm run local` starts,
// in-process, on free ports, in a temporary data directory, torn down after the suite.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LocalCloud, LocalCloudOptions } from '../../emulators/launcher/local-cloud.js';
import { startLocalCloud } from '../../emulators/launcher/local-cloud.js';

export interface TestCloud extends LocalCloud {
  /** Stop, and remove the data directory unless `keepData`. */
  teardown(options?: { keepData?: boolean }): Promise<void>;
}

export async function startTestCloud(options: LocalCloudOptions = {}): Promise<TestCloud> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'local-cloud-test-'));
  let cloud: LocalCloud;
  try {
    // Only what a suite asks for: Pub/Sub, Vertex, the Scheduler and the functions are opt-in here.
    cloud = await startLocalCloud({ seed: 'none', pubsub: false, vertex: false, scheduler: false, functions: false, ...options, dataDir });
  } catch (err) {
    if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }
  return {
    ...cloud,
    teardown: async ({ keepData = false } = {}) => {
      await cloud.stop();
      if (!keepData) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
