// Deterministic draws for the tests: uniform (mulberry32), normal (Box–Muller), and counts of
// samples on bin edges (numpy's rule: [e_k, e_k+1), the last bin closed).

export interface Rng {
  uniform(): number;
  normal(mean?: number, sd?: number): number;
  int(n: number): number;
}

export function rng(seed: number): Rng {
  let a = seed >>> 0;
  const uniform = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    uniform,
    normal: (mean = 0, sd = 1) => mean + sd * Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform()),
    int: (n) => Math.floor(uniform() * n),
  };
}

/** `bins + 1` equal-width edges over [min, max], as np.linspace writes them. */
export function linspace(min: number, max: number, bins: number): number[] {
  const step = (max - min) / bins;
  return Array.from({ length: bins + 1 }, (_, i) => (i === bins ? max : min + i * step));
}

/** Counts of the samples inside [edges[0], edges[last]] per bin (others dropped), as np.histogram. */
export function histogram(samples: readonly number[], edges: readonly number[]): number[] {
  const counts = new Array<number>(edges.length - 1).fill(0);
  for (const x of samples) {
    if (x < edges[0]! || x > edges.at(-1)!) continue;
    let k = edges.findIndex((e) => e > x) - 1;
    if (k < 0) k = edges.length - 2;
    counts[k]!++;
  }
  return counts;
}
