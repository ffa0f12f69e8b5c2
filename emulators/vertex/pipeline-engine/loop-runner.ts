// ParallelFor: the loop component's DAG once per item, at most `parallelismLimit` at a time. Each
// iteration is a DAG task of its own (`iteration-<i>`, child of the loop task); the loop's
// outputs are the fan-in of the iterations' outputs: a LIST per parameter, one artifact list.
import { RpcCode, TaskError } from './errors.js';
import type { ComponentSpec, TaskSpec } from '../../../pipelines/ir/index.js';
import type { TaskRecord } from './job-detail.js';
import { runDag, type DagResult } from './dag-runner.js';
import type { RunContext } from './run-context.js';
import type { IOValues, RuntimeArtifact, TaskOutcome } from './runtime.js';
import { emptyIO } from './runtime.js';
import { Semaphore } from './semaphore.js';
import type { JsonValue } from '../../../pipelines/ir/index.js';
import type { RpcStatus } from './types.js';
import { coerceParameter } from './values.js';

export interface LoopTask {
  record: TaskRecord;
  spec: TaskSpec;
  component: ComponentSpec;
  inputs: IOValues;
}

type Items = { kind: 'parameter'; input: string; values: JsonValue[] } | { kind: 'artifact'; input: string; values: RuntimeArtifact[] };

function loopItems(t: LoopTask): Items {
  const name = t.record.taskName;
  if (t.spec.artifactIterator) {
    const { items, itemInput } = t.spec.artifactIterator;
    const list = t.inputs.artifacts.get(items.inputArtifact);
    if (!list) throw new TaskError(`Loop '${name}': input artifact '${items.inputArtifact}' has no value`, RpcCode.FAILED_PRECONDITION);
    return { kind: 'artifact', input: itemInput, values: list };
  }
  const iterator = t.spec.parameterIterator!;
  let raw: JsonValue | undefined;
  if (iterator.items.raw !== undefined) {
    try {
      raw = JSON.parse(iterator.items.raw) as JsonValue;
    } catch {
      throw new TaskError(`Loop '${name}': items.raw is not JSON: ${iterator.items.raw.slice(0, 80)}`, RpcCode.INVALID_ARGUMENT);
    }
  } else if (iterator.items.inputParameter !== undefined) {
    raw = t.inputs.parameters.get(iterator.items.inputParameter);
    if (typeof raw === 'string') {
      try {
        raw = JSON.parse(raw) as JsonValue;
      } catch {
        // Reported below as not a list.
      }
    }
  }
  if (!Array.isArray(raw)) throw new TaskError(`Loop '${name}': the items to iterate over are not a list (${JSON.stringify(raw)?.slice(0, 80)})`, RpcCode.INVALID_ARGUMENT);
  return { kind: 'parameter', input: iterator.itemInput, values: raw };
}

/** The iteration's DAG inputs: the loop task's inputs plus the item, typed as the component declares it. */
function iterationInputs(t: LoopTask, items: Items, i: number): IOValues {
  const scope: IOValues = { parameters: new Map(t.inputs.parameters), artifacts: new Map(t.inputs.artifacts) };
  if (items.kind === 'artifact') {
    scope.artifacts.set(items.input, [items.values[i]!]);
  } else {
    const declared = t.component.inputDefinitions?.parameters?.[items.input]?.parameterType;
    const item = items.values[i]!;
    scope.parameters.set(items.input, declared ? coerceParameter(item, declared, `loop item ${i}`) : item);
  }
  return scope;
}

function fanIn(component: ComponentSpec, results: readonly (DagResult | undefined)[]): IOValues {
  const out = emptyIO();
  const spec = component.dag?.outputs;
  for (const key of Object.keys(spec?.parameters ?? {})) {
    out.parameters.set(key, results.flatMap((r) => (r?.outputs.parameters.has(key) ? [r.outputs.parameters.get(key)!] : [])));
  }
  for (const key of Object.keys(spec?.artifacts ?? {})) {
    out.artifacts.set(key, results.flatMap((r) => r?.outputs.artifacts.get(key) ?? []));
  }
  return out;
}

export async function runLoop(run: RunContext, t: LoopTask): Promise<TaskOutcome> {
  const taskName = t.record.taskName;
  const items = loopItems(t);
  t.record.start('system.DAGExecution', t.inputs.parameters);
  const limit = t.spec.iteratorPolicy?.parallelismLimit || Math.max(items.values.length, 1);
  const gate = new Semaphore(limit);
  const results: (DagResult | undefined)[] = new Array<DagResult | undefined>(items.values.length).fill(undefined);
  const iterationNames: string[] = [];

  await Promise.all(
    items.values.map(async (_item, i) => {
      const release = await gate.acquire(run.signal);
      if (!release) return;
      try {
        if (run.signal.aborted || run.stopScheduling) return;
        const name = `iteration-${i}`;
        iterationNames[i] = name;
        const record = run.recorder.createTask(name, `${t.record.uniqueName}.${name}`, t.record);
        const inputs = iterationInputs(t, items, i);
        record.start('system.DAGExecution', inputs.parameters);
        const result = await runDag(run, { component: t.component, inputs, parent: record, uniquePrefix: record.uniqueName });
        if (result.state === 'SUCCEEDED') record.setOutputs(result.outputs.parameters, result.outputs.artifacts);
        record.finish(result.state, result.error);
        results[i] = result;
      } finally {
        release();
      }
    }),
  );

  const failed = results.flatMap((r, i) => (r?.state === 'FAILED' ? [iterationNames[i]!] : []));
  let state: 'SUCCEEDED' | 'FAILED' | 'CANCELLED' = 'SUCCEEDED';
  let error: RpcStatus | undefined;
  if (failed.length > 0) {
    state = 'FAILED';
    error = { code: RpcCode.FAILED_PRECONDITION, message: `The DAG failed because some tasks failed. The failed tasks are: [${failed.join(', ')}].` };
  } else if (results.some((r) => r?.state !== 'SUCCEEDED')) {
    state = 'CANCELLED';
    error = { code: RpcCode.CANCELLED, message: run.signal.aborted ? 'The DAG was cancelled.' : 'Some iterations did not run: the pipeline stopped scheduling new tasks after a failure.' };
  }
  const outputs = state === 'SUCCEEDED' ? fanIn(t.component, results) : emptyIO();
  if (state === 'SUCCEEDED') t.record.setOutputs(outputs.parameters, outputs.artifacts);
  t.record.finish(state, error);
  return { taskName, state, outputs, ...(error ? { error } : {}) };
}
