// Trial measurements as Vizier clients send them (google.cloud.aiplatform.v1.Measurement in
// canonical JSON: proto3 JSON drops zeros, so a missing value or step count is 0) and the views
// the search and stopping rules need of them: one metric's value, a learning curve.
import type { Measurement } from '../hyperparameter-tuning-jobs/hypertune-file.js';
import { bestOf } from '../hyperparameter-tuning-jobs/hypertune-file.js';
import type { Study } from '../hyperparameter-tuning-jobs/study-spec.js';
import { invalidArgument } from '../api/errors.js';
import { durationSeconds } from '../api/wire-json.js';
import type { CurvePoint } from './designer.js';

export interface WireMeasurement {
  elapsedDuration?: string;
  /** int64 as a decimal string. */
  stepCount?: string;
  metrics?: { metricId?: string; value?: number }[];
}

/** A caller's measurement: every metric value finite (canonical JSON spells NaN and the infinities as strings). */
export function assertFiniteMetrics(measurement: WireMeasurement | undefined, field: string): void {
  for (const [i, metric] of (measurement?.metrics ?? []).entries()) {
    const value = Number(metric.value ?? 0);
    if (!Number.isFinite(value)) {
      throw invalidArgument(`${field}.metrics[${i}].value must be a finite number, got ${JSON.stringify(metric.value)}.`, `${field}.metrics[${i}].value`);
    }
  }
}

/** The value of `metricId` in the measurement; undefined when it was not measured. */
export function metricOf(measurement: WireMeasurement | undefined, metricId: string): number | undefined {
  const metric = measurement?.metrics?.find((m) => (m.metricId ?? '') === metricId);
  return metric === undefined ? undefined : Number(metric.value ?? 0);
}

/** Where on the learning curve a measurement lies: its step, or its elapsed seconds for `use_elapsed_duration`. */
function positionOf(measurement: WireMeasurement, byElapsedTime: boolean): number {
  return byElapsedTime ? (durationSeconds(measurement.elapsedDuration) ?? 0) : Number(measurement.stepCount ?? 0);
}

/** The objective's curve, in order of position (measurements without the objective are skipped). */
export function curveOf(measurements: readonly WireMeasurement[] | undefined, study: Study): CurvePoint[] {
  const points: CurvePoint[] = [];
  for (const m of measurements ?? []) {
    const value = metricOf(m, study.metricId);
    if (value !== undefined) points.push({ step: positionOf(m, study.stoppingByElapsedTime), value });
  }
  return points.sort((a, b) => a.step - b.step);
}

/** The same curve in the form the median rule (hyperparameter-tuning-jobs/median-stopping.ts) reads. */
export function medianRuleInput(measurements: readonly WireMeasurement[] | undefined, study: Study): Measurement[] {
  return curveOf(measurements, study).map((p) => ({ stepCount: String(p.step), metrics: [{ metricId: study.metricId, value: p.value }] }));
}

/** The final measurement CompleteTrial picks when none is given: the last, or the best of the objective. */
export function selectFinalMeasurement(measurements: readonly WireMeasurement[] | undefined, study: Study): WireMeasurement | undefined {
  const all = measurements ?? [];
  if (all.length === 0) return undefined;
  if (study.measurementSelection === 'LAST_MEASUREMENT') return all[all.length - 1];
  const withObjective = all.filter((m) => metricOf(m, study.metricId) !== undefined);
  const best = bestOf(withObjective.map((m, i) => ({ stepCount: String(i), metrics: [{ metricId: study.metricId, value: metricOf(m, study.metricId)! }] })), study.goal);
  return best === undefined ? all[all.length - 1] : withObjective[Number(best.stepCount)];
}
