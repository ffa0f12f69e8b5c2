// The local Vizier's designer through its TypeScript driver: the Python worker's GP-bandit
// suggestions (centre first, kinds/scales/conditionals respected, direction, batches, pending and
// infeasible trials, seeding), decay-curve stopping, and recovery from a killed worker.
import { spawnSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import type { Goal, ParameterSpec, ParameterValue } from '../../../emulators/vertex/hyperparameter-tuning-jobs/study-spec.js';
import type { Assignment } from '../../../emulators/vertex/hyperparameter-tuning-jobs/suggestions.js';
import { mulberry32 } from '../../../emulators/vertex/hyperparameter-tuning-jobs/suggestions.js';
import type { SuggestInput, TrialParameters } from '../../../emulators/vertex/vizier/designer.js';
import { DESIGNER_PYTHON_DIR, startDesignerProcess } from '../../../emulators/vertex/vizier/designer-process.js';

const designer = startDesignerProcess();
afterAll(() => designer.close());

const double = (id: string, min: number, max: number, scale: ParameterSpec['scale'] = 'UNIT_LINEAR_SCALE'): ParameterSpec => ({
  id,
  kind: 'double',
  min,
  max,
  values: [],
  scale,
  children: [],
});
const integer = (id: string, min: number, max: number, scale: ParameterSpec['scale'] = 'UNIT_LINEAR_SCALE'): ParameterSpec => ({
  id,
  kind: 'integer',
  min,
  max,
  values: [],
  scale,
  children: [],
});
const discrete = (id: string, values: number[], scale: ParameterSpec['scale'] = 'UNIT_LINEAR_SCALE'): ParameterSpec => ({
  id,
  kind: 'discrete',
  min: values[0]!,
  max: values[values.length - 1]!,
  values,
  scale,
  children: [],
});
const categorical = (id: string, values: string[], children: ParameterSpec['children'] = []): ParameterSpec => ({
  id,
  kind: 'categorical',
  min: 0,
  max: 0,
  values,
  scale: 'UNIT_LINEAR_SCALE',
  children,
});

// model_type "a": a double and an integer; "b": a log-scale double, a reverse-log double and a
// discrete, and under b's optimizer "sgd" a nested momentum.
const MIXED: ParameterSpec[] = [
  categorical('model_type', ['a', 'b'], [
    { spec: double('alpha', -1, 1), parentValues: ['a'] },
    { spec: integer('depth', 1, 12), parentValues: ['a'] },
    { spec: double('lr', 1e-5, 1, 'UNIT_LOG_SCALE'), parentValues: ['b'] },
    { spec: double('beta', 0.9, 0.9999, 'UNIT_REVERSE_LOG_SCALE'), parentValues: ['b'] },
    { spec: discrete('batch', [16, 32, 64, 128, 256], 'UNIT_LOG_SCALE'), parentValues: ['b'] },
    {
      spec: categorical('optimizer', ['adam', 'sgd'], [{ spec: double('momentum', 0, 0.99), parentValues: ['sgd'] }]),
      parentValues: ['b'],
    },
  ]),
  integer('units', 8, 512, 'UNIT_LOG_SCALE'),
];

const record = (a: readonly Assignment[]): Record<string, ParameterValue> => Object.fromEntries(a.map((x) => [x.parameterId, x.value]));

const input = (parameters: ParameterSpec[], over: Partial<SuggestInput> = {}): SuggestInput => ({
  parameters,
  goal: 'MAXIMIZE',
  completed: [],
  infeasible: [],
  pending: [],
  count: 1,
  seed: 1,
  ...over,
});

/** Every active parameter once, of its kind and in range, children exactly under their parent's values. */
function expectValid(specs: readonly ParameterSpec[], a: readonly Assignment[]): void {
  const values = record(a);
  const active: string[] = [];
  const visit = (spec: ParameterSpec) => {
    active.push(spec.id);
    const v = values[spec.id];
    if (spec.kind === 'categorical') expect(spec.values).toContain(v);
    else if (spec.kind === 'discrete') expect(spec.values).toContain(v);
    else {
      expect(typeof v).toBe('number');
      expect(v as number).toBeGreaterThanOrEqual(spec.min);
      expect(v as number).toBeLessThanOrEqual(spec.max);
      if (spec.kind === 'integer') expect(Number.isInteger(v)).toBe(true);
    }
    for (const c of spec.children) if (c.parentValues.includes(v!)) visit(c.spec);
  };
  specs.forEach(visit);
  expect(Object.keys(values).sort()).toEqual(active.sort());
}

/** Runs `n` sequential trials of the designer on `f`. */
async function optimise(parameters: ParameterSpec[], goal: Goal, f: (p: TrialParameters) => number, n: number, seed: number) {
  const completed: { parameters: TrialParameters; value: number }[] = [];
  for (let i = 0; i < n; i++) {
    const [a] = await designer.suggest(input(parameters, { goal, completed, seed: seed + i }));
    const p = record(a!);
    completed.push({ parameters: p, value: f(p) });
  }
  return completed;
}

describe('suggest', () => {
  it('starts at the centre of the scaled space', async () => {
    const [first] = await designer.suggest(input(MIXED));
    const v = record(first!);
    // Categorical: the first value; integer on a log scale: the geometric middle (sqrt(8·512) = 64).
    expect(v.model_type).toBe('a');
    expect(v.alpha).toBeCloseTo(0, 9);
    expect(v.depth === 6 || v.depth === 7).toBe(true);
    expect(v.units).toBe(64);
    const [logCentre] = await designer.suggest(input([double('lr', 1e-4, 1, 'UNIT_LOG_SCALE'), discrete('batch', [16, 32, 64, 128, 256], 'UNIT_LOG_SCALE')]));
    expect(record(logCentre!).lr).toBeCloseTo(1e-2, 9);
    expect(record(logCentre!).batch).toBe(64);
  });

  it('respects kinds, bounds and conditional children, in both branches', async () => {
    const completed: { parameters: TrialParameters; value: number }[] = [];
    const random = mulberry32(7);
    const seen = new Set<ParameterValue>();
    for (let i = 0; i < 12; i++) {
      const batch = await designer.suggest(input(MIXED, { completed, count: 2, seed: i }));
      for (const a of batch) {
        expectValid(MIXED, a);
        const p = record(a);
        seen.add(p.model_type!);
        if (p.optimizer !== undefined) seen.add(p.optimizer);
        completed.push({ parameters: p, value: random() });
      }
    }
    expect([...seen].sort()).toEqual(['a', 'adam', 'b', 'sgd']);
  });

  it('goes towards the optimum for MINIMIZE and MAXIMIZE, better than random search', async () => {
    const space = [double('x', -5, 5), double('y', -5, 5)];
    const dist2 = (p: TrialParameters) => ((p.x as number) - 1.3) ** 2 + ((p.y as number) + 2.1) ** 2;
    // Random search's median best distance² over 15 trials (fixed seeds).
    const randomBests: number[] = [];
    for (let s = 0; s < 21; s++) {
      const r = mulberry32(s + 100);
      let best = Infinity;
      for (let i = 0; i < 15; i++) best = Math.min(best, dist2({ x: -5 + 10 * r(), y: -5 + 10 * r() }));
      randomBests.push(best);
    }
    const randomMedian = randomBests.sort((a, b) => a - b)[10]!;
    const min = await optimise(space, 'MINIMIZE', dist2, 15, 3);
    const max = await optimise(space, 'MAXIMIZE', (p) => -dist2(p), 15, 3);
    const bestMin = Math.min(...min.map((t) => dist2(t.parameters)));
    const bestMax = Math.min(...max.map((t) => dist2(t.parameters)));
    expect(bestMin).toBeLessThan(randomMedian / 10);
    expect(bestMax).toBeLessThan(randomMedian / 10);
  });

  it('gives distinct points within a batch and away from pending trials', async () => {
    const space = [double('x', 0, 1), double('y', 0, 1)];
    const f = (p: TrialParameters) => -(((p.x as number) - 0.3) ** 2) - ((p.y as number) - 0.6) ** 2;
    const completed = await optimise(space, 'MAXIMIZE', f, 8, 11);
    const pending = (await designer.suggest(input(space, { completed, count: 2, seed: 5 }))).map((a) => ({ parameters: record(a) }));
    const batch = (await designer.suggest(input(space, { completed, pending, count: 4, seed: 5 }))).map(record);
    const all = [...completed.map((t) => t.parameters), ...pending.map((t) => t.parameters), ...batch];
    for (let i = 0; i < all.length; i++) {
      for (let j = i + 1; j < all.length; j++) {
        const d = Math.hypot((all[i]!.x as number) - (all[j]!.x as number), (all[i]!.y as number) - (all[j]!.y as number));
        expect(d, `trials ${i} and ${j}`).toBeGreaterThan(1e-3);
      }
    }
    // The batch's suggestions are not the lone suggestion repeated: kriging believer spreads them.
    expect(new Set(batch.map((p) => `${p.x},${p.y}`)).size).toBe(4);
  });

  it('does not repeat a finite space until it is exhausted', async () => {
    const space = [categorical('c', ['p', 'q', 'r']), integer('k', 1, 2)];
    const completed: { parameters: TrialParameters; value: number }[] = [];
    const keys: string[] = [];
    for (let i = 0; i < 7; i++) {
      const [a] = await designer.suggest(input(space, { completed, seed: i }));
      const p = record(a!);
      keys.push(`${p.c}${p.k}`);
      completed.push({ parameters: p, value: p.k as number });
    }
    expect(new Set(keys.slice(0, 6)).size).toBe(6);
    expectValid(space, [{ parameterId: 'c', value: keys[6]![0]!, kind: 'categorical' }, { parameterId: 'k', value: Number(keys[6]![1]), kind: 'integer' }]);
  });

  it('steers away from infeasible trials', async () => {
    // Everything with x > 0.5 fails; the objective would otherwise pull towards x = 1.
    const space = [double('x', 0, 1), double('y', 0, 1)];
    const completed: { parameters: TrialParameters; value: number }[] = [];
    const infeasible: { parameters: TrialParameters }[] = [];
    for (let i = 0; i < 20; i++) {
      const [a] = await designer.suggest(input(space, { completed, infeasible, seed: i }));
      const p = record(a!);
      if ((p.x as number) > 0.5) infeasible.push({ parameters: p });
      else completed.push({ parameters: p, value: (p.x as number) - ((p.y as number) - 0.5) ** 2 });
    }
    // After the initial design, most suggestions land in the feasible half, near its best edge.
    expect(infeasible.length).toBeLessThan(8);
    const best = Math.max(...completed.map((t) => t.value));
    expect(best).toBeGreaterThan(0.45);
  });

  it('gives the same suggestions for the same input and seed', async () => {
    const space = [double('x', 0, 1), integer('n', 1, 50), categorical('c', ['u', 'v', 'w'])];
    const random = mulberry32(3);
    const completed = Array.from({ length: 10 }, () => ({
      parameters: { x: random(), n: 1 + Math.floor(random() * 50), c: ['u', 'v', 'w'][Math.floor(random() * 3)]! },
      value: random(),
    }));
    const a = await designer.suggest(input(space, { completed, count: 3, seed: 42 }));
    const b = await designer.suggest(input(space, { completed, count: 3, seed: 42 }));
    expect(b).toEqual(a);
    a.forEach((s) => expectValid(space, s));
  });
});

describe('the search portfolio', () => {
  // Which search (global EI, trust region, exploration) each of four consecutive steps takes,
  // after the completed values `y` (maximised) of a 6-D study.
  const modes = (y: number[]) => {
    const script = `import json, sys\nimport numpy as np\nfrom local_vizier.gp_bandit import _mode\ny = np.array(json.loads(sys.stdin.read()))\nprint(json.dumps([_mode(len(y) + i, y, 6) for i in range(4)]))`;
    const run = spawnSync('/usr/bin/python3', ['-c', script], {
      input: JSON.stringify(y),
      encoding: 'utf8',
      env: { ...process.env, PYTHONPATH: DESIGNER_PYTHON_DIR, OMP_NUM_THREADS: '1' },
      timeout: 60_000,
    });
    expect(run.status).toBe(0);
    return JSON.parse(run.stdout) as string[];
  };
  const range = (n: number) => Array.from({ length: n }, (_, i) => i);

  it('climbs while the incumbent improves, explores once it is stale, rotates otherwise', () => {
    const rotation = modes([...range(40).map((i) => Math.sin(i)), 0.5, 0.2, 0.1]);
    expect(new Set(rotation)).toEqual(new Set(['ei', 'explore', 'local']));
    // The last trial is a clear new best: every step searches its trust region.
    expect(modes([...range(40).map((i) => Math.sin(i)), 5])).toEqual(['local', 'local', 'local', 'local']);
    // A gain that is negligible against the spread of values does not count.
    expect(modes([...range(40).map((i) => Math.sin(i) / 2), 1, 1 + 1e-6])).not.toEqual(['local', 'local', 'local', 'local']);
    // The best trial 15 trials back: no trust-region step.
    const stale = modes([...range(25).map((i) => Math.sin(i)), 5, ...range(15).map((i) => Math.cos(i))]);
    expect(stale).not.toContain('local');
    expect(stale).toContain('ei');
    // Too few trials for the rule: the plain rotation, even with a new best.
    expect(new Set(modes([...range(10), 50]))).toEqual(new Set(['ei', 'explore', 'local']));
  });
});

describe('decayCurveStop', () => {
  // Learning curves rising to `final` (accuracy-like, MAXIMIZE).
  const curve = (final: number, steps = 10) => Array.from({ length: steps }, (_, i) => ({ step: i + 1, value: final * (1 - Math.exp(-(i + 1) / 3)) }));
  const completed = [curve(0.7), curve(0.8), curve(0.85), curve(0.9)];

  it('stops a clearly bad curve and keeps a promising one', async () => {
    const bad = await designer.decayCurveStop({ goal: 'MAXIMIZE', running: curve(0.3).slice(0, 4), completed });
    expect(bad.stop).toBe(true);
    expect(bad.probabilityOfImprovement!).toBeLessThan(0.05);
    expect(bad.bestCompleted).toBeCloseTo(0.9 * (1 - Math.exp(-10 / 3)), 6);
    expect(bad.reason).toMatch(/P\(final better than best/);
    const good = await designer.decayCurveStop({ goal: 'MAXIMIZE', running: curve(0.95).slice(0, 4), completed });
    expect(good.stop).toBe(false);
    expect(good.predictedFinal!).toBeGreaterThan(bad.predictedFinal!);
  });

  it('follows the goal: a loss curve far above the others stops under MINIMIZE', async () => {
    const loss = (final: number) => Array.from({ length: 10 }, (_, i) => ({ step: i + 1, value: final + 2 * Math.exp(-(i + 1) / 3) }));
    const verdict = await designer.decayCurveStop({ goal: 'MINIMIZE', running: loss(1.5).slice(0, 5), completed: [loss(0.2), loss(0.3), loss(0.4)] });
    expect(verdict.stop).toBe(true);
    const fine = await designer.decayCurveStop({ goal: 'MINIMIZE', running: loss(0.1).slice(0, 5), completed: [loss(0.2), loss(0.3), loss(0.4)] });
    expect(fine.stop).toBe(false);
  });

  it('never stops with fewer than 3 completed trials reaching the step', async () => {
    const verdict = await designer.decayCurveStop({ goal: 'MAXIMIZE', running: curve(0.1).slice(0, 4), completed: completed.slice(0, 2) });
    expect(verdict.stop).toBe(false);
    expect(verdict.reason).toMatch(/3 completed trials/);
    // Completed curves that end before the running trial's step do not count either.
    const short = await designer.decayCurveStop({ goal: 'MAXIMIZE', running: curve(0.1, 10), completed: completed.map((c) => c.slice(0, 5)) });
    expect(short.stop).toBe(false);
  });
});

describe('the worker process', () => {
  it('fails the pending calls when it dies and restarts on the next call', async () => {
    const d = startDesignerProcess();
    try {
      const space = [double('x', 0, 1)];
      await d.suggest(input(space));
      const pid = d.pid!;
      expect(pid).toBeGreaterThan(0);
      const waiting = d.suggest(input(space, { completed: [{ parameters: { x: 0.5 }, value: 1 }] }));
      process.kill(pid, 'SIGKILL');
      await expect(waiting).rejects.toThrow(/worker was killed by SIGKILL before answering suggest/);
      const [again] = await d.suggest(input(space));
      expect(record(again!).x).toBeCloseTo(0.5, 9);
      expect(d.pid).not.toBe(pid);
    } finally {
      await d.close();
    }
    expect(d.pid).toBeUndefined();
  });

  it('reports a worker that cannot start', async () => {
    const d = startDesignerProcess({ python: '/nonexistent/python3' });
    await expect(d.suggest(input([double('x', 0, 1)]))).rejects.toThrow(/could not run/);
    await d.close();
  });

  // The driver clamps magnitudes to 1e100; the worker must survive what still overflows
  // (e.g. ±1e308 from another client), answering each line.
  const worker = (lines: unknown[], setup = '') => {
    const script = `import json, sys\nfrom local_vizier import worker\n${setup}\nfor line in sys.stdin:\n    print(worker.handle(line))`;
    const run = spawnSync('/usr/bin/python3', ['-c', script], {
      input: lines.map((l) => JSON.stringify(l)).join('\n') + '\n',
      encoding: 'utf8',
      env: { ...process.env, PYTHONPATH: DESIGNER_PYTHON_DIR, OMP_NUM_THREADS: '1' },
      timeout: 60_000,
    });
    expect(run.status).toBe(0);
    return run.stdout.trim().split('\n').map((l) => JSON.parse(l) as { id: unknown; result?: unknown; error?: string });
  };

  it('answers an error, not dies, when a result is not JSON (NaN, infinity)', () => {
    const answers = worker(
      [{ id: 1, method: 'nan', params: {} }, { id: 2, method: 'ping' }],
      "worker.METHODS['nan'] = lambda params: {'value': float('nan')}",
    );
    expect(answers[0]!.id).toBe(1);
    expect(answers[0]!.error).toMatch(/ValueError.*not JSON compliant/);
    expect(answers[1]).toEqual({ id: 2, result: 'pong' });
  });

  it('does not stop a trial whose decay-curve prediction overflows, and says why', () => {
    const c = (a: number, b: number) => [{ step: 1, value: a }, { step: 2, value: b }];
    const params = { goal: 'MAXIMIZE', running: c(1e308, 1e308), completed: [c(-1e308, 1e308), c(1e308, -1e308), c(1e307, 1e308)] };
    const [verdict, after] = worker([{ id: 7, method: 'decayCurveStop', params }, { id: 8, method: 'ping' }]);
    expect(verdict!.id).toBe(7);
    const result = verdict!.result as { stop: boolean; reason: string };
    expect(result.stop).toBe(false);
    expect(result.reason).toMatch(/not finite/);
    expect(after).toEqual({ id: 8, result: 'pong' });
  });

  it('answers concurrent calls, each its own', async () => {
    const spaces = [[double('x', 0, 1)], [double('x', 10, 20)], [integer('n', 3, 3)]];
    const results = await Promise.all(spaces.map((s) => designer.suggest(input(s))));
    expect(results.map(([a]) => record(a!))).toEqual([{ x: 0.5 }, { x: 15 }, { n: 3 }]);
  });
});
