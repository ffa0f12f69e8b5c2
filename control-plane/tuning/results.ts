// A finished tuning run's results in Cloud Storage, beside its pipeline's artifacts:
// gs://<pipelineBucket>/tuning-runs/<id>/results.json (the TuningResult) and, per plot,
// plots/<name>.svg and plots/<name>.vl.json (its Vega-Lite spec). Objects are overwritten whole, so
// a redelivery writes the same files again. The plots are rendered with Vega, loaded only here.
import { isTransient } from '../errors.js';
import type { ControlPlaneContext } from '../runtime/context.js';
import type { TuningRunRecord } from '../state/tuning-runs.js';
import type { TuningPlot } from './plots/render-plots.js';
import type { TuningResult } from './tuning-result.js';

/** The folder of a run's results. */
export function resultsFolder(runId: string): string {
  return `tuning-runs/${runId}`;
}

export async function writeTuningResults(ctx: ControlPlaneContext, run: TuningRunRecord, result: TuningResult): Promise<NonNullable<TuningRunRecord['results']>> {
  const bucketName = ctx.settings.pipelineBucket;
  const folder = resultsFolder(run.id);
  const bucket = (await ctx.clients.storage()).bucket(bucketName);
  const save = (path: string, text: string, contentType: string) => bucket.file(path).save(text, { contentType, resumable: false });
  await save(`${folder}/results.json`, `${JSON.stringify(result, null, 2)}\n`, 'application/json');

  let rendered: TuningPlot[];
  try {
    const { renderTuningPlots } = await import('./plots/render-plots.js');
    rendered = await renderTuningPlots(result);
  } catch (err) {
    // The plots illustrate the result; a result Vega cannot draw still records and trains its best trial.
    if (isTransient(err)) throw err;
    return { uri: `gs://${bucketName}/${folder}/results.json`, plots: [], plotsError: String((err as Error)?.message ?? err).slice(0, 2000) };
  }
  const plots = await Promise.all(rendered.map(async (plot) => {
    const svg = `${folder}/plots/${plot.name}.svg`;
    const spec = `${folder}/plots/${plot.name}.vl.json`;
    await Promise.all([save(svg, plot.svg, 'image/svg+xml'), save(spec, `${JSON.stringify(plot.spec, null, 2)}\n`, 'application/json')]);
    return { name: plot.name, title: plot.title, svg: `gs://${bucketName}/${svg}`, spec: `gs://${bucketName}/${spec}` };
  }));
  return { uri: `gs://${bucketName}/${folder}/results.json`, plots };
}
