// Graph analysis over a recorded pipeline: group nesting, the channels each group must receive
// (inputs), the values groups must surface (fan-in and OneOf outputs) and task dependencies.
// This mirrors KFP's compiler passes so that generated names and wiring are identical.
import type { PipelineChannel } from '../dsl/channels.js';
import type { ArtifactChannel } from '../dsl/channels.js';
import {
  isCollected,
  isLoopChannel,
  isOneOf,
  loopChannelParent,
  ParameterChannel,
} from '../dsl/channels.js';
import type { RecordedPipeline } from '../dsl/builder.js';
import type { TasksGroup } from '../dsl/groups.js';
import { ConditionGroup, ExitHandlerGroup, ParallelForGroup } from '../dsl/groups.js';
import type { PipelineTask } from '../dsl/task.js';
import { CompileError } from './errors.js';
import { channelInputName } from './naming.js';

export interface GroupInput {
  readonly channel: PipelineChannel;
  /** The sibling task or group producing it, when it comes from the same DAG level. */
  readonly producer: string | undefined;
}

/** What a group's DAG surfaces: one producer, or several (OneOf) tried in order. */
export interface SurfacedOutput {
  readonly kind: 'parameter' | 'artifact';
  readonly parameterType?: ParameterChannel['type'];
  readonly artifactType?: ArtifactChannel['artifactType'];
  readonly isList: boolean;
  readonly selectors: readonly { producerSubtask: string; key: string }[];
  readonly oneOf: boolean;
}

export class PipelineGraph {
  /** Pre-order: a group before the groups inside it. */
  readonly allGroups: TasksGroup[] = [];
  readonly groupByName = new Map<string, TasksGroup>();
  /** For each task and group: the names from the root down to itself. */
  readonly ancestry = new Map<string, string[]>();
  readonly conditionChannels = new Map<string, PipelineChannel[]>();
  readonly inputs = new Map<string, GroupInput[]>();
  readonly outputs = new Map<string, Map<string, SurfacedOutput>>();
  readonly dependencies = new Map<string, Set<string>>();
  /** Pipeline outputs, re-pointed at the groups that surface fan-in and OneOf values. */
  readonly pipelineOutputs = new Map<string, SurfacedOutput>();

  constructor(readonly pipeline: RecordedPipeline) {
    this.walkGroups(pipeline.root, []);
    this.collectConditionChannels(pipeline.root, []);
    this.computeInputs();
    this.computeOutputs();
    this.computeDependencies();
  }

  get tasks(): PipelineTask[] {
    return [...this.pipeline.tasks.values()];
  }

  childrenOf(group: TasksGroup): (TasksGroup | PipelineTask)[] {
    return [...group.groups, ...group.tasks];
  }

  private walkGroups(group: TasksGroup, path: string[]): void {
    const here = [...path, group.name];
    this.allGroups.push(group);
    this.groupByName.set(group.name, group);
    this.ancestry.set(group.name, here);
    for (const g of group.groups) this.walkGroups(g, here);
    for (const t of group.tasks) this.ancestry.set(t.name, [...here, t.name]);
  }

  private collectConditionChannels(group: TasksGroup, current: PipelineChannel[]): void {
    let channels = current;
    if (group instanceof ConditionGroup) {
      channels = [...current];
      for (const op of group.conditions) {
        for (const operand of [op.left, op.right]) {
          if (typeof operand === 'object' && !channels.includes(operand)) channels.push(operand);
        }
      }
    }
    for (const t of group.tasks) this.conditionChannels.set(t.name, channels);
    for (const g of group.groups) this.collectConditionChannels(g, channels);
  }

  private ancestryOf(name: string): string[] {
    const a = this.ancestry.get(name);
    if (!a) throw new CompileError(`'${name}' is not a task or group of pipeline '${this.pipeline.definition.name}'`);
    return a;
  }

  /** The parts of two ancestries below their common prefix. */
  uncommonAncestors(upstream: string, downstream: string): [string[], string[]] {
    const a = this.ancestryOf(upstream);
    const b = this.ancestryOf(downstream);
    let common = 0;
    while (common < a.length && common < b.length && a[common] === b[common]) common++;
    return [a.slice(common), b.slice(common)];
  }

  private addInput(groupName: string, channel: PipelineChannel, producer: string | undefined): void {
    const list = this.inputs.get(groupName) ?? [];
    // A set keyed like KFP's: the same channel from the same producer is one input.
    if (!list.some((i) => i.channel.fullName === channel.fullName && i.channel.kind === channel.kind && i.producer === producer)) {
      list.push({ channel, producer });
    }
    this.inputs.set(groupName, list);
  }

  private isProducer(name: string | undefined): boolean {
    return name !== undefined && (this.pipeline.tasks.has(name) || this.groupByName.has(name));
  }

