// The one place a HyperparameterTuningJob's trials become a TuningResult: each trial as a model type
// and its own hyperparameters (splitTrialParameters undoes the study's prefixes), its value of the
// study's metric and its state; the best trial overall and per model type. The API uses it on a
// running job, the completion on the finished one.
import { splitTrialParameters } from '../../pipelines/definitions/search-spaces.js';
import type { TuningResult, TuningTrial } from './tuning-result.js';

/** What the control plane reads of a Vertex Trial (the gax client's objects have this shape). */
export interface VertexTrial {
  id?: string | null;
  state?: string | number | null;
  parameters?: { parameterId?: string | null; value?: { numberValue?: number | null; stringValue?: string | null } | null }[] | null;
  finalMeasurement?: VertexMeasurement | null;
  measurements?: VertexMeasurement[] | null;
  infeasibleReason?: string | null;
  startTime?: VertexTimestamp | null;
  endTime?: VertexTimestamp | null;
}
interface VertexMeasurement {
  stepCount?: number | string | { toString(): string } | null;
  metrics?: { metricId?: string | null; value?: number | null }[] | null;
}
type VertexTimestamp = { seconds?: number | string | { toString(): string } | null; nanos?: number | null } | string;

/** What the control plane reads of a HyperparameterTuningJob. */
export interface VertexTuningJob {
  name?: string | null;
  state?: string | number | null;
  trials?: VertexTrial[] | null;
}

export type Metric = TuningResult['metric'];

/** A trial still going: shown while the job runs, never part of a result. */
export interface LiveTrial {
  readonly id: string;
  readonly state: 'REQUESTED' | 'ACTIVE' | 'STOPPING';
  readonly modelType: string;
  readonly hyperparameters: Readonly<Record<string, number | string>>;
  /** The latest intermediate measurement, if any. */
  readonly latestValue?: number;
  readonly latestStep?: number;
  readonly startTime?: string;
}

function isoTime(t: VertexTimestamp | null | undefined): string | undefined {
  if (t === null || t === undefined) return undefined;
  if (typeof t === 'string') return t;
  if (t.seconds === undefined || t.seconds === null) return undefined;
  return new Date(Number(t.seconds.toString()) * 1000 + Math.floor(Number(t.nanos ?? 0) / 1e6)).toISOString();
}

