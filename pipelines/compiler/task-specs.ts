// Task specs: how each task or group is wired into its parent DAG.
import type { PipelineChannel } from '../dsl/channels.js';
import { ArtifactChannel, LoopArgument, LoopArgumentVariable, PipelineChannel as Channel } from '../dsl/channels.js';
import type { ParallelForGroup, TasksGroup } from '../dsl/groups.js';
import type { ArgValue, PipelineTask } from '../dsl/task.js';
import type { JsonValue } from '../dsl/types.js';
import { replaceEmbeddedChannels } from './component-specs.js';
import { CompileError } from './errors.js';
import type { IODefinitions, ParameterInputSpec, TaskSpec } from '../ir/index.js';
import { channelInputName, componentName } from './naming.js';
import { pythonJsonDumps } from './python-json.js';

interface DagContext {
  /** Inputs declared by the component whose DAG holds the task. */
  readonly parentInputs: IODefinitions | undefined;
  /** Keys of the tasks and groups in the same DAG. */
  readonly siblings: ReadonlySet<string>;
  readonly isRoot: boolean;
}

function hasParameter(defs: IODefinitions | undefined, name: string): boolean {
  return defs?.parameters?.[name] !== undefined;
}

function hasArtifact(defs: IODefinitions | undefined, name: string): boolean {
  return defs?.artifacts?.[name] !== undefined;
}

function setParameter(spec: TaskSpec, name: string, value: ParameterInputSpec): void {
  spec.inputs ??= {};
  spec.inputs.parameters ??= {};
  spec.inputs.parameters[name] = value;
}

function setArtifact(spec: TaskSpec, name: string, value: NonNullable<NonNullable<TaskSpec['inputs']>['artifacts']>[string]): void {
  spec.inputs ??= {};
  spec.inputs.artifacts ??= {};
  spec.inputs.artifacts[name] = value;
}

function requireParentInput(ctx: DagContext, name: string, kind: 'parameter' | 'artifact', taskName: string): string {
  const found = kind === 'parameter' ? hasParameter(ctx.parentInputs, name) : hasArtifact(ctx.parentInputs, name);
  if (!found) throw new CompileError(`task '${taskName}': its DAG does not receive '${name}' (compiler wiring error)`);
  return name;
}

/** Wire one channel into a task input (KFP's build_task_spec_for_task, per input kind). */
function wireChannel(spec: TaskSpec, inputName: string, channel: PipelineChannel, ctx: DagContext, taskName: string): void {
  if (channel instanceof LoopArgument) {
    setParameter(spec, inputName, { componentInputParameter: requireParentInput(ctx, channelInputName(channel), 'parameter', taskName) });
    return;
  }
  if (channel instanceof LoopArgumentVariable) {
    setParameter(spec, inputName, {
      componentInputParameter: requireParentInput(ctx, channelInputName(channel.loopArgument), 'parameter', taskName),
      parameterExpressionSelector: `parseJson(string_value)["${channel.subvarName}"]`,
    });
    return;
  }
  const isArtifact = channel instanceof ArtifactChannel;
  if (channel.taskName) {
    if (ctx.siblings.has(channel.taskName)) {
      if (isArtifact) setArtifact(spec, inputName, { taskOutputArtifact: { producerTask: channel.taskName, outputArtifactKey: channel.name } });
      else setParameter(spec, inputName, { taskOutputParameter: { producerTask: channel.taskName, outputParameterKey: channel.name } });
      return;
    }
    const name = requireParentInput(ctx, channelInputName(channel), isArtifact ? 'artifact' : 'parameter', taskName);
    if (isArtifact) setArtifact(spec, inputName, { componentInputArtifact: name });
    else setParameter(spec, inputName, { componentInputParameter: name });
    return;
  }
  // A pipeline input: its plain name at the root, the injected name inside groups.
  const plain = isArtifact ? hasArtifact(ctx.parentInputs, channel.fullName) : hasParameter(ctx.parentInputs, channel.fullName);
  const name = plain ? channel.fullName : channelInputName(channel);
  if (isArtifact) setArtifact(spec, inputName, { componentInputArtifact: name });
  else setParameter(spec, inputName, { componentInputParameter: name });
}

/** Constants may embed channels (f-strings); each becomes an injected input. */
function replaceInConstant(value: JsonValue, found: PipelineChannel[]): JsonValue {
  const onChannel = (c: PipelineChannel): void => {
    if (!found.includes(c)) found.push(c);
  };
  if (typeof value === 'string') return replaceEmbeddedChannels(value, onChannel);
  if (Array.isArray(value)) return value.map((v) => replaceInConstant(v, found));
  if (value && typeof value === 'object') {
    const out: { [k: string]: JsonValue } = {};
    for (const [k, v] of Object.entries(value)) out[replaceEmbeddedChannels(k, onChannel)] = replaceInConstant(v, found);
    return out;
  }
  return value;
}

function durationText(d: number | string | undefined, fallback: string): string {
  if (d === undefined) return fallback;
  if (typeof d === 'number') return `${d}s`;
  if (!/^\d+(\.\d+)?s$/.test(d)) throw new CompileError(`retry durations must be seconds like "30s", got "${d}"`);
  return d;
}

