// One trial: the trial job spec run as a local CustomJob with the trial's `--<param>=<value>`
// args, CLOUD_ML_TRIAL_ID and a per-trial CLOUD_ML_HP_METRIC_FILE; its hypertune file is polled
// for intermediate measurements, which also feed the early-stopping rule (median or decay curve).
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { nowTimestamp } from '../api/ids.js';
import type { JsonObject } from '../api/wire-json.js';
import type { CustomJobDeps, CustomJobOutcome } from '../custom-jobs/execute-custom-job.js';
import { executeCustomJob } from '../custom-jobs/execute-custom-job.js';
import type { WorkerPool } from '../custom-jobs/worker-pools.js';
import type { Measurement } from './hypertune-file.js';
import { bestOf, readMeasurements } from './hypertune-file.js';
import type { Study } from './study-spec.js';
import type { Assignment } from './suggestions.js';
import { formatArg } from './suggestions.js';

const POLL_MS = 200;

/** google.cloud.aiplatform.v1.Trial in canonical JSON. */
export interface TrialRecord {
  id: string;
  state: 'REQUESTED' | 'ACTIVE' | 'STOPPING' | 'SUCCEEDED' | 'INFEASIBLE';
  parameters: { parameterId: string; value: number | string }[];
  finalMeasurement?: Measurement;
  measurements?: Measurement[];
  startTime: string;
  endTime?: string;
  infeasibleReason?: string;
}

export interface TrialContext {
  jobName: string;
  jobId: string;
  study: Study;
  trialJobSpec: JsonObject;
  pools: readonly WorkerPool[];
  baseOutputDirectory: string | undefined;
  /** `<logRoot>/hyperparameterTuningJobs/<jobId>`. */
  logDir: string;
  workDir: string;
  signal: AbortSignal;
  /** Measurements of the trials completed so far (for the stopping rules). */
  completedMeasurements: () => Measurement[][];
  /** Called whenever the trial record changes. */
  onChange: () => void;
}

export function newTrial(id: string, assignment: readonly Assignment[]): TrialRecord {
  return { id, state: 'REQUESTED', parameters: assignment.map((a) => ({ parameterId: a.parameterId, value: a.value })), startTime: nowTimestamp() };
}

export async function runTrial(trial: TrialRecord, assignment: readonly Assignment[], ctx: TrialContext, deps: CustomJobDeps, shouldStop: (ms: Measurement[]) => Promise<boolean>): Promise<CustomJobOutcome> {
  const trialDir = join(ctx.logDir, `trial-${trial.id}`);
  const metricFile = join(trialDir, 'hypertune', 'output.metrics');
  await mkdir(dirname(metricFile), { recursive: true });
  const startedMs = Date.now();
  const stop = new AbortController();
  let lastSeen = '';
  const poll = async () => {
    const measurements = await readMeasurements(metricFile, ctx.study.metricId, startedMs);
    const key = JSON.stringify(measurements);
    if (key === lastSeen) return;
    lastSeen = key;
    trial.measurements = measurements;
    const stopping = ctx.study.medianStopping || ctx.study.decayCurveStopping;
    if (trial.state === 'ACTIVE' && stopping && (await shouldStop(measurements)) && trial.state === 'ACTIVE') {
      trial.state = 'STOPPING';
      stop.abort();
    }
    ctx.onChange();
  };
  let polling = Promise.resolve();
  const timer = setInterval(() => {
    polling = polling.then(poll).catch(() => {});
  }, POLL_MS);
  let outcome: CustomJobOutcome;
  try {
    outcome = await executeCustomJob(
      {
        jobName: `${ctx.jobName}/trials/${trial.id}`,
        jobSpec: ctx.trialJobSpec,
        pools: ctx.pools,
        env: { jobId: ctx.jobId, jobSpec: ctx.trialJobSpec, baseOutputDirectory: ctx.baseOutputDirectory, trialId: trial.id, metricFile },
        extraArgs: assignment.map(formatArg),
        logDir: trialDir,
        workDir: join(ctx.workDir, `trial-${trial.id}`),
        signal: ctx.signal,
        stopSignal: stop.signal,
        onRunning: () => {
          trial.state = 'ACTIVE';
          ctx.onChange();
        },
      },
      deps,
    );
  } finally {
    clearInterval(timer);
    await polling;
  }
  await finishTrial(trial, outcome, metricFile, startedMs, ctx);
  return outcome;
}

async function finishTrial(trial: TrialRecord, outcome: CustomJobOutcome, metricFile: string, startedMs: number, ctx: TrialContext): Promise<void> {
  const measurements = await readMeasurements(metricFile, ctx.study.metricId, startedMs);
  if (measurements.length > 0) trial.measurements = measurements;
  else delete trial.measurements;
  trial.endTime = nowTimestamp();
  if (outcome.state === 'FAILED') {
    trial.state = 'INFEASIBLE';
    trial.infeasibleReason = outcome.error.message;
  } else if (outcome.state === 'CANCELLED') {
    trial.state = 'INFEASIBLE';
    trial.infeasibleReason = 'The trial was stopped: its HyperparameterTuningJob was cancelled or failed.';
  } else if (measurements.length === 0) {
    trial.state = 'INFEASIBLE';
    trial.infeasibleReason = `The trial reported no value of metric "${ctx.study.metricId}": write hypertune lines to the file in CLOUD_ML_HP_METRIC_FILE (${metricFile}).`;
  } else {
    // An early-stopped trial completes like any other, with what it measured so far.
    trial.state = 'SUCCEEDED';
    trial.finalMeasurement = ctx.study.measurementSelection === 'BEST_MEASUREMENT' ? bestOf(measurements, ctx.study.goal)! : measurements[measurements.length - 1]!;
  }
  ctx.onChange();
}
