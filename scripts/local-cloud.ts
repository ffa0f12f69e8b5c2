// `npm run local`: start the local cloud on loopback (with the Cloud Functions served by the
// functions framework, and a Scheduler job per model spec's schedule), write its environment to
// `.local-cloud/env`, print the endpoints and `ready`, and stop everything on Ctrl-C.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadModelSpecs, modelSpecsDir, resolveForEnvironment } from '../control-plane/config/load-model-specs.js';
import { startConsoleForEnv } from '../console/server.js';
import { envFileText, startLocalCloud } from '../emulators/launcher/local-cloud.js';
import type { SeedChoice } from '../emulators/launcher/seed.js';
import { driftAlertModels, MIN_ALIGNMENT_SECONDS } from '../infra/alert-policies.js';
import type { ModelSchedule } from '../infra/scheduler-jobs.js';
import { parseCommandLineOrExit, usageErrorText } from './cli.js';
import { log } from './log.js';
import { ensurePrerequisites } from './prerequisites/check.js';

const SEEDS = ['none', 'fixture', 'flights', 'all'] as const satisfies readonly SeedChoice[];

const LOCAL_CLOUD_COMMAND = {
  command: 'npm run local --',
  summary: 'Start the local cloud (Storage, BigQuery, Monitoring, Vertex AI, Pub/Sub, Cloud Scheduler, the Cloud Functions) on loopback until Ctrl-C; writes <data-dir>/env.',
  options: {
    reset: { type: 'boolean', default: false, description: 'wipe the data directory first' },
    'data-dir': { type: 'string', default: '.local-cloud', valueName: 'dir', description: 'where the emulators keep their data' },
    seed: { type: 'string', default: 'all', valueName: 'name', choices: SEEDS, description: 'what to load into BigQuery' },
    'no-pubsub': { type: 'boolean', default: false, description: "do not start Google's Pub/Sub emulator" },
    'no-functions': { type: 'boolean', default: false, description: 'do not build and serve the Cloud Functions (nor the retraining schedules that call them)' },
    'scheduler-clock-speedup': { type: 'string', default: '1', valueName: 'n', description: "Cloud Scheduler's clock speed-up: 60 makes a real second a scheduled minute" },
    'console-port': { type: 'string', default: '0', valueName: 'port', description: 'where the web console listens (0: a free port); it needs the functions (mlopsApi)' },
  },
} as const;

// Off-cloud: the clients must not probe the metadata server.
process.env.METADATA_SERVER_DETECTION ??= 'none';

const values = parseCommandLineOrExit(LOCAL_CLOUD_COMMAND);
const clockSpeedup = Number(values['scheduler-clock-speedup']);
if (!Number.isFinite(clockSpeedup) || clockSpeedup <= 0) {
  process.stderr.write(usageErrorText(LOCAL_CLOUD_COMMAND, `--scheduler-clock-speedup must be a positive number, got '${values['scheduler-clock-speedup']}'`));
  process.exit(2);
}
ensurePrerequisites({ pubsub: !values['no-pubsub'], noPubSubFlag: 'npm run local -- --no-pubsub' });

/** Each model spec's schedule, for the Scheduler jobs that call mlopsApi. */
function retrainingSchedules(): ModelSchedule[] {
  return loadModelSpecs(modelSpecsDir()).flatMap((spec) => (spec.schedule ? [{ name: spec.name, ...spec.schedule }] : []));
}

const withFunctions = !values['no-functions'];
const started = performance.now();
const cloud = await startLocalCloud({
  dataDir: values['data-dir'],
  reset: values.reset,
  seed: values.seed as SeedChoice,
  pubsub: !values['no-pubsub'],
  schedulerClockSpeedup: clockSpeedup,
  ...(withFunctions
    ? {
        functions: { extraEnv: { MLOPS_ENVIRONMENT: 'local' } },
        retrainingSchedules: retrainingSchedules(),
        rolloutReconcileSchedule: true,
        // checkDrift every scheduled minute (hourly in the cloud): the local drift windows are seconds.
        driftCheckSchedule: '* * * * *',
        ...(values['no-pubsub'] ? {} : { driftAlerting: { models: driftAlertModels(loadModelSpecs(modelSpecsDir()).map((s) => resolveForEnvironment(s, 'local'))), alignmentSeconds: MIN_ALIGNMENT_SECONDS } }),
      }
    : {}),
});
// The web console reads mlopsApi and Google's APIs like any user: started beside the cloud, not in it.
const consoleServer = await startConsoleForEnv(cloud.env, { port: Number(values['console-port']) || 0 });
const endpoints: Record<string, string> = { ...cloud.endpoints, ...(consoleServer ? { console: consoleServer.url } : {}) };
const envFile = join(cloud.dataDir, 'env');
writeFileSync(envFile, envFileText({ ...cloud.env, ...(consoleServer ? { MLOPS_CONSOLE_URL: consoleServer.url } : {}) }));
// The report (endpoints, then the line containing `ready`) on stdout; logs stay on stderr.
const width = Math.max(...Object.keys(endpoints).map((k) => k.length));
process.stdout.write(`${Object.entries(endpoints).map(([service, url]) => `  ${service.padEnd(width)}  ${url}`).join('\n')}\n`);
if (cloud.pubsubUnavailable) process.stderr.write(`\n${cloud.pubsubUnavailable}\n\n`);
const startupSeconds = ((performance.now() - started) / 1000).toFixed(1);
if (consoleServer) process.stdout.write(`web console: ${consoleServer.url}\n`);
process.stdout.write(`local cloud ready in ${startupSeconds}s: source ${envFile} to use it; Ctrl-C stops it\n`);

let stopping = false;
const shutdown = (signal: string) => {
  if (stopping) return;
  stopping = true;
  log('INFO', 'stopping local cloud', { signal });
  void (consoleServer?.close() ?? Promise.resolve()).then(() => cloud.stop()).then(() => process.exit(0));
};
process.on('SIGINT', () => shutdown('SIGINT'));
process.on('SIGTERM', () => shutdown('SIGTERM'));
