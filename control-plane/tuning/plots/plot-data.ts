// The numbers the tuning plots draw, derived from a TuningResult as plain rows: the specs inline
// them, so the charts need no Vega transforms and the tests can check the numbers directly.
import { MODEL_TYPE_PARAMETER, prefixedParameterId } from '../../../pipelines/definitions/search-spaces.js';
import type { TuningResult, TuningTrial } from '../tuning-result.js';

type Goal = TuningResult['metric']['goal'];

/** A succeeded trial with its measurement, as the plots place it. */
export interface TrialPoint {
  id: string;
  /** The trial's number on the history's x axis: its id when ids are integers, else its 1-based position. */
  trial: number;
  modelType: string;
  value: number;
  earlyStopped: boolean;
  /** What a screen reader (and a test) reads for the mark: the SVG's aria-label. */
  description: string;
}

/** A trial without a measurement (INFEASIBLE, STOPPED, or SUCCEEDED without a value). */
export interface FailedTrial {
  id: string;
  trial: number;
  modelType: string;
  state: TuningTrial['state'];
  reason: string;
  description: string;
}

/** "rmse (lower is better)": the metric and its goal, for titles and axis titles. */
export function metricLabel(metric: TuningResult['metric']): string {
  return `${metric.id} (${metric.goal === 'MINIMIZE' ? 'lower' : 'higher'} is better)`;
}

/** Whether `a` is a better value than `b` under the goal. */
export function isBetter(goal: Goal, a: number, b: number): boolean {
  return goal === 'MINIMIZE' ? a < b : a > b;
}

function trialNumbers(trials: readonly TuningTrial[]): number[] {
  const ids = trials.map((t) => Number(t.id));
  const integers = ids.every((n) => Number.isSafeInteger(n) && n > 0);
  return integers ? ids : trials.map((_, i) => i + 1);
}

/** Succeeded trials with a finite value, and the rest, in trial order. */
export function splitTrials(result: TuningResult): { points: TrialPoint[]; failed: FailedTrial[] } {
  const numbers = trialNumbers(result.trials);
  const points: TrialPoint[] = [];
  const failed: FailedTrial[] = [];
  result.trials.forEach((t, i) => {
    const trial = numbers[i] ?? i + 1;
    if (t.state === 'SUCCEEDED' && t.value !== undefined && Number.isFinite(t.value)) {
      const description = `trial ${t.id} (${t.modelType}): ${result.metric.id} = ${t.value}${t.earlyStopped ? ', early-stopped' : ''}`;
      points.push({ id: t.id, trial, modelType: t.modelType, value: t.value, earlyStopped: t.earlyStopped === true, description });
    } else {
      const reason = t.infeasibleReason ?? (t.state === 'SUCCEEDED' ? 'no measurement' : t.state.toLowerCase());
      failed.push({ id: t.id, trial, modelType: t.modelType, state: t.state, reason, description: `trial ${t.id} (${t.modelType}): ${t.state}, ${reason}` });
    }
  });
  return { points, failed };
}

/** The best value so far after each succeeded trial, in trial order. */
export function bestSoFar(points: readonly TrialPoint[], goal: Goal): { trial: number; best: number; id: string }[] {
  const rows: { trial: number; best: number; id: string }[] = [];
  let best: { value: number; id: string } | undefined;
  for (const p of points) {
    if (best === undefined || isBetter(goal, p.value, best.value)) best = { value: p.value, id: p.id };
    rows.push({ trial: p.trial, best: best.value, id: best.id });
  }
  return rows;
}

/** Model types in first-appearance order, so colours and axes follow the run. */
export function modelTypes(result: TuningResult): string[] {
  return [...new Set(result.trials.map((t) => t.modelType))];
}

/** One parallel-coordinates axis: a study parameter and how its values map onto [0, 1]. */
export interface ParameterAxis {
  parameter: string;
  kind: 'numeric' | 'categorical';
  /** Numeric axes: the real range over the succeeded trials. */
  min?: number;
  max?: number;
  /** Categorical axes: the values in axis order (bottom to top). */
  categories?: string[];
}

/** One trial's position on one axis; `norm` is null where the parameter does not apply to the trial's model type. */
export interface ParallelRow {
  id: string;
  modelType: string;
  value: number;
  parameter: string;
  axis: number;
  norm: number | null;
  raw: string | null;
}

