// Resolves a task's inputs from its DAG's inputs and its siblings' outcomes, then applies the
// component's declared defaults and types.
import { evaluateCel } from './cel.js';
import { errorMessage, RpcCode, TaskError } from './errors.js';
import type { ComponentSpec, TaskSpec } from '../../../pipelines/ir/index.js';
import type { SystemValues } from './placeholders.js';
import { resolveConstant } from './placeholders.js';
import type { JobInfo } from './run-context.js';
import type { IOValues, RuntimeArtifact, TaskOutcome } from './runtime.js';
import type { JsonObject, JsonValue } from '../../../pipelines/ir/index.js';
import { coerceParameter } from './values.js';

export interface InputScope {
  /** The enclosing DAG's inputs. */
  dagInputs: IOValues;
  /** Outcomes of sibling tasks that have finished; siblings that never ran are absent. */
  siblings: ReadonlyMap<string, TaskOutcome>;
  /** taskInfo.name of every sibling, for exit-handler status of a group that never ran. */
  siblingNames: ReadonlyMap<string, string>;
  job: JobInfo;
  system: SystemValues;
}

/** PipelineTaskFinalStatus as KFP hands it to an exit task. */
function finalStatus(producer: string, scope: InputScope): JsonObject {
  const outcome = scope.siblings.get(producer);
  const error = outcome?.error ?? (outcome ? undefined : { code: RpcCode.CANCELLED, message: `Task '${producer}' did not run.` });
  return {
    state: outcome?.state ?? 'CANCELLED',
    error: error ? { code: error.code, message: error.message } : {},
    pipelineJobResourceName: scope.job.name,
    pipelineTaskName: outcome?.taskName ?? scope.siblingNames.get(producer) ?? producer,
  };
}

/** What a `parameterExpressionSelector` sees: the value's protobuf Value fields. */
function selectorEnv(value: JsonValue): Record<string, JsonValue> {
  const env: Record<string, JsonValue> = { string_value: typeof value === 'string' ? value : JSON.stringify(value) };
  if (typeof value === 'number') env.number_value = value;
  if (typeof value === 'boolean') env.bool_value = value;
  if (Array.isArray(value)) env.list_value = value;
  else if (value !== null && typeof value === 'object') env.struct_value = value;
  return env;
}

function producerGap(producer: string, key: string, scope: InputScope): string {
  const o = scope.siblings.get(producer);
  return o ? `task '${producer}' (${o.state}) produced no output '${key}'` : `task '${producer}' did not run`;
}

/** The loop item a loop task's component declares; it is only bound per iteration. */
function loopItemInput(task: TaskSpec): string | undefined {
  return task.parameterIterator?.itemInput ?? task.artifactIterator?.itemInput;
}

export function resolveTaskInputs(task: TaskSpec, component: ComponentSpec, scope: InputScope): IOValues {
  const parameters = new Map<string, JsonValue>();
  const artifacts = new Map<string, RuntimeArtifact[]>();
  const gaps = new Map<string, string>();
  const constants: string[] = [];

  for (const [name, spec] of Object.entries(task.inputs?.parameters ?? {})) {
    let value: JsonValue | undefined;
    if (spec.componentInputParameter !== undefined) {
      value = scope.dagInputs.parameters.get(spec.componentInputParameter);
      if (value === undefined) gaps.set(name, `the enclosing DAG has no value for '${spec.componentInputParameter}'`);
    } else if (spec.taskOutputParameter) {
      const { producerTask, outputParameterKey } = spec.taskOutputParameter;
      value = scope.siblings.get(producerTask)?.outputs.parameters.get(outputParameterKey);
      if (value === undefined) gaps.set(name, producerGap(producerTask, outputParameterKey, scope));
    } else if (spec.runtimeValue) {
      value = structuredClone(spec.runtimeValue.constant);
      if (typeof value === 'string' && value.includes('{{$')) constants.push(name);
    } else if (spec.taskFinalStatus) {
      value = finalStatus(spec.taskFinalStatus.producerTask, scope);
    } else {
      throw new TaskError(`Input parameter '${name}' of task '${task.taskInfo.name}' has no source`, RpcCode.INVALID_ARGUMENT);
    }
    if (value !== undefined && spec.parameterExpressionSelector) {
      try {
        value = evaluateCel(spec.parameterExpressionSelector, selectorEnv(value));
      } catch (err) {
        throw new TaskError(`Input parameter '${name}': ${errorMessage(err)}`, RpcCode.INVALID_ARGUMENT);
      }
    }
    if (value !== undefined) parameters.set(name, value);
  }
  // f-string constants embed the task's other (injected) inputs and system values.
  for (const name of constants) parameters.set(name, resolveConstant(parameters.get(name) as string, parameters, scope.system));

  for (const [name, spec] of Object.entries(task.inputs?.artifacts ?? {})) {
    let list: RuntimeArtifact[] | undefined;
    if (spec.componentInputArtifact !== undefined) {
      list = scope.dagInputs.artifacts.get(spec.componentInputArtifact);
      if (list === undefined) gaps.set(name, `the enclosing DAG has no artifact '${spec.componentInputArtifact}'`);
    } else if (spec.taskOutputArtifact) {
      const { producerTask, outputArtifactKey } = spec.taskOutputArtifact;
      list = scope.siblings.get(producerTask)?.outputs.artifacts.get(outputArtifactKey);
      if (list === undefined) gaps.set(name, producerGap(producerTask, outputArtifactKey, scope));
    } else {
      throw new TaskError(`Input artifact '${name}' of task '${task.taskInfo.name}' has no source`, RpcCode.INVALID_ARGUMENT);
    }
    // An empty list is a value: the fan-in of a loop over no items.
    if (list !== undefined) artifacts.set(name, list);
  }

  return applyDefinitions({ parameters, artifacts }, component, gaps, task.taskInfo.name, loopItemInput(task));
}

/** Defaults for absent inputs, errors for absent required ones, values coerced to declared types. */
function applyDefinitions(values: IOValues, component: ComponentSpec, gaps: ReadonlyMap<string, string>, taskName: string, unbound?: string): IOValues {
  const defs = component.inputDefinitions;
  for (const [name, def] of Object.entries(defs?.parameters ?? {})) {
    if (name === unbound) continue;
    const value = values.parameters.get(name);
    if (value === undefined) {
      if (def.defaultValue !== undefined) values.parameters.set(name, coerceParameter(structuredClone(def.defaultValue), def.parameterType, `input parameter '${name}'`));
      else if (!def.isOptional) {
        throw new TaskError(`Task '${taskName}': required input parameter '${name}' has no value${gaps.has(name) ? `: ${gaps.get(name)}` : ''}`, RpcCode.FAILED_PRECONDITION);
      }
    } else {
      values.parameters.set(name, coerceParameter(value, def.parameterType, `Task '${taskName}': input parameter '${name}'`));
    }
  }
  for (const [name, def] of Object.entries(defs?.artifacts ?? {})) {
    if (name === unbound) continue;
    if (!values.artifacts.has(name) && !def.isOptional) {
      throw new TaskError(`Task '${taskName}': required input artifact '${name}' has no value${gaps.has(name) ? `: ${gaps.get(name)}` : ''}`, RpcCode.FAILED_PRECONDITION);
    }
  }
  return values;
}
