// `npm run demo`, the main job on the local cloud, event-driven: the local cloud starts with the
// Cloud Functions served by the functions framework, a Cloud Scheduler job per model spec and the
// rollout reconcile job (every scheduled minute, on a sped-up clock). The demo runs the model's
// Scheduler job (`:run`); from there everything happens through events (snapshot, PipelineJob,
// completion event, decision, registration, deployment). A second cycle, requested over the HTTP
// API as a user would with curl, trains another model type; a challenger that beats the champion
// is released by a canary rollout (5% → 20% → 50% → 100%) under analysis of replayed traffic with
// actuals. Then a deliberately bad version (its server adds latency) is rolled out and rolled back
// automatically. Then the traffic shifts to a later period: checkDrift (on Cloud Scheduler) scores the
// drift, the model's Monitoring alert policy opens an incident, onMonitoringAlert requests a retrain,
// and the new challenger enters a rollout. The demo only watches, through the HTTP API, and reports.
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { buildReport } from '../console/report.js';
import { consoleSources, startConsoleForEnv } from '../console/server.js';
import { loadModelSpecs, modelSpecsDir, resolveForEnvironment } from '../control-plane/config/load-model-specs.js';
import type { ModelSpec } from '../control-plane/config/model-spec.js';
import { startLocalCloud } from '../emulators/launcher/local-cloud.js';
import { driftAlertModels, driftAlertPolicyName, MIN_ALIGNMENT_SECONDS } from '../infra/alert-policies.js';
import { cloudSchedulerClient } from '../google-clients/scheduler.js';
import { bigQueryClient } from '../google-clients/bigquery.js';
import { vertexClients } from '../google-clients/vertex.js';
import { toProtoValue } from '../vertex/shared/struct.js';
import { exitWithUsageError, parseCommandLineOrExit, usageErrorText } from './cli.js';
import { StatusLine } from './demo/status-line.js';
import { ApiWatcher } from './demo/api-watcher.js';
import { driftTable } from './demo/drift-report.js';
import { rolloutTimeline } from './demo/rollout-report.js';
import { trackingReport } from './demo/tracking-report.js';
import { TrafficReplay } from './demo/traffic.js';
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
    'replay-flights': { type: 'string', default: '20000', valueName: 'rows', description: 'random flights replayed against the endpoint during the rollouts' },
    'bad-latency-ms': { type: 'string', default: '150', valueName: 'ms', description: 'latency the deliberately bad version adds to every prediction' },
    stay: { type: 'boolean', default: false, description: 'keep the local cloud and the web console up after the report, until Ctrl-C' },
  },
} as const;
const values = parseCommandLineOrExit(DEMO_COMMAND);

const Args = z.object({
  predictions: z.coerce.number().int().min(0),
  timeoutMinutes: z.coerce.number().positive(),
  replayFlights: z.coerce.number().int().min(100),
  badLatencyMs: z.coerce.number().int().min(1).max(10_000),
});
const parsedArgs = Args.safeParse({ predictions: values.predictions, timeoutMinutes: values['timeout-minutes'], replayFlights: values['replay-flights'], badLatencyMs: values['bad-latency-ms'] });
if (!parsedArgs.success) {
  const issue = parsedArgs.error.issues[0]!;
  exitWithUsageError(usageErrorText(DEMO_COMMAND, `--${String(issue.path[0]).replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}: ${issue.message}`));
}
const args = parsedArgs.data;

/** The shifted traffic of part 3: the flights data's last month. */
const SHIFTED_PERIOD_START = '2001-06-01T00:00:00Z';

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
  rolloutReconcileSchedule: true,
  // checkDrift every third scheduled minute (hourly in the cloud): every 6 s here, above Cloud
  // Monitoring's 5 s between two points of a series.
  driftCheckSchedule: '*/3 * * * *',
  driftAlerting: { models: driftAlertModels(specs.map((s) => resolveForEnvironment(s, 'local'))), alignmentSeconds: MIN_ALIGNMENT_SECONDS },
  // A scheduled minute every 2 s: reconcileRollouts runs every 2 s, as the local durations expect.
  schedulerClockSpeedup: 30,
});
let exitCode = 0;
const ce = { projectId: cloud.projectId, env: cloud.env };
// The web console, as `npm run local` serves it: open it while the demo runs.
const consoleServer = await startConsoleForEnv(cloud.env);
const api = new ApiWatcher(cloud.env.MLOPS_API_URL!, { onTask: (_run, task) => say(`  ${task.name.padEnd(28)} ${task.state}`), status: (line) => status.update(line), timeoutMs: args.timeoutMinutes * 60_000 });

