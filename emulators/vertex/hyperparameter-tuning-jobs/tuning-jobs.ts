// HyperparameterTuningJob resources: trials suggested by the study's algorithm (Vizier's default,
// a Gaussian-process bandit from the shared Designer; grid or random search) run as local
// CustomJobs, up to parallelTrialCount at once and maxTrialCount in all. Suggestions are asked for
// as slots free up, so each sees the trials still running; the job fails once maxFailedTrialCount
// trials have failed (0: only when every trial failed). A suggestion that fails (the engine's worker
// died or hung: the Designer starts a new one) is asked for again, up to SUGGEST_ATTEMPTS times,
// before the job fails; a trial that cannot even run is a failed trial, never a stuck job.
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { emulatorLog } from '../../kit/log.js';
import type { RpcStatus } from '../api/errors.js';
import { RpcCode, errorMessage, invalidArgument } from '../api/errors.js';
import { nowTimestamp, numericId } from '../api/ids.js';
import { assertValidWireRequest, canonical } from '../api/request-validation.js';
import type { JsonObject } from '../api/wire-json.js';
import { durationSeconds, isPlainObject } from '../api/wire-json.js';
import type { CustomJobServiceDeps } from '../custom-jobs/custom-jobs.js';
import { baseOutputDirectoryOf } from '../custom-jobs/custom-jobs.js';
import type { WorkerPool } from '../custom-jobs/worker-pools.js';
import { workerPoolsOf } from '../custom-jobs/worker-pools.js';
import type { CurvePoint, Designer } from '../vizier/designer.js';
import type { TrialHistory } from '../vizier/suggest.js';
import { suggestAssignments } from '../vizier/suggest.js';
import type { Measurement } from './hypertune-file.js';
import { metricValue } from './hypertune-file.js';
import { shouldStopEarly } from './median-stopping.js';
import type { Algorithm, Study } from './study-spec.js';
import { parseStudySpec } from './study-spec.js';
import type { Assignment } from './suggestions.js';
import type { TrialContext, TrialRecord } from './trial.js';
import { newTrial, runTrial } from './trial.js';

/** Which search really ran, on every job (Vizier's own GP bandit is not the local one). */
const ALGORITHM_LABEL = 'local-vertex-algorithm';
const ALGORITHM_LABEL_VALUES: Record<Algorithm, string> = {
  GAUSSIAN_PROCESS_BANDIT: 'gaussian-process-bandit',
  GRID_SEARCH: 'grid-search',
  RANDOM_SEARCH: 'random-search',
};

/** Tries of one suggestion before the job fails with INTERNAL. */
export const SUGGEST_ATTEMPTS = 3;

