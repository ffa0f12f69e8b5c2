// The tuning plots: specs computed from the result (best so far, normalisation, best per type) and
// the SVG Vega draws from them (one mark per trial, the placeholder, the same bytes every time).
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { IMPORTANCE_PLACEHOLDER, optimizationHistorySpec, parallelCoordinatesSpec, TUNING_PLOT_NAMES } from '../../../control-plane/tuning/plots/plot-specs.js';
import { renderTuningPlots, type TuningPlot } from '../../../control-plane/tuning/plots/render-plots.js';
import type { TuningResult, TuningTrial } from '../../../control-plane/tuning/tuning-result.js';

type Goal = TuningResult['metric']['goal'];

/** Two model types alternating over 12 trials, trial 4 infeasible; values from a fixed pseudo-random walk. */
function syntheticResult(goal: Goal, importance: TuningResult['parameterImportance'] = []): TuningResult {
  let seed = 7;
  const next = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
  const trials: TuningTrial[] = Array.from({ length: 12 }, (_, i) => {
    const id = String(i + 1);
    const xgb = i % 2 === 0;
    const modelType = xgb ? 'xgboost' : 'random_forest';
    const hyperparameters: TuningTrial['hyperparameters'] = xgb
      ? { learning_rate: Math.round(next() * 300) / 1000 + 0.01, max_depth: 3 + Math.floor(next() * 6), booster: next() < 0.5 ? 'gbtree' : 'dart' }
      : { n_estimators: 50 + Math.floor(next() * 400), min_samples_leaf: 1 + Math.floor(next() * 4) };
    if (id === '4') return { id, state: 'INFEASIBLE', modelType, hyperparameters, infeasibleReason: 'out of memory' };
    return { id, state: 'SUCCEEDED', modelType, hyperparameters, value: Math.round((25 + next() * 10) * 100) / 100 };
  });
  const succeeded = trials.filter((t) => t.value !== undefined);
  const better = (a: TuningTrial, b: TuningTrial) => (goal === 'MINIMIZE' ? a.value! < b.value! : a.value! > b.value!);
  const bestPerModelType: Record<string, string> = {};
  for (const t of succeeded) {
    const current = succeeded.find((s) => s.id === bestPerModelType[t.modelType]);
    if (!current || better(t, current)) bestPerModelType[t.modelType] = t.id;
  }
  const bestTrialId = succeeded.reduce((a, b) => (better(b, a) ? b : a)).id;
  return { job: 'projects/p/locations/us-central1/hyperparameterTuningJobs/42', metric: { id: 'rmse', goal }, trials, bestTrialId, bestPerModelType, parameterImportance: importance };
}

const IMPORTANCE = [
  { parameter: 'xgboost__learning_rate', importance: 0.25 },
  { parameter: 'model_type', importance: 0.6 },
  { parameter: 'random_forest__n_estimators', importance: 0.15 },
];

/** The elements of one mark group (`<g class="mark-symbol role-mark trials_marks">`): Vega names it after the layer. */
function markItems(svg: string, markName: string): string[] {
  const group = new RegExp(`<g class="mark-[a-z]+ role-mark ${markName}_marks"[^>]*>(.*?)</g>`, 's').exec(svg);
  if (!group) return [];
  return [...group[1]!.matchAll(/<(path|text|line|rect)\b[^>]*>/g)].map((m) => m[0]);
}

const ariaLabel = (element: string) => /aria-label="([^"]*)"/.exec(element)?.[1] ?? '';

/** Well-formed enough to be SVG: one `<svg>` root, every element closed in order. */
function expectWellFormedSvg(svg: string): void {
  expect(svg.startsWith('<svg')).toBe(true);
  expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
  const stack: string[] = [];
  for (const [, closing, name, selfClosing] of svg.matchAll(/<(\/?)([a-zA-Z][\w:-]*)\b[^>]*?(\/?)>/g)) {
    if (closing) expect(stack.pop()).toBe(name);
    else if (!selfClosing) stack.push(name!);
  }
  expect(stack).toEqual([]);
}

function plot(plots: TuningPlot[], name: string): TuningPlot {
  const p = plots.find((q) => q.name === name);
  if (!p) throw new Error(`no plot ${name}`);
  return p;
}