try {
  say(`local cloud up; mlopsApi at ${cloud.env.MLOPS_API_URL}; web console at ${consoleServer?.url ?? '(none)'}`);

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

  // Cycle 2: a person asks for another model type over the HTTP API (what curl would send). The
  // comparison is on a fresh random snapshot each time: a challenger that does not clearly beat
  // the champion is rejected, and the person tries again (at most three times).
  const challengerType = values['challenger-type'];
  let second: RunView | undefined;
  for (let attempt = 1; attempt <= 3 && second?.decision?.outcome !== 'REGISTER_AS_CHALLENGER'; attempt++) {
    say(`POST /v1/models/${spec.name}/trainingRuns with model_type=${challengerType}${attempt > 1 ? ` (attempt ${attempt})` : ''}`);
    second = await api.followRun(
      await api.createTrainingRun(spec.name, {
        requestId: `demo-${challengerType}-${Date.now()}`,
        reason: `try ${challengerType} against the champion`,
        parameterOverrides: { model_type: challengerType, ...(challengerType === 'random_forest' ? { hyperparameters: { n_estimators: 60, max_depth: 12, min_samples_leaf: 5 } } : {}) },
      }),
    );
    reportDecision(`cycle 2 (${challengerType}, on request)`, second);
  }

  // Part 2: the challenger's canary rollout, judged on replayed traffic with actuals.
  const truth = spec.rollout.groundTruth;
  if (!truth || !spec.endpoint.requestResponseLogging) throw new Error(`the demo needs models/${spec.name}.yaml to name rollout.groundTruth and request-response logging`);
  const traffic = new TrafficReplay(ce, serving.name, { datasetId: truth.table.datasetId, tableId: truth.table.tableId, idField: truth.idField, labelColumn: truth.labelColumn });
  await traffic.prepare(args.replayFlights);
  traffic.start();
  say(`replaying ${args.replayFlights} random flights against ${serving.name}; their actual delays go to ${truth.table.datasetId}.${truth.table.tableId}`);
  try {
    const rolloutId = second?.rollout?.id;
    if (rolloutId) {
      say(`onPipelineRunEvent started rollout ${rolloutId}`);
      const good = await followToEnd(rolloutId);
      report('');
      for (const line of rolloutTimeline(good)) report(line);
    } else {
      report(`\nno rollout: ${second?.rollout?.skipped ?? `cycle 2 ended ${second?.decision?.outcome ?? second?.state}`}`);
    }

    // A deliberately bad version: the champion's artifacts served by a container that adds latency.
    const bad = await uploadSlowVersion(spec.name, args.badLatencyMs);
    say(`uploaded ${bad} whose serving container adds ${args.badLatencyMs} ms (MODEL_SERVER_ADDED_LATENCY_MS); POST /v1/models/${spec.name}/rollouts`);
    const started = await api.createRollout(spec.name, { version: bad.split('@')[1], reason: `a deliberately slow version (+${args.badLatencyMs} ms)` });
    const rolledBack = await followToEnd(started.id);
    report('');
    for (const line of rolloutTimeline(rolledBack)) report(line);
    const failed = rolledBack.history.find((d) => d.kind === 'ANALYSIS_FAILED');
    const done = rolledBack.history.find((d) => d.kind === 'ROLLED_BACK');
    const evidence = rolledBack.steps.flatMap((st) => st.measurements).find((m) => m.result === 'Failed');
    if (failed && done && evidence) report(`  from the failing measurement (${evidence.at}) to the rollback completed: ${((Date.parse(done.at) - Date.parse(evidence.at)) / 1000).toFixed(1)} s`);

    await driftCycle(traffic);
    await tuningCycle();
  } finally {
    await traffic.close();
    report(`\nreplayed ${traffic.counts.requests} prediction requests (${traffic.counts.errors} failed); answered by deployed model: ${JSON.stringify(traffic.counts.byDeployedModel)}`);
  }

  const model = await api.model(spec.name);
  report(`\nmodels/${spec.name} in the Vertex Model Registry:`);
  for (const v of model.versions) report(`  version ${v.versionId.padEnd(3)} aliases ${v.aliases.join(', ').padEnd(28)} ${v.labels.model_type ?? ''}  run ${v.labels.training_run ?? ''}`);
  report(`  champion ${model.champion ?? '(none)'}; challenger ${model.challenger ?? '(none)'}`);

  // Part 5: what the loop recorded, read back as a reviewer would.
  const { experiment, runs } = await api.experimentRuns(spec.name);
  const championVersion = model.versions.find((v) => v.aliases.includes('champion'));
  const championRun = championVersion?.labels.training_run;
  for (const line of trackingReport({
    experiment,
    runs,
    decisions: await api.decisions(spec.name),
    ...(championVersion
      ? {
          champion: {
            version: `${spec.name}@${championVersion.versionId}`,
            lineage: await api.lineage(spec.name, championVersion.versionId),
            ...(championVersion.modelCard ? { modelCard: championVersion.modelCard } : {}),
            ...(championRun ? { trainingRun: championRun, cost: await api.trainingRunCost(championRun) } : {}),
          },
        }
      : {}),
  })) report(line);

  // The same views as one static file, as `npm run report` writes it for a review.
  // A report that cannot be written is a warning: the loop itself ran.
  const reportFile = resolve(join(values['data-dir'], `report-${spec.name}.html`));
  try {
    writeFileSync(reportFile, await buildReport(consoleSources({ apiUrl: cloud.env.MLOPS_API_URL!, clients: ce, region: cloud.env.MLOPS_REGION ?? 'us-central1' }), spec.name));
    report(`report of models/${spec.name} (npm run report): ${reportFile}`);
  } catch (err) {
    log('WARNING', 'the report could not be written', { file: reportFile, error: String((err as Error).stack ?? err) });
  }
  say(`done: ${model.latestRuns.length} training runs`);
  if (values.stay && consoleServer) {
    say(`the local cloud and the web console (${consoleServer.url}) stay up; Ctrl-C stops them`);
    await new Promise<void>((resolve) => {
      process.once('SIGINT', () => resolve());
      process.once('SIGTERM', () => resolve());
    });
  }
} catch (err) {
  status.clear();
  log('ERROR', 'demo failed', { error: String((err as Error).stack ?? err) });
  exitCode = 1;
} finally {
  await consoleServer?.close();
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

/**
 * Part 3: the random traffic's drift scores, then the traffic shifts to a later period (June 2001's
 * flights only: every date_month is 6, where the baseline has January to June alike). checkDrift's
 * scores cross the threshold, the alert policy opens an incident, its notification reaches
 * onMonitoringAlert through Pub/Sub, and the retrain it requests runs and, registered as
 * challenger, enters a rollout judged on the shifted traffic.
 */
async function driftCycle(traffic: TrafficReplay): Promise<void> {
  const since = new Date().toISOString();
  const calm = await api.waitForDriftCheck(spec!.name, 'a drift check of the random traffic', (c) => c.checkedAt > since && c.versions.some((v) => v.features.length > 0));
  report(`\ncheckDrift (Cloud Scheduler, every third scheduled minute) on the random traffic, against each serving version's training baseline:`);
  for (const line of driftTable(calm)) report(line);

  const before = new Set((await api.model(spec!.name)).latestRuns.map((r) => r.id));
  await traffic.prepare(args.replayFlights, SHIFTED_PERIOD_START);
  const shiftedAt = Date.now();
  say(`the replay switches to flights from ${SHIFTED_PERIOD_START.slice(0, 10)} on (a later period: every date_month is 6)`);
  const drifted = await api.waitForDriftCheck(spec!.name, 'a drift check that finds drift', (c) => c.versions.some((v) => v.drifted.length > 0));
  say(`checkDrift finds drift in ${[...new Set(drifted.versions.flatMap((v) => v.drifted))].join(', ')}; the alert policy "${driftAlertPolicyName(spec!.name)}" watches these scores`);
  report('');
  for (const line of driftTable(drifted)) report(line);
  const run = await api.waitForRun(spec!.name, 'a drift-triggered training run', (r) => r.trigger === 'drift' && !before.has(r.id));
  const created = Date.parse(run.createTime ?? new Date().toISOString());
  say(`onMonitoringAlert requested training run ${run.id}`);
  report(`  reason: ${run.reason ?? ''}`);
  report(`  drifted features: ${(run.driftedFeatures ?? []).join(', ')}`);
  report(`  from the first drifted request to the retraining run requested: ${((created - shiftedAt) / 1000).toFixed(1)} s`);
  const third = await api.followRun(run);
  const firstTask = Math.min(...(third.tasks ?? []).flatMap((t) => (t.startTime ? [Date.parse(t.startTime)] : [])));
  if (Number.isFinite(firstTask)) report(`  from the first drifted request to its pipeline's first task running: ${((firstTask - shiftedAt) / 1000).toFixed(1)} s`);
  reportDecision('cycle 3 (drift)', third);
  const rolloutId = third.rollout?.id;
  if (!rolloutId) {
    report(`\nno rollout: ${third.rollout?.skipped ?? `cycle 3 ended ${third.decision?.outcome ?? third.state}`}`);
    return;
  }
  say(`onPipelineRunEvent started rollout ${rolloutId}, judged on the shifted traffic`);
  const released = await followToEnd(rolloutId);
  report('');
  for (const line of rolloutTimeline(released)) report(line);
  if (released.phase !== 'PROMOTED') return;

  // The loop closed: the new champion learnt from the drifted period, so its own baseline is that world.
  const versionId = released.canary.version.split('@').pop();
  const after = await api.waitForDriftCheck(spec!.name, `a drift check of version ${versionId} alone`, (c) => c.versions.length === 1 && c.versions[0]!.versionId === versionId && c.versions[0]!.features.length > 0);
  report(`\ncheckDrift after the release: the shifted traffic against the new champion's own baseline`);
  for (const line of driftTable(after)) report(line);
}

/**
 * Part 4: a person asks for a tuning run over the HTTP API. One HyperparameterTuningJob searches
 * the spec's model types and their hyperparameters at once (model_type is the study's parent
 * parameter), suggested by the local Vizier's Gaussian-process bandit; the control plane writes
 * the results and four plots, and the best trial becomes a training run on the same snapshot,
 * judged against the champion like any other.
 */
async function tuningCycle(): Promise<void> {
  const requested = await api.createTuningRun(spec!.name, { requestId: `demo-tuning-${Date.now()}`, reason: 'search the model types and their hyperparameters' });
  const study = requested.study;
  say(`POST /v1/models/${spec!.name}/tuningRuns: tuning run ${requested.id}, ${study.maxTrialCount} trials (${study.parallelTrialCount} at a time) over ${study.modelTypes.join(', ')}; ${study.algorithm === 'ALGORITHM_UNSPECIFIED' ? "Vizier's default (Gaussian-process bandit)" : study.algorithm}, ${study.earlyStopping} early stopping, ${study.metric.id} on the validation split`);
  const metric = study.metric.id;
  const shown = (h: Record<string, number | string>) => Object.entries(h).map(([k, v]) => `${k}=${typeof v === 'number' && !Number.isInteger(v) ? v.toPrecision(3) : v}`).join(' ');
  const run = await api.followTuningRun(requested.id, (t) =>
    say(`  trial ${t.id.padStart(2)} ${t.modelType.padEnd(14)} ${t.value === undefined ? t.state : `${metric} ${t.value.toFixed(3)}`}${t.earlyStopped ? ' (stopped early)' : ''}  ${shown(t.hyperparameters)}`),
  );
  report(`\ntuning run ${run.id} ${run.state}${run.snapshot ? ` on ${run.snapshot.rowCount} rows (${run.snapshot.uri})` : ''}`);
  if (run.state !== 'SUCCEEDED' || !run.result) {
    report(`  ${run.error?.task ?? ''} ${run.error?.message ?? ''}`);
    return;
  }
  const result = run.result;
  const byId = new Map(result.trials.map((t) => [t.id, t]));
  for (const [type, id] of Object.entries(result.bestPerModelType)) {
    const t = byId.get(id)!;
    report(`  best ${type.padEnd(14)} trial ${id.padStart(2)}  ${metric} ${t.value?.toFixed(3) ?? '?'}  ${shown(t.hyperparameters)}${id === result.bestTrialId ? '   ← best overall' : ''}`);
  }
  if (result.parameterImportance.length) report(`  importance ${result.parameterImportance.slice(0, 5).map((p) => `${p.parameter} ${(p.importance * 100).toFixed(0)}%`).join(', ')}`);
  for (const plot of run.results?.plots ?? []) report(`  plot ${plot.title.padEnd(48)} ${plot.svg.replace(/^gs:\/\//, `${values['data-dir']}/storage/`)}`);
  if (!run.trainingRun) return;
  say(`the best trial becomes training run ${run.trainingRun} (trigger tuning, the same snapshot)`);
  const trained = await api.followRun(await api.run(run.trainingRun));
  reportDecision('cycle 4 (the best trial)', trained);
  const rolloutId = trained.rollout?.id;
  if (!rolloutId) {
    report(`\nno rollout: ${trained.rollout?.skipped ?? `cycle 4 ended ${trained.decision?.outcome ?? trained.state}`}`);
    return;
  }
  say(`onPipelineRunEvent started rollout ${rolloutId}`);
  const released = await followToEnd(rolloutId);
  report('');
  for (const line of rolloutTimeline(released)) report(line);
}

/**
 * Follows a rollout to its end. A rollout paused for a person (an Inconclusive analysis: too
 * little traffic in the window) is aborted, as the person watching the demo would.
 */
async function followToEnd(id: string) {
  const onDecision = (d: { kind: string; reason: string }) => say(`  ${d.kind.padEnd(22)} ${d.reason.slice(0, 140)}`);
  let r = await api.followRollout(id, onDecision);
  if (r.phase === 'PAUSED') {
    say(`rollout ${id} is paused for a person; the demo aborts it: POST /v1/rollouts/${id}:abort`);
    await api.command(id, 'abort', { reason: 'paused in the demo; nobody to look at it' });
    r = await api.followRollout(id, onDecision);
  }
  return r;
}

/** The champion's artifacts uploaded as a new version whose serving container adds latency. */
async function uploadSlowVersion(model: string, latencyMs: number): Promise<string> {
  const vertex = vertexClients('us-central1', ce);
  try {
    const parent = `projects/${cloud.projectId}/locations/us-central1/models/${model}`;
    const [champion] = await vertex.models.getModel({ name: `${parent}@champion` });
    const env = [...(champion.containerSpec?.env ?? []).filter((e) => e.name !== 'MODEL_SERVER_ADDED_LATENCY_MS'), { name: 'MODEL_SERVER_ADDED_LATENCY_MS', value: String(latencyMs) }];
    const [operation] = await vertex.models.uploadModel({
      parent: `projects/${cloud.projectId}/locations/us-central1`,
      parentModel: parent,
      model: {
        displayName: model,
        artifactUri: champion.artifactUri ?? null,
        containerSpec: { ...champion.containerSpec, env },
        versionDescription: `the champion's model behind a server that adds ${latencyMs} ms (a deliberately bad release)`,
        labels: { ...(champion.labels ?? {}), training_run: 'demo-slow-server' },
      },
    });
    const [response] = await operation.promise();
    return `${response.model ?? parent}@${response.modelVersionId ?? ''}`;
  } finally {
    await Promise.all(Object.values(vertex).map((c) => c.close()));
  }
}

/** A few flights through the endpoint: the champion really serves (logged to BigQuery by Vertex). */
async function predict(endpoint: string, rows: number): Promise<void> {
  // A random sample: the table's first rows are all from one night, and their hours alone once
  // crossed the PSI threshold of date_hour in a drift window before the demo's own shift.
  const [sample] = await bigQueryClient(ce).query({ query: `SELECT date, distance, origin, destination, delay FROM \`samples.flights\` ORDER BY RAND() LIMIT ${rows}` });
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
