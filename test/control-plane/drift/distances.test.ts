// The drift distances against numpy/scipy on known distributions (normal against shifted normal,
// uniform, categorical with unseen values, empty bins): Jensen-Shannon as
// scipy.spatial.distance.jensenshannon(p, q, base=2)**2, L-infinity and PSI in numpy, and the binned
// KS statistic as scipy.stats.ks_2samp's on samples that sit one value per bin. Then properties
// (fast-check) and the PSI tiers.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DistributionError,
  PSI_EPSILON,
  jensenShannonDivergence,
  ksStatisticFromHistograms,
  lInfinityDistance,
  populationStabilityIndex,
  psiTier,
} from '../../../control-plane/drift/distances.js';
import { python, scipyStack } from './python.js';
import { histogram, linspace, rng } from '../../support/random.js';

const stack = scipyStack('drift distances');

interface Case {
  name: string;
  p: number[];
  q: number[];
}

function cases(): Case[] {
  const r = rng(11);
  const draw = (n: number, f: () => number) => Array.from({ length: n }, f);
  const edges = linspace(-4, 4, 20);
  const base = draw(5000, () => r.normal());
  // Numeric layout: underflow, the baseline's bins, overflow (the baseline has nothing outside).
  const layout = (samples: number[]) => [samples.filter((x) => x < -4).length, ...histogram(samples, edges), samples.filter((x) => x > 4).length];
  const baseline = [0, ...histogram(base, edges), 0];
  return [
    { name: 'normal vs shifted normal', p: baseline, q: layout(draw(4000, () => r.normal(0.5))) },
    { name: 'normal vs wider shifted normal (mass beyond the range)', p: baseline, q: layout(draw(4000, () => r.normal(1.5, 2))) },
    { name: 'normal vs normal (another sample)', p: baseline, q: layout(draw(3000, () => r.normal())) },
    { name: 'uniform vs uniform', p: histogram(draw(5000, () => r.uniform()), linspace(0, 1, 10)), q: histogram(draw(2000, () => r.uniform()), linspace(0, 1, 10)) },
    { name: 'uniform vs normal', p: histogram(draw(5000, () => r.uniform() * 8 - 4), edges), q: histogram(draw(5000, () => r.normal()), edges) },
    { name: 'categorical with unseen values (other bin)', p: [120, 80, 50, 0], q: [30, 40, 10, 70] },
    { name: 'zero bins on either side and on both', p: [0, 10, 0, 5, 0, 2], q: [3, 0, 0, 7, 1, 2] },
    { name: 'probabilities, not counts', p: [0.1, 0.2, 0.7], q: [0.3, 0.3, 0.4] },
    { name: 'identical', p: [5, 3, 2], q: [10, 6, 4] },
    { name: 'disjoint', p: [1, 0, 0], q: [0, 2, 3] },
  ];
}

const REFERENCE = `
from scipy.spatial.distance import jensenshannon
from scipy.stats import ks_2samp
eps = data["eps"]
out = []
for c in data["cases"]:
    p = np.asarray(c["p"], dtype=float); q = np.asarray(c["q"], dtype=float)
    pn, qn = p / p.sum(), q / q.sum()
    e, a = np.where(pn == 0, eps, pn), np.where(qn == 0, eps, qn)
    # One value per bin: the KS statistic of these samples is the binned statistic.
    scale = 1 if np.all(p == np.rint(p)) and np.all(q == np.rint(q)) else 1000
    xs = np.repeat(np.arange(len(p)), np.rint(p * scale).astype(int))
    ys = np.repeat(np.arange(len(q)), np.rint(q * scale).astype(int))
    out.append({
        "js": float(jensenshannon(p, q, base=2) ** 2),
        "linf": float(np.max(np.abs(pn - qn))),
        "psi": float(np.sum((a - e) * np.log(a / e))),
        "ks": float(ks_2samp(xs, ys, method="asymp").statistic),
    })
print(json.dumps(out))
`;

describe.skipIf(!stack.ok)('distances against numpy/scipy', () => {
  const all = cases();
  const reference = stack.ok ? python<{ js: number; linf: number; psi: number; ks: number }[]>(REFERENCE, { cases: all, eps: PSI_EPSILON }) : [];

  it.each(all.map((c, i) => [c.name, i] as const))('%s', (_, i) => {
    const { p, q } = all[i]!;
    const want = reference[i]!;
    expect(jensenShannonDivergence(p, q)).toBeCloseTo(want.js, 6);
    expect(lInfinityDistance(p, q)).toBeCloseTo(want.linf, 6);
    expect(populationStabilityIndex(p, q)).toBeCloseTo(want.psi, 6);
    expect(ksStatisticFromHistograms(p, q)).toBeCloseTo(want.ks, 6);
  });

  it('orders the cases as expected: a shift drifts more than resampling, disjoint is the maximum', () => {
    const js = all.map((c) => jensenShannonDivergence(c.p, c.q));
    expect(js[0]).toBeGreaterThan(5 * js[2]!);
    expect(js[1]).toBeGreaterThan(js[0]!);
    expect(js[8]).toBe(0);
    expect(js[9]).toBe(1);
  });
});