function bestSoFarByHand(result: TuningResult): number[] {
  const out: number[] = [];
  for (const t of result.trials) {
    if (t.state !== 'SUCCEEDED' || t.value === undefined) continue;
    const last = out.at(-1);
    out.push(last === undefined ? t.value : result.metric.goal === 'MINIMIZE' ? Math.min(last, t.value) : Math.max(last, t.value));
  }
  return out;
}

type Datasets = Record<string, Record<string, unknown>[]>;
const datasets = (spec: object) => (spec as { datasets: Datasets }).datasets;

describe('renderTuningPlots', () => {
  const minimize = syntheticResult('MINIMIZE', IMPORTANCE);
  const succeeded = minimize.trials.filter((t) => t.state === 'SUCCEEDED');
  let plots: TuningPlot[];
  beforeAll(async () => {
    plots = await renderTuningPlots(minimize);
  });

  it('renders the four plots as well-formed SVG titled with the metric and its goal', () => {
    expect(plots.map((p) => p.name)).toEqual([...TUNING_PLOT_NAMES]);
    for (const p of plots) {
      expectWellFormedSvg(p.svg);
      expect(p.title).toContain('rmse (lower is better)');
      expect(p.svg).toContain(`>${p.title}</text>`);
    }
  });

  it('draws one history point per succeeded trial and one cross for the failed one', () => {
    const history = plot(plots, 'optimization-history').svg;
    const points = markItems(history, 'trials').map(ariaLabel);
    expect(points).toHaveLength(succeeded.length);
    expect(points).toEqual(succeeded.map((t) => `trial ${t.id} (${t.modelType}): rmse = ${t.value}`));
    expect(markItems(history, 'failed').map(ariaLabel)).toEqual(['trial 4 (random_forest): INFEASIBLE, out of memory']);
  });

  it("marks each model type's best trial at that type's best value", () => {
    const svg = plot(plots, 'model-types').svg;
    expect(markItems(svg, 'trials')).toHaveLength(succeeded.length);
    const markers = markItems(svg, 'best').map(ariaLabel).sort();
    const expected = ['random_forest', 'xgboost'].map((type) => {
      const best = Math.min(...succeeded.filter((t) => t.modelType === type).map((t) => t.value!));
      const trial = succeeded.find((t) => t.modelType === type && t.value === best)!;
      return `best of ${type}: trial ${trial.id} (${type}): rmse = ${best}`;
    });
    expect(markers).toEqual(expected);
  });

  it('draws one line per succeeded trial, broken where a parameter belongs to the other model type', () => {
    const svg = plot(plots, 'parallel-coordinates').svg;
    const lines = [...svg.matchAll(/<g class="mark-line role-mark lines_marks"[^>]*>(.*?)<\/g>/gs)].map((m) => /\bd="([^"]*)"/.exec(m[1]!)?.[1] ?? '');
    expect(lines).toHaveLength(succeeded.length);
    // xgboost's axes come right after model_type, so only random_forest lines jump a gap.
    const subpaths = lines.map((d) => d.split('M').length - 1).sort();
    const forests = succeeded.filter((t) => t.modelType === 'random_forest').length;
    expect(subpaths).toEqual([...Array<number>(succeeded.length - forests).fill(1), ...Array<number>(forests).fill(2)]);
  });

  it('draws importance bars largest first', () => {
    const svg = plot(plots, 'parameter-importance').svg;
    const bars = markItems(svg, 'bars').map(ariaLabel);
    const sorted = [...IMPORTANCE].sort((a, b) => b.importance - a.importance);
    expect(bars).toHaveLength(IMPORTANCE.length);
    sorted.forEach((p, i) => expect(bars[i]).toContain(p.parameter));
    expect(svg).not.toContain(IMPORTANCE_PLACEHOLDER[0]);
  });

  it('is deterministic: the same result renders the same SVG strings', async () => {
    const again = await renderTuningPlots(structuredClone(minimize));
    expect(again.map((p) => p.svg)).toEqual(plots.map((p) => p.svg));
  });

  it('renders the placeholder text while importance is empty, and the other plots regardless', async () => {
    const empty = await renderTuningPlots(syntheticResult('MAXIMIZE'));
    const importance = plot(empty, 'parameter-importance').svg;
    expectWellFormedSvg(importance);
    for (const line of IMPORTANCE_PLACEHOLDER) expect(importance).toContain(line);
    expect(importance.toLowerCase()).toContain('not computed yet');
    expect(plot(empty, 'model-types').title).toContain('rmse (higher is better)');
  });

  it('renders a run with no succeeded trial yet without failing', async () => {
    const none = syntheticResult('MINIMIZE');
    none.trials = none.trials.map((t) => ({ id: t.id, state: 'STOPPED', modelType: t.modelType, hyperparameters: t.hyperparameters }));
    none.bestPerModelType = {};
    delete none.bestTrialId;
    const rendered = await renderTuningPlots(none);
    for (const p of rendered) expectWellFormedSvg(p.svg);
    expect(markItems(plot(rendered, 'optimization-history').svg, 'failed')).toHaveLength(12);
  });
});

