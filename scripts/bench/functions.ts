// Cloud Functions figures, all against baselines measured in the same run:
// 1. cold start (process start → first 2xx) of each function, served by the real framework CLI with
//    the local runtime's command and environment, against a functions-framework hello world; and
//    what importing a Vertex client costs a fresh Node (the reference for a Vertex request's extra);
// 2. the deployed bundle's size and its dependencies;
// 3. mlopsApi GET latency, warm;
// 4. function-seconds of one retraining cycle on the flights data against the pipeline's wall time.
// A table goes to stdout; every figure is also a log line on stderr.
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { TERMINAL_RUN_STATES } from '../../control-plane/state/training-runs.js';
import { buildFunctionsBundle, REPO_ROOT } from '../../emulators/functions/bundle.js';
import { watchFunctionLogs } from '../../emulators/functions/function-log.js';
import type { FunctionProcessSpec } from '../../emulators/functions/runtime.js';
import { functionProcessSpec } from '../../emulators/functions/runtime.js';
import { freePort } from '../../emulators/kit/free-port.js';
import { startLocalCloud } from '../../emulators/launcher/local-cloud.js';
import type { ClientEnvironment } from '../../google-clients/environment.js';
import { JobServiceClient, PipelineServiceClient, vertexClientOptions } from '../../google-clients/vertex.js';
import type { FunctionDeclaration } from '../../infra/functions.js';
import { FUNCTIONS } from '../../infra/functions.js';
import { log, logger } from '../log.js';
import { ensurePrerequisites } from '../prerequisites/check.js';
import type { ClientImport } from './client-import-cost.js';
import { CLIENT_IMPORTS, timeClientImport } from './client-import-cost.js';
import { dependencyClosure, PackageLock } from './dependency-closure.js';
import type { Probe } from './function-cold-start.js';
import { send, timeColdStart } from './function-cold-start.js';
import type { Invocation } from './function-seconds.js';
import { functionSeconds, invocationOf } from './function-seconds.js';
import { latencySummary, median, round } from './stats.js';
import type { Cell } from './text-table.js';
import { textTable } from './text-table.js';

process.env.METADATA_SERVER_DETECTION ??= 'none';

const REPS = 5;
const WARM_REQUESTS = 120;
const WARMUP_REQUESTS = 10;
const MODEL = 'flight-delay';
const REGION = 'us-central1';
const CYCLE_TIMEOUT_MS = 10 * 60_000;
/** Every function's extra environment; LOG_LEVEL=INFO so that invocation lines are written whatever the shell says. */
const FUNCTION_ENV = { MLOPS_ENVIRONMENT: 'local', LOG_LEVEL: 'INFO', LOG_FORMAT: 'json' };
const HELLO: FunctionDeclaration = { name: 'helloHttp', signatureType: 'http', description: 'functions-framework hello world', memory: '256Mi', timeoutSeconds: 60 };
const HELLO_SOURCE = "import * as functions from '@google-cloud/functions-framework';\n\nfunctions.http('helloHttp', (req, res) => {\n  res.send('ok');\n});\n";

const sectionStart = performance.now();
function declaration(name: string): FunctionDeclaration {
  const found = FUNCTIONS.find((f) => f.name === name);
  if (!found) throw new Error(`infra/functions.ts declares no function ${name}`);
  return found;
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const stdout = (text: string) => process.stdout.write(`${text}\n`);

/** Bytes of the files under `dir`, not counting nested node_modules (separate packages). */
function directoryBytes(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules') total += directoryBytes(path);
    } else {
      total += lstatSync(path).size;
    }
  }
  return total;
}

/** A Pub/Sub push body whose data is not JSON: the function dead-letters it and answers 204. */
function poisonPush(projectId: string, n: number): unknown {
  return {
    subscription: `projects/${projectId}/subscriptions/bench-cold-start`,
    message: { data: Buffer.from('not json').toString('base64'), messageId: `bench-cold-start-${n}`, publishTime: new Date().toISOString(), attributes: { bench: 'cold-start' } },
  };
}

const Named = z.object({ name: z.string().min(1) });
const RunView = z.object({ id: z.string(), state: z.string(), pipelineJob: z.string().optional(), error: z.object({ message: z.string() }).optional() });

