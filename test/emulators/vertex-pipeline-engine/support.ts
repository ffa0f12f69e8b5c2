// Shared set-up for the pipeline engine tests: a throwaway storage root, cache and log folders,
// and helpers to compile a DSL pipeline, run it and look at its job detail.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_IMAGE_MAP_FILE, ImageMap } from '../../../emulators/vertex/containers/image-map.js';
import type { ContainerLauncher } from '../../../emulators/vertex/containers/launcher.js';
import { LocalContainerLauncher } from '../../../emulators/vertex/containers/launcher.js';
import { runPipelineJob } from '../../../emulators/vertex/pipeline-engine/run-pipeline-job.js';
import type { PipelineJobToRun, PipelineJobUpdate, PipelineTaskDetail, RunResult } from '../../../emulators/vertex/pipeline-engine/types.js';
import { compilePipeline } from '../../../pipelines/compiler/index.js';
import type { PipelineDefinition } from '../../../pipelines/dsl/index.js';

export const PROJECT = 'test-project';
export const LOCATION = 'us-central1';
export const BUCKET = 'pipeline-bucket';

export interface Sandbox {
  dir: string;
  storageRoot: string;
  cacheDir: string;
  logDir: string;
  launcher: ContainerLauncher;
  cleanup(): void;
}

/** Extra image map entries for tests (appended after the real map's entries). */
export function testImageMap(extra: unknown[]): ImageMap {
  const base = JSON.parse(readFileSync(DEFAULT_IMAGE_MAP_FILE, 'utf8')) as unknown[];
  return ImageMap.fromJson([...base, ...extra], 'test image map');
}

export function sandbox(options: { imageMap?: ImageMap } = {}): Sandbox {
  const dir = mkdtempSync(join(tmpdir(), 'vertex-pipelines-test-'));
  const storageRoot = join(dir, 'storage');
  return {
    dir,
    storageRoot,
    cacheDir: join(dir, 'cache'),
    logDir: join(dir, 'logs'),
    launcher: new LocalContainerLauncher({ storageRoot, killGraceMs: 500, ...(options.imageMap ? { imageMap: options.imageMap } : {}) }),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

let jobCounter = 0;

export interface RunOptions {
  jobId?: string;
  parameterValues?: Record<string, unknown>;
  failurePolicy?: PipelineJobToRun['runtimeConfig']['failurePolicy'];
  maxParallel?: number;
  signal?: AbortSignal;
}

export interface Run {
  job: PipelineJobToRun;
  result: RunResult;
  updates: PipelineJobUpdate[];
}

export function jobFor(spec: unknown, options: RunOptions = {}): PipelineJobToRun {
  const id = options.jobId ?? `job-${process.pid}-${++jobCounter}`;
  return {
    name: `projects/${PROJECT}/locations/${LOCATION}/pipelineJobs/${id}`,
    createTime: new Date().toISOString(),
    pipelineSpec: spec,
    runtimeConfig: {
      gcsOutputDirectory: `gs://${BUCKET}/root`,
      parameterValues: options.parameterValues ?? {},
      ...(options.failurePolicy ? { failurePolicy: options.failurePolicy } : {}),
    },
  };
}

/** Compile (a definition) or take (a spec), run it for real, and keep every update. */
export async function runPipeline(sb: Sandbox, pipeline: PipelineDefinition | object, options: RunOptions = {}): Promise<Run> {
  const spec = 'body' in pipeline ? compilePipeline(pipeline) : pipeline;
  const job = jobFor(spec, options);
  const updates: PipelineJobUpdate[] = [];
  const result = await runPipelineJob(
    job,
    { storageRoot: sb.storageRoot, cacheDir: sb.cacheDir, logDir: sb.logDir, launcher: sb.launcher, maxParallel: options.maxParallel ?? 4, onUpdate: (u) => updates.push(u) },
    options.signal,
  );
  return { job, result, updates };
}

/** The only task detail with this name (fails if absent or ambiguous). */
export function task(result: RunResult, name: string): PipelineTaskDetail {
  const found = result.jobDetail.taskDetails.filter((t) => t.taskName === name);
  if (found.length !== 1) throw new Error(`expected one task '${name}', found ${found.length}: ${result.jobDetail.taskDetails.map((t) => `${t.taskName}:${t.state}`).join(', ')}`);
  return found[0]!;
}

export function tasksNamed(result: RunResult, name: string): PipelineTaskDetail[] {
  return result.jobDetail.taskDetails.filter((t) => t.taskName === name);
}

export function outputParam(t: PipelineTaskDetail, name: string): unknown {
  return t.execution?.metadata[`output:${name}`];
}

/** Compact view for failure messages. */
export function summary(result: RunResult): string {
  return JSON.stringify({ state: result.state, error: result.error, tasks: result.jobDetail.taskDetails.map((t) => [t.taskUniqueName, t.state, t.error?.message]) });
}
