// Drift scores as Cloud Monitoring user-defined metrics, the series the model's alert policy watches
// (infra/alert-policies.ts): one per model, version, feature and metric, and the per-model maximum.
import { DRIFTED_FEATURES_METRIC, FEATURE_SCORE_METRIC, MAX_SCORE_METRIC } from '../config/drift-metrics.js';
import type { GaugePoint } from '../monitoring/custom-metrics.js';
import type { VersionDrift } from './drift-check-record.js';

/** The points one version's check writes; none when it served too little to be scored. */
export function driftPoints(model: string, v: VersionDrift, at: Date): GaugePoint[] {
  // Nothing scored (too little traffic, no baseline): no point, not a zero that reads as "no drift".
  if (v.insufficient !== undefined || v.error !== undefined) return [];
  const version = v.versionId;
  const points: GaugePoint[] = [];
  const score = (feature: string, metric: string, value: number | undefined) => {
    if (value !== undefined && Number.isFinite(value)) points.push({ type: FEATURE_SCORE_METRIC, labels: { model, version, feature, metric }, value, at });
  };
  for (const f of v.features) {
    score(f.feature, f.distance.metric, f.distance.value);
    if (f.psiReliable) score(f.feature, 'psi', f.psi);
    score(f.feature, 'ks', f.ks);
  }
  const scored = v.features.filter((f) => f.distance.value !== undefined);
  if (scored.length > 0) {
    points.push({ type: MAX_SCORE_METRIC, labels: { model, version, metric: 'distance' }, value: Math.max(...scored.map((f) => f.distance.value!)), at });
    const psi = scored.filter((f) => f.psiReliable && f.psi !== undefined);
    if (psi.length > 0) points.push({ type: MAX_SCORE_METRIC, labels: { model, version, metric: 'psi' }, value: Math.max(...psi.map((f) => f.psi!)), at });
  }
  points.push({ type: DRIFTED_FEATURES_METRIC, labels: { model, version }, value: v.drifted.length, at });
  return points;
}
