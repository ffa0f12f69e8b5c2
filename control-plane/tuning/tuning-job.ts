// The HyperparameterTuningJob of a tuning run: the tuning pipeline creates it with the run's labels
// (`tuning_job_labels`), so the control plane finds it by the `tuning_run` label, without reading
// the pipeline's task outputs (which exist only once the tune task has finished).
import { toLabelValue } from '../../vertex/shared/labels.js';
import type { ControlPlaneContext } from '../runtime/context.js';
import { vertexParent } from '../runtime/context.js';
import type { VertexTuningJob } from './trials.js';

/** The labels the tuning pipeline puts on the HyperparameterTuningJob it creates. */
export function tuningJobLabels(model: string, runId: string): Record<string, string> {
  return { tuning_run: toLabelValue(runId), model: toLabelValue(model) };
}

/** The run's HyperparameterTuningJob, or undefined before the pipeline created it. The newest, should a retried task have made two. */
export async function findTuningJob(ctx: ControlPlaneContext, runId: string): Promise<VertexTuningJob | undefined> {
  const jobs = await ctx.clients.jobs();
  const [found] = await jobs.listHyperparameterTuningJobs(
    { parent: vertexParent(ctx.settings), filter: `labels.tuning_run="${toLabelValue(runId)}"` },
    { autoPaginate: true },
  );
  const newest = [...found].sort((a, b) => Number(b.createTime?.seconds ?? 0) - Number(a.createTime?.seconds ?? 0))[0];
  return newest ?? undefined;
}
