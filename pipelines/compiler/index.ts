// Compiles a pipeline definition to KFP v2 IR (PipelineSpec, schemaVersion 2.1.0) as plain JSON,
// the same spec KFP's Python compiler writes, so Vertex AI Pipelines runs it unchanged.
import type { PipelineChannel } from '../dsl/channels.js';
import { LoopArgument, LoopArgumentVariable } from '../dsl/channels.js';
import type { RecordedPipeline } from '../dsl/builder.js';
import { interfaceOf, recordPipeline } from '../dsl/builder.js';
import type { TasksGroup } from '../dsl/groups.js';
import { ConditionBranchesGroup, ConditionGroup, ExitHandlerGroup, ParallelForGroup } from '../dsl/groups.js';
import type { PipelineDefinition } from '../dsl/pipeline-definition.js';
import type { PipelineTask } from '../dsl/task.js';
import { conditionToCel } from './cel.js';
import { channelDefinitions, containerExecutor, importerExecutor, ioDefinitions, outputDefinitions } from './component-specs.js';
import { CompileError } from './errors.js';
import type { SurfacedOutput } from './graph.js';
import { PipelineGraph } from './graph.js';
import type { ComponentSpec, DagOutputsSpec, ExecutorSpec, IODefinitions, PipelineSpec, TaskSpec } from '../ir/index.js';
import { componentName, executorLabel, uniqueName } from './naming.js';
import { addLoopIterator, taskSpecForGroup, taskSpecForTask } from './task-specs.js';
import { validatePipeline } from './validate.js';

export { CompileError } from './errors.js';
export type { PipelineSpec } from '../ir/index.js';

/** KFP compiler version whose IR this reproduces (goldens were written by kfp 2.13). */
export const SDK_VERSION = 'kfp-2.13.0';

export function compilePipeline(definition: PipelineDefinition): PipelineSpec {
  const recorded = recordPipeline(definition);
  validatePipeline(recorded);
  return new SpecBuilder(recorded).build();
}

class SpecBuilder {
  private readonly graph: PipelineGraph;
  private readonly components = new Map<string, ComponentSpec>();
  private readonly executors = new Map<string, ExecutorSpec>();
  /** Component key each group was stored under (keys can gain `-2` suffixes). */
  private readonly groupComponent = new Map<string, string>();
  private readonly root: ComponentSpec;

  constructor(private readonly pipeline: RecordedPipeline) {
    this.graph = new PipelineGraph(pipeline);
    const def = pipeline.definition;
    this.root = { dag: { tasks: {} } };
    const inputs = ioDefinitions(def.inputs);
    if (inputs) this.root.inputDefinitions = inputs;
  }

  build(): PipelineSpec {
    for (const group of this.graph.allGroups) this.buildGroup(group);
    this.buildExitTasks();
    this.buildRootOutputs();
    const def = this.pipeline.definition;
    const spec: PipelineSpec = {
      pipelineInfo: {
        name: def.name,
        ...(def.displayName !== undefined ? { displayName: def.displayName } : {}),
        ...(def.description !== undefined ? { description: def.description } : {}),
      },
      root: this.root,
      components: Object.fromEntries(this.components),
      deploymentSpec: { executors: Object.fromEntries(this.executors) },
      schemaVersion: '2.1.0',
      sdkVersion: SDK_VERSION,
    };
    if (def.pipelineRoot !== undefined) spec.defaultPipelineRoot = def.pipelineRoot;
    return spec;
  }

  private componentOf(group: TasksGroup): ComponentSpec {
    if (group === this.pipeline.root) return this.root;
    const key = this.groupComponent.get(group.name);
    const spec = key ? this.components.get(key) : undefined;
    if (!spec) throw new CompileError(`group '${group.name}' has no component (compiler ordering error)`);
    return spec;
  }

  private addComponent(preferred: string, spec: ComponentSpec): string {
    const key = uniqueName(preferred, this.components);
    this.components.set(key, spec);
    return key;
  }

  private addExecutor(preferred: string, spec: ExecutorSpec): string {
    const key = uniqueName(preferred, this.executors);
    this.executors.set(key, spec);
    return key;
  }