/** Trials run as custom jobs do (the same processes, logs and work folders); suggestions and decay-curve stopping come from the Designer. */
export type TuningJobServiceDeps = CustomJobServiceDeps & { designer: Designer };

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
    const labels = { ...(isPlainObject(job.labels) ? job.labels : {}), [ALGORITHM_LABEL]: ALGORITHM_LABEL_VALUES[study.algorithm] };
    if (study.unsupportedStopping.length > 0) {
      emulatorLog('WARNING', 'vertex: automated stopping spec not implemented locally; trials run to completion', { service: 'vertex', job: name, specs: study.unsupportedStopping });
    }
    const now = nowTimestamp();
    const stored: JsonObject = { name, ...job, labels, state: 'JOB_STATE_QUEUED', createTime: now, updateTime: now };
    await this.deps.jobs.save(stored);
    this.deps.running.start(name, (signal) => this.run(name, id, plan, signal));
    return structuredClone(stored);
  }

  /** The study's stopping rule on a running trial: the Designer's decay curve, or the median rule. */
  private async shouldStop(job: string, trialId: string, study: Study, running: Measurement[], completed: Measurement[][]): Promise<boolean> {
    if (study.decayCurveStopping) {
      const curve = (ms: readonly Measurement[]): CurvePoint[] => ms.map((m) => ({ step: positionOf(m, study), value: metricValue(m) }));
      try {
        const verdict = await this.deps.designer.decayCurveStop({ goal: study.goal, running: curve(running), completed: completed.map(curve) });
        if (verdict.stop) emulatorLog('INFO', 'vertex: decay-curve stopping rule stops trial', { service: 'vertex', job, trial: trialId, reason: verdict.reason });
        return verdict.stop;
      } catch (err) {
        emulatorLog('WARNING', 'vertex: decay-curve stopping check failed; the trial runs on', { service: 'vertex', job, trial: trialId, error: errorMessage(err) });
        return false;
      }
    }
    const verdict = shouldStopEarly(running, completed, study.goal);
    if (verdict.stop) {
      emulatorLog('INFO', 'vertex: median stopping rule stops trial', { service: 'vertex', job, trial: trialId, step: verdict.step, value: verdict.value, median: verdict.median });
    }
    return verdict.stop;
  }

  /** `count` assignments, asked for again when the engine fails (its driver restarts the worker); the last error after SUGGEST_ATTEMPTS tries. */
  private async suggest(job: string, study: Study, trials: readonly TrialRecord[], count: number, signal: AbortSignal): Promise<{ batch: Assignment[][] } | { error: string }> {
    let error = '';
    for (let attempt = 1; attempt <= SUGGEST_ATTEMPTS && !signal.aborted; attempt++) {
      try {
        return { batch: await suggestAssignments({ designer: this.deps.designer, study, seedKey: job, history: trials.map(historyOf), count }) };
      } catch (err) {
        error = errorMessage(err);
        emulatorLog('WARNING', 'vertex: suggesting tuning trials failed', { service: 'vertex', job, attempt, of: SUGGEST_ATTEMPTS, error });
      }
    }
    return { error };
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
    const active = new Set<Promise<void>>();
    let failed = 0;
    let lastFailure = '';
    let failure: RpcStatus | undefined;
    let exhausted = false;

    while (!signal.aborted && failure === undefined) {
      const free = Math.min(plan.parallel - active.size, plan.maxTrials - trials.length);
      let batch: Assignment[][] = [];
      if (free > 0 && !exhausted) {
        const suggested = await this.suggest(name, plan.study, trials, free, signal);
        if ('error' in suggested) {
          if (!signal.aborted) failure = { code: RpcCode.INTERNAL, message: `Suggesting trials failed after ${SUGGEST_ATTEMPTS} attempts: ${suggested.error}` };
          break;
        }
        batch = suggested.batch;
        // Only a grid runs out of points.
        exhausted = batch.length < free;
      }
      // A trial may have ended the job (max_failed_trial_count) or the job been cancelled while the engine thought.
      if (signal.aborted || failure !== undefined) break;
      for (const assignment of batch) {
        const trial = newTrial(String(trials.length + 1), assignment);
        trials.push(trial);
        const shouldStop = (ms: Measurement[]) => this.shouldStop(name, trial.id, plan.study, ms, context.completedMeasurements());
        const work: Promise<void> = runTrial(trial, assignment, context, deps, shouldStop)
          .then(
            (outcome) => outcome.state !== 'CANCELLED',
            (err: unknown) => {
              // It could not run at all (its folders, its metric file): a failed trial like any other.
              trial.state = 'INFEASIBLE';
              trial.infeasibleReason = `The trial could not run: ${errorMessage(err)}`;
              trial.endTime = nowTimestamp();
              emulatorLog('ERROR', 'vertex: tuning trial could not run', { service: 'vertex', job: name, trial: trial.id, error: errorMessage(err) });
              publish();
              return !signal.aborted;
            },
          )
          .then((counts) => {
            if (trial.state !== 'INFEASIBLE' || !counts) return;
            failed++;
            lastFailure = trial.infeasibleReason ?? '';
            if (plan.maxFailed > 0 && failed >= plan.maxFailed) {
              failure = { code: RpcCode.FAILED_PRECONDITION, message: `${failed} trial(s) failed, reaching max_failed_trial_count (${plan.maxFailed}). Last failure (trial ${trial.id}): ${lastFailure}` };
            }
          })
          .finally(() => active.delete(work));
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

/** A trial as the suggestion algorithms see it: failed trials are infeasible points. */
function historyOf(trial: TrialRecord): TrialHistory {
  const parameters = Object.fromEntries(trial.parameters.map((p) => [p.parameterId, p.value]));
  if (trial.state === 'SUCCEEDED') return { parameters, status: 'completed', ...(trial.finalMeasurement ? { value: metricValue(trial.finalMeasurement) } : {}) };
  return { parameters, status: trial.state === 'INFEASIBLE' ? 'infeasible' : 'pending' };
}

/** A measurement's place on the learning curve: its step, or its elapsed seconds (`use_elapsed_duration`). */
function positionOf(m: Measurement, study: Study): number {
  return study.stoppingByElapsedTime ? (durationSeconds(m.elapsedDuration) ?? 0) : Number(m.stepCount);
}
