// Records a pipeline body: tasks, control-flow groups and channels, in creation order.
import type { PipelineChannel } from './channels.js';
import {
  ArtifactChannel,
  CollectedArtifact,
  CollectedParameter,
  LoopArgument,
  LoopArgumentVariable,
  OneOfArtifact,
  OneOfParameter,
  ParameterChannel,
  PipelineChannel as Channel,
} from './channels.js';
import type { ContainerComponent, ImporterComponent } from './component.js';
import type { ConditionOperation } from './groups.js';
import {
  ConditionBranchesGroup,
  ConditionGroup,
  ExitHandlerGroup,
  negated,
  ParallelForGroup,
  TasksGroup,
} from './groups.js';
import type { InputChannels, PipelineDefinition, PipelineOutputs } from './pipeline-definition.js';
import type { AnyComponent, ArgValue, TaskOutputs } from './task.js';
import { PipelineTask } from './task.js';
import type { ArtifactSpec, IOSpec, IOSpecMap, JsonValue, ParameterType } from './types.js';

/** KFP's `maybe_rename_for_k8s`: lowercase, runs of other characters become `-`. */
export function sanitizeName(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^-0-9a-z]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^-+|-+$/g, '');
}

/** `name`, else `name-2`, `name-3`, ... whichever is free first. */
export function uniqueName(name: string, taken: { has(n: string): boolean }): string {
  if (!taken.has(name)) return name;
  for (let i = 2; ; i++) {
    const candidate = `${name}-${i}`;
    if (!taken.has(candidate)) return candidate;
  }
}

export interface RecordedPipeline {
  readonly definition: PipelineDefinition;
  readonly root: TasksGroup;
  /** Every task, by unique key, in creation order (exit tasks included). */
  readonly tasks: ReadonlyMap<string, PipelineTask>;
  readonly outputs: PipelineOutputs;
}

export interface ParallelForOptions {
  /** At most this many iterations at once; 0 or absent: no limit. */
  parallelism?: number;
}

export interface IfChain {
  elif(condition: ConditionOperation, body: () => void, options?: { name?: string }): IfChain;
  else(body: () => void, options?: { name?: string }): void;
}

export interface ImporterOptions {
  artifactUri: string | ParameterChannel;
  artifactType: ArtifactSpec;
  reimport?: boolean;
  metadata?: { [key: string]: JsonValue };
}

type OutputsOf<C> =
  C extends ContainerComponent<IOSpecMap, infer O>
    ? TaskOutputs<O>
    : C extends PipelineDefinition<IOSpecMap, infer R>
      ? R
      : C extends ImporterComponent
        ? { artifact: ArtifactChannel }
        : never;

type ArgsOf<C> =
  C extends ContainerComponent<infer I, IOSpecMap>
    ? { [K in keyof I]?: ArgValue }
    : C extends PipelineDefinition<infer I, PipelineOutputs>
      ? { [K in keyof I]?: ArgValue }
      : Record<string, ArgValue>;

export class PipelineBuilder {
  private groupCounter = 0;
  private readonly stack: TasksGroup[];
  readonly root: TasksGroup;
  readonly tasks = new Map<string, PipelineTask>();

  constructor(readonly definition: PipelineDefinition) {
    this.root = new TasksGroup('pipeline', definition.name);
    this.stack = [this.root];
  }

  private get current(): TasksGroup {
    return this.stack[this.stack.length - 1]!;
  }

  private nextGroupId(): number {
    return ++this.groupCounter;
  }

  /** Add a task that runs `component` with `args` in the current group. */
  task<C extends AnyComponent>(component: C, args?: ArgsOf<C>): PipelineTask<OutputsOf<C>> {
    const name = uniqueName(sanitizeName(component.name), this.tasks);
    const outputs = outputChannels(name, interfaceOf(component).outputs);
    const argMap = new Map<string, ArgValue>(Object.entries((args ?? {}) as Record<string, ArgValue>).filter(([, v]) => v !== undefined));
    const task = new PipelineTask(name, component, argMap, outputs as OutputsOf<C>);
    this.tasks.set(name, task as unknown as PipelineTask);
    this.current.tasks.push(task as unknown as PipelineTask);
    return task;
  }

