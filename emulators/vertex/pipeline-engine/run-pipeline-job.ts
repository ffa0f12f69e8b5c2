// Executes a Vertex PipelineJob on this machine: validates it, runs the root DAG and reports the
// job's final state with its PipelineJobDetail.
import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { emulatorLog } from '../../kit/log.js';
import { safeFileName } from './container-task.js';
import { runDag } from './dag-runner.js';
import { errorMessage, RpcCode } from './errors.js';
import { JobDetailRecorder } from './job-detail.js';
import type { RunContext } from './run-context.js';
import { Semaphore } from './semaphore.js';
import type { FinalPipelineState, PipelineJobDetail, PipelineJobToRun, RpcStatus, RunDeps, RunResult } from './types.js';
import type { ValidatedJob } from './validate.js';
import { validatePipelineJob } from './validate.js';

/** A job that cannot start: FAILED with INVALID_ARGUMENT, and a detail with no tasks. */
function rejected(job: PipelineJobToRun, err: unknown): RunResult {
  const m = /^(projects\/[^/]+\/locations\/[^/]+)\/pipelineJobs\/([^/]+)$/.exec(job.name);
  const spec = job.pipelineSpec as { pipelineInfo?: { name?: unknown } } | null;
  const pipelineName = typeof spec?.pipelineInfo?.name === 'string' ? spec.pipelineInfo.name : 'unknown';
  const recorder = new JobDetailRecorder({ parent: m?.[1] ?? 'projects/-/locations/-', jobId: m?.[2] ?? job.name, pipelineName, createTime: job.createTime });
  const error = { code: RpcCode.INVALID_ARGUMENT, message: errorMessage(err) };
  emulatorLog('WARNING', 'pipeline job rejected', { job: job.name, error: error.message });
  return { state: 'PIPELINE_STATE_FAILED', error, jobDetail: recorder.snapshot() };
}

/**
 * `<task>: <its error>` for each failed step (not a DAG). Vertex leaves a step's reason in its
 * task detail only; the local engine also puts it in the job's error, so a caller that reads
 * `PipelineJob.error` (a notification, a CLI) sees why without walking `jobDetail`.
 */
function failedStepErrors(detail: PipelineJobDetail): string[] {
  return detail.taskDetails.flatMap((t) =>
    t.state === 'FAILED' && t.error !== undefined && t.execution?.schemaTitle !== 'system.DAGExecution' ? [`${t.taskName}: ${t.error.message}`] : [],
  );
}

export async function runPipelineJob(job: PipelineJobToRun, deps: RunDeps, signal: AbortSignal = new AbortController().signal): Promise<RunResult> {
  let valid: ValidatedJob;
  try {
    valid = validatePipelineJob(job);
  } catch (err) {
    return rejected(job, err);
  }
  const parent = `projects/${valid.project}/locations/${valid.location}`;
  const pipelineName = valid.spec.pipelineInfo.name;
  const recorder = new JobDetailRecorder({
    parent,
    jobId: valid.id,
    pipelineName,
    createTime: job.createTime,
    ...(deps.onUpdate ? { onUpdate: (state, jobDetail) => deps.onUpdate?.({ state, jobDetail }) } : {}),
  });
  const workDir = join(resolve(deps.workRoot ?? join(tmpdir(), 'local-vertex-pipelines')), `${safeFileName(valid.id)}-${randomUUID().slice(0, 8)}`);
  const run: RunContext = {
    job: { name: job.name, id: valid.id, parent, uid: job.uid ?? randomUUID(), createTime: job.createTime, pipelineRoot: valid.pipelineRoot, pipelineName },
    spec: valid.spec,
    storageRoot: resolve(deps.storageRoot),
    cacheDir: resolve(deps.cacheDir),
    logDir: join(resolve(deps.logDir), safeFileName(valid.id)),
    workDir,
    launcher: deps.launcher,
    signal,
    failFast: valid.failFast,
    stopScheduling: false,
    slots: new Semaphore(Math.max(1, deps.maxParallel ?? availableParallelism())),
    recorder,
  };
  emulatorLog('INFO', 'pipeline job started', { job: job.name, pipeline: pipelineName });

  const root = recorder.createTask(pipelineName, pipelineName);
  root.start('system.DAGExecution', valid.parameters);
  const result = await runDag(run, { component: valid.spec.root, inputs: { parameters: valid.parameters, artifacts: new Map() }, parent: root, uniquePrefix: '' });
  if (result.state === 'SUCCEEDED') root.setOutputs(result.outputs.parameters, result.outputs.artifacts);
  root.finish(result.state, result.error);
  await rm(workDir, { recursive: true, force: true }).catch(() => {});

  let state: FinalPipelineState;
  let error: RpcStatus | undefined;
  if (signal.aborted) {
    state = 'PIPELINE_STATE_CANCELLED';
    error = { code: RpcCode.CANCELLED, message: 'The PipelineJob was cancelled.' };
  } else if (result.state === 'SUCCEEDED') {
    state = 'PIPELINE_STATE_SUCCEEDED';
  } else {
    state = 'PIPELINE_STATE_FAILED';
    const cause = [result.error?.message ?? 'The pipeline failed.', ...failedStepErrors(recorder.snapshot())].join('; ');
    error = { code: RpcCode.FAILED_PRECONDITION, message: `${cause}; Job (project_id = ${valid.project}, job_id = ${valid.id}) is failed due to the above error.` };
  }
  recorder.finish(state);
  emulatorLog(state === 'PIPELINE_STATE_SUCCEEDED' ? 'INFO' : 'WARNING', 'pipeline job finished', { job: job.name, state, ...(error ? { error: error.message } : {}) });
  return { state, ...(error ? { error } : {}), jobDetail: recorder.snapshot() };
}