export function taskSpecForTask(task: PipelineTask, ctx: DagContext): TaskSpec {
  const spec: TaskSpec = {
    taskInfo: { name: task.displayName ?? task.name },
    componentRef: { name: componentName(task.name) },
    cachingOptions: task.enableCache ? { enableCache: true } : {},
  };
  if (task.cacheKey) spec.cachingOptions!.cacheKey = task.cacheKey;
  if (task.retryPolicy) {
    const r = task.retryPolicy;
    if (!Number.isInteger(r.maxRetryCount) || r.maxRetryCount < 0) {
      throw new CompileError(`task '${task.name}': maxRetryCount must be a non-negative integer`);
    }
    // Vertex caps the backoff at one hour.
    const max = durationText(r.backoffMaxDuration, '3600s');
    spec.retryPolicy = {
      maxRetryCount: r.maxRetryCount,
      backoffDuration: durationText(r.backoffDuration, '0s'),
      backoffFactor: r.backoffFactor ?? 2.0,
      backoffMaxDuration: parseFloat(max) > 3600 ? '3600s' : max,
    };
  }
  const inputs = new Map<string, ArgValue>(task.args);
  // Resources taken from task outputs travel as injected inputs (KFP adds no dependency for them).
  for (const [key, value] of Object.entries(task.resources)) {
    if (typeof value === 'string' && /\{\{channel:serial=/.test(value)) inputs.set(key, value);
  }
  for (const [inputName, value] of inputs) {
    if (value instanceof Channel) {
      wireChannel(spec, inputName, value, ctx, task.name);
      continue;
    }
    const found: PipelineChannel[] = [];
    const constant = replaceInConstant(value, found);
    for (const channel of found) {
      const injected = channelInputName(channel);
      if (inputs.has(injected)) throw new CompileError(`task '${task.name}': input name '${injected}' collides with an injected input`);
      wireChannel(spec, injected, channel, ctx, task.name);
    }
    setParameter(spec, inputName, { runtimeValue: { constant } });
  }
  if (task.ignoresUpstreamFailure) spec.triggerPolicy = { strategy: 'ALL_UPSTREAM_TASKS_COMPLETED' };
  return spec;
}

/** A group's task: every channel its DAG needs, wired from this level. */
export function taskSpecForGroup(group: TasksGroup, channels: readonly PipelineChannel[], ctx: DagContext): TaskSpec {
  const spec: TaskSpec = {
    taskInfo: { name: group.displayName ?? group.name },
    componentRef: { name: componentName(group.name) },
  };
  for (const channel of channels) {
    const inputName = channelInputName(channel);
    let fullName = channel.fullName;
    let outputKey = channel.name;
    let selector: string | undefined;
    if (channel instanceof LoopArgumentVariable) {
      fullName = channel.loopArgument.fullName;
      selector = `parseJson(string_value)["${channel.subvarName}"]`;
      if (!channel.isWithItems) {
        const items = channel.loopArgument.items as PipelineChannel;
        outputKey = items.name;
      }
    }
    const isArtifact = channel instanceof ArtifactChannel;
    const fromSibling = channel.taskName !== undefined && ctx.siblings.has(channel.taskName);
    if (isArtifact) {
      setArtifact(
        spec,
        inputName,
        fromSibling
          ? { taskOutputArtifact: { producerTask: channel.taskName!, outputArtifactKey: outputKey } }
          : { componentInputArtifact: ctx.isRoot ? fullName : channelInputName(fullName) },
      );
    } else {
      const value: ParameterInputSpec = fromSibling
        ? { taskOutputParameter: { producerTask: channel.taskName!, outputParameterKey: outputKey } }
        : { componentInputParameter: ctx.isRoot ? fullName : channelInputName(fullName) };
      if (selector) value.parameterExpressionSelector = selector;
      setParameter(spec, inputName, value);
    }
  }
  return spec;
}

/** Loop groups iterate over a channel list or a static list (Python-style JSON). */
export function addLoopIterator(spec: TaskSpec, group: ParallelForGroup): void {
  const arg = group.loopArgument;
  if (arg.items instanceof Channel) {
    const items = arg.items;
    const inputParameter = channelInputName(items);
    spec.parameterIterator = { items: { inputParameter }, itemInput: channelInputName(arg.fullName) };
    if (items instanceof LoopArgumentVariable) {
      setParameter(spec, inputParameter, {
        componentInputParameter: channelInputName(items.loopArgument),
        parameterExpressionSelector: `parseJson(string_value)["${items.subvarName}"]`,
      });
    }
  } else {
    spec.parameterIterator = { items: { raw: pythonJsonDumps(arg.items as JsonValue[], { sortKeys: true }) }, itemInput: channelInputName(arg) };
  }
  if (group.parallelism > 0) spec.iteratorPolicy = { parallelismLimit: group.parallelism };
  const params = spec.inputs?.parameters;
  if (params) {
    delete params[spec.parameterIterator.itemInput];
    if (Object.keys(params).length === 0) delete spec.inputs!.parameters;
    if (spec.inputs && Object.keys(spec.inputs).length === 0) delete spec.inputs;
  }
}