describe('plot specs', () => {
  it.each(['MINIMIZE', 'MAXIMIZE'] as const)('the history best so far is the running best when the goal is %s', (goal) => {
    const result = syntheticResult(goal);
    const best = datasets(optimizationHistorySpec(result)).best!;
    expect(best.map((r) => r.best)).toEqual(bestSoFarByHand(result));
    expect(best.map((r) => r.trial)).toEqual(result.trials.filter((t) => t.value !== undefined).map((t) => Number(t.id)));
  });

  it('the best so far differs between the goals, and only ever improves', () => {
    const down = datasets(optimizationHistorySpec(syntheticResult('MINIMIZE'))).best!.map((r) => r.best as number);
    const up = datasets(optimizationHistorySpec(syntheticResult('MAXIMIZE'))).best!.map((r) => r.best as number);
    expect(down).not.toEqual(up);
    down.slice(1).forEach((v, i) => expect(v).toBeLessThanOrEqual(down[i]!));
    up.slice(1).forEach((v, i) => expect(v).toBeGreaterThanOrEqual(up[i]!));
  });

  it('parallel coordinates map each numeric axis min to 0 and max to 1, and label the real range', () => {
    const result = syntheticResult('MINIMIZE');
    const data = datasets(parallelCoordinatesSpec(result));
    const succeeded = result.trials.filter((t) => t.value !== undefined);
    for (const [type, name] of [['xgboost', 'learning_rate'], ['xgboost', 'max_depth'], ['random_forest', 'n_estimators']] as const) {
      const parameter = `${type}__${name}`;
      const raw = succeeded.filter((t) => t.modelType === type).map((t) => ({ id: t.id, v: t.hyperparameters[name] as number }));
      const min = Math.min(...raw.map((r) => r.v));
      const max = Math.max(...raw.map((r) => r.v));
      const norm = (id: string) => data.lines!.find((r) => r.id === id && r.parameter === parameter)!.norm;
      for (const r of raw) expect(norm(r.id)).toBeCloseTo((r.v - min) / (max - min), 12);
      const atMin = raw.filter((r) => r.v === min).map((r) => norm(r.id));
      const atMax = raw.filter((r) => r.v === max).map((r) => norm(r.id));
      expect(min).toBeLessThan(max);
      expect(atMin).toEqual(atMin.map(() => 0));
      expect(atMax).toEqual(atMax.map(() => 1));
      const labels = data.ticks!.filter((t) => t.parameter === parameter);
      expect(labels.map((t) => t.norm)).toEqual([0, 1]);
      expect(Number(labels[0]!.label)).toBeCloseTo(min, 3);
      expect(Number(labels[1]!.label)).toBeCloseTo(max, 3);
    }
    // A parameter of the other model type is absent (null), not placed at 0.
    const forest = succeeded.find((t) => t.modelType === 'random_forest')!;
    expect(data.lines!.find((r) => r.id === forest.id && r.parameter === 'xgboost__learning_rate')!.norm).toBeNull();
    // Model type is an ordinal axis: each type at its own end.
    const typeNorms = new Set(data.lines!.filter((r) => r.parameter === 'model_type').map((r) => `${String(r.modelType)}:${String(r.norm)}`));
    expect([...typeNorms].sort()).toEqual(['random_forest:1', 'xgboost:0']);
  });

  it('render-plots.ts loads vega and vega-lite only when it renders', () => {
    const source = readFileSync(new URL('../../../control-plane/tuning/plots/render-plots.ts', import.meta.url), 'utf8');
    const staticImports = [...source.matchAll(/^import\s+(?!type\b)[^;]*from\s+'(vega[^']*)'/gm)].map((m) => m[1]);
    expect(staticImports).toEqual([]);
    expect(source).toMatch(/await Promise\.all\(\[import\('vega'\), import\('vega-lite'\)\]\)/);
  });
});
