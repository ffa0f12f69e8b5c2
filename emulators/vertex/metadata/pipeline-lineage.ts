// What Vertex AI Pipelines writes to ML Metadata while a PipelineJob runs, written from the
// engine's PipelineJobDetail snapshots into the `default` store (created on first use): the
// `system.Pipeline` context (one per pipeline name) parent of the `system.PipelineRun` context
// (the job id); an execution per task, its state following the task; each task's input and output
// artifacts with INPUT/OUTPUT events; every execution and artifact added to the run context.
// Snapshots are whole, so writing one is idempotent; for one job they apply in order and only the
// newest waiting one is written. Each write is a disk round (fsync per file) competing with the
// tasks, so a running job's snapshots are written at most every WRITE_INTERVAL_MS; the final one
// at once (the job's final state waits for it). A write that fails is logged and the job goes on: its result
// (state, jobDetail) never depends on the metadata.
import { emulatorLog } from '../../kit/log.js';
import { errorMessage } from '../api/errors.js';
import type { JsonObject } from '../api/wire-json.js';
import type { ArtifactDetail, PipelineJobDetail, PipelineTaskDetail } from '../pipeline-engine/types.js';
import type { NewEvent } from './graph.js';
import type { MetadataService } from './index.js';
import type { MetadataKind } from './kinds.js';
import type { StoredNode } from './state.js';

/** How stale a running job's executions in ML Metadata may be; a finished job's are current. */
const WRITE_INTERVAL_MS = 250;

interface JobQueue {
  /** The newest snapshot not written yet. */
  waiting: PipelineJobDetail | undefined;
  /** The waiting snapshot is the job's last: write it without pausing. */
  final: boolean;
  /** Ends the pause between two writes early. */
  wake: (() => void) | undefined;
  running: Promise<void>;
}

/** What a job's tasks were last written from, and when. */
interface JobWritten {
  tasks: Map<string, WrittenTask>;
  at: number;
}

export class PipelineLineage {
  private readonly queues = new Map<string, JobQueue>();
  /** Per running job, its tasks as last written: unchanged ones are skipped, not re-walked. */
  private readonly written = new Map<string, JobWritten>();

  constructor(private readonly metadata: MetadataService) {}

  /**
   * Writes the snapshot (or a newer one) of job `job`; resolves when written, never rejects.
   * `final`: the job's last snapshot, after which what was kept to skip unchanged tasks is dropped.
   */
  async record(job: string, detail: PipelineJobDetail, final = false): Promise<void> {
    await this.enqueue(job, detail, final);
    if (final) this.written.delete(job);
  }

  private enqueue(job: string, detail: PipelineJobDetail, final: boolean): Promise<void> {
    const queue = this.queues.get(job);
    if (queue) {
      queue.waiting = detail;
      queue.final ||= final;
      if (final) queue.wake?.();
      return queue.running;
    }
    const fresh: JobQueue = { waiting: detail, final, wake: undefined, running: Promise.resolve() };
    fresh.running = this.drain(job, fresh);
    this.queues.set(job, fresh);
    return fresh.running;
  }

  private async drain(job: string, queue: JobQueue): Promise<void> {
    // Let the caller's other synchronous updates land first: one write then covers them all.
    await Promise.resolve();
    while (queue.waiting) {
      if (!queue.final) await this.pause(job, queue);
      const detail = queue.waiting;
      queue.waiting = undefined;
      try {
        await this.write(job, detail);
      } catch (err) {
        emulatorLog('WARNING', 'vertex: could not record the pipeline run in ML Metadata; the job goes on', { service: 'vertex', job, error: errorMessage(err) });
      }
    }
    this.queues.delete(job);
  }

  /** Until WRITE_INTERVAL_MS after the job's last write, or until its final snapshot comes. */
  private pause(job: string, queue: JobQueue): Promise<void> {
    const left = (this.written.get(job)?.at ?? -Infinity) + WRITE_INTERVAL_MS - performance.now();
    if (left <= 0) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => queue.wake?.(), left);
      timer.unref(); // an emulator closing mid-job does not wait for an intermediate snapshot
      queue.wake = () => {
        clearTimeout(timer);
        queue.wake = undefined;
        resolve();
      };
    });
  }

  private async write(job: string, detail: PipelineJobDetail): Promise<void> {
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

    // Every change below happens in memory before its call's first await, so nothing is awaited
    // one by one: the saves of this snapshot share one batch (state.ts), one write per node.
    const written = this.written.get(job)?.tasks ?? new Map<string, WrittenTask>();
    const now = new Map<string, WrittenTask>();
    const saves: Promise<void>[] = [];
    for (const task of detail.taskDetails) {
      const execution = task.execution;
      if (!execution) continue;
      const signature = JSON.stringify([execution, task.inputs ?? null, task.outputs ?? null]);
      const before = written.get(execution.name);
      if (before && before.signature === signature && this.unchanged(before, run.name)) {
        now.set(execution.name, before);
        continue; // a task that has not changed since it was written (most of them, once finished)
      }
      saves.push(
        nodes.upsert('executions', execution.name, {
          displayName: execution.displayName,
          state: execution.state,
          schemaTitle: execution.schemaTitle,
          schemaVersion: execution.schemaVersion,
          metadata: structuredClone(execution.metadata),
        }),
      );
      const events: NewEvent[] = [];
      for (const artifact of artifactsOf(task, 'inputs')) {
        // An input is some task's output (or an importer's): its producer names it, not the consumer.
        if (!state.find('artifacts', artifact.name)) saves.push(nodes.upsert('artifacts', artifact.name, artifactFields(artifact)));
        events.push({ artifact: artifact.name, type: 'INPUT' });
      }
      // A DAG's outputs are its inner tasks' outputs: the producing task describes them.
      const produces = execution.schemaTitle !== 'system.DAGExecution';
      for (const artifact of artifactsOf(task, 'outputs')) {
        if (produces || !state.find('artifacts', artifact.name)) saves.push(nodes.upsert('artifacts', artifact.name, artifactFields(artifact)));
        events.push({ artifact: artifact.name, type: 'OUTPUT' });
      }
      const node = state.find('executions', execution.name);
      if (!node) continue; // its upsert failed: the batch rejects, this snapshot is logged as not written
      saves.push(graph.addEvents(node, events));
      const members: { kind: MetadataKind; node: StoredNode }[] = [{ kind: 'executions', node }];
      for (const event of events) {
        const member = state.find('artifacts', event.artifact);
        if (member) members.push({ kind: 'artifacts', node: member });
      }
      // One call per member: addToContext awaits between the members it is given.
      for (const member of members) saves.push(graph.addToContext(run.name, [member]));
      now.set(execution.name, { signature, nodes: members.map((m) => m.node) });
    }
    try {
      await Promise.all(saves);
    } catch (err) {
      // Tasks not written are tried again with the next snapshot; the pause still applies.
      this.written.set(job, { tasks: written, at: performance.now() });
      throw err;
    }
    this.written.set(job, { tasks: now, at: performance.now() });
  }

  /** The nodes a task was written as are still there, as written (not deleted or replaced), and in the run. */
  private unchanged(task: WrittenTask, run: string): boolean {
    const { state } = this.metadata;
    return task.nodes.every((node, i) => state.find(i === 0 ? 'executions' : 'artifacts', String(node.resource.name)) === node && node.contexts.includes(run));
  }
}

/** What a task's execution was last written from, and the nodes (execution first, then its artifacts) written. */
interface WrittenTask {
  signature: string;
  nodes: StoredNode[];
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