  /** Bring an existing artifact into the pipeline (KFP's `dsl.importer`); its output is `artifact`. */
  importer(options: ImporterOptions): PipelineTask<{ artifact: ArtifactChannel }> {
    const component: ImporterComponent = {
      kind: 'importer',
      name: 'importer',
      inputs: { uri: { kind: 'parameter', type: 'STRING', optional: false } },
      outputs: { artifact: { ...options.artifactType, isList: false, optional: false } },
      reimport: options.reimport ?? false,
      ...(options.metadata ? { metadata: options.metadata } : {}),
    };
    return this.task(component, { uri: options.artifactUri });
  }

  /** Run `body` once per item (KFP's `dsl.ParallelFor`). */
  parallelFor(items: ParameterChannel | readonly JsonValue[], body: (item: LoopArgument) => void, options: ParallelForOptions = {}): void {
    let loopArgument: LoopArgument;
    if (items instanceof Channel) {
      // A loop item's sub-field has no static type; it may hold a list.
      if (items.type !== 'LIST' && !(items instanceof LoopArgumentVariable)) {
        throw new Error(`ParallelFor over '${items.fullName}': expected a LIST channel, got ${items.type}`);
      }
      loopArgument = new LoopArgument(`${items.name}-loop-item`, items.taskName, items.itemType ?? 'STRING', items);
    } else {
      const list: readonly JsonValue[] = items;
      if (list.length === 0) throw new Error('ParallelFor over a static list needs at least one item');
      const id = this.nextGroupId();
      loopArgument = new LoopArgument(`loop-item-param-${id}`, undefined, staticItemType(list[0]), list);
    }
    const parallelism = options.parallelism ?? 0;
    if (!Number.isInteger(parallelism) || parallelism < 0) {
      throw new Error(`ParallelFor parallelism must be a non-negative integer, got ${parallelism}`);
    }
    const group = new ParallelForGroup(`for-loop-${this.nextGroupId()}`, loopArgument, parallelism);
    this.within(group, () => body(loopArgument));
  }

  /** Run `body` only when `condition` holds (KFP's `dsl.If`); chain `.elif()` / `.else()`. */
  if(condition: ConditionOperation, body: () => void, options: { name?: string } = {}): IfChain {
    const group = new ConditionGroup(`condition-${this.nextGroupId()}`, [condition], [negated(condition)], options.name);
    const parent = this.current;
    this.within(group, body);
    return this.chainAfter(group, parent);
  }

  /** KFP's deprecated `dsl.Condition`: an If without branches. */
  condition(condition: ConditionOperation, body: () => void, options: { name?: string } = {}): void {
    this.if(condition, body, options);
  }

  private chainAfter(previous: ConditionGroup, parent: TasksGroup): IfChain {
    return {
      elif: (condition, body, options = {}) => {
        const branches = this.branchesFor(previous, parent);
        const group = new ConditionGroup(
          `condition-${this.nextGroupId()}`,
          [...previous.negatedUpstream, condition],
          [...previous.negatedUpstream, negated(condition)],
          options.name,
        );
        this.within(group, body, branches);
        return this.chainAfter(group, parent);
      },
      else: (body, options = {}) => {
        const branches = this.branchesFor(previous, parent);
        const group = new ConditionGroup(`condition-${this.nextGroupId()}`, previous.negatedUpstream, [], options.name);
        this.within(group, body, branches);
      },
    };
  }

