// HyperparameterTuningJob resources: trials suggested by grid or random search run as local
// CustomJobs, up to parallelTrialCount at once and maxTrialCount in all; the job fails once
// maxFailedTrialCount trials have failed (0: only when every trial failed).
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { emulatorLog } from '../../kit/log.js';
import type { RpcStatus } from '../api/errors.js';
import { RpcCode, invalidArgument } from '../api/errors.js';
import { nowTimestamp, numericId } from '../api/ids.js';
import { assertValidWireRequest, canonical } from '../api/request-validation.js';
import type { JsonObject } from '../api/wire-json.js';
import { isPlainObject } from '../api/wire-json.js';
import type { CustomJobServiceDeps } from '../custom-jobs/custom-jobs.js';
import { baseOutputDirectoryOf } from '../custom-jobs/custom-jobs.js';
import type { WorkerPool } from '../custom-jobs/worker-pools.js';
import { workerPoolsOf } from '../custom-jobs/worker-pools.js';
import type { Measurement } from './hypertune-file.js';
import { shouldStopEarly } from './median-stopping.js';
import type { Study } from './study-spec.js';
import { parseStudySpec } from './study-spec.js';
import type { Assignment } from './suggestions.js';
import { gridSearch, randomSearch } from './suggestions.js';
import type { TrialContext, TrialRecord } from './trial.js';
import { newTrial, runTrial } from './trial.js';

/** Which search really ran, on every job: Vizier's default Bayesian search is not emulated. */
const ALGORITHM_LABEL = 'local-vertex-algorithm';

/** Trials run as custom jobs do: the same processes, logs and work folders. */
export type TuningJobServiceDeps = CustomJobServiceDeps;

interface Plan {
  study: Study;
  pools: WorkerPool[];
  trialJobSpec: JsonObject;
  maxTrials: number;
  parallel: number;
  maxFailed: number;
}

export class TuningJobService {
  constructor(private readonly deps: TuningJobServiceDeps) {}

  async create(parent: string, body: unknown): Promise<JsonObject> {
    assertValidWireRequest('CreateHyperparameterTuningJobRequest', { parent, hyperparameterTuningJob: body });
    const job = canonical('HyperparameterTuningJob', body);
    const field = 'hyperparameter_tuning_job';
    const study = parseStudySpec(isPlainObject(job.studySpec) ? job.studySpec : {}, `${field}.study_spec`);
    const trialJobSpec = isPlainObject(job.trialJobSpec) ? job.trialJobSpec : {};
    const pools = workerPoolsOf(trialJobSpec, `${field}.trial_job_spec`);
    const plan: Plan = {
      study,
      pools,
      trialJobSpec,
      maxTrials: Number(job.maxTrialCount ?? 0),
      parallel: Number(job.parallelTrialCount ?? 0),
      maxFailed: Number(job.maxFailedTrialCount ?? 0),
    };
    if (plan.maxTrials < 1) throw invalidArgument(`${field}.max_trial_count must be at least 1.`, `${field}.max_trial_count`);
    if (plan.parallel < 1) throw invalidArgument(`${field}.parallel_trial_count must be at least 1.`, `${field}.parallel_trial_count`);
    if (plan.maxFailed < 0) throw invalidArgument(`${field}.max_failed_trial_count must not be negative.`, `${field}.max_failed_trial_count`);

    const id = numericId();
    const name = `${parent}/hyperparameterTuningJobs/${id}`;
    const algorithmRun = study.algorithm === 'GRID_SEARCH' ? 'grid-search' : 'random-search';
    const labels = { ...(isPlainObject(job.labels) ? job.labels : {}), [ALGORITHM_LABEL]: algorithmRun };
    if (study.requestedAlgorithm === 'ALGORITHM_UNSPECIFIED') {
      emulatorLog('WARNING', "vertex: studySpec.algorithm is ALGORITHM_UNSPECIFIED (Vizier's Bayesian optimization), which the local emulator does not implement; running RANDOM_SEARCH instead", { service: 'vertex', job: name, label: `${ALGORITHM_LABEL}=${algorithmRun}` });
    }
    if (study.unsupportedStopping.length > 0) {
      emulatorLog('WARNING', 'vertex: automated stopping spec not implemented locally; trials run to completion', { service: 'vertex', job: name, specs: study.unsupportedStopping });
    }
    const now = nowTimestamp();
    const stored: JsonObject = { name, ...job, labels, state: 'JOB_STATE_QUEUED', createTime: now, updateTime: now };
    await this.deps.jobs.save(stored);
    this.deps.running.start(name, (signal) => this.run(name, id, plan, signal));
    return structuredClone(stored);
  }