  /** KFP's build_spec_by_group: add a task (and component) for every child of `group`. */
  private buildGroup(group: TasksGroup): void {
    const groupSpec = this.componentOf(group);
    const children = this.graph.childrenOf(group);
    const ctx = {
      parentInputs: groupSpec.inputDefinitions,
      siblings: new Set(children.map((c) => c.name)),
      isRoot: group === this.pipeline.root,
    };
    for (const child of children) {
      let taskSpec: TaskSpec;
      let childSpec: ComponentSpec;
      if (child instanceof ParallelForGroup || child instanceof ConditionGroup || child instanceof ConditionBranchesGroup || child instanceof ExitHandlerGroup) {
        const channels = this.groupChannels(child);
        const outputs = this.graph.outputs.get(child.name);
        childSpec = { dag: { tasks: {} } };
        const inputDefs = channelDefinitions(channels);
        if (inputDefs) childSpec.inputDefinitions = inputDefs;
        if (outputs) {
          childSpec.outputDefinitions = surfacedDefinitions(outputs);
          childSpec.dag!.outputs = dagOutputs(outputs);
        }
        taskSpec = taskSpecForGroup(child, channels, ctx);
        if (child instanceof ParallelForGroup) addLoopIterator(taskSpec, child);
        if (child instanceof ConditionGroup) taskSpec.triggerPolicy = { condition: conditionToCel(child.conditions) };
      } else {
        const task = child as PipelineTask;
        taskSpec = taskSpecForTask(task, ctx);
        childSpec = this.leafComponent(task);
      }
      const deps = this.graph.dependencies.get(child.name);
      if (deps?.size) taskSpec.dependentTasks = [...deps].sort();
      const key = this.addComponent(componentName(child.name), childSpec);
      if (!('component' in child)) this.groupComponent.set(child.name, key);
      taskSpec.componentRef.name = key;
      groupSpec.dag!.tasks[child.name] = taskSpec;
    }
  }

  /** The channels a group's DAG receives, in KFP's order, plus its own loop or condition channels. */
  private groupChannels(group: TasksGroup): PipelineChannel[] {
    const inputs = (this.graph.inputs.get(group.name) ?? []).map((i) => i.channel);
    if (group instanceof ParallelForGroup) {
      const ancestry = this.graph.ancestry.get(group.name) ?? [];
      const kept = inputs.filter((c) => {
        if (!((c instanceof LoopArgument || c instanceof LoopArgumentVariable) && c.isWithItems)) return true;
        // A static loop's item is only meaningful inside that loop (or this one).
        return [...ancestry].reverse().some((name) => {
          const g = this.graph.groupByName.get(name);
          return g instanceof ParallelForGroup && g.loopArgument.name.includes(c.name);
        });
      });
      const arg = group.loopArgument;
      if (!arg.isWithItems) kept.push(arg.items as PipelineChannel);
      kept.push(arg);
      return dedupe(kept);
    }
    if (group instanceof ConditionGroup) {
      const extra: PipelineChannel[] = [];
      for (const op of group.conditions) {
        for (const operand of [op.left, op.right]) if (typeof operand === 'object') extra.push(operand);
      }
      return dedupe([...inputs, ...extra]);
    }
    return dedupe(inputs);
  }

  private leafComponent(task: PipelineTask): ComponentSpec {
    const component = task.component;
    if (component.kind === 'pipeline') return this.mergeSubPipeline(component);
    const spec: ComponentSpec = {};
    const label = this.addExecutor(
      executorLabel(task.name),
      component.kind === 'container' ? { container: containerExecutor(task, component) } : { importer: importerExecutor(task, component) },
    );
    spec.executorLabel = label;
    const inputs = ioDefinitions(component.inputs);
    if (inputs) spec.inputDefinitions = inputs;
    const outputs = outputDefinitions(component.outputs);
    if (outputs) spec.outputDefinitions = outputs;
    return spec;
  }

