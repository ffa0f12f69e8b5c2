// Renders a tuning run's plots to SVG in Node, without a browser or canvas: Vega-Lite compiles each
// spec to Vega, and a headless Vega view (renderer 'none') writes the SVG string.
import type { TopLevelSpec } from 'vega-lite';
import type { TuningResult } from '../tuning-result.js';
import { tuningPlotSpecs, type TuningPlotName } from './plot-specs.js';

export interface TuningPlot {
  /** File-name-like: `optimization-history`, `parallel-coordinates`, `parameter-importance`, `model-types`. */
  name: TuningPlotName;
  title: string;
  /** The Vega-Lite spec, data inlined. */
  spec: TopLevelSpec;
  svg: string;
}

function titleOf(spec: TopLevelSpec): string {
  const title = spec.title;
  if (typeof title === 'string') return title;
  if (title && typeof title === 'object' && !Array.isArray(title) && typeof title.text === 'string') return title.text;
  return '';
}

/** The four plots of a tuning run, in TUNING_PLOT_NAMES order; the same result gives the same SVG strings. */
export async function renderTuningPlots(result: TuningResult): Promise<TuningPlot[]> {
  // Imported here, not at the top: vega is heavy and the Cloud Functions that load this module
  // mostly never draw, so only a render pays for it.
  const [vega, vegaLite] = await Promise.all([import('vega'), import('vega-lite')]);
  const plots: TuningPlot[] = [];
  for (const { name, spec } of tuningPlotSpecs(result)) {
    const view = new vega.View(vega.parse(vegaLite.compile(spec).spec), { renderer: 'none', logLevel: vega.Error });
    try {
      plots.push({ name, title: titleOf(spec), spec, svg: await view.toSVG() });
    } finally {
      view.finalize();
    }
  }
  return plots;
}
