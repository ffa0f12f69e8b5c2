// One feature's drift: its serving histogram against the baseline over the same bins, scored with
// Vertex Model Monitoring's distance (Jensen-Shannon divergence for numeric features, L-infinity for
// categorical ones), the PSI and its tier for both, and the binned KS statistic for numeric ones.
// The numeric baseline has no mass in the underflow and overflow bins, so serving values outside
// the training range count fully against it.
import type { PsiTier } from './distances.js';
import { jensenShannonDivergence, ksStatisticFromHistograms, lInfinityDistance, populationStabilityIndex, psiTier } from './distances.js';
import type { MonitoredFeature } from './monitored-features.js';
import type { FeatureHistogram } from './serving-histograms.js';

export type DistanceMetric = 'jensen_shannon' | 'l_infinity';

export interface FeatureDrift {
  readonly feature: string;
  readonly kind: 'numeric' | 'categorical';
  /** Serving instances with a value (those the distances compare). */
  readonly servingCount: number;
  /** Serving instances without a readable value, as a share of all; 0 when there was none. */
  readonly missingFraction: number;
  /** Undefined when no serving instance had a value (servingCount 0). */
  readonly distance: { readonly metric: DistanceMetric; readonly value: number | undefined };
  readonly psi: number | undefined;
  readonly psiTier: PsiTier | undefined;
  /** Numeric features with serving values only: the KS statistic on the feature's bins. */
  readonly ks?: number;
}

/** The metric Vertex Model Monitoring uses for a feature of this kind. */
export function distanceMetric(kind: MonitoredFeature['kind']): DistanceMetric {
  return kind === 'numeric' ? 'jensen_shannon' : 'l_infinity';
}

export function featureDrift(feature: MonitoredFeature, serving: FeatureHistogram): FeatureDrift {
  if (serving.counts.length !== feature.baseline.length) {
    throw new RangeError(`feature '${feature.name}': the serving histogram has ${serving.counts.length} bins, the baseline ${feature.baseline.length}`);
  }
  const servingCount = serving.counts.reduce((a, b) => a + b, 0);
  const metric = distanceMetric(feature.kind);
  const common = { feature: feature.name, kind: feature.kind, servingCount, missingFraction: serving.total === 0 ? 0 : serving.missing / serving.total };
  if (servingCount === 0) return { ...common, distance: { metric, value: undefined }, psi: undefined, psiTier: undefined };
  const value = feature.kind === 'numeric' ? jensenShannonDivergence(feature.baseline, serving.counts) : lInfinityDistance(feature.baseline, serving.counts);
  const psi = populationStabilityIndex(feature.baseline, serving.counts);
  return {
    ...common,
    distance: { metric, value },
    psi,
    psiTier: psiTier(psi),
    ...(feature.kind === 'numeric' ? { ks: ksStatisticFromHistograms(feature.baseline, serving.counts) } : {}),
  };
}
