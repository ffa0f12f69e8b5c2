// `npm run local`: start the local cloud on loopback, write its environment to
// `.local-cloud/env`, print the endpoints and `ready`, and stop everything on Ctrl-C.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { envFileText, startLocalCloud } from '../emulators/launcher/local-cloud.js';
import type { SeedChoice } from '../emulators/launcher/seed.js';
import { log } from './log.js';

// Off-cloud: the clients must not probe the metadata server.
process.env.METADATA_SERVER_DETECTION ??= 'none';

const { values } = parseArgs({
  options: {
    reset: { type: 'boolean', default: false },
    'data-dir': { type: 'string', default: '.local-cloud' },
    seed: { type: 'string', default: 'all' },
    'no-pubsub': { type: 'boolean', default: false },
  },
});

const seeds: SeedChoice[] = ['none', 'fixture', 'flights', 'all'];
if (!seeds.includes(values.seed as SeedChoice)) {
  process.stderr.write(`--seed must be one of ${seeds.join(', ')}, got '${values.seed}'\n`);
  process.exit(2);
}

const started = performance.now();
const cloud = await startLocalCloud({
  dataDir: values['data-dir'],
  reset: values.reset,
  seed: values.seed as SeedChoice,
  pubsub: !values['no-pubsub'],
});
const envFile = join(cloud.dataDir, 'env');
writeFileSync(envFile, envFileText(cloud.env));
for (const [service, url] of Object.entries(cloud.endpoints)) log('INFO', 'endpoint', { service, url });
if (cloud.pubsubUnavailable) process.stderr.write(`\n${cloud.pubsubUnavailable}\n\n`);
log('INFO', `local cloud ready: source ${envFile} to use it`, { envFile, startupSeconds: Number(((performance.now() - started) / 1000).toFixed(2)) });

let stopping = false;
const shutdown = (signal: string) => {
  if (stopping) return;
  stopping = true;
  log('INFO', 'stopping local cloud', { signal });
  void cloud.stop().then(() => process.exit(0));
};
process.on('SIGINT', () => shutdown('SIGINT'));
process.on('SIGTERM', () => shutdown('SIGTERM'));
