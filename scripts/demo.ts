// `npm run demo`, the main job on the local cloud, event-driven: the local cloud starts with the
// Cloud Functions served by the functions framework and a Cloud Scheduler job per model spec. The
// demo runs the model's Scheduler job (`:run`); from there everything happens through events
// (snapshot, PipelineJob, completion event, decision, registration, deployment). A second cycle,
// requested over the HTTP API as a user would with curl, trains another model type and compares it
// with the champion. The demo only watches, through the HTTP API, and reports.
import { z } from 'zod';
import { loadModelSpecs, modelSpecsDir } from '../control-plane/config/load-model-specs.js';
import type { ModelSpec } from '../control-plane/config/model-spec.js';
import { startLocalCloud } from '../emulators/launcher/local-cloud.js';
import { cloudSchedulerClient } from '../google-clients/scheduler.js';
import { bigQueryClient } from '../google-clients/bigquery.js';
import { vertexClients } from '../google-clients/vertex.js';
import { toProtoValue } from '../vertex/shared/struct.js';
import { exitWithUsageError, parseCommandLineOrExit, usageErrorText } from './cli.js';
import { StatusLine } from './demo/status-line.js';
import { ApiWatcher } from './demo/api-watcher.js';
import type { RunView } from './demo/api-watcher.js';
import { log, logger } from './log.js';
import { ensurePrerequisites } from './prerequisites/check.js';

process.env.METADATA_SERVER_DETECTION ??= 'none';

const DEMO_COMMAND = {
  command: 'npm run demo --',
  summary: 'Retrain, judge, register and serve a flight-delay model on the local cloud, driven by Cloud Scheduler and Pub/Sub events; the report goes to stdout, logs to stderr.',
  options: {
    'data-dir': { type: 'string', default: '.local-cloud-demo', valueName: 'dir', description: "the local cloud's data directory" },
    keep: { type: 'boolean', default: false, description: 'reuse the data directory of an earlier run instead of wiping it first (the flights table is not seeded again); it is never deleted afterwards' },
    model: { type: 'string', default: 'flight-delay', valueName: 'name', description: 'the model spec (models/<name>.yaml) to run' },
    'challenger-type': { type: 'string', default: 'random_forest', valueName: 'type', description: "the second cycle's model_type" },
    predictions: { type: 'string', default: '40', valueName: 'rows', description: 'rows sent to the endpoint once the champion serves' },
    'timeout-minutes': { type: 'string', default: '15', valueName: 'n', description: 'give up on a cycle after this long' },
  },
} as const;
const values = parseCommandLineOrExit(DEMO_COMMAND);

const Args = z.object({ predictions: z.coerce.number().int().min(0), timeoutMinutes: z.coerce.number().positive() });
const parsedArgs = Args.safeParse({ predictions: values.predictions, timeoutMinutes: values['timeout-minutes'] });
if (!parsedArgs.success) {
  const issue = parsedArgs.error.issues[0]!;
  exitWithUsageError(usageErrorText(DEMO_COMMAND, `--${String(issue.path[0]).replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}: ${issue.message}`));
}
const args = parsedArgs.data;

const specs = loadModelSpecs(modelSpecsDir());
const spec: ModelSpec | undefined = specs.find((s) => s.name === values.model);
if (!spec) exitWithUsageError(usageErrorText(DEMO_COMMAND, `--model: no spec models/${values.model}.yaml (have ${specs.map((s) => s.name).join(', ')})`));

const started = performance.now();
const elapsed = () => `${((performance.now() - started) / 1000).toFixed(0)}s`;
const status = new StatusLine(process.stdout);
const say = (text: string) => status.print(`[${elapsed().padStart(4)}] ${text}`);
const report = (text: string) => status.print(text);

// Stop before anything starts when Python packages or the Pub/Sub emulator are missing.
ensurePrerequisites({ pubsub: true });
// The emulators' and functions' INFO lines would bury the report: WARNING and above unless LOG_LEVEL says otherwise.
logger.setDefaultLevel('WARNING');

const cloud = await startLocalCloud({
  dataDir: values['data-dir'],
  reset: !values.keep,
  seed: 'flights',
  pubsub: true,
  functions: { extraEnv: { MLOPS_ENVIRONMENT: 'local', LOG_LEVEL: process.env.LOG_LEVEL ?? 'WARNING' } },
  retrainingSchedules: specs.flatMap((s) => (s.schedule ? [{ name: s.name, ...s.schedule }] : [])),
});
let exitCode = 0;
const ce = { projectId: cloud.projectId, env: cloud.env };
const api = new ApiWatcher(cloud.env.MLOPS_API_URL!, { onTask: (_run, task) => say(`  ${task.name.padEnd(28)} ${task.state}`), status: (line) => status.update(line), timeoutMs: args.timeoutMinutes * 60_000 });

