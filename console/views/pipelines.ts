// Pipeline runs (Vertex AI PipelineJobs labelled with the model) and one run: its task graph as SVG
// coloured by state, each task's state and times, and the errors Vertex reports for failed tasks.
import type { PipelineRun, PipelineRunList, PipelineTask } from '../google-sources.js';
import type { SafeHtml } from '../html.js';
import { badge, html, link, notAvailable, time, trusted } from '../html.js';
import type { Links, Sources } from '../sources.js';
import { taskGraph, taskGraphSvg } from './task-graph.js';

/** `PIPELINE_STATE_FAILED` → `FAILED`. */
export function shortState(state: string): string {
  return state.replace(/^(PIPELINE_STATE_|JOB_STATE_)/, '');
}

function duration(start?: string, end?: string): string {
  if (!start || !end) return '';
  const s = (Date.parse(end) - Date.parse(start)) / 1000;
  return Number.isFinite(s) ? (s < 120 ? `${s.toFixed(1)} s` : `${(s / 60).toFixed(1)} min`) : '';
}

export function pipelineRunsBody(model: string, list: PipelineRunList, links: Links): SafeHtml {
  const { runs } = list;
  const older = list.more ? html`<p class="na">The newest ${runs.length} pipeline runs; older runs not shown.</p>` : '';
  if (runs.length === 0) return list.more ? html`${older}` : html`<p class="na">No pipeline runs of ${model} yet.</p>`;
  return html`${older}<table class="pipeline-runs"><thead><tr><th>pipeline run</th><th>display name</th><th>state</th><th>created</th><th>duration</th><th>trigger</th></tr></thead><tbody>
${runs.map((r) => html`<tr><td>${link(links.pipelineRun(model, r.id), r.id)}</td><td>${r.displayName}</td><td>${badge(shortState(r.state))}</td><td>${time(r.createTime)}</td><td>${duration(r.startTime, r.endTime)}</td><td>${r.labels.trigger ?? ''}</td></tr>`)}
</tbody></table>`;
}

export async function loadPipelineRuns(sources: Sources, model: string): Promise<PipelineRunList | string> {
  const runs = await sources.google.listPipelineRuns(model);
  return runs.ok ? runs.value : runs.message;
}

/** PipelineJob `id` when it is labelled as `model`'s run; another's is "not found" here. */
export async function loadPipelineRun(sources: Sources, model: string, id: string): Promise<PipelineRun | string> {
  const run = await sources.google.getPipelineRun(id);
  if (!run.ok) return run.message;
  return run.value.labels.model === model ? run.value : `pipelineJobs/${id} not found for models/${model} (it is not labelled model=${model})`;
}

/** Task states by task name (the root task, the pipeline itself, is left out of the graph). */
function taskStates(tasks: readonly PipelineTask[]): Map<string, string> {
  return new Map(tasks.map((t) => [t.name, shortState(t.state)]));
}

export function pipelineRunBody(run: PipelineRun): SafeHtml {
  const graph = run.pipelineSpec === undefined ? undefined : taskGraph(run.pipelineSpec);
  const tasks = run.tasks.filter((t) => t.parentTaskId !== undefined);
  const failed = tasks.filter((t) => t.error || shortState(t.state) === 'FAILED');
  return html`<p>${badge(shortState(run.state))} <code>${run.name}</code> · created ${time(run.createTime)} · started ${time(run.startTime)} · ended ${time(run.endTime)}</p>
${run.error ? html`<p class="error">error: ${run.error}</p>` : ''}
<p>${Object.entries(run.labels).map(([k, v]) => html`<code>${k}=${v}</code> `)}</p>
<h2>Task graph</h2>
${graph ? html`<div class="plot graph">${trusted(taskGraphSvg(graph, taskStates(run.tasks)))}</div>` : notAvailable('The task graph', 'the job carries no pipelineSpec DAG')}
<h2>Tasks</h2>
${tasks.length === 0 ? html`<p class="na">No task has started yet.</p>` : html`<table class="tasks"><thead><tr><th>task</th><th>state</th><th>started</th><th>ended</th><th>duration</th><th>error</th></tr></thead><tbody>
${tasks.map((t) => html`<tr data-task="${t.name}" data-state="${shortState(t.state)}"><td>${t.name}</td><td>${badge(shortState(t.state))}</td><td>${time(t.startTime)}</td><td>${time(t.endTime)}</td><td>${duration(t.startTime, t.endTime)}</td><td>${t.error ?? ''}</td></tr>`)}
</tbody></table>`}
<h2>Logs</h2>
${failed.length ? failed.map((t) => html`<h3>${t.name}</h3><pre class="log">${t.error ?? '(no error message)'}</pre>`) : ''}
<p class="na">Task logs: in Google Cloud each task's container writes to Cloud Logging (Logs Explorer, resource <code>ml_job</code> of the task's CustomJob). The local Cloud Logging emulator serves CustomJob logs only, not pipeline tasks', so this page shows the errors Vertex reports in the job's taskDetails.</p>`;
}
