// CustomJob resources: created QUEUED, then PENDING while ports and packages are prepared,
// RUNNING once every replica process has started, and finally the outcome of the run.
import { join } from 'node:path';
import { rm } from 'node:fs/promises';
import { emulatorLog } from '../../kit/log.js';
import type { ContainerLauncher } from '../containers/launcher.js';
import { nowTimestamp, numericId } from '../api/ids.js';
import { assertValidWireRequest, canonical } from '../api/request-validation.js';
import type { JsonObject } from '../api/wire-json.js';
import { isPlainObject } from '../api/wire-json.js';
import type { JobCollection } from '../job-lifecycle/job-collection.js';
import { executeCustomJob } from './execute-custom-job.js';
import type { RunningJobs } from '../job-lifecycle/running-jobs.js';
import type { WorkerPool } from './worker-pools.js';
import { workerPoolsOf } from './worker-pools.js';

export interface CustomJobServiceDeps {
  jobs: JobCollection;
  running: RunningJobs;
  launcher: ContainerLauncher;
  storageRoot: string;
  /** Replica logs: `<logRoot>/customJobs/<id>/workerpool<N>-<i>.log`. */
  logRoot: string;
  workRoot: string;
}

export function baseOutputDirectoryOf(jobSpec: JsonObject): string | undefined {
  const base = isPlainObject(jobSpec.baseOutputDirectory) ? jobSpec.baseOutputDirectory.outputUriPrefix : undefined;
  return typeof base === 'string' && base !== '' ? base : undefined;
}

export class CustomJobService {
  constructor(private readonly deps: CustomJobServiceDeps) {}

  async create(parent: string, body: unknown): Promise<JsonObject> {
    assertValidWireRequest('CreateCustomJobRequest', { parent, customJob: body });
    const job = canonical('CustomJob', body);
    const jobSpec = isPlainObject(job.jobSpec) ? job.jobSpec : {};
    const pools = workerPoolsOf(jobSpec, 'custom_job.job_spec');
    const id = numericId();
    const now = nowTimestamp();
    const stored: JsonObject = { name: `${parent}/customJobs/${id}`, ...job, state: 'JOB_STATE_QUEUED', createTime: now, updateTime: now };
    await this.deps.jobs.save(stored);
    const name = String(stored.name);
    this.deps.running.start(name, (signal) => this.run(name, id, jobSpec, pools, signal));
    emulatorLog('INFO', 'vertex: custom job created', { service: 'vertex', job: name, replicas: pools.reduce((n, p) => n + p.replicaCount, 0) });
    return structuredClone(stored);
  }

  private async run(name: string, id: string, jobSpec: JsonObject, pools: WorkerPool[], signal: AbortSignal): Promise<void> {
    const { jobs } = this.deps;
    if (!(await jobs.begin(name, signal, ['PENDING']))) return;
    const workDir = join(this.deps.workRoot, 'customJobs', id);
    const outcome = await executeCustomJob(
      {
        jobName: name,
        jobSpec,
        pools,
        env: { jobId: id, jobSpec, baseOutputDirectory: baseOutputDirectoryOf(jobSpec) },
        logDir: join(this.deps.logRoot, 'customJobs', id),
        workDir,
        signal,
        onRunning: () => void jobs.setPhase(name, 'RUNNING'),
      },
      { launcher: this.deps.launcher, storageRoot: this.deps.storageRoot },
    );
    await rm(workDir, { recursive: true, force: true }).catch(() => {});
    switch (outcome.state) {
      case 'SUCCEEDED':
        await jobs.setPhase(name, 'SUCCEEDED');
        break;
      case 'FAILED':
        await jobs.setPhase(name, 'FAILED', { error: outcome.error });
        break;
      default:
        await jobs.finishAborted(name, signal);
    }
    emulatorLog(outcome.state === 'SUCCEEDED' ? 'INFO' : 'WARNING', 'vertex: custom job finished', {
      service: 'vertex',
      job: name,
      state: outcome.state,
      ...(outcome.state === 'FAILED' ? { error: outcome.error.message } : {}),
    });
  }
}