  /** The first Elif wraps the If in a `condition-branches` group that takes the If's number. */
  private branchesFor(previous: ConditionGroup, parent: TasksGroup): ConditionBranchesGroup {
    if (previous.parent instanceof ConditionBranchesGroup) return previous.parent;
    const branches = new ConditionBranchesGroup(previous.name.replace(/^condition-/, 'condition-branches-'));
    previous.name = `condition-${this.nextGroupId()}`;
    const index = parent.groups.indexOf(previous);
    parent.groups[index] = branches;
    branches.parent = parent;
    branches.groups.push(previous);
    previous.parent = branches;
    return branches;
  }

  /** Run `body`; `exitTask` then runs whatever happened (KFP's `dsl.ExitHandler`). */
  exitHandler<O>(exitTask: PipelineTask<O>, body: () => void, options: { name?: string } = {}): void {
    if (this.current !== this.root) {
      throw new Error(`ExitHandler can only be used at the top level of pipeline '${this.definition.name}'`);
    }
    const task = exitTask as unknown as PipelineTask;
    if (task.dependentTasks.length > 0 || task.channelInputs.some((c) => c.taskName !== undefined)) {
      throw new Error(`exit task '${task.name}' cannot depend on other tasks`);
    }
    // The exit task leaves its group: the compiler places it after the handler.
    const owner = findOwner(this.root, task);
    if (owner) owner.tasks.splice(owner.tasks.indexOf(task), 1);
    task.isExitTask = true;
    const group = new ExitHandlerGroup(`exit-handler-${this.nextGroupId()}`, task, options.name);
    this.within(group, body);
  }

  /** One value from exclusive branches of the same If/Elif/Else (KFP's `dsl.OneOf`). */
  oneOf<T extends PipelineChannel>(...channels: T[]): T {
    if (channels.length < 2) throw new Error('OneOf needs outputs from at least two branches');
    const branchOf = channels.map((c) => {
      const task = c.taskName ? this.tasks.get(c.taskName) : undefined;
      if (!task) throw new Error(`OneOf: '${c.fullName}' is not a task output`);
      const branch = enclosingBranch(this.root, task);
      if (!branch) throw new Error(`OneOf: task '${task.name}' is not inside an If/Elif/Else branch`);
      return branch;
    });
    const branches = branchOf[0]!.parent as ConditionBranchesGroup;
    if (branchOf.some((b) => b.parent !== branches) || new Set(branchOf).size !== branchOf.length) {
      throw new Error('OneOf: each output must come from a different branch of the same If/Elif/Else');
    }
    const name = `oneof-${branches.nextOneOfId()}`;
    const first = channels[0]!;
    if (first instanceof ParameterChannel) {
      const params = channels as unknown as ParameterChannel[];
      if (params.some((c) => !(c instanceof ParameterChannel) || c.type !== first.type)) {
        throw new Error(`OneOf: outputs must all be parameters of type ${first.type}`);
      }
      return new OneOfParameter(name, branches.name, first.type, params) as unknown as T;
    }
    const arts = channels as unknown as ArtifactChannel[];
    const a = first as unknown as ArtifactChannel;
    if (arts.some((c) => !(c instanceof ArtifactChannel) || c.artifactType.schemaTitle !== a.artifactType.schemaTitle)) {
      throw new Error(`OneOf: outputs must all be artifacts of type ${a.artifactType.schemaTitle}`);
    }
    return new OneOfArtifact(name, branches.name, a.artifactType, arts) as unknown as T;
  }

  private within(group: TasksGroup, body: () => void, parent: TasksGroup = this.current): void {
    group.parent = parent;
    parent.groups.push(group);
    this.stack.push(group);
    try {
      body();
    } finally {
      this.stack.pop();
    }
  }
}

/** Fan-in of a task output produced inside a ParallelFor (KFP's `dsl.Collected`). */
export function collected(output: ParameterChannel): CollectedParameter;
export function collected(output: ArtifactChannel): CollectedArtifact;
export function collected(output: ParameterChannel | ArtifactChannel): CollectedParameter | CollectedArtifact {
  return output instanceof ParameterChannel ? new CollectedParameter(output) : new CollectedArtifact(output);
}

