// Vertex emulator figures: the pipeline runner's overhead per task against plain spawns, the
// speed-up of parallel tasks, a fully cached re-run, and online predictions through an endpoint
// against the same requests sent to the model server directly.
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalContainerLauncher } from '../../emulators/vertex/containers/launcher.js';
import { runPipelineJob } from '../../emulators/vertex/pipeline-engine/run-pipeline-job.js';
import type { RunResult } from '../../emulators/vertex/pipeline-engine/types.js';
import { compilePipeline } from '../../pipelines/compiler/index.js';
import type { PipelineDefinition } from '../../pipelines/dsl/index.js';
import { containerComponent, definePipeline } from '../../pipelines/dsl/index.js';
import { noop, step } from './bench-components.js';
import { log } from '../log.js';
import { median, round } from './stats.js';
import { benchPredictions } from './vertex-serving.js';
import { spawnShell, timed } from './vertex-stats.js';

process.env.METADATA_SERVER_DETECTION ??= 'none';

const PROJECT = 'bench-project';
const LOCATION = 'us-central1';
const BUCKET = 'bench-pipelines';
const sectionStart = performance.now();

const sleeper = containerComponent({ name: 'sleep', image: 'alpine', command: () => ['sh', '-c', 'sleep 1'] });

const SEQUENTIAL_TASKS = 20;
const sequential = definePipeline({ name: 'bench-sequential' }, (p) => {
  let previous: { name: string } | undefined;
  for (let i = 0; i < SEQUENTIAL_TASKS; i++) {
    const t = p.task(noop).setCachingOptions(false);
    if (previous) t.after(previous);
    previous = t;
  }
});

const PARALLEL_TASKS = 8;
const parallel = definePipeline({ name: 'bench-parallel' }, (p) => {
  for (let i = 0; i < PARALLEL_TASKS; i++) p.task(sleeper).setCachingOptions(false);
});

// A chain of 4 then a fan of 6 off its end: 10 tasks, every input distinct (no hits within a run).
const CACHED_TASKS = 10;
const cached = definePipeline({ name: 'bench-cached' }, (p) => {
  let last = p.task(step, { text: 'seed', n: 0 }).setCachingOptions(true);
  for (let n = 1; n < 4; n++) last = p.task(step, { text: last.outputs.out, n }).setCachingOptions(true);
  for (let n = 4; n < CACHED_TASKS; n++) p.task(step, { text: last.outputs.out, n }).setCachingOptions(true);
});

const work = mkdtempSync(join(tmpdir(), 'bench-vertex-'));
try {
  const storageRoot = join(work, 'storage');
  const deps = {
    storageRoot,
    cacheDir: join(work, 'cache'),
    logDir: join(work, 'logs'),
    workRoot: join(work, 'work'),
    launcher: new LocalContainerLauncher({ storageRoot, killGraceMs: 500 }),
  };
  let jobs = 0;
  const run = async (def: PipelineDefinition, maxParallel = availableParallelism()): Promise<{ ms: number; result: RunResult }> => {
    const job = {
      name: `projects/${PROJECT}/locations/${LOCATION}/pipelineJobs/${def.name}-${++jobs}`,
      createTime: new Date().toISOString(),
      pipelineSpec: compilePipeline(def),
      runtimeConfig: { gcsOutputDirectory: `gs://${BUCKET}/root`, parameterValues: {} },
    };
    const { ms, value: result } = await timed(() => runPipelineJob(job, { ...deps, maxParallel }));
    if (result.state !== 'PIPELINE_STATE_SUCCEEDED') throw new Error(`${job.name} ended ${result.state}: ${result.error?.message ?? ''}`);
    return { ms, result };
  };
  const containerTasks = (r: RunResult) => r.jobDetail.taskDetails.filter((t) => t.execution?.schemaTitle === 'system.ContainerExecution');

  // 1. Runner overhead: 20 sequential `sh -c true` tasks against 20 sequential plain spawns.
  const spawnAll = async () => {
    for (let i = 0; i < SEQUENTIAL_TASKS; i++) await spawnShell('true');
  };
  await run(sequential);
  await spawnAll();
  const pipelineRuns: number[] = [];
  const spawnRuns: number[] = [];
  for (let i = 0; i < 3; i++) {
    pipelineRuns.push((await run(sequential)).ms);
    spawnRuns.push((await timed(spawnAll)).ms);
  }
  const pipelineMs = median(pipelineRuns);
  const spawnMs = median(spawnRuns);
  log('INFO', 'bench: vertex pipeline runner overhead per task', {
    tasks: SEQUENTIAL_TASKS,
    runs: 3,
    pipelineMs: round(pipelineMs, 1),
    spawnMs: round(spawnMs, 1),
    overheadPerTaskMs: round((pipelineMs - spawnMs) / SEQUENTIAL_TASKS, 2),
    pipelinePerTaskMs: round(pipelineMs / SEQUENTIAL_TASKS, 2),
    spawnPerTaskMs: round(spawnMs / SEQUENTIAL_TASKS, 2),
    // spawn() forks this process synchronously: its cost grows with the resident set size.
    rssMiB: Math.round(process.memoryUsage().rss / 2 ** 20),
  });

  // 2. Parallel speed-up: 8 independent `sleep 1` tasks, one at a time vs two at a time.
  const one = await run(parallel, 1);
  const two = await run(parallel, 2);
  log('INFO', 'bench: vertex pipeline parallel speed-up', {
    tasks: PARALLEL_TASKS,
    taskSeconds: 1,
    availableParallelism: availableParallelism(),
    maxParallel1Ms: round(one.ms, 1),
    maxParallel2Ms: round(two.ms, 1),
    speedUp: round(one.ms / two.ms, 2),
    idealSpeedUp: 2,
  });

  // 3. A fully cached re-run: the same 10 tasks again, every one a cache hit.
  const first = await run(cached);
  const second = await run(cached);
  const hits = containerTasks(second.result).filter((t) => t.execution?.state === 'CACHED').length;
  if (hits !== CACHED_TASKS) throw new Error(`expected ${CACHED_TASKS} cache hits on the re-run, got ${hits}`);
  log('INFO', 'bench: vertex pipeline fully cached re-run', {
    tasks: CACHED_TASKS,
    cacheHits: hits,
    firstRunMs: round(first.ms, 1),
    cachedRunMs: round(second.ms, 1),
    cachedPerTaskMs: round(second.ms / CACHED_TASKS, 2),
    ratio: round(second.ms / first.ms, 3),
  });

  // 4. Online predictions through an endpoint against the model server directly.
  await benchPredictions(work);
} finally {
  rmSync(work, { recursive: true, force: true });
}
log('INFO', 'bench: vertex section wall time', { seconds: round((performance.now() - sectionStart) / 1000, 1) });