function parameterValue(point: TrialPoint, trialsById: ReadonlyMap<string, TuningTrial>, parameter: string): number | string | undefined {
  if (parameter === MODEL_TYPE_PARAMETER) return point.modelType;
  const hyperparameters = trialsById.get(point.id)?.hyperparameters ?? {};
  const prefix = prefixedParameterId(point.modelType, '');
  return parameter.startsWith(prefix) ? hyperparameters[parameter.slice(prefix.length)] : undefined;
}

/** Spreads `n` ordinal positions evenly over [0, 1]; a single one sits in the middle. */
function ordinalPosition(index: number, n: number): number {
  return n <= 1 ? 0.5 : index / (n - 1);
}

/**
 * The parallel-coordinates axes and rows over the succeeded trials: `model_type`, then each model
 * type's parameters (study ids, in first-seen order). Numbers scale linearly from the axis's min (0)
 * to its max (1), a constant axis sits at 0.5; categories take evenly spaced positions in sorted order.
 */
export function parallelCoordinates(result: TuningResult, points: readonly TrialPoint[]): { axes: ParameterAxis[]; rows: ParallelRow[] } {
  const trialsById = new Map(result.trials.map((t) => [t.id, t]));
  const parameters = [MODEL_TYPE_PARAMETER];
  for (const p of points) {
    for (const name of Object.keys(trialsById.get(p.id)?.hyperparameters ?? {})) {
      const id = prefixedParameterId(p.modelType, name);
      if (!parameters.includes(id)) parameters.push(id);
    }
  }
  const axes = parameters.map((parameter): ParameterAxis => {
    const values = points.map((p) => parameterValue(p, trialsById, parameter)).filter((v) => v !== undefined);
    if (parameter !== MODEL_TYPE_PARAMETER && values.every((v) => typeof v === 'number')) {
      return { parameter, kind: 'numeric', min: Math.min(...values), max: Math.max(...values) };
    }
    const categories = [...new Set(values.map(String))];
    if (parameter !== MODEL_TYPE_PARAMETER) categories.sort();
    return { parameter, kind: 'categorical', categories };
  });
  const rows = points.flatMap((p) =>
    axes.map((axis, i): ParallelRow => {
      const v = parameterValue(p, trialsById, axis.parameter);
      return { id: p.id, modelType: p.modelType, value: p.value, parameter: axis.parameter, axis: i, norm: normalise(axis, v), raw: v === undefined ? null : String(v) };
    }),
  );
  return { axes, rows };
}

function normalise(axis: ParameterAxis, v: number | string | undefined): number | null {
  if (v === undefined) return null;
  if (axis.kind === 'numeric' && typeof v === 'number' && axis.min !== undefined && axis.max !== undefined) {
    return axis.max === axis.min ? 0.5 : (v - axis.min) / (axis.max - axis.min);
  }
  const categories = axis.categories ?? [];
  return ordinalPosition(categories.indexOf(String(v)), categories.length);
}

/** The labels an axis shows at its positions: the real min and max, or every category (at most 8, else the ends). */
export function axisTicks(axis: ParameterAxis): { parameter: string; norm: number; label: string }[] {
  if (axis.kind === 'numeric' && axis.min !== undefined && axis.max !== undefined) {
    if (axis.min === axis.max) return [{ parameter: axis.parameter, norm: 0.5, label: formatNumber(axis.min) }];
    return [
      { parameter: axis.parameter, norm: 0, label: formatNumber(axis.min) },
      { parameter: axis.parameter, norm: 1, label: formatNumber(axis.max) },
    ];
  }
  const categories = axis.categories ?? [];
  const shown = categories.length <= 8 ? categories.map((_, i) => i) : [0, categories.length - 1];
  return shown.map((i) => ({ parameter: axis.parameter, norm: ordinalPosition(i, categories.length), label: categories[i] ?? '' }));
}

/** Four significant digits, without exponent noise for everyday magnitudes. */
export function formatNumber(v: number): string {
  if (Number.isInteger(v)) return String(v);
  const abs = Math.abs(v);
  return abs !== 0 && (abs < 1e-3 || abs >= 1e6) ? v.toExponential(2) : String(Number(v.toPrecision(4)));
}

/**
 * A deterministic horizontal offset in [-0.5, 0.5) for the strip plot: the golden-ratio sequence
 * spreads a type's points evenly without randomness, so the same result draws the same SVG.
 */
export function jitter(index: number): number {
  const golden = 0.6180339887498949;
  return Math.round((((index + 0.5) * golden) % 1) * 1000) / 1000 - 0.5;
}