  /** KFP's `get_inputs_for_all_groups`: which channels each group (and task) must be handed. */
  private computeInputs(): void {
    for (const task of this.tasks) {
      if (task.isExitTask) continue;
      const channels = [...task.channelInputs, ...(this.conditionChannels.get(task.name) ?? [])];
      for (const channel of channels) this.routeChannel(channel, task.name);
    }
    // A loop also needs its items list where it runs, even when no inner task reads the item.
    for (const group of this.allGroups) {
      if (group instanceof ParallelForGroup && !group.loopArgument.isWithItems && group.parent) {
        this.routeChannel(group.loopArgument.items as PipelineChannel, group.name, true);
      }
    }
  }

  private routeChannel(channel: PipelineChannel, consumer: string, skipConsumer = false): void {
    // Loop items form a chain (field → item → list); inner DAGs need the more specific link.
    const chain: PipelineChannel[] = [];
    let link: PipelineChannel | undefined = channel;
    while (link && isLoopChannel(link)) {
      chain.push(link);
      link = loopChannelParent(link);
    }
    if (link) chain.push(link);
    const loopArgFullName = (groupName: string): string | undefined => {
      const g = this.groupByName.get(groupName);
      return g instanceof ParallelForGroup ? g.loopArgument.fullName : undefined;
    };

    if (channel.taskName !== undefined && this.isProducer(channel.taskName)) {
      const [up, down] = this.uncommonAncestors(channel.taskName, consumer);
      const targets = skipConsumer ? down.slice(0, -1) : down;
      for (const [i, groupName] of targets.entries()) {
        this.addInput(groupName, chain[chain.length - 1]!, i === 0 ? up[0] : undefined);
        const loopName = loopArgFullName(groupName);
        if (loopName !== undefined && loopName.includes(chain[chain.length - 1]!.fullName)) {
          chain.pop();
          if (chain.length === 0) break;
        }
      }
      return;
    }
    const path = this.ancestryOf(consumer);
    const groups = skipConsumer ? path.slice(0, -1) : path;
    if (isLoopChannel(channel) && channel.isWithItems) {
      // A static loop's item originates mid-DAG: walk up from the consumer.
      for (const groupName of [...groups].reverse()) {
        this.addInput(groupName, chain[0]!, undefined);
        const loopName = loopArgFullName(groupName);
        if (loopName !== undefined && loopName.includes(chain[0]!.fullName)) {
          chain.shift();
          if (chain.length === 0) break;
        }
      }
      return;
    }
    for (const groupName of groups) {
      this.addInput(groupName, chain[chain.length - 1]!, undefined);
      const loopName = loopArgFullName(groupName);
      if (loopName !== undefined && loopName.includes(chain[chain.length - 1]!.fullName)) {
        chain.pop();
        if (chain.length === 0) break;
      }
    }
  }

  private setOutput(groupName: string, key: string, output: SurfacedOutput): void {
    const map = this.outputs.get(groupName) ?? new Map<string, SurfacedOutput>();
    map.set(key, output);
    this.outputs.set(groupName, map);
  }

  private childrenNames(groupName: string): string[] {
    const g = this.groupByName.get(groupName);
    return g ? this.childrenOf(g).map((c) => c.name) : [];
  }

  /** KFP's `get_outputs_for_all_groups`: surface fan-in (Collected) and OneOf values through groups. */
  private computeOutputs(): void {
    const done = new Set<PipelineChannel>();
    for (const task of this.tasks) {
      for (const channel of task.channelInputs) {
        if (done.has(channel)) continue;
        if (isOneOf(channel)) {
          this.surfaceOneOf(channel);
          done.add(channel);
        } else if (isCollected(channel)) {
          this.surfaceCollected(channel, task.name);
          done.add(channel);
        }
      }
    }
    for (const [key, channel] of Object.entries(this.pipeline.outputs)) {
      if (isCollected(channel) && !done.has(channel)) {
        this.surfaceCollected(channel, undefined);
        done.add(channel);
      } else if (isOneOf(channel) && !done.has(channel)) {
        this.surfaceOneOf(channel);
        done.add(channel);
      }
      this.pipelineOutputs.set(key, this.plainOutput(channel));
    }
  }

  private plainOutput(channel: PipelineChannel): SurfacedOutput {
    const producer = channel.taskName;
    if (!producer) throw new CompileError(`pipeline '${this.pipeline.definition.name}' returns '${channel.name}', which is not produced by a task`);
    const path = this.ancestryOf(producer);
    if (path.length > 2) {
      throw new CompileError(
        `pipeline '${this.pipeline.definition.name}' returns '${channel.fullName}' from inside '${path[1]}'; ` +
          `use collected() for a ParallelFor or oneOf() for If/Elif/Else branches`,
      );
    }
    return surfaced(channel, [{ producerSubtask: producer, key: channel.name }], false);
  }