  /** A pipeline used as a task: compile it alone, then merge its components and executors, renaming clashes. */
  private mergeSubPipeline(definition: PipelineDefinition): ComponentSpec {
    const sub = compilePipeline(definition);
    const executorRenames = new Map<string, string>();
    for (const [label, executor] of Object.entries(sub.deploymentSpec.executors)) {
      executorRenames.set(label, this.addExecutor(label, executor));
    }
    const componentRenames = new Map<string, string>();
    const subComponents = Object.entries(sub.components);
    for (const [name] of subComponents) {
      const key = uniqueName(name, this.components);
      componentRenames.set(name, key);
      this.components.set(key, {});
    }
    const rename = (spec: ComponentSpec): ComponentSpec => {
      const copy = structuredClone(spec);
      if (copy.executorLabel) copy.executorLabel = executorRenames.get(copy.executorLabel) ?? copy.executorLabel;
      for (const t of Object.values(copy.dag?.tasks ?? {})) t.componentRef.name = componentRenames.get(t.componentRef.name) ?? t.componentRef.name;
      return copy;
    };
    for (const [name, spec] of subComponents) this.components.set(componentRenames.get(name)!, rename(spec));
    return rename(sub.root);
  }

  /** Exit tasks run in the root DAG after their handler, whatever its outcome. */
  private buildExitTasks(): void {
    for (const group of this.pipeline.root.groups) {
      if (!(group instanceof ExitHandlerGroup)) continue;
      const task = group.exitTask;
      const spec = taskSpecForTask(task, { parentInputs: this.root.inputDefinitions, siblings: new Set(), isRoot: true });
      spec.dependentTasks = [group.name];
      spec.triggerPolicy = { strategy: 'ALL_UPSTREAM_TASKS_COMPLETED' };
      for (const [name, input] of Object.entries(interfaceOf(task.component).inputs)) {
        if (input.kind === 'parameter' && input.type === 'TASK_FINAL_STATUS') {
          spec.inputs ??= {};
          spec.inputs.parameters ??= {};
          spec.inputs.parameters[name] = { taskFinalStatus: { producerTask: group.name } };
        }
      }
      const key = this.addComponent(componentName(task.name), this.leafComponent(task));
      spec.componentRef.name = key;
      this.root.dag!.tasks[task.name] = spec;
    }
  }

  private buildRootOutputs(): void {
    const outputs = this.graph.pipelineOutputs;
    if (outputs.size === 0) return;
    this.root.outputDefinitions = surfacedDefinitions(outputs);
    this.root.dag!.outputs = dagOutputs(outputs);
  }
}

function dedupe(channels: PipelineChannel[]): PipelineChannel[] {
  const seen = new Set<string>();
  return channels.filter((c) => {
    const key = `${c.kind}:${c.fullName}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function surfacedDefinitions(outputs: ReadonlyMap<string, SurfacedOutput>): IODefinitions {
  const defs: IODefinitions = {};
  for (const [key, o] of outputs) {
    if (o.kind === 'parameter') {
      defs.parameters ??= {};
      defs.parameters[key] = { parameterType: o.parameterType! };
    } else {
      defs.artifacts ??= {};
      defs.artifacts[key] = { artifactType: { ...o.artifactType! }, ...(o.isList ? { isArtifactList: true } : {}) };
    }
  }
  return defs;
}

function dagOutputs(outputs: ReadonlyMap<string, SurfacedOutput>): DagOutputsSpec {
  const dag: DagOutputsSpec = {};
  for (const [key, o] of outputs) {
    if (o.kind === 'parameter') {
      dag.parameters ??= {};
      const selectors = o.selectors.map((s) => ({ producerSubtask: s.producerSubtask, outputParameterKey: s.key }));
      dag.parameters[key] = o.oneOf ? { valueFromOneof: { parameterSelectors: selectors } } : { valueFromParameter: selectors[0]! };
    } else {
      dag.artifacts ??= {};
      dag.artifacts[key] = { artifactSelectors: o.selectors.map((s) => ({ producerSubtask: s.producerSubtask, outputArtifactKey: s.key })) };
    }
  }
  return dag;
}