try {
  say(`local cloud up; mlopsApi at ${cloud.env.MLOPS_API_URL}`);

  // Cycle 1: Cloud Scheduler fires the model's retraining job now, as it would on its cron.
  const scheduler = cloudSchedulerClient(ce);
  const job = `projects/${cloud.projectId}/locations/us-central1/jobs/retrain-${spec.name}`;
  const [scheduled] = await scheduler.getJob({ name: job });
  say(`Cloud Scheduler job ${job.split('/').pop()} (${scheduled.schedule} ${scheduled.timeZone}) → POST ${scheduled.httpTarget?.uri}; running it now`);
  const before = new Set((await api.model(spec.name)).latestRuns.map((r) => r.id));
  await scheduler.runJob({ name: job });
  await scheduler.close();
  const first = await api.followNewRun(spec.name, before);
  reportDecision('cycle 1 (scheduled)', first);
  if (first.state !== 'SUCCEEDED') throw new Error(`the first cycle ended ${first.state}: nothing serves`);

  // The first champion is released at 100% (rollouts arrive in part 2): wait until it serves.
  const serving = await api.waitUntilServing(spec.name);
  say(`endpoint ${serving.name} serves ${serving.deployedModels.map((d) => `${d.model} (${d.id})`).join(', ')} at ${JSON.stringify(serving.trafficSplit)}`);
  if (args.predictions > 0) await predict(serving.name, args.predictions);

  // Cycle 2: a person asks for another model type over the HTTP API (what curl would send).
  const challengerType = values['challenger-type'];
  say(`POST /v1/models/${spec.name}/trainingRuns with model_type=${challengerType}`);
  const second = await api.followRun(
    await api.createTrainingRun(spec.name, {
      requestId: `demo-${challengerType}-${Date.now()}`,
      reason: `try ${challengerType} against the champion`,
      parameterOverrides: { model_type: challengerType, ...(challengerType === 'random_forest' ? { hyperparameters: { n_estimators: 60, max_depth: 12, min_samples_leaf: 5 } } : {}) },
    }),
  );
  reportDecision(`cycle 2 (${challengerType}, on request)`, second);

  const model = await api.model(spec.name);
  report(`\nmodels/${spec.name} in the Vertex Model Registry:`);
  for (const v of model.versions) report(`  version ${v.versionId.padEnd(3)} aliases ${v.aliases.join(', ').padEnd(28)} ${v.labels.model_type ?? ''}  run ${v.labels.training_run ?? ''}`);
  report(`  champion ${model.champion ?? '(none)'}; challenger ${model.challenger ?? '(none)'}`);
  say(`done: ${model.latestRuns.length} training runs`);
} catch (err) {
  status.clear();
  log('ERROR', 'demo failed', { error: String((err as Error).stack ?? err) });
  exitCode = 1;
} finally {
  await cloud.stop();
}
process.exit(exitCode);

function reportDecision(title: string, run: RunView): void {
  const decision = run.decision;
  report(`\n${title}: training run ${run.id} ${run.state}`);
  if (run.snapshot) report(`  snapshot  ${run.snapshot.uri} (${run.snapshot.rowCount} rows; ${run.snapshot.schema.map((f) => `${f.name} ${f.type}`).join(', ')})`);
  if (run.pipelineJob) report(`  pipeline  ${run.pipelineJob}`);
  if (!decision) return;
  report(`  decision  ${decision.outcome}`);
  for (const reason of decision.reasons) report(`            ${reason}`);
  const metrics = Object.entries(decision.metrics).filter(([k]) => ['rmse', 'mae', 'r2', 'within_10pct'].includes(k));
  if (metrics.length) report(`  metrics   ${metrics.map(([k, v]) => `${k} ${v.toFixed(3)}`).join('  ')}`);
  if (run.modelVersion) report(`  version   ${run.modelVersion}`);
}

/** A few flights through the endpoint: the champion really serves (logged to BigQuery by Vertex). */
async function predict(endpoint: string, rows: number): Promise<void> {
  const [sample] = await bigQueryClient(ce).query({ query: `SELECT date, distance, origin, destination, delay FROM \`samples.flights\` LIMIT ${rows}` });
  const vertex = vertexClients('us-central1', ce);
  try {
    let squaredError = 0;
    for (const row of sample as Record<string, unknown>[]) {
      const { delay, ...features } = row;
      const instance = { ...features, date: String((features.date as { value?: string } | undefined)?.value ?? features.date) };
      const [response] = await vertex.predictions.predict({ endpoint, instances: [toProtoValue(instance, 'instance')] });
      const p = response.predictions?.[0];
      squaredError += ((p?.numberValue ?? Number(p?.stringValue)) - Number(delay)) ** 2;
    }
    say(`sent ${sample.length} flights to the endpoint: rmse ${Math.sqrt(squaredError / Math.max(1, sample.length)).toFixed(2)} minutes`);
  } finally {
    await Promise.all(Object.values(vertex).map((c) => c.close()));
  }
}