function metricValue(measurement: VertexMeasurement | null | undefined, metricId: string): number | undefined {
  const value = measurement?.metrics?.find((m) => m.metricId === metricId)?.value;
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

function trialParameters(trial: VertexTrial): ReturnType<typeof splitTrialParameters> {
  const values: Record<string, number | string> = {};
  for (const p of trial.parameters ?? []) {
    const value = p.value?.numberValue ?? p.value?.stringValue;
    if (p.parameterId && value !== undefined && value !== null) values[p.parameterId] = value;
  }
  return splitTrialParameters(values);
}

const stepOf = (m: VertexMeasurement | null | undefined) => (m?.stepCount === undefined || m.stepCount === null ? undefined : Number(m.stepCount.toString()));

/**
 * A staged model (boosting, forests) reports a measurement every few estimators and its final one
 * at the number of estimators it used; a final step short of `n_estimators` means it was stopped.
 */
function earlyStopped(hyperparameters: Readonly<Record<string, number | string>>, final: VertexMeasurement | null | undefined): boolean {
  const planned = hyperparameters.n_estimators;
  const step = stepOf(final);
  return typeof planned === 'number' && step !== undefined && step > 0 && step < Math.round(planned);
}

/** A finished trial as the result shows it; undefined for one still going. */
export function finishedTrial(trial: VertexTrial, metric: Metric): TuningTrial | undefined {
  const state = String(trial.state ?? '');
  const finished = state === 'SUCCEEDED' || state === 'INFEASIBLE' || (state === 'STOPPING' && isoTime(trial.endTime) !== undefined);
  if (!finished) return undefined;
  const { modelType, hyperparameters } = trialParameters(trial);
  const value = state === 'SUCCEEDED' ? metricValue(trial.finalMeasurement, metric.id) : undefined;
  const start = isoTime(trial.startTime);
  const end = isoTime(trial.endTime);
  return {
    id: String(trial.id ?? ''),
    // A trial succeeds only with a value of the metric: one without is as good as failed.
    state: state === 'SUCCEEDED' ? (value === undefined ? 'INFEASIBLE' : 'SUCCEEDED') : state === 'INFEASIBLE' ? 'INFEASIBLE' : 'STOPPED',
    modelType,
    hyperparameters,
    ...(value === undefined ? {} : { value }),
    ...(state === 'SUCCEEDED' && earlyStopped(hyperparameters, trial.finalMeasurement) ? { earlyStopped: true } : {}),
    ...(state === 'SUCCEEDED' && value === undefined ? { infeasibleReason: `the trial reported no value of ${metric.id}` } : {}),
    ...(trial.infeasibleReason ? { infeasibleReason: trial.infeasibleReason } : {}),
    ...(start ? { startTime: start } : {}),
    ...(end ? { endTime: end } : {}),
  };
}

/** A trial still going, with its latest measurement; undefined for a finished one. */
export function liveTrial(trial: VertexTrial, metric: Metric): LiveTrial | undefined {
  const state = String(trial.state ?? '');
  if (state !== 'REQUESTED' && state !== 'ACTIVE' && !(state === 'STOPPING' && isoTime(trial.endTime) === undefined)) return undefined;
  const { modelType, hyperparameters } = trialParameters(trial);
  const latest = trial.measurements?.at(-1);
  const value = metricValue(latest, metric.id);
  const step = stepOf(latest);
  const start = isoTime(trial.startTime);
  return {
    id: String(trial.id ?? ''),
    state,
    modelType,
    hyperparameters,
    ...(value === undefined ? {} : { latestValue: value }),
    ...(step === undefined ? {} : { latestStep: step }),
    ...(start ? { startTime: start } : {}),
  };
}

/** The better of two succeeded trials for the goal; the earlier one on a tie. */
function better(a: TuningTrial, b: TuningTrial, goal: Metric['goal']): TuningTrial {
  if (a.value === b.value) return Number(a.id) <= Number(b.id) ? a : b;
  return (goal === 'MINIMIZE' ? a.value! < b.value! : a.value! > b.value!) ? a : b;
}

/**
 * The result of a job's trials so far: finished trials in trial order, the best succeeded trial
 * overall and per model type. `parameterImportance` comes from the tuning pipeline's summary (empty until it ran).
 */
export function tuningResult(job: VertexTuningJob, metric: Metric, parameterImportance: TuningResult['parameterImportance'] = []): TuningResult {
  const trials = (job.trials ?? [])
    .map((t) => finishedTrial(t, metric))
    .filter((t): t is TuningTrial => t !== undefined)
    .sort((a, b) => Number(a.id) - Number(b.id) || a.id.localeCompare(b.id));
  let best: TuningTrial | undefined;
  const bestByType = new Map<string, TuningTrial>();
  for (const trial of trials) {
    if (trial.state !== 'SUCCEEDED') continue;
    best = best ? better(best, trial, metric.goal) : trial;
    const current = bestByType.get(trial.modelType);
    bestByType.set(trial.modelType, current ? better(current, trial, metric.goal) : trial);
  }
  return {
    job: job.name ?? '',
    metric,
    trials,
    ...(best ? { bestTrialId: best.id } : {}),
    bestPerModelType: Object.fromEntries([...bestByType].map(([type, trial]) => [type, trial.id])),
    parameterImportance: [...parameterImportance],
  };
}

/** The trials still going, in trial order. */
export function liveTrials(job: VertexTuningJob, metric: Metric): LiveTrial[] {
  return (job.trials ?? []).map((t) => liveTrial(t, metric)).filter((t): t is LiveTrial => t !== undefined);
}

/** The result's best trial (its full record), if any succeeded. */
export function bestTrial(result: TuningResult): TuningTrial | undefined {
  return result.trials.find((t) => t.id === result.bestTrialId);
}
