// `npm run report -- --model flight-delay [--out report.html]`: one model as ONE static HTML file
// (the console's views, plots inlined), read from the running local cloud (its `.local-cloud/env`)
// or, with --api-url, from a deployed mlopsApi and the project's Google APIs.
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { GoogleAuth } from 'google-auth-library';
import { ModelList } from '../console/api-schemas.js';
import { deployedEnv, pointsAtEmulator } from '../console/cloud-env.js';
import { ModelNotFound, buildReport } from '../console/report.js';
import { consoleSources } from '../console/server.js';
import { exitWithUsageError, parseCommandLineOrExit, usageErrorText } from './cli.js';
import { LocalCloudEnvMissing, readLocalCloudEnv } from './local-cloud-env.js';

const REPORT_COMMAND = {
  command: 'npm run report --',
  summary: 'Write one model as a single static HTML file: versions, evaluations, experiment runs, rollouts, drift, pipeline runs, tuning runs, lineage, decisions.',
  options: {
    model: { type: 'string', valueName: 'name', description: 'the managed model (required), e.g. flight-delay' },
    out: { type: 'string', valueName: 'file', description: 'where to write the HTML (default: report-<model>.html)' },
    'data-dir': { type: 'string', default: '.local-cloud', valueName: 'dir', description: "the running local cloud's data directory (its env file)" },
    'api-url': { type: 'string', valueName: 'url', description: "a deployed mlopsApi instead of the local cloud's (Google APIs of GOOGLE_CLOUD_PROJECT, application default credentials)" },
    region: { type: 'string', default: 'us-central1', valueName: 'region', description: 'the Vertex AI region (with --api-url)' },
  },
} as const;

process.env.METADATA_SERVER_DETECTION ??= 'none';
const values = parseCommandLineOrExit(REPORT_COMMAND);
const model = values.model;
if (!model) exitWithUsageError(usageErrorText(REPORT_COMMAND, '--model is required'));
const out = resolve(values.out ?? `report-${model}.html`);
const say = (line: string) => process.stderr.write(`report: ${line}\n`);

let apiUrl: string;
let env: Record<string, string | undefined>;
let region = values.region;
let auth: ((url: string) => Promise<Record<string, string>>) | undefined;
if (values['api-url']) {
  apiUrl = values['api-url'];
  // The deployed project's APIs, even from a shell whose variables point at a local cloud (some
  // client libraries read process.env themselves, Storage's STORAGE_EMULATOR_HOST among them).
  env = deployedEnv(process.env);
  for (const name of Object.keys(process.env)) if (pointsAtEmulator(name)) delete process.env[name];
  if (!env.GOOGLE_CLOUD_PROJECT) exitWithUsageError('report: with --api-url, set GOOGLE_CLOUD_PROJECT to the project whose Vertex AI, Monitoring and Storage to read\n');
  // A deployed mlopsApi wants an ID token for its URL (Cloud Run invoker).
  const client = await new GoogleAuth().getIdTokenClient(apiUrl);
  auth = async (url) => Object.fromEntries((await client.getRequestHeaders(url)).entries());
} else {
  try {
    env = readLocalCloudEnv(values['data-dir']);
  } catch (err) {
    if (!(err instanceof LocalCloudEnvMissing)) throw err;
    process.stderr.write(`report: the local cloud is not running (${err.message}); or pass --api-url for a deployed one\n`);
    process.exit(1);
  }
  if (!env.MLOPS_API_URL) {
    process.stderr.write(`report: ${values['data-dir']}/env names no MLOPS_API_URL: the local cloud runs without its functions; restart it with npm run local\n`);
    process.exit(1);
  }
  apiUrl = env.MLOPS_API_URL;
  region = env.MLOPS_REGION ?? region;
}

const projectId = env.GOOGLE_CLOUD_PROJECT!;
const sources = consoleSources({ apiUrl, clients: { projectId, env }, region, ...(auth ? { auth } : {}) });
// Fail fast and plainly when nothing answers (a stale env file of a stopped local cloud).
const probe = await sources.api.get(ModelList, '/v1/models');
if (!probe.ok) {
  const stale = probe.status === 0 && !values['api-url'];
  process.stderr.write(`report: ${stale ? `the local cloud in ${values['data-dir']} is not running (mlopsApi at ${apiUrl} does not answer): start it with npm run local` : probe.message}\n`);
  process.exit(1);
}
say(`model ${model} from ${apiUrl} (project ${projectId}, ${region})`);
const started = performance.now();
try {
  const text = await buildReport(sources, model, { progress: say });
  writeFileSync(out, text);
  say(`wrote ${out} (${(text.length / 1024).toFixed(0)} KiB) in ${((performance.now() - started) / 1000).toFixed(1)} s`);
} catch (err) {
  if (!(err instanceof ModelNotFound)) throw err;
  process.stderr.write(`report: ${err.message}\n`);
  process.exit(1);
}