interface ColdKind {
  readonly spec: (port: number) => FunctionProcessSpec;
  readonly probe: (n: number) => Probe;
  /** After a sample: undo what the request started (a CustomJob). */
  readonly after?: (answerBody: string) => Promise<void>;
}

interface Spread {
  readonly n: number;
  readonly medianMs: number;
  readonly minMs: number;
  readonly maxMs: number;
}

function spread(samples: readonly number[]): Spread {
  return { n: samples.length, medianMs: round(median(samples), 1), minMs: round(Math.min(...samples), 1), maxMs: round(Math.max(...samples), 1) };
}

async function cancelCustomJob(jobs: JobServiceClient, answerBody: string): Promise<void> {
  const { name } = Named.parse(JSON.parse(answerBody));
  await jobs.cancelCustomJob({ name });
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const [job] = await jobs.getCustomJob({ name });
    if (['JOB_STATE_CANCELLED', 'JOB_STATE_FAILED', 'JOB_STATE_SUCCEEDED'].includes(String(job.state))) return;
    await sleep(200);
  }
  throw new Error(`${name} did not end within 60 s of its cancel`);
}

const timestampMs = (t: { seconds?: unknown; nanos?: unknown } | null | undefined): number | undefined =>
  t && t.seconds !== undefined && t.seconds !== null ? Number(t.seconds) * 1000 + Number(t.nanos ?? 0) / 1e6 : undefined;

