// A tuning run's four plots as Vega-Lite specs: pure functions of the TuningResult, every value
// inlined as a named dataset, so a spec is the whole chart (stored beside the SVG, re-renderable).
import type { TopLevelSpec } from 'vega-lite';
import type { TuningResult } from '../tuning-result.js';
import { axisTicks, bestSoFar, formatNumber, jitter, metricLabel, modelTypes, parallelCoordinates, splitTrials } from './plot-data.js';

export const TUNING_PLOT_NAMES = ['optimization-history', 'parallel-coordinates', 'parameter-importance', 'model-types'] as const;
export type TuningPlotName = (typeof TUNING_PLOT_NAMES)[number];

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';
const WIDTH = 640;
/** Shown in the importance plot while `parameterImportance` is empty. */
export const IMPORTANCE_PLACEHOLDER = ['Not computed yet: too few trials so far.', 'Parameter importance comes when the run ends.'];

const CONFIG = {
  background: 'white',
  font: 'Helvetica, Arial, sans-serif',
  title: { fontSize: 16, subtitleFontSize: 12, subtitleColor: '#555', anchor: 'start' as const, offset: 12 },
  // No label limit: without a canvas Vega over-estimates text widths and would cut names short.
  axis: { labelFontSize: 12, titleFontSize: 13, labelLimit: 0 },
  legend: { labelFontSize: 12, titleFontSize: 12 },
  view: { stroke: null },
};

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** Model types get the same colours in every plot. */
function modelTypeColor(result: TuningResult) {
  return { field: 'modelType', type: 'nominal' as const, title: 'model type', scale: { domain: modelTypes(result), scheme: 'tableau10' } };
}

/** Each succeeded trial's value by trial number, the best so far as a step line, failed trials as crosses on the worse edge. */
export function optimizationHistorySpec(result: TuningResult): TopLevelSpec {
  const { points, failed } = splitTrials(result);
  const height = 360;
  const minimize = result.metric.goal === 'MINIMIZE';
  const x = { field: 'trial', type: 'quantitative' as const, title: 'trial', axis: { tickMinStep: 1, format: 'd' } };
  const failedNote = failed.length === 0 ? 'no failed trials' : `${plural(failed.length, 'failed trial')} as × at the ${minimize ? 'top' : 'bottom'}`;
  return {
    $schema: SCHEMA,
    width: WIDTH,
    height,
    title: {
      text: `Optimization history: ${metricLabel(result.metric)}`,
      subtitle: `${plural(points.length, 'succeeded trial')} coloured by model type; line: best so far; ${failedNote}`,
    },
    datasets: { trials: points, best: bestSoFar(points, result.metric.goal), failed },
    layer: [
      {
        name: 'best_so_far',
        data: { name: 'best' },
        mark: { type: 'line', interpolate: 'step-after', color: '#444', strokeWidth: 2 },
        encoding: { x, y: { field: 'best', type: 'quantitative', title: metricLabel(result.metric), scale: { zero: false } } },
      },
      {
        name: 'trials',
        data: { name: 'trials' },
        mark: { type: 'point', filled: true, size: 64, opacity: 0.85 },
        encoding: { x, y: { field: 'value', type: 'quantitative', title: metricLabel(result.metric) }, color: modelTypeColor(result), description: { field: 'description' } },
      },
      {
        name: 'failed',
        data: { name: 'failed' },
        mark: { type: 'point', shape: 'cross', angle: 45, color: '#c0392b', size: 90, filled: true },
        encoding: { x, y: { value: minimize ? 0 : height }, description: { field: 'description' } },
      },
    ],
    config: CONFIG,
  };
}

/**
 * One line per succeeded trial across the study's parameters, each axis normalised to [0, 1] and
 * labelled with its real range; a parameter of another model type is null, which breaks the line.
 */
export function parallelCoordinatesSpec(result: TuningResult): TopLevelSpec {
  const { points, failed } = splitTrials(result);
  const { axes, rows } = parallelCoordinates(result, points);
  const minimize = result.metric.goal === 'MINIMIZE';
  return {
    $schema: SCHEMA,
    width: WIDTH,
    height: 320,
    title: {
      text: `Parallel coordinates: ${metricLabel(result.metric)}`,
      subtitle: `${plural(points.length, 'succeeded trial')}${failed.length ? ` (${failed.length} failed not shown)` : ''}; each axis spans its real min to max; darker is better`,
    },
    datasets: { lines: rows, axes: axes.map((a) => ({ parameter: a.parameter })), ticks: axes.flatMap(axisTicks) },
    encoding: {
      x: {
        field: 'parameter',
        type: 'nominal',
        title: null,
        scale: { type: 'point', domain: axes.map((a) => a.parameter), padding: 0.2 },
        // `xgboost__learning_rate` on two lines: model type, then parameter.
        axis: { labelAngle: 0, domain: false, ticks: false, labelExpr: "split(datum.label, '__')", labelFontSize: 11 },
      },
    },
    layer: [
      {
        data: { name: 'axes' },
        mark: { type: 'rule', color: '#aaa' },
        encoding: { y: { datum: 0, type: 'quantitative', axis: null }, y2: { datum: 1 } },
      },
      {
        name: 'lines',
        data: { name: 'lines' },
        mark: { type: 'line', strokeWidth: 1.5, opacity: 0.8, point: { size: 16, filled: true } },
        encoding: {
          y: { field: 'norm', type: 'quantitative', scale: { domain: [0, 1] }, axis: null },
          detail: { field: 'id', type: 'nominal' },
          order: { field: 'axis', type: 'quantitative' },
          // Viridis runs dark → light as values grow: reversed when maximising, so the best is always darkest.
          color: { field: 'value', type: 'quantitative', title: result.metric.id, scale: { scheme: 'viridis', reverse: !minimize } },
        },
      },
      {
        data: { name: 'ticks' },
        mark: { type: 'text', align: 'left', baseline: 'middle', dx: 5, fontSize: 11, color: '#333' },
        encoding: { y: { field: 'norm', type: 'quantitative', axis: null }, text: { field: 'label', type: 'nominal' } },
      },
    ],
    config: CONFIG,
  };
}

