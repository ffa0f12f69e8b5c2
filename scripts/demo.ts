// `npm run demo`, the main job on the local cloud: export a training snapshot from BigQuery,
// run the training pipeline on (local) Vertex AI twice (a baseline, then a candidate), register
// both as versions of one model, serve the candidate as a 10% canary beside the baseline, send
// held-out rows and report metrics and the traffic each version served.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { trainingPipeline } from '../pipelines/definitions/training-pipeline.js';
import { readGateDecision } from '../vertex/shared/gate-decision.js';
import { parseGcsUri } from '../vertex/shared/storage-uris.js';
import { projectPipelineJobRequest } from '../vertex/requests/project-pipeline-job.js';
import { startLocalCloud } from '../emulators/launcher/local-cloud.js';
import { FLIGHTS_TABLE, SAMPLES_DATASET } from '../emulators/launcher/seed.js';
import { bigQueryClient, storageClient, vertexClients } from '../google-clients/index.js';
import { buildUploadModelRequest } from '../vertex/requests/upload-model.js';
import { buildCreateEndpointRequest } from '../vertex/requests/endpoint.js';
import { buildDeployModelRequest } from '../vertex/requests/deploy-model.js';
import { SKLEARN_1_5_CPU } from '../vertex/requests/prebuilt-containers.js';
import { buildImportModelEvaluationRequest } from '../vertex/requests/import-model-evaluation.js';
import type { RegressionMetrics } from '../vertex/requests/import-model-evaluation.js';
import type { IPipelineJob as PipelineJob } from '../vertex/shared/proto-types.js';
import type { JsonObject } from '../vertex/shared/struct.js';
import { toProtoValue } from '../vertex/shared/struct.js';
import { exitWithUsageError, parseCommandLineOrExit, usageErrorText } from './cli.js';
import { latestTaskLogLine } from './demo/task-log.js';
import { StatusLine } from './demo/status-line.js';
import { log, logger } from './log.js';
import { ensurePrerequisites } from './prerequisites/check.js';

process.env.METADATA_SERVER_DETECTION ??= 'none';

const DEMO_COMMAND = {
  command: 'npm run demo --',
  summary: 'Train, register and canary-deploy a flight-delay model on the local cloud; the report goes to stdout, logs to stderr.',
  options: {
    'data-dir': { type: 'string', default: '.local-cloud-demo', valueName: 'dir', description: "the local cloud's data directory" },
    keep: { type: 'boolean', default: false, description: 'reuse the data directory of an earlier run instead of wiping it first (the flights table is not seeded again); it is never deleted afterwards' },
    'sample-percent': { type: 'string', default: '1', valueName: 'percent', description: 'share of the 3M flights exported as the training snapshot' },
    predictions: { type: 'string', default: '400', valueName: 'rows', description: 'held-out rows sent to the endpoint' },
  },
} as const;
const values = parseCommandLineOrExit(DEMO_COMMAND);

const Args = z.object({
  samplePercent: z.coerce.number().gt(0).max(100),
  predictions: z.coerce.number().int().positive(),
});
const parsedArgs = Args.safeParse({ samplePercent: values['sample-percent'], predictions: values.predictions });
if (!parsedArgs.success) {
  const issue = parsedArgs.error.issues[0]!;
  exitWithUsageError(usageErrorText(DEMO_COMMAND, `--${String(issue.path[0]).replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}: ${issue.message}`));
}
const args = parsedArgs.data;

const LOCATION = 'us-central1';
const started = performance.now();
const elapsed = () => `${((performance.now() - started) / 1000).toFixed(0)}s`;
// The report on stdout, with the running task's latest log line as a status line below it.
const status = new StatusLine(process.stdout);
const say = (text: string) => status.print(`[${elapsed().padStart(4)}] ${text}`);
const report = (text: string) => status.print(text);

// Stop before anything starts when the Python packages are missing (or install them as root).
ensurePrerequisites({ pubsub: false });
// The emulators' INFO lines would bury the report: WARNING and above unless LOG_LEVEL says otherwise.
logger.setDefaultLevel('WARNING');

const cloud = await startLocalCloud({ dataDir: values['data-dir'], reset: !values.keep, seed: 'flights', pubsub: false });
const project = cloud.projectId;
const ce = { projectId: project, env: cloud.env };
const vertex = vertexClients(LOCATION, ce);
let exitCode = 0;