ensurePrerequisites({ pubsub: true });
// The functions' and emulators' INFO lines would bury the figures (unless LOG_LEVEL says otherwise).
logger.setDefaultLevel('WARNING');
const work = mkdtempSync(join(tmpdir(), 'bench-functions-'));
// Under the repo, so that both resolve @google-cloud/functions-framework from its node_modules.
const bundleDir = join(REPO_ROOT, 'dist', `bench-functions-${process.pid}`);
const helloDir = join(REPO_ROOT, 'dist', `bench-hello-world-${process.pid}`);
const invocations: Invocation[] = [];
const unwatch = watchFunctionLogs((entry) => {
  const invocation = invocationOf(entry.record);
  if (invocation) invocations.push(invocation);
});
const figures: { message: string; fields: Record<string, unknown> }[] = [];
const record = (message: string, fields: Record<string, unknown>) => figures.push({ message: `bench: functions ${message}`, fields });
try {
  // 2. The bundle: the same builder and inputs as `npm run build:functions` (dist/functions), in a
  // folder of its own so that no other process's rebuild swaps it out under the measurements.
  const bundle = await buildFunctionsBundle({ outDir: bundleDir });
  const lock = PackageLock.parse(JSON.parse(readFileSync(join(REPO_ROOT, 'package-lock.json'), 'utf8')));
  const direct = Object.keys(bundle.dependencies);
  const closure = dependencyClosure(lock, direct);
  const installedBytes = closure.reduce((sum, key) => sum + directoryBytes(join(REPO_ROOT, key)), 0);
  record('bundle', {
    indexJsBytes: bundle.bundleBytes,
    deployedBytes: bundle.totalBytes,
    directDependencies: direct.length,
    installedPackages: closure.length,
    installedMiB: round(installedBytes / 2 ** 20, 1),
    buildId: bundle.buildId.slice(0, 12),
  });
  mkdirSync(helloDir, { recursive: true });
  writeFileSync(join(helloDir, 'package.json'), `${JSON.stringify({ name: 'hello-world', private: true, type: 'module', main: 'index.js' })}\n`);
  writeFileSync(join(helloDir, 'index.js'), HELLO_SOURCE);

  const cloud = await startLocalCloud({ dataDir: join(work, 'cloud'), seed: 'flights', pubsub: true, functions: { bundleDir, extraEnv: FUNCTION_ENV } });
  const ce: ClientEnvironment = { projectId: cloud.projectId, env: cloud.env };
  const jobs = new JobServiceClient(vertexClientOptions(REGION, ce));
  const pipelines = new PipelineServiceClient(vertexClientOptions(REGION, ce));
  const apiUrl = cloud.functionUrls.mlopsApi!;
  try {
    if (cloud.pubsubUnavailable) throw new Error(`the functions section needs the Pub/Sub emulator: ${cloud.pubsubUnavailable}`);
    const startOptions = { env: cloud.env, extraEnv: FUNCTION_ENV };
    const pushPath = (name: string) => `/projects/${cloud.projectId}/topics/${declaration(name).triggerTopic!}`;

    // 1. Cold starts and the reference (a Vertex client imported and built in a fresh node, in a
    // function's environment), in rounds of one of each so that drift and neighbours' load spread evenly.
    const importEnv = functionProcessSpec(HELLO, helloDir, 0, startOptions).env;
    const imports = Object.fromEntries(Object.keys(CLIENT_IMPORTS).map((k) => [k, [] as number[]])) as Record<ClientImport, number[]>;
    const kinds: Record<string, ColdKind> = {
      'hello world  GET /': { spec: (port) => functionProcessSpec(HELLO, helloDir, port, startOptions), probe: () => ({ method: 'GET', path: '/' }) },
      'mlopsApi  GET /v1/models (no Google API)': {
        spec: (port) => functionProcessSpec(declaration('mlopsApi'), bundleDir, port, startOptions),
        probe: () => ({ method: 'GET', path: '/v1/models' }),
      },
      [`mlopsApi  POST /v1/models/${MODEL}/customJobs (Vertex)`]: {
        spec: (port) => functionProcessSpec(declaration('mlopsApi'), bundleDir, port, startOptions),
        probe: () => ({ method: 'POST', path: `/v1/models/${MODEL}/customJobs`, body: { preset: 'single-node' } }),
        after: (body) => cancelCustomJob(jobs, body),
      },
      'submitTrainingRun  poison push (Pub/Sub only)': {
        spec: (port) => functionProcessSpec(declaration('submitTrainingRun'), bundleDir, port, startOptions),
        probe: (n) => ({ method: 'POST', path: pushPath('submitTrainingRun'), body: poisonPush(cloud.projectId, n) }),
      },
      'onPipelineRunEvent  poison push (Pub/Sub only)': {
        spec: (port) => functionProcessSpec(declaration('onPipelineRunEvent'), bundleDir, port, startOptions),
        probe: (n) => ({ method: 'POST', path: pushPath('onPipelineRunEvent'), body: poisonPush(cloud.projectId, n) }),
      },
    };
    const cold = Object.fromEntries(Object.keys(kinds).map((k) => [k, { ms: [] as number[], handlerMs: [] as number[] }]));
    let n = 0;
    for (let i = 0; i < REPS; i++) {
      for (const variant of Object.keys(CLIENT_IMPORTS) as ClientImport[]) imports[variant].push(await timeClientImport(variant, importEnv));
      for (const [name, kind] of Object.entries(kinds)) {
        const port = await freePort();
        const start = await timeColdStart(kind.spec(port), port, kind.probe(++n));
        cold[name]!.ms.push(start.ms);
        if (start.handlerMs !== undefined) cold[name]!.handlerMs.push(start.handlerMs);
        await kind.after?.(start.answer.body);
      }
    }

    // 4. One retraining cycle on the flights data, through the served functions and Pub/Sub.
    const cycleMark = invocations.length;
    const cycleStart = performance.now();
    const createPath = `/v1/models/${MODEL}/trainingRuns`;
    const created = await send(apiUrl, { method: 'POST', path: createPath, body: { requestId: `bench-${Date.now()}`, reason: 'bench: functions section' } });
    if (created.status !== 200) throw new Error(`POST ${createPath} answered ${created.status}: ${created.body.slice(0, 500)}`);
    let run = RunView.parse(JSON.parse(created.body));
    while (!(TERMINAL_RUN_STATES as readonly string[]).includes(run.state)) {
      if (performance.now() - cycleStart > CYCLE_TIMEOUT_MS) throw new Error(`training run ${run.id} still ${run.state} after ${CYCLE_TIMEOUT_MS / 60_000} min`);
      await sleep(2_000);
      const answer = await send(apiUrl, { method: 'GET', path: `/v1/trainingRuns/${run.id}` });
      if (answer.status !== 200) throw new Error(`GET /v1/trainingRuns/${run.id} answered ${answer.status}: ${answer.body.slice(0, 500)}`);
      run = RunView.parse(JSON.parse(answer.body));
    }
    const cycleSeconds = (performance.now() - cycleStart) / 1000;
    if (!run.pipelineJob) throw new Error(`training run ${run.id} ended ${run.state} without a PipelineJob: ${run.error?.message ?? ''}`);
    // onPipelineRunEvent writes its invocation line after the run's last update: wait for it.
    const cycleOf = () => invocations.slice(cycleMark).filter((i) => i.function !== 'mlopsApi' || (i.method === 'POST' && i.path === createPath));
    for (let waited = 0; !cycleOf().some((i) => i.function === 'onPipelineRunEvent') && waited < 30_000; waited += 100) await sleep(100);
    await sleep(1_000);
    const [job] = await pipelines.getPipelineJob({ name: run.pipelineJob });
    const jobStart = timestampMs(job.startTime);
    const jobEnd = timestampMs(job.endTime);
    if (jobStart === undefined || jobEnd === undefined) throw new Error(`${run.pipelineJob} has no startTime/endTime (state ${String(job.state)})`);
    const pipelineSeconds = (jobEnd - jobStart) / 1000;
    const fs = functionSeconds(cycleOf());

    // 3. Warm GET latency over a kept-alive connection, as a client such as gcloud or a browser keeps one.
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const warm: Record<string, { medianMs: number; p95Ms: number; status: number }> = {};
    for (const path of ['/v1/models', `/v1/models/${MODEL}`, `/v1/trainingRuns/${run.id}`]) {
      const samples: number[] = [];
      let status = 0;
      for (let i = 0; i < WARMUP_REQUESTS + WARM_REQUESTS; i++) {
        const t = performance.now();
        const answer = await send(apiUrl, { method: 'GET', path }, agent);
        if (answer.status !== 200) throw new Error(`GET ${path} answered ${answer.status}: ${answer.body.slice(0, 300)}`);
        status = answer.status;
        if (i >= WARMUP_REQUESTS) samples.push(performance.now() - t);
      }
      warm[path] = { ...latencySummary(samples), status };
    }
    agent.destroy();

    // The figures.
    const importSpread = Object.fromEntries(Object.entries(imports).map(([k, v]) => [k, spread(v)])) as Record<ClientImport, Spread>;
    const coldSpread = Object.fromEntries(Object.entries(cold).map(([k, v]) => [k, { ...spread(v.ms), handlerMedianMs: v.handlerMs.length ? round(median(v.handlerMs), 1) : undefined }]));
    const [helloKey, noClientKey, vertexKey] = Object.keys(kinds) as [string, string, string];
    const hello = coldSpread[helloKey]!.medianMs;
    const noClient = coldSpread[noClientKey]!.medianMs;
    const vertex = coldSpread[vertexKey]!.medianMs;
    // Like for like: the function's client against the emulator uses the REST fallback.
    const clientModule = importSpread['PipelineServiceClient module, REST (emulator)'].medianMs;
    const clientModuleGrpc = importSpread['PipelineServiceClient module, gRPC (deployed)'].medianMs;
    for (const [variant, s] of Object.entries(importSpread)) record('client import + build', { variant, ...s });
    for (const [kind, s] of Object.entries(coldSpread)) record('cold start', { kind, ...s });
    const ratios = {
      noClientVsHelloWorld: round(noClient / hello, 2),
      noClientTarget: 1.2,
      vertexExtraMs: round(vertex - noClient, 1),
      vertexExtraVsClientModuleImport: round((vertex - noClient) / clientModule, 2),
      vertexTarget: 1.2,
      vertexExtraVsGrpcClientModuleImport: round((vertex - noClient) / clientModuleGrpc, 2),
      grpcClientModuleVsRootImport: round(clientModuleGrpc / importSpread['@google-cloud/aiplatform root, gRPC'].medianMs, 2),
    };
    record('cold start ratios', ratios);
    for (const [path, s] of Object.entries(warm)) record('mlopsApi warm GET', { path, requests: WARM_REQUESTS, ...s });
    record('retraining cycle', {
      trainingRun: run.id,
      state: run.state,
      functionSeconds: round(fs.seconds, 2),
      invocations: fs.invocations,
      byFunction: Object.fromEntries(Object.entries(fs.byFunction).map(([k, v]) => [k, { invocations: v.invocations, seconds: round(v.seconds, 2) }])),
      pipelineSeconds: round(pipelineSeconds, 1),
      functionVsPipeline: round(fs.seconds / pipelineSeconds, 4),
      cycleWallSeconds: round(cycleSeconds, 1),
    });

    const rows = (entries: [string, Spread & { handlerMedianMs?: number | undefined }][]): Cell[][] =>
      entries.map(([k, s]) => [k, s.n, s.medianMs, s.minMs, s.maxMs, s.handlerMedianMs ?? '']);
    const header = ['', 'n', 'median ms', 'min ms', 'max ms', 'handler ms'];
    stdout('\nfunctions: cold start, process start → first 2xx (the framework CLI, the local runtime\'s env)');
    stdout(textTable(header, rows(Object.entries(coldSpread))));
    stdout('\nfunctions: Vertex client import + build in a fresh node (a function\'s environment)');
    stdout(textTable(header.slice(0, 5), rows(Object.entries(importSpread)).map((r) => r.slice(0, 5))));
    stdout(`\n  mlopsApi no-client request / hello world:                    ${ratios.noClientVsHelloWorld}× (target ≤ ${ratios.noClientTarget}×)`);
    stdout(`  (Vertex request − no-client request) / client module, REST:  ${ratios.vertexExtraMs} ms / ${clientModule} ms = ${ratios.vertexExtraVsClientModuleImport} (target ≤ ${ratios.vertexTarget})`);
    stdout(`  the same over the gRPC client module (deployed transport):   ${ratios.vertexExtraMs} ms / ${clientModuleGrpc} ms = ${ratios.vertexExtraVsGrpcClientModuleImport}`);
    stdout(`  PipelineServiceClient module / aiplatform root (gRPC):       ${ratios.grpcClientModuleVsRootImport}`);
    stdout('  The event functions\' probe is a poison push (not JSON): dead-lettered through Pub/Sub, 204; no Google API beyond Pub/Sub.');
    stdout('\nfunctions: bundle (npm run build:functions)');
    stdout(textTable(['index.js bytes', 'deployed bytes', 'direct deps', 'installed packages', 'installed MiB'], [[bundle.bundleBytes, bundle.totalBytes, direct.length, closure.length, round(installedBytes / 2 ** 20, 1)]]));
    stdout(`  direct: ${direct.join(', ')}`);
    stdout(`\nfunctions: mlopsApi warm GET latency (${WARM_REQUESTS} requests each after ${WARMUP_REQUESTS}, one kept-alive connection)`);
    stdout(textTable(['path', 'p50 ms', 'p95 ms'], Object.entries(warm).map(([p, s]) => [p, round(s.medianMs, 1), round(s.p95Ms, 1)])));
    stdout(`\nfunctions: one retraining cycle (${MODEL}, flights 1% snapshot), run ${run.id} ${run.state}`);
    stdout(textTable(['function', 'invocations', 'seconds'], [
      ...Object.entries(fs.byFunction).map(([k, v]): Cell[] => [k, v.invocations, round(v.seconds, 2)]),
      ['total function-seconds', fs.invocations, round(fs.seconds, 2)],
    ]));
    stdout(`  pipeline wall time (PipelineJob startTime → endTime): ${round(pipelineSeconds, 1)} s; cycle wall (POST → run ${run.state}): ${round(cycleSeconds, 1)} s`);
    stdout(`  function-seconds / pipeline-seconds: ${round(fs.seconds / pipelineSeconds, 4)}`);
  } finally {
    await Promise.allSettled([jobs.close(), pipelines.close()]);
    await cloud.stop();
  }
} finally {
  unwatch();
  rmSync(bundleDir, { recursive: true, force: true });
  rmSync(helloDir, { recursive: true, force: true });
  rmSync(work, { recursive: true, force: true });
  logger.setDefaultLevel('INFO');
  for (const f of figures) log('INFO', f.message, f.fields);
}
log('INFO', 'bench: functions section wall time', { seconds: round((performance.now() - sectionStart) / 1000, 1) });
stdout(`\nfunctions section: ${round((performance.now() - sectionStart) / 1000, 1)} s`);
