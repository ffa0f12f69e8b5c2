// Dependencies between sibling tasks of a DAG.
import type { DagOutputsSpec, TaskSpec } from '../../../pipelines/ir/index.js';
import type { IOValues, RuntimeArtifact, TaskOutcome } from './runtime.js';
import type { JsonValue } from '../../../pipelines/ir/index.js';

/** `dependentTasks` plus every sibling the task takes data from (hand-written IR may omit them). */
export function taskDependencies(task: TaskSpec): string[] {
  const deps = new Set(task.dependentTasks ?? []);
  for (const p of Object.values(task.inputs?.parameters ?? {})) {
    if (p.taskOutputParameter) deps.add(p.taskOutputParameter.producerTask);
    if (p.taskFinalStatus) deps.add(p.taskFinalStatus.producerTask);
  }
  for (const a of Object.values(task.inputs?.artifacts ?? {})) {
    if (a.taskOutputArtifact) deps.add(a.taskOutputArtifact.producerTask);
  }
  return [...deps];
}

/** A cycle among the tasks, as a list of keys, if there is one. */
export function findCycle(tasks: Readonly<Record<string, TaskSpec>>): string[] | undefined {
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (key: string): string[] | undefined => {
    if (state.get(key) === 'done') return undefined;
    if (state.get(key) === 'visiting') return [...stack.slice(stack.indexOf(key)), key];
    state.set(key, 'visiting');
    stack.push(key);
    for (const dep of taskDependencies(tasks[key]!)) {
      if (!Object.hasOwn(tasks, dep)) continue;
      const cycle = visit(dep);
      if (cycle) return cycle;
    }
    stack.pop();
    state.set(key, 'done');
    return undefined;
  };
  for (const key of Object.keys(tasks)) {
    const cycle = visit(key);
    if (cycle) return cycle;
  }
  return undefined;
}

/** A DAG's outputs (dag.outputs) from its tasks' outcomes; OneOf picks the first branch that produced one. */
export function dagOutputs(spec: DagOutputsSpec | undefined, outcomes: ReadonlyMap<string, TaskOutcome>): IOValues {
  const parameters = new Map<string, JsonValue>();
  const artifacts = new Map<string, RuntimeArtifact[]>();
  for (const [key, out] of Object.entries(spec?.parameters ?? {})) {
    const selectors = out.valueFromOneof?.parameterSelectors ?? (out.valueFromParameter ? [out.valueFromParameter] : []);
    for (const s of selectors) {
      const value = outcomes.get(s.producerSubtask)?.outputs.parameters.get(s.outputParameterKey);
      if (value !== undefined) {
        parameters.set(key, value);
        break;
      }
    }
  }
  for (const [key, out] of Object.entries(spec?.artifacts ?? {})) {
    for (const s of out.artifactSelectors) {
      const list = outcomes.get(s.producerSubtask)?.outputs.artifacts.get(s.outputArtifactKey);
      if (list !== undefined) {
        artifacts.set(key, list);
        break;
      }
    }
  }
  return { parameters, artifacts };
}
