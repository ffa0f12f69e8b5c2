// Runs a CustomJobSpec to completion: prepares python packages, enforces scheduling.timeout,
// restarts the whole replica set when a worker fails and restartJobOnWorkerRestart asks for it.
import { appendFile, mkdir } from 'node:fs/promises';
import { emulatorLog } from '../../kit/log.js';
import { frameworkVersionWarning } from '../containers/framework-version.js';
import type { ContainerLauncher } from '../containers/launcher.js';
import type { RpcStatus } from '../api/errors.js';
import { RpcCode, errorMessage } from '../api/errors.js';
import type { JsonObject } from '../api/wire-json.js';
import { durationSeconds, isPlainObject } from '../api/wire-json.js';
import type { JobEnvContext } from './cluster-env.js';
import { preparePythonPackages } from './python-packages.js';
import { replicaLogFile, runReplicaSet } from './replica-set.js';
import type { WorkerPool } from './worker-pools.js';

/** Vertex's default maximum run time of a CustomJob: 7 days. */
const DEFAULT_TIMEOUT_SECONDS = 7 * 24 * 3600;
/** Whole-job restarts after a worker failure when restartJobOnWorkerRestart is set. */
const MAX_JOB_RESTARTS = 3;

export interface CustomJobRun {
  jobName: string;
  jobSpec: JsonObject;
  pools: readonly WorkerPool[];
  env: JobEnvContext;
  extraArgs?: readonly string[];
  logDir: string;
  workDir: string;
  /** Cancellation. */
  signal: AbortSignal;
  /** Early stopping (hyperparameter tuning): ends the run as STOPPED rather than CANCELLED. */
  stopSignal?: AbortSignal;
  onRunning?: () => void;
}

export interface CustomJobDeps {
  launcher: ContainerLauncher;
  storageRoot: string;
}

export type CustomJobOutcome =
  | { state: 'SUCCEEDED' }
  | { state: 'FAILED'; error: RpcStatus }
  | { state: 'CANCELLED' }
  | { state: 'STOPPED' };

export async function executeCustomJob(run: CustomJobRun, deps: CustomJobDeps): Promise<CustomJobOutcome> {
  const scheduling = isPlainObject(run.jobSpec.scheduling) ? run.jobSpec.scheduling : {};
  const timeoutSeconds = durationSeconds(scheduling.timeout) ?? DEFAULT_TIMEOUT_SECONDS;
  const restarts = scheduling.restartJobOnWorkerRestart === true && scheduling.disableRetries !== true ? MAX_JOB_RESTARTS : 0;
  await mkdir(run.logDir, { recursive: true });

  let extraEnv: Record<string, string> = {};
  const packageUris = run.pools.flatMap((p) => p.launch?.packageUris ?? []);
  if (packageUris.length > 0) {
    try {
      extraEnv = { PYTHONPATH: (await preparePythonPackages(packageUris, deps.storageRoot, run.workDir)).join(':') };
    } catch (err) {
      return { state: 'FAILED', error: { code: RpcCode.INVALID_ARGUMENT, message: errorMessage(err) } };
    }
  }

  await warnOnFrameworkVersions(run);
  const timeout = new AbortController();
  const timer = setTimeout(() => timeout.abort(), timeoutSeconds * 1000);
  timer.unref();
  const signals = [run.signal, timeout.signal, ...(run.stopSignal ? [run.stopSignal] : [])];
  try {
    for (let attempt = 0; ; attempt++) {
      if (attempt > 0) await noteRestart(run, attempt);
      const result = await runReplicaSet(deps.launcher, {
        pools: run.pools,
        env: run.env,
        extraArgs: run.extraArgs ?? [],
        extraEnv,
        logDir: run.logDir,
        workDir: run.workDir,
        signal: AbortSignal.any(signals),
        ...(attempt === 0 && run.onRunning ? { onStarted: run.onRunning } : {}),
      });
      if (result.kind === 'succeeded') return { state: 'SUCCEEDED' };
      if (result.kind === 'aborted') {
        if (run.signal.aborted) return { state: 'CANCELLED' };
        if (run.stopSignal?.aborted) return { state: 'STOPPED' };
        return {
          state: 'FAILED',
          error: { code: RpcCode.DEADLINE_EXCEEDED, message: `The job exceeded its maximum run time of ${timeoutSeconds}s (scheduling.timeout) and was stopped.` },
        };
      }
      if (!result.chief && attempt < restarts) {
        emulatorLog('WARNING', 'vertex: worker failed; restarting the whole job (restartJobOnWorkerRestart)', { service: 'vertex', job: run.jobName, attempt: attempt + 1, error: result.message });
        continue;
      }
      return { state: 'FAILED', error: { code: RpcCode.FAILED_PRECONDITION, message: result.message } };
    }
  } finally {
    clearTimeout(timer);
  }
}

/** Once per job (not per replica): an image naming a framework version the host doesn't have. */
async function warnOnFrameworkVersions(run: CustomJobRun): Promise<void> {
  const images = new Set(run.pools.flatMap((p) => (p.launch ? [p.launch.image] : [])));
  for (const image of images) {
    const warning = await frameworkVersionWarning(image);
    if (warning !== undefined) emulatorLog('WARNING', `vertex: ${warning}`, { service: 'vertex', job: run.jobName, image });
  }
}

async function noteRestart(run: CustomJobRun, attempt: number): Promise<void> {
  const line = `[local-vertex] restarting every replica (restartJobOnWorkerRestart), attempt ${attempt + 1}\n`;
  for (const pool of run.pools) {
    for (let index = 0; index < pool.replicaCount; index++) {
      await appendFile(replicaLogFile(run.logDir, { pool: pool.index, index }), line).catch(() => {});
    }
  }
}
