// Which parameters each trial gets. GRID_SEARCH walks every combination in order (first parameter
// outermost; conditional parameters only under the parent values that enable them). RANDOM_SEARCH
// samples uniformly on the parameter's scale from a PRNG seeded by the job, so reruns repeat.
import type { ParameterSpec, ParameterValue } from './study-spec.js';

export interface Assignment {
  parameterId: string;
  value: ParameterValue;
  kind: ParameterSpec['kind'];
}

function enumerable(spec: ParameterSpec): ParameterValue[] {
  if (spec.kind === 'integer') {
    const out: number[] = [];
    for (let v = spec.min; v <= spec.max; v++) out.push(v);
    return out;
  }
  return spec.values;
}

function activeChildren(spec: ParameterSpec, value: ParameterValue): ParameterSpec[] {
  return spec.children.filter((c) => c.parentValues.some((p) => p === value)).map((c) => c.spec);
}

export function* gridSearch(specs: readonly ParameterSpec[]): Generator<Assignment[]> {
  const [first, ...rest] = specs;
  if (first === undefined) {
    yield [];
    return;
  }
  for (const value of enumerable(first)) {
    for (const children of gridSearch(activeChildren(first, value))) {
      for (const others of gridSearch(rest)) {
        yield [{ parameterId: first.id, value, kind: first.kind }, ...children, ...others];
      }
    }
  }
}

/** mulberry32: small, fast and good enough to spread trials; seeded so a run is reproducible. */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A 32-bit seed from a string (a job or study name), through a small string hash. */
export function hashSeed(seed: string): number {
  let h = 1779033703 ^ seed.length;
  for (let i = 0; i < seed.length; i++) {
    h = Math.imul(h ^ seed.charCodeAt(i), 3432918353);
    h = (h << 13) | (h >>> 19);
  }
  return h >>> 0;
}

function seededRandom(seed: string): () => number {
  return mulberry32(hashSeed(seed));
}

function sampleScaled(spec: ParameterSpec, random: () => number): number {
  const u = random();
  if (spec.scale === 'UNIT_LINEAR_SCALE' || spec.min === spec.max) return spec.min + u * (spec.max - spec.min);
  const logMin = Math.log(spec.min);
  const logMax = Math.log(spec.max);
  const logSample = Math.exp(logMin + u * (logMax - logMin));
  // Reverse log: dense near the maximum instead of the minimum.
  return spec.scale === 'UNIT_LOG_SCALE' ? logSample : spec.max + spec.min - logSample;
}

function sampleOne(spec: ParameterSpec, random: () => number): ParameterValue {
  switch (spec.kind) {
    case 'double':
      return sampleScaled(spec, random);
    case 'integer':
      if (spec.scale === 'UNIT_LINEAR_SCALE' || spec.min <= 0) return Math.min(spec.max, spec.min + Math.floor(random() * (spec.max - spec.min + 1)));
      return Math.min(spec.max, Math.max(spec.min, Math.round(sampleScaled(spec, random))));
    case 'categorical':
    case 'discrete':
      return spec.values[Math.min(spec.values.length - 1, Math.floor(random() * spec.values.length))]!;
  }
}

function randomAssignment(specs: readonly ParameterSpec[], random: () => number): Assignment[] {
  const out: Assignment[] = [];
  for (const spec of specs) {
    const value = sampleOne(spec, random);
    out.push({ parameterId: spec.id, value, kind: spec.kind });
    out.push(...randomAssignment(activeChildren(spec, value), random));
  }
  return out;
}

export function* randomSearch(specs: readonly ParameterSpec[], seed: string): Generator<Assignment[]> {
  const random = seededRandom(seed);
  for (;;) yield randomAssignment(specs, random);
}

/** `--lr=0.01`: integers as integers; doubles and discrete values as Python prints floats (`256.0`). */
export function formatArg(assignment: Assignment): string {
  const { value, kind } = assignment;
  if (typeof value === 'string') return `--${assignment.parameterId}=${value}`;
  if (kind === 'integer') return `--${assignment.parameterId}=${Math.round(value)}`;
  return `--${assignment.parameterId}=${Number.isInteger(value) ? `${value}.0` : String(value)}`;
}
