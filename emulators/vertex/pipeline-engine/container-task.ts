// One container task: cache lookup, output locations under the pipeline root, placeholder
// resolution, attempts under the retry policy, outputs read back, cache record written.
import { randomUUID } from 'node:crypto';
import { appendFile, mkdir, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { emulatorLog } from '../../kit/log.js';
import { cpuQuantityCores, DEFAULT_PIPELINE_TASK_CPUS } from '../containers/cpu-allotment.js';
import { gcsUriToLocalPath, joinGcsUri } from '../containers/gcs-paths.js';
import { UnmappedImageError } from '../containers/image-map.js';
import type { LaunchResult } from '../containers/launcher.js';
import { cacheFingerprint, readCache, writeCache } from './cache.js';
import { errorMessage, RpcCode, TaskError } from './errors.js';
import type { OutputLocations } from './executor-io.js';
import { collectOutputs, executorInput } from './executor-io.js';
import type { ComponentSpec, ContainerSpec, TaskSpec } from '../../../pipelines/ir/index.js';
import type { TaskRecord } from './job-detail.js';
import type { PlaceholderValues, SystemValues } from './placeholders.js';
import { resolveCommandLine, resolveText } from './placeholders.js';
import { backoffDelay, retrySettings, sleep } from './retry.js';
import { terminationMessage } from './termination-message.js';
import type { RunContext } from './run-context.js';
import type { IOValues, RuntimeArtifact, TaskOutcome } from './runtime.js';
import { emptyIO } from './runtime.js';

export interface LeafTask {
  record: TaskRecord;
  spec: TaskSpec;
  component: ComponentSpec;
  inputs: IOValues;
  system: SystemValues;
}

/** Task names become folder and file names. */
export function safeFileName(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]+/g, '_');
}

function outputLocations(run: RunContext, t: LeafTask): { locations: OutputLocations; taskDir: string } {
  const taskDirUri = joinGcsUri(run.job.pipelineRoot, run.job.id, `${safeFileName(t.record.taskName)}_${randomUUID()}`);
  const taskDir = gcsUriToLocalPath(taskDirUri, run.storageRoot);
  const artifacts = new Map<string, RuntimeArtifact[]>();
  for (const [name, def] of Object.entries(t.component.outputDefinitions?.artifacts ?? {})) {
    artifacts.set(name, [
      {
        name: run.recorder.newArtifactName(),
        uri: joinGcsUri(taskDirUri, name),
        schemaTitle: def.artifactType.schemaTitle,
        schemaVersion: def.artifactType.schemaVersion,
        metadata: {},
      },
    ]);
  }
  const parameterFiles = new Map<string, string>();
  for (const name of Object.keys(t.component.outputDefinitions?.parameters ?? {})) parameterFiles.set(name, join(taskDir, 'parameters', safeFileName(name)));
  return { locations: { artifacts, parameterFiles, outputFile: join(taskDir, 'executor_output.json') }, taskDir };
}

/** KFP's launcher creates the parent folders of output paths and starts from no stale outputs. */
async function prepareOutputs(run: RunContext, locations: OutputLocations): Promise<void> {
  for (const list of locations.artifacts.values()) {
    for (const a of list) await mkdir(dirname(gcsUriToLocalPath(a.uri, run.storageRoot)), { recursive: true });
  }
  for (const file of [...locations.parameterFiles.values(), locations.outputFile]) {
    await mkdir(dirname(file), { recursive: true });
    await rm(file, { force: true });
  }
}

/** Vertex's wording, with the container's termination message (its last ERROR log line, or its output's tail). */
async function exitFailure(result: LaunchResult, logFile: string): Promise<TaskError> {
  if (result.error) return new TaskError(`Cannot start the container command: ${result.error}`, RpcCode.FAILED_PRECONDITION, false);
  const how = result.signal ? `was terminated by signal ${result.signal}` : `exited with a non-zero status of ${result.exitCode}`;
  const reason = result.signal ? undefined : await terminationMessage(logFile);
  const termination = reason === undefined ? '' : ` Termination reason: Error. ${reason}`;
  return new TaskError(
    `The replica workerpool0-0 ${how}.${termination} To find out more about why your job exited please check the logs: ${logFile}`,
    RpcCode.FAILED_PRECONDITION,
    true,
  );
}