/** Horizontal bars of each parameter's share of the explained variation, largest first; a placeholder text while empty. */
export function parameterImportanceSpec(result: TuningResult): TopLevelSpec {
  const title = `Parameter importance: ${metricLabel(result.metric)}`;
  if (result.parameterImportance.length === 0) {
    return {
      $schema: SCHEMA,
      width: WIDTH,
      height: 120,
      title: { text: title, subtitle: 'not computed yet / too few trials' },
      data: { values: [{ text: IMPORTANCE_PLACEHOLDER }] },
      mark: { type: 'text', fontSize: 14, color: '#555', align: 'center', baseline: 'middle' },
      encoding: { text: { field: 'text', type: 'nominal' }, x: { value: WIDTH / 2 }, y: { value: 60 } },
      config: CONFIG,
    };
  }
  const bars = [...result.parameterImportance]
    .sort((a, b) => b.importance - a.importance || a.parameter.localeCompare(b.parameter))
    .map((p) => ({ ...p, label: `${(p.importance * 100).toFixed(1)}%` }));
  const y = { field: 'parameter', type: 'nominal' as const, title: null, sort: bars.map((b) => b.parameter) };
  return {
    $schema: SCHEMA,
    width: WIDTH,
    height: { step: 26 },
    title: { text: title, subtitle: `each parameter's share of the explained variation of ${result.metric.id}` },
    data: { values: bars },
    encoding: { y },
    layer: [
      {
        name: 'bars',
        mark: { type: 'bar', color: '#4c78a8' },
        encoding: { x: { field: 'importance', type: 'quantitative', title: 'importance', axis: { format: '.0%' }, scale: { domain: [0, 1] } } },
      },
      {
        mark: { type: 'text', align: 'left', dx: 4, fontSize: 12 },
        encoding: { x: { field: 'importance', type: 'quantitative' }, text: { field: 'label', type: 'nominal' } },
      },
    ],
    config: CONFIG,
  };
}

/** Each succeeded trial's value per model type as a strip, with the type's best (from `bestPerModelType`) ringed and labelled. */
export function modelTypesSpec(result: TuningResult): TopLevelSpec {
  const { points, failed } = splitTrials(result);
  const perType = new Map<string, number>();
  const strip = points.map((p) => {
    const index = perType.get(p.modelType) ?? 0;
    perType.set(p.modelType, index + 1);
    return { ...p, jitter: jitter(index) };
  });
  const best = Object.entries(result.bestPerModelType).flatMap(([modelType, id]) => {
    const p = strip.find((s) => s.id === id && s.modelType === modelType);
    return p ? [{ ...p, label: `best: #${p.id} = ${formatNumber(p.value)}`, description: `best of ${modelType}: ${p.description}` }] : [];
  });
  const label = metricLabel(result.metric);
  const x = { field: 'modelType', type: 'nominal' as const, title: 'model type', scale: { domain: modelTypes(result) }, axis: { labelAngle: 0 } };
  const xOffset = { field: 'jitter', type: 'quantitative' as const, scale: { domain: [-1, 1] } };
  return {
    $schema: SCHEMA,
    width: WIDTH,
    height: 360,
    title: {
      text: `Model types: ${label}`,
      subtitle: `each succeeded trial per model type; ◇ the type's best${failed.length ? `; ${plural(failed.length, 'failed trial')} not shown` : ''}`,
    },
    datasets: { trials: strip, best },
    layer: [
      {
        name: 'trials',
        data: { name: 'trials' },
        mark: { type: 'point', filled: true, size: 56, opacity: 0.8 },
        encoding: { x, xOffset, y: { field: 'value', type: 'quantitative', title: label, scale: { zero: false } }, color: { ...modelTypeColor(result), legend: null }, description: { field: 'description' } },
      },
      {
        name: 'best',
        data: { name: 'best' },
        mark: { type: 'point', shape: 'diamond', size: 260, strokeWidth: 2, color: '#111', filled: false },
        encoding: { x, xOffset, y: { field: 'value', type: 'quantitative', title: label }, description: { field: 'description' } },
      },
      {
        data: { name: 'best' },
        mark: { type: 'text', align: 'left', dx: 12, fontSize: 12, fontWeight: 'bold' },
        encoding: { x, xOffset, y: { field: 'value', type: 'quantitative', title: label }, text: { field: 'label', type: 'nominal' } },
      },
    ],
    config: CONFIG,
  };
}

const BUILDERS: Record<TuningPlotName, (result: TuningResult) => TopLevelSpec> = {
  'optimization-history': optimizationHistorySpec,
  'parallel-coordinates': parallelCoordinatesSpec,
  'parameter-importance': parameterImportanceSpec,
  'model-types': modelTypesSpec,
};

/** All four specs, in TUNING_PLOT_NAMES order. */
export function tuningPlotSpecs(result: TuningResult): { name: TuningPlotName; spec: TopLevelSpec }[] {
  return TUNING_PLOT_NAMES.map((name) => ({ name, spec: BUILDERS[name](result) }));
}