  private suggestions(plan: Plan, seed: string): Iterator<Assignment[]> {
    return plan.study.algorithm === 'GRID_SEARCH' ? gridSearch(plan.study.parameters) : randomSearch(plan.study.parameters, seed);
  }

  private async run(name: string, id: string, plan: Plan, signal: AbortSignal): Promise<void> {
    const { jobs } = this.deps;
    if (!(await jobs.begin(name, signal, ['PENDING', 'RUNNING']))) return;

    const trials: TrialRecord[] = [];
    const publish = () => void jobs.update(name, (job) => (job.trials = structuredClone(trials)));
    const stopTrials = new AbortController();
    const workDir = join(this.deps.workRoot, 'hyperparameterTuningJobs', id);
    const context: TrialContext = {
      jobName: name,
      jobId: id,
      study: plan.study,
      trialJobSpec: plan.trialJobSpec,
      pools: plan.pools,
      baseOutputDirectory: baseOutputDirectoryOf(plan.trialJobSpec),
      logDir: join(this.deps.logRoot, 'hyperparameterTuningJobs', id),
      workDir,
      signal: AbortSignal.any([signal, stopTrials.signal]),
      completedMeasurements: () => trials.filter((t) => t.state === 'SUCCEEDED' && t.measurements).map((t) => t.measurements!),
      onChange: publish,
    };
    const deps = { launcher: this.deps.launcher, storageRoot: this.deps.storageRoot };
    const suggestions = this.suggestions(plan, name);
    const active = new Set<Promise<void>>();
    let failed = 0;
    let lastFailure = '';
    let failure: RpcStatus | undefined;

    while (!signal.aborted && failure === undefined) {
      while (active.size < plan.parallel && trials.length < plan.maxTrials) {
        const next = suggestions.next();
        if (next.done) break;
        const trial = newTrial(String(trials.length + 1), next.value);
        trials.push(trial);
        const shouldStop = (ms: Measurement[]) => {
          const verdict = shouldStopEarly(ms, context.completedMeasurements(), plan.study.goal);
          if (verdict.stop) {
            emulatorLog('INFO', 'vertex: median stopping rule stops trial', { service: 'vertex', job: name, trial: trial.id, step: verdict.step, value: verdict.value, median: verdict.median });
          }
          return verdict.stop;
        };
        const work = runTrial(trial, next.value, context, deps, shouldStop).then((outcome) => {
          active.delete(work);
          if (trial.state !== 'INFEASIBLE' || outcome.state === 'CANCELLED') return;
          failed++;
          lastFailure = trial.infeasibleReason ?? '';
          if (plan.maxFailed > 0 && failed >= plan.maxFailed) {
            failure = { code: RpcCode.FAILED_PRECONDITION, message: `${failed} trial(s) failed, reaching max_failed_trial_count (${plan.maxFailed}). Last failure (trial ${trial.id}): ${lastFailure}` };
          }
        });
        active.add(work);
        publish();
      }
      if (active.size === 0) break;
      await Promise.race(active);
    }
    if (failure !== undefined) stopTrials.abort();
    await Promise.allSettled(active);
    await rm(workDir, { recursive: true, force: true }).catch(() => {});
    await jobs.update(name, (job) => (job.trials = structuredClone(trials)));

    const succeeded = trials.filter((t) => t.state === 'SUCCEEDED').length;
    if (signal.aborted) {
      await jobs.finishAborted(name, signal);
    } else if (failure !== undefined) {
      await jobs.setPhase(name, 'FAILED', { error: failure });
    } else if (succeeded === 0) {
      await jobs.setPhase(name, 'FAILED', { error: { code: RpcCode.FAILED_PRECONDITION, message: `All ${trials.length} trial(s) failed. Last failure: ${lastFailure}` } });
    } else {
      await jobs.setPhase(name, 'SUCCEEDED');
    }
    emulatorLog('INFO', 'vertex: hyperparameter tuning job finished', { service: 'vertex', job: name, trials: trials.length, succeeded, failed });
  }
}
