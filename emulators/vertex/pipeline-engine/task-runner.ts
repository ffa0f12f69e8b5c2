// One task of a DAG: its task detail, inputs, trigger condition, then the kind of work it is
// (loop, sub-DAG, container or importer).
import { evaluateCondition } from './cel.js';
import type { LeafTask } from './container-task.js';
import { runContainerTask } from './container-task.js';
import type { DagRequest } from './dag-runner.js';
import { runDag } from './dag-runner.js';
import { RpcCode, TaskError, toStatus } from './errors.js';
import { runImporterTask } from './importer-task.js';
import { resolveTaskInputs } from './inputs.js';
import type { ComponentSpec, TaskSpec } from '../../../pipelines/ir/index.js';
import type { TaskRecord } from './job-detail.js';
import { runLoop } from './loop-runner.js';
import type { RunContext } from './run-context.js';
import { systemValues } from './run-context.js';
import type { IOValues, TaskOutcome } from './runtime.js';
import { emptyIO } from './runtime.js';

export interface TaskRequest {
  key: string;
  spec: TaskSpec;
  dag: DagRequest;
  siblings: ReadonlyMap<string, TaskOutcome>;
  siblingNames: ReadonlyMap<string, string>;
}

export async function runTask(run: RunContext, req: TaskRequest): Promise<TaskOutcome> {
  const outcome = await runTaskOnce(run, req);
  if (outcome.state === 'FAILED' && run.failFast) run.stopScheduling = true;
  return outcome;
}

async function runTaskOnce(run: RunContext, req: TaskRequest): Promise<TaskOutcome> {
  const { spec } = req;
  const taskName = spec.taskInfo.name;
  const uniqueName = req.dag.uniquePrefix ? `${req.dag.uniquePrefix}.${taskName}` : taskName;
  const record = run.recorder.createTask(taskName, uniqueName, req.dag.parent);
  try {
    const component = run.spec.components[spec.componentRef.name];
    if (!component) throw new TaskError(`Task '${taskName}': no component '${spec.componentRef.name}'`, RpcCode.INVALID_ARGUMENT);
    const system = systemValues(run.job, record);
    const inputs = resolveTaskInputs(spec, component, {
      dagInputs: req.dag.inputs,
      siblings: req.siblings,
      siblingNames: req.siblingNames,
      job: run.job,
      system,
    });
    record.setInputArtifacts(inputs.artifacts);
    const condition = spec.triggerPolicy?.condition;
    if (condition && !evaluateCondition(condition, { inputs: { parameter_values: Object.fromEntries(inputs.parameters) } })) {
      record.finish('NOT_TRIGGERED');
      return { taskName, state: 'NOT_TRIGGERED', outputs: emptyIO() };
    }
    if (spec.parameterIterator || spec.artifactIterator) return await runLoop(run, { record, spec, component, inputs });
    if (component.dag) return await runSubDag(run, record, component, inputs);
    const executor = run.spec.deploymentSpec.executors[component.executorLabel ?? ''];
    const leaf: LeafTask = { record, spec, component, inputs, system };
    if (executor?.container) return await runContainerTask(run, leaf, executor.container);
    if (executor?.importer) return runImporterTask(run, leaf, executor.importer);
    throw new TaskError(`Task '${taskName}': executor '${component.executorLabel}' is neither a container nor an importer`, RpcCode.INVALID_ARGUMENT);
  } catch (err) {
    const status = toStatus(err, err instanceof Error && err.name === 'CelError' ? RpcCode.INVALID_ARGUMENT : RpcCode.INTERNAL);
    record.finish('FAILED', status);
    return { taskName, state: 'FAILED', error: status, outputs: emptyIO() };
  }
}

/** A group (condition, exit handler) or a pipeline used as a component. */
async function runSubDag(run: RunContext, record: TaskRecord, component: ComponentSpec, inputs: IOValues): Promise<TaskOutcome> {
  record.start('system.DAGExecution', inputs.parameters);
  const result = await runDag(run, { component, inputs, parent: record, uniquePrefix: record.uniqueName });
  if (result.state === 'SUCCEEDED') record.setOutputs(result.outputs.parameters, result.outputs.artifacts);
  record.finish(result.state, result.error);
  return { taskName: record.taskName, state: result.state, outputs: result.outputs, ...(result.error ? { error: result.error } : {}) };
}