try {
  say(`local cloud up: ${Object.entries(cloud.endpoints).map(([k, v]) => `${k} ${v}`).join(', ')}`);

  // 1. A training snapshot: a sample of the flights table exported to Cloud Storage.
  const bucket = `${project}-pipelines`;
  const storage = storageClient(ce);
  if (!(await storage.bucket(bucket).exists())[0]) await storage.createBucket(bucket);
  const runKey = new Date().toISOString().replace(/[-:.TZ]/g, '').slice(0, 14);
  const snapshotPrefix = `snapshots/flights-${runKey}/`;
  const percent = args.samplePercent;
  const [exportJob] = await bigQueryClient(ce).createQueryJob({
    query:
      `EXPORT DATA OPTIONS(uri='gs://${bucket}/${snapshotPrefix}part-*.csv', format='CSV', overwrite=true, header=true) AS ` +
      `SELECT date, delay, distance, origin, destination FROM \`${project}.${SAMPLES_DATASET}.${FLIGHTS_TABLE}\` WHERE RAND() < ${percent / 100}`,
  });
  await exportJob.getQueryResults();
  const [shards] = await storage.bucket(bucket).getFiles({ prefix: snapshotPrefix });
  if (shards.length !== 1) throw new Error(`expected one snapshot shard, got ${shards.length}`);
  const snapshotUri = `gs://${bucket}/${shards[0]!.name}`;
  say(`exported a ${percent}% sample of ${SAMPLES_DATASET}.${FLIGHTS_TABLE} to ${snapshotUri} (${shards[0]!.metadata.size} bytes)`);

  // 2. Train twice: a ridge baseline (the version already serving) and a random-forest candidate.
  const runs: { modelType: string; job: string; servingUri: string; evaluation: Record<string, unknown>; testDataPath: string }[] = [];
  for (const modelType of ['ridge', 'random_forest']) {
    // Checks model_type, task_type and the threshold metrics against the pipeline's closed sets.
    const request = projectPipelineJobRequest(trainingPipeline(), {
      project,
      location: LOCATION,
      runKey: `${runKey}-${modelType}`,
      gcsOutputDirectory: `gs://${bucket}/pipeline-root`,
      parameterValues: {
        training_data_uri: snapshotUri,
        target_column: 'delay',
        task_type: 'regression',
        model_type: modelType,
        hyperparameters: modelType === 'random_forest' ? { n_estimators: 60, max_depth: 12, min_samples_leaf: 5 } : {},
        // Delay is barely predictable from route and time alone (R² near 0): the gate only
        // rejects models clearly worse than predicting the mean, or with a large error.
        thresholds: { r2: { min: -0.05 }, rmse: { max: 60 } },
      },
      labels: { trigger: 'demo', model_type: modelType.replace('_', '-') },
    });
    const [created] = await vertex.pipelines.createPipelineJob(request);
    say(`submitted PipelineJob ${created.name} (model_type=${modelType})`);
    const finished = await followPipelineJob(created.name!);
    if (finished.state !== 'PIPELINE_STATE_SUCCEEDED') throw new Error(`pipeline ${created.name} ended ${String(finished.state)}: ${finished.error?.message ?? ''}`);
    const gate = readGateDecision(finished);
    say(`gate on the ${modelType} model: ${gate?.reason ?? 'no decision'}`);
    if (gate?.decision !== 'approved') throw new Error(`pipeline ${created.name}: the gate did not approve the ${modelType} model, nothing to deploy`);
    const outputs = taskOutputs(finished);
    const servingUri = outputs.get('export-serving-artifact:serving_model');
    const evaluationUri = outputs.get('evaluate-model:evaluation');
    const testUri = outputs.get('preprocess-split:test_data');
    if (!servingUri || !evaluationUri || !testUri) throw new Error(`pipeline ${created.name} is missing an output it should have`);
    runs.push({
      modelType,
      job: created.name!,
      servingUri,
      evaluation: JSON.parse(readFileSync(localPath(evaluationUri), 'utf8')) as Record<string, unknown>,
      testDataPath: localPath(testUri),
    });
  }

  // 3. Register both as versions of one model; the candidate is not the default yet.
  const [baselineOp] = await vertex.models.uploadModel(
    buildUploadModelRequest({ project, location: LOCATION, displayName: 'flight-delay', artifactUri: runs[0]!.servingUri, container: { imageUri: SKLEARN_1_5_CPU }, versionAliases: ['baseline'], labels: { model_type: 'ridge' } }),
  );
  const [baseline] = await baselineOp.promise();
  const modelName = baseline.model!;
  const [candidateOp] = await vertex.models.uploadModel(
    buildUploadModelRequest({ project, location: LOCATION, displayName: 'flight-delay', parentModel: modelName, artifactUri: runs[1]!.servingUri, container: { imageUri: SKLEARN_1_5_CPU }, versionAliases: ['candidate'], labels: { model_type: 'random-forest' } }),
  );
  const [candidate] = await candidateOp.promise();
  say(`uploaded ${modelName} versions ${baseline.modelVersionId} (baseline) and ${candidate.modelVersionId} (candidate)`);
  for (const [run, version] of [[runs[0]!, baseline.modelVersionId], [runs[1]!, candidate.modelVersionId]] as const) {
    const vertexEval = run.evaluation.vertex_model_evaluation as { metrics: RegressionMetrics } | undefined;
    if (!vertexEval) continue;
    await vertex.models.importModelEvaluation(
      buildImportModelEvaluationRequest({ model: `${modelName}@${version}`, displayName: `${run.modelType} on the test split`, evaluation: { kind: 'regression', metrics: vertexEval.metrics } }),
    );
  }

  // 4. An endpoint logging requests to BigQuery; baseline at 100%, then the candidate as a 10% canary.
  const [endpointOp] = await vertex.endpoints.createEndpoint(
    buildCreateEndpointRequest({ project, location: LOCATION, displayName: 'flight-delay', requestResponseLogging: { samplingRate: 1, bigqueryDestination: `bq://${project}.serving_logs.flight_delay` } }),
  );
  const [endpoint] = await endpointOp.promise();
  const resources = { dedicated: { machine: { machineType: 'n1-standard-2' }, minReplicaCount: 1, maxReplicaCount: 1 } } as const;
  const [deployBaselineOp] = await vertex.endpoints.deployModel(
    buildDeployModelRequest({ endpoint: endpoint.name!, model: `${modelName}@${baseline.modelVersionId}`, displayName: 'baseline', resources, trafficSplit: { '0': 100 } }),
  );
  const [baselineDeployed] = await deployBaselineOp.promise();
  const baselineId = baselineDeployed.deployedModel!.id!;
  const [deployCandidateOp] = await vertex.endpoints.deployModel(
    buildDeployModelRequest({ endpoint: endpoint.name!, model: `${modelName}@${candidate.modelVersionId}`, displayName: 'candidate', resources, trafficSplit: { [baselineId]: 90, '0': 10 } }),
  );
  const [candidateDeployed] = await deployCandidateOp.promise();
  const candidateId = candidateDeployed.deployedModel!.id!;
  const [serving] = await vertex.endpoints.getEndpoint({ name: endpoint.name! });
  say(`endpoint ${endpoint.name} traffic: ${JSON.stringify(serving.trafficSplit)} (baseline=${baselineId}, candidate=${candidateId})`);

  // 5. Held-out rows (the candidate run's test split) through the endpoint.
  const rows = readCsv(runs[1]!.testDataPath).slice(0, args.predictions);
  const served = new Map<string, { n: number; squaredError: number }>();
  const batch = 8;
  for (let i = 0; i < rows.length; i += batch) {
    const chunk = rows.slice(i, i + batch);
    const instances = chunk.map(({ delay: _target, ...features }) => toProtoValue(features as JsonObject, 'instance'));
    const [response] = await vertex.predictions.predict({ endpoint: endpoint.name!, instances });
    const id = response.deployedModelId!;
    const tally = served.get(id) ?? { n: 0, squaredError: 0 };
    response.predictions!.forEach((p, j) => {
      const predicted = p.numberValue ?? Number(p.stringValue);
      tally.squaredError += (predicted - Number(chunk[j]!.delay)) ** 2;
    });
    tally.n += chunk.length;
    served.set(id, tally);
  }

  // 6. The report.
  report(`\nTraining runs (test split of ${String(runs[1]!.evaluation.row_count)} rows):`);
  for (const r of runs) {
    const m = (r.evaluation.metrics ?? {}) as Record<string, number>;
    const pick = (k: string, digits = 3) => (typeof m[k] === 'number' ? m[k].toFixed(digits) : 'n/a');
    report(
      `  ${r.modelType.padEnd(14)} rmse ${pick('rmse')}  mae ${pick('mae')}  mape ${pick('mape', 1)}%  r2 ${pick('r2')}  ` +
        `explained var ${pick('explained_variance')}  within 10% ${pick('within_10pct')}  within 20% ${pick('within_20pct')}`,
    );
  }
  report('\nTraffic served by the endpoint:');
  for (const [id, t] of served) {
    const name = id === baselineId ? 'baseline (ridge)' : id === candidateId ? 'candidate (random forest)' : id;
    report(`  ${name.padEnd(26)} ${String(t.n).padStart(4)} rows (${((100 * t.n) / rows.length).toFixed(1)}%)  rmse ${Math.sqrt(t.squaredError / t.n).toFixed(3)}`);
  }
  // The endpoint logged every request to BigQuery: the raw data for canary analysis.
  await new Promise((r) => setTimeout(r, 1500));
  const [logged] = await bigQueryClient(ce).query({
    query: `SELECT deployed_model_id, COUNT(*) AS requests, ROUND(AVG(latency_ms), 1) AS mean_latency_ms FROM \`${project}.serving_logs.flight_delay\` GROUP BY deployed_model_id ORDER BY requests DESC`,
  });
  report('\nRequest-response log (BigQuery serving_logs.flight_delay):');
  for (const row of logged as { deployed_model_id: string; requests: number; mean_latency_ms: number }[]) {
    report(`  ${row.deployed_model_id.padEnd(22)} ${String(row.requests).padStart(4)} requests, mean latency ${row.mean_latency_ms} ms`);
  }
  say(`done: ${rows.length} predictions in ${Math.ceil(rows.length / batch)} requests`);
} catch (err) {
  status.clear();
  log('ERROR', 'demo failed', { error: String((err as Error).stack ?? err) });
  exitCode = 1;
} finally {
  await Promise.all(Object.values(vertex).map((c) => c.close()));
  await cloud.stop();
}
process.exit(exitCode);