  private surfaceCollected(channel: PipelineChannel, consumer: string | undefined): void {
    const producer = channel.taskName;
    if (!producer || !this.pipeline.tasks.has(producer)) {
      throw new CompileError(`collected(): '${channel.fullName}' is not a task output`);
    }
    const surfacedName = channelInputName(channel);
    let upstream: string[];
    let parentConsumer: string | undefined;
    if (consumer !== undefined) {
      const [up, down] = this.uncommonAncestors(producer, consumer);
      upstream = up;
      parentConsumer = down[0];
    } else {
      upstream = this.ancestryOf(producer).slice(1);
    }
    if (!upstream.slice(0, -1).some((g) => this.groupByName.get(g) instanceof ParallelForGroup)) {
      throw new CompileError(`collected(): task '${producer}' is not inside a ParallelFor that excludes its consumer`);
    }
    let producerName = upstream.pop()!;
    for (const groupName of [...upstream].reverse()) {
      this.setOutput(groupName, surfacedName, surfaced(channel, [{ producerSubtask: producerName, key: channel.name }], false, true));
      channel.name = surfacedName;
      channel.taskName = groupName;
      producerName = groupName;
      if (parentConsumer !== undefined) {
        const path = this.ancestryOf(groupName);
        const parentOfSurfacer = path[path.length - 2]!;
        if (this.childrenNames(parentOfSurfacer).includes(parentConsumer)) break;
      }
    }
  }

  private surfaceOneOf(channel: PipelineChannel & { channels: readonly PipelineChannel[] }): void {
    const branches = channel.taskName!;
    const selectors: { producerSubtask: string; key: string }[] = [];
    for (const inner of channel.channels) {
      const path = this.ancestryOf(inner.taskName!);
      const start = path.indexOf(branches);
      // Groups from the branch down to the producing task, surfaced innermost first.
      const chain = path.slice(start + 1);
      const key = channelInputName(inner);
      let producer = chain.pop()!;
      let producerKey = inner.name;
      for (const groupName of [...chain].reverse()) {
        this.setOutput(groupName, key, surfaced(inner, [{ producerSubtask: producer, key: producerKey }], false));
        producer = groupName;
        producerKey = key;
      }
      selectors.push({ producerSubtask: producer, key });
    }
    const key = channelInputName(channel);
    this.setOutput(branches, key, surfaced(channel, selectors, true));
    channel.name = key;
  }

  /** KFP's `get_dependencies`: for each task or group, the sibling tasks/groups it waits for. */
  private computeDependencies(): void {
    for (const task of this.tasks) {
      if (task.isExitTask) continue;
      const upstreamNames: string[] = [];
      const dataChannels = [...task.channelInputs, ...(this.conditionChannels.get(task.name) ?? [])];
      for (const channel of dataChannels) {
        if (channel.taskName && !upstreamNames.includes(channel.taskName)) upstreamNames.push(channel.taskName);
      }
      for (const name of task.dependentTasks) {
        if (!upstreamNames.includes(name)) upstreamNames.push(name);
      }
      for (const upstreamName of upstreamNames) {
        if (!this.isProducer(upstreamName)) {
          throw new CompileError(`task '${task.name}' depends on unknown task '${upstreamName}'`);
        }
        const [up, down] = this.uncommonAncestors(upstreamName, task.name);
        const viaData = dataChannels.some((c) => c.taskName === upstreamName);
        this.checkLegalDependency(task, upstreamName, up, viaData);
        const set = this.dependencies.get(down[0]!) ?? new Set<string>();
        set.add(up[0]!);
        this.dependencies.set(down[0]!, set);
      }
    }
  }

  private checkLegalDependency(task: PipelineTask, upstream: string, up: string[], viaData: boolean): void {
    // The upstream task sits inside groups that do not enclose the consumer.
    for (const groupName of up.slice(0, -1)) {
      const group = this.groupByName.get(groupName);
      if (group instanceof ParallelForGroup && viaData) {
        throw new CompileError(
          `task '${task.name}' uses an output of '${upstream}' from inside ParallelFor '${groupName}'; ` +
            `fan it in with collected() or move '${task.name}' into the loop`,
        );
      }
      if (group instanceof ConditionGroup) {
        throw new CompileError(
          `task '${task.name}' depends on '${upstream}' inside condition '${groupName}', which does not enclose it; use oneOf() across branches`,
        );
      }
      if (group instanceof ExitHandlerGroup && viaData) {
        throw new CompileError(`task '${task.name}' uses an output of '${upstream}' from inside exit handler '${groupName}'`);
      }
    }
  }
}

function surfaced(
  channel: PipelineChannel,
  selectors: { producerSubtask: string; key: string }[],
  oneOf: boolean,
  collectedList = false,
): SurfacedOutput {
  if (channel instanceof ParameterChannel) {
    return { kind: 'parameter', parameterType: collectedList ? 'LIST' : channel.type, isList: false, selectors, oneOf };
  }
  const a = channel as ArtifactChannel;
  return { kind: 'artifact', artifactType: a.artifactType, isList: collectedList || a.isList, selectors, oneOf };
}
