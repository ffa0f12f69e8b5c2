// featureDrift: Vertex's metric per kind (Jensen-Shannon for numeric, L-infinity for categorical),
// PSI and its tier for both, the binned KS for numeric, over the feature's own layout (the numeric
// baseline has nothing in the under- and overflow bins), and what an empty window gives.
import { describe, expect, it } from 'vitest';
import { jensenShannonDivergence, ksStatisticFromHistograms, lInfinityDistance, populationStabilityIndex } from '../../../control-plane/drift/distances.js';
import { featureDrift } from '../../../control-plane/drift/feature-drift.js';
import type { MonitoredFeature } from '../../../control-plane/drift/monitored-features.js';
import type { FeatureHistogram } from '../../../control-plane/drift/serving-histograms.js';
import { histogram, linspace, rng } from '../../support/random.js';

const edges = linspace(-4, 4, 20);
const r = rng(21);
const train = Array.from({ length: 20_000 }, () => r.normal());
const trainCounts = histogram(train, edges);
const total = trainCounts.reduce((a, b) => a + b, 0);
const numeric: MonitoredFeature = {
  name: 'x',
  kind: 'numeric',
  source: { kind: 'instance', key: 'x' },
  edges,
  baseline: [0, ...trainCounts.map((c) => c / total), 0],
  baselineCount: total,
  baselineMissingFraction: 0,
};
const categorical: MonitoredFeature = {
  name: 'c',
  kind: 'categorical',
  source: { kind: 'instance', key: 'c' },
  categories: ['a', 'b', 'c'],
  baseline: [0.5, 0.3, 0.2, 0],
  baselineCount: 100,
  baselineMissingFraction: 0,
};

/** Serving counts of `samples` on the numeric layout, plus `missing` instances without a value. */
function serving(samples: number[], missing = 0): FeatureHistogram {
  const counts = [samples.filter((x) => x < -4).length, ...histogram(samples, edges), samples.filter((x) => x > 4).length];
  return { counts, missing, total: samples.length + missing };
}

describe('featureDrift', () => {
  it('scores a numeric feature with Jensen-Shannon, PSI and KS on the shared layout', () => {
    const h = serving(Array.from({ length: 5000 }, () => r.normal(1)), 250);
    const drift = featureDrift(numeric, h);
    expect(drift).toEqual({
      feature: 'x',
      kind: 'numeric',
      servingCount: 5000,
      missingFraction: 250 / 5250,
      distance: { metric: 'jensen_shannon', value: jensenShannonDivergence(numeric.baseline, h.counts) },
      psi: populationStabilityIndex(numeric.baseline, h.counts),
      psiTier: 'retrain_now',
      ks: ksStatisticFromHistograms(numeric.baseline, h.counts),
    });
    // A one-sd shift: KS ≈ 2Φ(0.5) − 1 ≈ 0.383 (binned, so a little lower).
    expect(drift.ks).toBeGreaterThan(0.33);
    expect(drift.ks).toBeLessThan(0.4);
  });

  it('counts serving values beyond the training range fully against a baseline with no mass there', () => {
    const inside = featureDrift(numeric, serving(Array.from({ length: 4000 }, () => r.normal())));
    const beyond = featureDrift(numeric, serving([...Array.from({ length: 3800 }, () => r.normal()), ...new Array<number>(200).fill(9)]));
    expect(inside.psiTier).toBe('stable');
    expect(beyond.distance.value!).toBeGreaterThan(inside.distance.value! + 0.02);
    expect(beyond.psi!).toBeGreaterThan(0.3);
  });

  it('scores a categorical feature with L-infinity and PSI, without KS; unseen values weigh in the other bin', () => {
    const h = { counts: [40, 30, 10, 20], missing: 0, total: 100 };
    const drift = featureDrift(categorical, h);
    expect(drift.distance).toEqual({ metric: 'l_infinity', value: lInfinityDistance(categorical.baseline, h.counts) });
    expect(drift.distance.value).toBeCloseTo(0.2, 12);
    expect(drift.psi).toBeCloseTo(populationStabilityIndex(categorical.baseline, h.counts), 12);
    expect(drift).not.toHaveProperty('ks');
  });

  it('leaves the scores undefined when no serving instance had a value, and says how many were missing', () => {
    expect(featureDrift(categorical, { counts: [0, 0, 0, 0], missing: 7, total: 7 })).toEqual({
      feature: 'c',
      kind: 'categorical',
      servingCount: 0,
      missingFraction: 1,
      distance: { metric: 'l_infinity', value: undefined },
      psi: undefined,
      psiTier: undefined,
    });
    expect(featureDrift(numeric, serving([])).missingFraction).toBe(0);
  });

  it('refuses a histogram over other bins', () => {
    expect(() => featureDrift(categorical, { counts: [1, 2, 3], missing: 0, total: 6 })).toThrow(/3 bins, the baseline 4/);
  });
});
