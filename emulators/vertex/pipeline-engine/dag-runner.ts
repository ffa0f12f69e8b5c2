// Runs the tasks of one DAG in dependency order, as many at once as their dependencies allow.
// A task starts when its upstream tasks are done: by default only if they all succeeded (or were
// skipped by a condition or the cache); with ALL_UPSTREAM_TASKS_COMPLETED (exit tasks,
// ignore_upstream_failure) whatever happened. Tasks that never start are not reported, as on
// Vertex, where a task detail appears only once the task is scheduled.
import { RpcCode } from './errors.js';
import { dagOutputs, taskDependencies } from './graph.js';
import type { ComponentSpec } from '../../../pipelines/ir/index.js';
import type { TaskRecord } from './job-detail.js';
import type { RunContext } from './run-context.js';
import type { IOValues, TaskOutcome } from './runtime.js';
import { emptyIO, isSuccessLike } from './runtime.js';
import { runTask } from './task-runner.js';
import type { RpcStatus } from './types.js';

export interface DagRequest {
  /** A component with a `dag`. */
  component: ComponentSpec;
  inputs: IOValues;
  /** The task detail of the DAG itself (root, group, iteration or sub-pipeline). */
  parent: TaskRecord;
  /** taskUniqueName prefix of the children ('' at the root). */
  uniquePrefix: string;
}

export interface DagResult {
  state: 'SUCCEEDED' | 'FAILED' | 'CANCELLED';
  error?: RpcStatus;
  outputs: IOValues;
}

export async function runDag(run: RunContext, req: DagRequest): Promise<DagResult> {
  const tasks = req.component.dag?.tasks ?? {};
  const deps = new Map(Object.entries(tasks).map(([k, t]) => [k, taskDependencies(t).filter((d) => Object.hasOwn(tasks, d))]));
  const siblingNames = new Map(Object.entries(tasks).map(([k, t]) => [k, t.taskInfo.name]));
  const outcomes = new Map<string, TaskOutcome>();
  const notRun = new Set<string>();
  const pending = new Set(Object.keys(tasks));
  const running = new Map<string, Promise<void>>();

  const schedule = () => {
    for (const key of [...pending]) {
      const upstream = deps.get(key) ?? [];
      if (upstream.some((d) => pending.has(d) || running.has(d))) continue;
      pending.delete(key);
      const spec = tasks[key]!;
      const whateverHappened = spec.triggerPolicy?.strategy === 'ALL_UPSTREAM_TASKS_COMPLETED';
      const upstreamOk = upstream.every((d) => {
        const o = outcomes.get(d);
        return o !== undefined && isSuccessLike(o.state);
      });
      if (run.signal.aborted || (!whateverHappened && (run.stopScheduling || !upstreamOk))) {
        notRun.add(key);
        continue;
      }
      const started = runTask(run, { key, spec, dag: req, siblings: outcomes, siblingNames })
        .catch((err: unknown): TaskOutcome => ({
          taskName: spec.taskInfo.name,
          state: 'FAILED',
          error: { code: RpcCode.INTERNAL, message: err instanceof Error ? err.message : String(err) },
          outputs: emptyIO(),
        }))
        .then((outcome) => {
          outcomes.set(key, outcome);
          running.delete(key);
        });
      running.set(key, started);
    }
  };

  for (;;) {
    schedule();
    if (running.size === 0) break;
    await Promise.race(running.values());
  }
  // Only a dependency cycle leaves tasks pending; validation rejects those up front.
  for (const key of pending) notRun.add(key);
  return dagResult(run, outcomes, notRun, [...notRun].map((k) => siblingNames.get(k) ?? k), req);
}

function dagResult(run: RunContext, outcomes: ReadonlyMap<string, TaskOutcome>, notRun: ReadonlySet<string>, notRunNames: string[], req: DagRequest): DagResult {
  const all = [...outcomes.values()];
  const failed = all.filter((o) => o.state === 'FAILED').map((o) => o.taskName);
  if (failed.length > 0) {
    return {
      state: 'FAILED',
      error: { code: RpcCode.FAILED_PRECONDITION, message: `The DAG failed because some tasks failed. The failed tasks are: [${failed.join(', ')}].` },
      outputs: emptyIO(),
    };
  }
  if (run.signal.aborted || all.some((o) => o.state === 'CANCELLED')) {
    return { state: 'CANCELLED', error: { code: RpcCode.CANCELLED, message: 'The DAG was cancelled.' }, outputs: emptyIO() };
  }
  if (notRun.size > 0) {
    return {
      state: 'CANCELLED',
      error: {
        code: RpcCode.CANCELLED,
        message: `Tasks [${notRunNames.join(', ')}] were not run: the pipeline stopped scheduling new tasks after a failure (PIPELINE_FAILURE_POLICY_FAIL_FAST).`,
      },
      outputs: emptyIO(),
    };
  }
  return { state: 'SUCCEEDED', outputs: dagOutputs(req.component.dag?.outputs, outcomes) };
}
