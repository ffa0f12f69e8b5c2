// What Vertex AI Pipelines writes to ML Metadata while a PipelineJob runs, written from the
// engine's PipelineJobDetail snapshots into the `default` store (created on first use): the
// `system.Pipeline` context (one per pipeline name) parent of the `system.PipelineRun` context
// (the job id); an execution per task, its state following the task; each task's input and output
// artifacts with INPUT/OUTPUT events; every execution and artifact added to the run context.
// Snapshots are whole, so writing one is idempotent; for one job they apply in order and only the
// newest waiting one is written. A write that fails is logged and the job goes on: its result
// (state, jobDetail) never depends on the metadata.
import { emulatorLog } from '../../kit/log.js';
import { errorMessage } from '../api/errors.js';
import type { JsonObject } from '../api/wire-json.js';
import type { ArtifactDetail, PipelineJobDetail, PipelineTaskDetail } from '../pipeline-engine/types.js';
import type { NewEvent } from './graph.js';
import type { MetadataService } from './index.js';
import type { MetadataKind } from './kinds.js';
import type { StoredNode } from './state.js';

interface JobQueue {
  /** The newest snapshot not written yet. */
  waiting: PipelineJobDetail | undefined;
  running: Promise<void>;
}

export class PipelineLineage {
  private readonly queues = new Map<string, JobQueue>();

  constructor(private readonly metadata: MetadataService) {}

  /** Writes the snapshot (or a newer one) of job `job`; resolves when written, never rejects. */
  record(job: string, detail: PipelineJobDetail): Promise<void> {
    const queue = this.queues.get(job);
    if (queue) {
      queue.waiting = detail;
      return queue.running;
    }
    const fresh: JobQueue = { waiting: detail, running: Promise.resolve() };
    fresh.running = this.drain(job, fresh);
    this.queues.set(job, fresh);
    return fresh.running;
  }

  private async drain(job: string, queue: JobQueue): Promise<void> {
    // Let the caller's other synchronous updates land first: one write then covers them all.
    await Promise.resolve();
    while (queue.waiting) {
      const detail = queue.waiting;
      queue.waiting = undefined;
      try {
        await this.write(detail);
      } catch (err) {
        emulatorLog('WARNING', 'vertex: could not record the pipeline run in ML Metadata; the job goes on', { service: 'vertex', job, error: errorMessage(err) });
      }
    }
    this.queues.delete(job);
  }

  private async write(detail: PipelineJobDetail): Promise<void> {
    if (detail.taskDetails.length === 0) return; // refused before it ran: Vertex records nothing
    const { nodes, graph, stores, state } = this.metadata;
    const runContext = detail.pipelineRunContext.name;
    const store = runContext.slice(0, runContext.indexOf('/contexts/'));
    await stores.ensure(store);
    const pipeline = detail.pipelineContext;
    if (!state.find('contexts', pipeline.name)) {
      await nodes.upsert('contexts', pipeline.name, { displayName: pipeline.displayName, schemaTitle: pipeline.schemaTitle, schemaVersion: pipeline.schemaVersion });
    }
    const run = detail.pipelineRunContext;
    if (!state.find('contexts', run.name)) {
      await nodes.upsert('contexts', run.name, { displayName: run.displayName, schemaTitle: run.schemaTitle, schemaVersion: run.schemaVersion });
    }
    await graph.addChildren(pipeline.name, [run.name]);

    const members: { kind: MetadataKind; node: StoredNode }[] = [];
    for (const task of detail.taskDetails) {
      const execution = task.execution;
      if (!execution) continue;
      await nodes.upsert('executions', execution.name, {
        displayName: execution.displayName,
        state: execution.state,
        schemaTitle: execution.schemaTitle,
        schemaVersion: execution.schemaVersion,
        metadata: structuredClone(execution.metadata),
      });
      const events: NewEvent[] = [];
      for (const artifact of artifactsOf(task, 'inputs')) {
        // An input is some task's output (or an importer's): its producer names it, not the consumer.
        if (!state.find('artifacts', artifact.name)) await nodes.upsert('artifacts', artifact.name, artifactFields(artifact));
        events.push({ artifact: artifact.name, type: 'INPUT' });
      }
      // A DAG's outputs are its inner tasks' outputs: the producing task describes them.
      const produces = execution.schemaTitle !== 'system.DAGExecution';
      for (const artifact of artifactsOf(task, 'outputs')) {
        if (produces || !state.find('artifacts', artifact.name)) await nodes.upsert('artifacts', artifact.name, artifactFields(artifact));
        events.push({ artifact: artifact.name, type: 'OUTPUT' });
      }
      const node = state.find('executions', execution.name)!;
      await graph.addEvents(node, events);
      members.push({ kind: 'executions', node });
      for (const event of events) members.push({ kind: 'artifacts', node: state.find('artifacts', event.artifact)! });
    }
    await graph.addToContext(run.name, members);
  }
}

function artifactsOf(task: PipelineTaskDetail, side: 'inputs' | 'outputs'): ArtifactDetail[] {
  return Object.values(task[side] ?? {}).flatMap((list) => list.artifacts);
}

function artifactFields(artifact: ArtifactDetail): JsonObject {
  return {
    displayName: artifact.displayName,
    uri: artifact.uri,
    state: artifact.state,
    schemaTitle: artifact.schemaTitle,
    schemaVersion: artifact.schemaVersion,
    metadata: structuredClone(artifact.metadata),
  };
}