/** Poll the job (a CLI may wait; the functions never do) and print each task's state changes. */
async function followPipelineJob(name: string): Promise<PipelineJob> {
  const seen = new Map<string, string>();
  for (;;) {
    const [job] = await vertex.pipelines.getPipelineJob({ name });
    for (const task of job.jobDetail?.taskDetails ?? []) {
      const key = task.taskName ?? String(task.taskId);
      const state = String(task.state);
      if (seen.get(key) !== state && task.parentTaskId) {
        seen.set(key, state);
        say(`  task ${key.padEnd(26)} ${state}`);
      }
    }
    const state = String(job.state);
    if (['PIPELINE_STATE_SUCCEEDED', 'PIPELINE_STATE_FAILED', 'PIPELINE_STATE_CANCELLED'].includes(state)) {
      status.clear();
      say(`${name.split('/').pop()} ${state}`);
      return job;
    }
    status.update(await runningTaskStatus(name, job));
    await new Promise((r) => setTimeout(r, 1000));
  }
}

/** `  <task> | <its latest log line>` for the most recently started running task, or '' when none runs. */
async function runningTaskStatus(jobName: string, job: PipelineJob): Promise<string> {
  const running = (job.jobDetail?.taskDetails ?? [])
    .filter((t) => t.parentTaskId && String(t.state) === 'RUNNING' && t.taskUniqueName)
    .sort((a, b) => Number(b.taskId) - Number(a.taskId))[0];
  if (!running) return '';
  const line = await latestTaskLogLine(cloud.dataDir, jobName, running.taskUniqueName!);
  // No clock in it: off a terminal, a line is printed only when the task or its output changes.
  return `         ${running.taskName ?? ''} | ${line ?? '(starting)'}`;
}

/** `task:output` → artifact URI, from the job's task details. */
function taskOutputs(job: PipelineJob): Map<string, string> {
  const found = new Map<string, string>();
  for (const task of job.jobDetail?.taskDetails ?? []) {
    for (const [output, list] of Object.entries(task.outputs ?? {})) {
      const uri = list.artifacts?.[0]?.uri;
      if (uri) found.set(`${task.taskName}:${output}`, uri);
    }
  }
  return found;
}

/** gs://bucket/path → the plain file the Storage emulator keeps for it. */
function localPath(uri: string): string {
  const location = parseGcsUri(uri);
  if (!location?.object) throw new Error(`not a gs:// object URI: ${uri}`);
  return join(cloud.dataDir, 'storage', location.bucket, location.object);
}

function readCsv(path: string): Record<string, string | number>[] {
  const [header, ...lines] = readFileSync(path, 'utf8').trim().split('\n');
  const names = header!.split(',');
  return lines.map((line) => {
    const cells = line.split(',');
    return Object.fromEntries(names.map((n, i) => [n, Number.isFinite(Number(cells[i])) && cells[i] !== '' ? Number(cells[i]) : cells[i]!]));
  });
}