describe('PSI zero bins', () => {
  it('replaces an empty share by epsilon on either side and adds nothing for a bin empty on both', () => {
    const withEmptyBoth = populationStabilityIndex([5, 5, 0], [2, 8, 0], 0.01);
    expect(withEmptyBoth).toBeCloseTo(populationStabilityIndex([5, 5], [2, 8], 0.01), 12);
    const onlyServing = populationStabilityIndex([1, 0], [0.5, 0.5], 0.01);
    expect(onlyServing).toBeCloseTo((0.5 - 1) * Math.log(0.5 / 1) + (0.5 - 0.01) * Math.log(0.5 / 0.01), 12);
    // A smaller epsilon weighs values the baseline never had more.
    expect(populationStabilityIndex([1, 0], [0.5, 0.5], 1e-6)).toBeGreaterThan(onlyServing);
  });
});

describe('input checks', () => {
  it('refuses different bins, negative or non-finite weights, empty distributions and a bad epsilon', () => {
    expect(() => jensenShannonDivergence([1, 2], [1, 2, 3])).toThrow(DistributionError);
    expect(() => lInfinityDistance([1, -1], [1, 1])).toThrow(/finite non-negative/);
    expect(() => ksStatisticFromHistograms([1, Number.NaN], [1, 1])).toThrow(/finite non-negative/);
    expect(() => populationStabilityIndex([0, 0], [1, 1])).toThrow(/empty/);
    expect(() => populationStabilityIndex([1, 1], [1, 1], 0)).toThrow(/epsilon/);
    expect(() => jensenShannonDivergence([], [])).toThrow(/no bin/);
  });
});

describe('properties', () => {
  // Pairs of count vectors over the same bins, each with a positive total.
  const counts = (n: number) => fc.array(fc.nat({ max: 1000 }), { minLength: n, maxLength: n }).filter((c) => c.some((v) => v > 0));
  const pair = fc.integer({ min: 1, max: 30 }).chain((n) => fc.tuple(counts(n), counts(n)));
  const same = (p: number[], q: number[]) => {
    const sp = p.reduce((a, b) => a + b, 0);
    const sq = q.reduce((a, b) => a + b, 0);
    return p.every((v, i) => v * sq === q[i]! * sp);
  };

  it('Jensen-Shannon is symmetric, in [0, 1], and 0 exactly for equal distributions', () => {
    fc.assert(
      fc.property(pair, ([p, q]) => {
        const d = jensenShannonDivergence(p, q);
        expect(d).toBeGreaterThanOrEqual(0);
        expect(d).toBeLessThanOrEqual(1);
        expect(jensenShannonDivergence(q, p)).toBeCloseTo(d, 12);
        if (same(p, q)) expect(d).toBe(0);
        else expect(d).toBeGreaterThan(0);
        expect(jensenShannonDivergence(p, p.map((v) => v * 3))).toBe(0);
      }),
    );
  });

  it('L-infinity and KS are symmetric, in [0, 1], 0 for equal distributions; PSI is non-negative', () => {
    fc.assert(
      fc.property(pair, ([p, q]) => {
        for (const f of [lInfinityDistance, ksStatisticFromHistograms]) {
          const d = f(p, q);
          expect(d).toBeGreaterThanOrEqual(0);
          expect(d).toBeLessThanOrEqual(1);
          expect(f(q, p)).toBeCloseTo(d, 12);
          expect(f(p, p)).toBe(0);
        }
        expect(populationStabilityIndex(p, q)).toBeGreaterThanOrEqual(0);
        expect(populationStabilityIndex(p, p)).toBe(0);
        // A bin's difference never exceeds the largest CDF difference by more than the previous one.
        expect(lInfinityDistance(p, q)).toBeLessThanOrEqual(2 * ksStatisticFromHistograms(p, q) + 1e-12);
      }),
    );
  });
});

describe('psiTier', () => {
  it('stable below 0.1, watch from 0.1, retrain soon from 0.2 through 0.3, retrain now above 0.3', () => {
    expect(psiTier(0)).toBe('stable');
    expect(psiTier(0.0999)).toBe('stable');
    expect(psiTier(0.1)).toBe('watch');
    expect(psiTier(0.1999)).toBe('watch');
    expect(psiTier(0.2)).toBe('retrain_soon');
    expect(psiTier(0.3)).toBe('retrain_soon');
    expect(psiTier(0.3000001)).toBe('retrain_now');
    expect(psiTier(7)).toBe('retrain_now');
    expect(() => psiTier(Number.NaN)).toThrow(/NaN/);
  });
});