function findOwner(group: TasksGroup, task: PipelineTask): TasksGroup | undefined {
  if (group.tasks.includes(task)) return group;
  for (const g of group.groups) {
    const found = findOwner(g, task);
    if (found) return found;
  }
  return undefined;
}

/** The innermost condition group directly under a condition-branches group that holds the task. */
function enclosingBranch(root: TasksGroup, task: PipelineTask): ConditionGroup | undefined {
  for (let g = findOwner(root, task); g; g = g.parent) {
    if (g instanceof ConditionGroup && g.parent instanceof ConditionBranchesGroup) return g;
  }
  return undefined;
}

function staticItemType(first: JsonValue | undefined): ParameterType {
  if (typeof first === 'string') return 'STRING';
  if (typeof first === 'number') return Number.isInteger(first) ? 'NUMBER_INTEGER' : 'NUMBER_DOUBLE';
  if (typeof first === 'boolean') return 'BOOLEAN';
  if (Array.isArray(first)) return 'LIST';
  return 'STRUCT';
}

export interface ComponentInterface {
  readonly inputs: Readonly<Record<string, IOSpec>>;
  readonly outputs: Readonly<Record<string, IOSpec>>;
}

const recordedInterfaces = new WeakMap<PipelineDefinition, ComponentInterface>();

/** Inputs and outputs of any component; a pipeline's outputs come from recording its body. */
export function interfaceOf(component: AnyComponent): ComponentInterface {
  if (component.kind !== 'pipeline') return component;
  let known = recordedInterfaces.get(component);
  if (!known) {
    const recorded = recordPipeline(component);
    known = { inputs: component.inputs, outputs: outputSpecs(recorded.outputs) };
    recordedInterfaces.set(component, known);
  }
  return known;
}

function outputSpecs(outputs: PipelineOutputs): Record<string, IOSpec> {
  const specs: Record<string, IOSpec> = {};
  for (const [name, ch] of Object.entries(outputs)) {
    specs[name] =
      ch instanceof ParameterChannel
        ? { kind: 'parameter', type: ch.type, optional: false }
        : { kind: 'artifact', artifactType: (ch as ArtifactChannel).artifactType, isList: (ch as ArtifactChannel).isList, optional: false };
  }
  return specs;
}

function outputChannels(taskName: string, outputs: Readonly<Record<string, IOSpec>>): Record<string, PipelineChannel> {
  const channels: Record<string, PipelineChannel> = {};
  for (const [name, spec] of Object.entries(outputs)) {
    channels[name] =
      spec.kind === 'parameter'
        ? new ParameterChannel(name, taskName, spec.type, spec.itemType)
        : new ArtifactChannel(name, taskName, spec.artifactType, spec.isList);
  }
  return channels;
}

/** Run a pipeline body against a fresh builder (fresh channels: compilation may mutate them). */
export function recordPipeline(definition: PipelineDefinition): RecordedPipeline {
  const builder = new PipelineBuilder(definition);
  const inputs: Record<string, PipelineChannel> = {};
  for (const [name, spec] of Object.entries(definition.inputs)) {
    inputs[name] =
      spec.kind === 'parameter'
        ? new ParameterChannel(name, undefined, spec.type, spec.itemType)
        : new ArtifactChannel(name, undefined, spec.artifactType, spec.isList);
  }
  const outputs = definition.body(builder, inputs as InputChannels<IOSpecMap>) ?? {};
  for (const [key, value] of Object.entries(outputs)) {
    if (!(value instanceof Channel)) {
      throw new Error(`pipeline '${definition.name}' output '${key}': expected a task output channel`);
    }
  }
  return { definition, root: builder.root, tasks: builder.tasks, outputs };
}