export async function runContainerTask(run: RunContext, t: LeafTask, container: ContainerSpec): Promise<TaskOutcome> {
  const taskName = t.record.taskName;
  const done = (state: TaskOutcome['state'], outputs: IOValues, error?: TaskError): TaskOutcome => {
    if (state !== 'FAILED' && state !== 'CANCELLED') t.record.setOutputs(outputs.parameters, outputs.artifacts);
    t.record.finish(state, error?.status);
    if (error && state === 'FAILED') emulatorLog('WARNING', 'pipeline task failed', { job: run.job.name, task: t.record.uniqueName, error: error.message });
    return { taskName, state, outputs, ...(error ? { error: error.status } : {}) };
  };
  const cancelled = () => done('CANCELLED', emptyIO(), new TaskError('The task was cancelled.', RpcCode.CANCELLED));

  const cacheEnabled = t.spec.cachingOptions?.enableCache === true;
  const fingerprint = cacheEnabled
    ? cacheFingerprint({
        parent: run.job.parent,
        component: t.component,
        container,
        inputs: t.inputs,
        ...(t.spec.cachingOptions?.cacheKey !== undefined ? { cacheKey: t.spec.cachingOptions.cacheKey } : {}),
      })
    : undefined;
  if (fingerprint) {
    const hit = await readCache(run.cacheDir, fingerprint);
    if (hit) {
      t.record.markCached(t.inputs.parameters);
      return done('SKIPPED', hit.outputs);
    }
  }

  let locations: OutputLocations;
  let image: string;
  let command: string[];
  let args: string[];
  let cpus = DEFAULT_PIPELINE_TASK_CPUS;
  const env: Record<string, string> = {};
  try {
    locations = outputLocations(run, t).locations;
    const values: PlaceholderValues = {
      parameters: t.inputs.parameters,
      inputArtifacts: t.inputs.artifacts,
      outputArtifacts: locations.artifacts,
      outputParameterFiles: locations.parameterFiles,
      outputFile: locations.outputFile,
      executorInput: executorInput(t.inputs, locations),
      system: t.system,
      localPath: (uri) => gcsUriToLocalPath(uri, run.storageRoot),
    };
    image = resolveText(container.image, values);
    command = resolveCommandLine(container.command ?? [], values);
    args = resolveCommandLine(container.args ?? [], values);
    for (const e of container.env ?? []) env[e.name] = resolveText(e.value, values);
    const limit = container.resources?.resourceCpuLimit;
    const cpuLimit = limit !== undefined ? cpuQuantityCores(resolveText(limit, values)) : container.resources?.cpuLimit;
    if (limit !== undefined && cpuLimit === undefined) {
      throw new TaskError(`The task's CPU limit '${resolveText(limit, values)}' is not a number of cores or millicores like '500m'.`, RpcCode.INVALID_ARGUMENT);
    }
    if (cpuLimit !== undefined) cpus = Math.ceil(cpuLimit);
  } catch (err) {
    return done('FAILED', emptyIO(), err instanceof TaskError ? err : new TaskError(errorMessage(err), RpcCode.INVALID_ARGUMENT));
  }

  const retry = retrySettings(t.spec.retryPolicy);
  const logFile = join(run.logDir, `${safeFileName(t.record.uniqueName)}.log`);
  const workDir = join(run.workDir, t.record.taskId);
  try {
    for (let attempt = 0; ; attempt++) {
      const release = await run.slots.acquire(run.signal);
      if (!release) return cancelled();
      let failure: TaskError | undefined;
      let outputs: IOValues | undefined;
      try {
        if (attempt === 0) t.record.start('system.ContainerExecution', t.inputs.parameters);
        await prepareOutputs(run, locations);
        await mkdir(dirname(logFile), { recursive: true });
        await appendFile(logFile, `[local-vertex] ${new Date().toISOString()} attempt ${attempt + 1}: ${image} ${JSON.stringify([...command, ...args]).slice(0, 2000)}\n`);
        const result = await run.launcher.launch({ image, command, args, env, workDir, logFile, signal: run.signal, cpus });
        if (run.signal.aborted) return cancelled();
        if (result.exitCode === 0) outputs = await collectOutputs(t.component.outputDefinitions, locations, () => run.recorder.newArtifactName());
        else failure = await exitFailure(result, logFile);
      } catch (err) {
        if (run.signal.aborted) return cancelled();
        failure =
          err instanceof TaskError
            ? err
            : new TaskError(errorMessage(err), err instanceof UnmappedImageError ? RpcCode.FAILED_PRECONDITION : RpcCode.INTERNAL, false);
      } finally {
        release();
      }
      if (outputs) {
        if (fingerprint) {
          await writeCache(run.cacheDir, fingerprint, outputs, { job: run.job.name, task: t.record.uniqueName }).catch((err: unknown) =>
            emulatorLog('WARNING', 'could not write the execution cache', { job: run.job.name, task: t.record.uniqueName, error: errorMessage(err) }),
          );
        }
        return done('SUCCEEDED', outputs);
      }
      const error = failure ?? new TaskError('The task produced no outputs', RpcCode.INTERNAL);
      if (!error.retryable || attempt >= retry.maxRetryCount) return done('FAILED', emptyIO(), error);
      t.record.recordRetry(error.status);
      if (!(await sleep(backoffDelay(retry, attempt + 1), run.signal))) return cancelled();
    }
  } finally {
    await rm(workDir, { recursive: true, force: true }).catch(() => {});
  }
}
