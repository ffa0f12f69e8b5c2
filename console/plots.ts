// The console's own charts as Vega-Lite specs, rendered to SVG on the server (headless Vega, as
// control-plane/tuning/plots does), so pages and the static report carry them inline.
import type { TopLevelSpec } from 'vega-lite';

const CONFIG = {
  background: 'white',
  font: 'Helvetica, Arial, sans-serif',
  title: { fontSize: 14, anchor: 'start' as const },
  axis: { labelFontSize: 11, titleFontSize: 12, labelLimit: 0 },
  view: { stroke: null },
};

export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const [vega, vegaLite] = await Promise.all([import('vega'), import('vega-lite')]);
  const view = new vega.View(vega.parse(vegaLite.compile(spec).spec), { renderer: 'none', logLevel: vega.Error });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** One feature's drift score over time (a line per version), with its threshold as a dashed rule. */
export function driftSpec(feature: string, metric: string, points: readonly { at: string; value: number; version: string }[], threshold?: number): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width: 520,
    height: 180,
    title: `${feature} (${metric})`,
    config: CONFIG,
    layer: [
      {
        data: { values: points.map((p) => ({ ...p })) },
        mark: { type: 'line', point: true },
        encoding: {
          x: { field: 'at', type: 'temporal', title: 'checked at' },
          y: { field: 'value', type: 'quantitative', title: metric },
          color: { field: 'version', type: 'nominal', title: 'version' },
        },
      },
      ...(threshold === undefined
        ? []
        : [
            {
              data: { values: [{ threshold }] },
              mark: { type: 'rule' as const, color: '#c0392b', strokeDash: [6, 4] },
              encoding: { y: { field: 'threshold', type: 'quantitative' as const } },
            },
          ]),
    ],
  };
}

/** A metric across experiment runs as bars, the best run's bar darker. */
export function runMetricSpec(metric: string, rows: readonly { run: string; value: number; best: boolean }[]): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width: 520,
    height: Math.max(60, 24 * rows.length),
    title: `${metric} by run`,
    config: CONFIG,
    data: { values: rows.map((r) => ({ ...r })) },
    mark: 'bar',
    encoding: {
      y: { field: 'run', type: 'nominal', sort: null, title: 'run' },
      x: { field: 'value', type: 'quantitative', title: metric },
      color: { field: 'best', type: 'nominal', scale: { domain: [false, true], range: ['#9db4d0', '#1f3a5f'] }, legend: null },
    },
  };
}

/** The canary's share of traffic over time, as a step line (each step's start, then the end state). */
export function trafficSpec(points: readonly { at: string; canaryPercent: number }[]): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width: 520,
    height: 140,
    title: 'canary traffic',
    config: CONFIG,
    data: { values: points.map((p) => ({ ...p })) },
    mark: { type: 'line', interpolate: 'step-after', point: true },
    encoding: {
      x: { field: 'at', type: 'temporal', title: 'time' },
      y: { field: 'canaryPercent', type: 'quantitative', title: 'canary %', scale: { domain: [0, 100] } },
    },
  };
}
