import { describe, expect, it } from 'vitest';
import { pickDeployedModel } from '../../../emulators/vertex/serving/traffic.js';
import { seededRandom } from './support.js';

function counts(split: Record<string, number>, ids: string[], n: number, seed: number): Record<string, number> {
  const random = seededRandom(seed);
  const out: Record<string, number> = {};
  for (let i = 0; i < n; i++) {
    const id = pickDeployedModel(split, ids, random) ?? 'none';
    out[id] = (out[id] ?? 0) + 1;
  }
  return out;
}

describe('traffic split', () => {
  it('sends about 90/10 of requests by a 90/10 split', () => {
    const c = counts({ '1': 90, '2': 10 }, ['1', '2'], 2_000, 42);
    expect(c['1']! / 2_000).toBeGreaterThan(0.87);
    expect(c['1']! / 2_000).toBeLessThan(0.93);
  });

  it('sends everything to the model with 100%', () => {
    expect(counts({ '1': 0, '2': 100 }, ['1', '2'], 500, 1)).toEqual({ '2': 500 });
  });

  it('is deterministic for a seed whatever the key order', () => {
    expect(counts({ a: 30, b: 70 }, ['a', 'b'], 300, 9)).toEqual(counts({ b: 70, a: 30 }, ['b', 'a'], 300, 9));
  });

  it('ignores ids that are not deployed, and falls back to a lone model without traffic', () => {
    expect(counts({ gone: 50, '1': 50 }, ['1'], 100, 3)).toEqual({ '1': 100 });
    expect(pickDeployedModel({}, ['7'], Math.random)).toBe('7');
    expect(pickDeployedModel({}, ['7', '8'], Math.random)).toBeUndefined();
    expect(pickDeployedModel({ '7': 0 }, [], Math.random)).toBeUndefined();
  });
});
