// Compile-time checks: a pipeline that would fail on Vertex fails here, naming the task and input.
import type { PipelineChannel } from '../dsl/channels.js';
import { ArtifactChannel, LoopArgumentVariable, ParameterChannel, PipelineChannel as Channel } from '../dsl/channels.js';
import type { RecordedPipeline } from '../dsl/builder.js';
import { interfaceOf } from '../dsl/builder.js';
import type { PipelineTask } from '../dsl/task.js';
import type { IOSpec, JsonValue, ParameterType } from '../dsl/types.js';
import { closestName } from '../../common/suggest.js';
import { CompileError } from './errors.js';

const PIPELINE_NAME_PATTERN = /^[a-z0-9][a-z0-9-]{0,127}$/;
const IO_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function validatePipeline(pipeline: RecordedPipeline): void {
  const def = pipeline.definition;
  if (!PIPELINE_NAME_PATTERN.test(def.name)) {
    throw new CompileError(`pipeline name '${def.name}' must match ${PIPELINE_NAME_PATTERN.source} (lowercase letters, digits, '-')`);
  }
  for (const name of Object.keys(def.inputs)) {
    if (!IO_NAME_PATTERN.test(name)) throw new CompileError(`pipeline '${def.name}': input name '${name}' must be an identifier`);
  }
  for (const task of pipeline.tasks.values()) validateTask(task);
  checkCycles(pipeline);
}

function validateTask(task: PipelineTask): void {
  const { inputs } = interfaceOf(task.component);
  const names = Object.keys(inputs);
  for (const [arg, value] of task.args) {
    const spec = inputs[arg];
    if (!spec) {
      const hint = closestName(arg, names);
      throw new CompileError(`task '${task.name}': unknown input '${arg}'${hint ? ` (did you mean '${hint}'?)` : ''}; inputs are: ${names.join(', ') || 'none'}`);
    }
    checkArgument(task, arg, spec, value);
  }
  for (const [name, spec] of Object.entries(inputs)) {
    if (spec.kind === 'parameter' && spec.type === 'TASK_FINAL_STATUS') {
      if (!task.isExitTask) throw new CompileError(`task '${task.name}': input '${name}' is a task final status, which only an exit task can receive`);
      continue;
    }
    if (!task.args.has(name) && !spec.optional) throw new CompileError(`task '${task.name}': missing required input '${name}'`);
  }
}

function constantMatches(type: ParameterType, value: JsonValue): boolean {
  switch (type) {
    case 'STRING':
      return typeof value === 'string';
    case 'NUMBER_INTEGER':
      return typeof value === 'number' && Number.isInteger(value);
    case 'NUMBER_DOUBLE':
      return typeof value === 'number';
    case 'BOOLEAN':
      return typeof value === 'boolean';
    case 'LIST':
      return Array.isArray(value);
    case 'STRUCT':
      return typeof value === 'object' && value !== null && !Array.isArray(value);
    default:
      return false;
  }
}

function checkArgument(task: PipelineTask, arg: string, spec: IOSpec, value: unknown): void {
  const where = `task '${task.name}' input '${arg}'`;
  if (!(value instanceof Channel)) {
    if (spec.kind === 'artifact') throw new CompileError(`${where}: expects an artifact (${spec.artifactType.schemaTitle}), got a constant`);
    // Placeholders such as {{$.pipeline_job_name}} are strings; strings with channels only fit STRING inputs.
    const v = value as JsonValue;
    const loose = typeof v === 'string' && /^\{\{\$\./.test(v);
    if (!loose && !constantMatches(spec.type, v)) {
      throw new CompileError(`${where}: expects ${spec.type}, got ${JSON.stringify(v)}`);
    }
    return;
  }
  checkChannel(where, spec, value);
}

function checkChannel(where: string, spec: IOSpec, channel: PipelineChannel): void {
  if (spec.kind === 'artifact') {
    if (!(channel instanceof ArtifactChannel)) throw new CompileError(`${where}: expects an artifact, got parameter '${channel.fullName}'`);
    const generic = 'system.Artifact';
    const [want, got] = [spec.artifactType.schemaTitle, channel.artifactType.schemaTitle];
    if (want !== got && want !== generic && got !== generic) {
      throw new CompileError(`${where}: expects ${want}, got ${got} from '${channel.fullName}'`);
    }
    if (spec.isList !== channel.isList) {
      throw new CompileError(`${where}: expects ${spec.isList ? 'an artifact list' : 'a single artifact'}, got ${channel.isList ? 'a list' : 'a single artifact'} from '${channel.fullName}'`);
    }
    return;
  }
  if (!(channel instanceof ParameterChannel)) throw new CompileError(`${where}: expects parameter ${spec.type}, got artifact '${channel.fullName}'`);
  // A loop item's sub-field has no static type.
  if (channel instanceof LoopArgumentVariable) return;
  const ok = channel.type === spec.type || (channel.type === 'NUMBER_INTEGER' && spec.type === 'NUMBER_DOUBLE');
  if (!ok) throw new CompileError(`${where}: expects ${spec.type}, got ${channel.type} from '${channel.fullName}'`);
}

/** `.after()` can point forward in creation order, so cycles are possible; data edges cannot form one alone. */
function checkCycles(pipeline: RecordedPipeline): void {
  const edges = new Map<string, string[]>();
  for (const task of pipeline.tasks.values()) {
    const ups = [...task.dependentTasks];
    for (const c of task.channelInputs) if (c.taskName && pipeline.tasks.has(c.taskName)) ups.push(c.taskName);
    edges.set(task.name, ups);
  }
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (name: string, path: string[]): void => {
    if (state.get(name) === 'done') return;
    if (state.get(name) === 'visiting') {
      const cycle = [...path.slice(path.indexOf(name)), name];
      throw new CompileError(`dependency cycle between tasks: ${cycle.join(' → ')}`);
    }
    state.set(name, 'visiting');
    for (const up of edges.get(name) ?? []) visit(up, [...path, name]);
    state.set(name, 'done');
  };
  for (const name of edges.keys()) visit(name, []);
}
