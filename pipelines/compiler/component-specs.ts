// Component interfaces (input/output definitions) and executors for leaf tasks.
import type { ArtifactChannel, PipelineChannel } from '../dsl/channels.js';
import { channelBySerial, ParameterChannel } from '../dsl/channels.js';
import type { ContainerComponent, ImporterComponent } from '../dsl/component.js';
import type { CommandItem } from '../dsl/placeholders.js';
import type { PipelineTask, ResourceSettings } from '../dsl/task.js';
import type { IOSpec, JsonValue } from '../dsl/types.js';
import { CompileError } from './errors.js';
import type { ContainerSpec, ContainerResources, ImporterSpec, IODefinitions } from '../ir/index.js';
import { channelInputName, inputValuePlaceholder } from './naming.js';
import { pythonJsonDumps } from './python-json.js';
import { cpuToFloat, memoryToGigabytes } from './resources.js';

const CHANNEL_PATTERN = /\{\{channel:serial=(\d+);task=[^;]*;name=[^;]*;\}\}/g;

/** Replace embedded channel patterns with the placeholder of their injected input. */
export function replaceEmbeddedChannels(text: string, onChannel?: (c: PipelineChannel) => void): string {
  return text.replace(CHANNEL_PATTERN, (_m, serial: string) => {
    const channel = channelBySerial(Number(serial));
    if (!channel) throw new CompileError(`a string refers to a channel that no longer exists: ${text}`);
    onChannel?.(channel);
    return inputValuePlaceholder(channelInputName(channel));
  });
}

function hasEmbeddedChannel(text: string | undefined): boolean {
  return text !== undefined && /\{\{channel:serial=\d+;/.test(text);
}

export function ioDefinitions(specs: Readonly<Record<string, IOSpec>>): IODefinitions | undefined {
  const parameters: NonNullable<IODefinitions['parameters']> = {};
  const artifacts: NonNullable<IODefinitions['artifacts']> = {};
  for (const [name, spec] of Object.entries(specs)) {
    if (spec.kind === 'parameter') {
      parameters[name] = {
        parameterType: spec.type,
        ...(spec.default !== undefined ? { defaultValue: spec.default } : {}),
        ...(spec.optional || spec.type === 'TASK_FINAL_STATUS' ? { isOptional: true } : {}),
        ...(spec.description !== undefined ? { description: spec.description } : {}),
      };
    } else {
      artifacts[name] = {
        artifactType: { ...spec.artifactType },
        ...(spec.isList ? { isArtifactList: true } : {}),
        ...(spec.optional ? { isOptional: true } : {}),
        ...(spec.description !== undefined ? { description: spec.description } : {}),
      };
    }
  }
  const defs: IODefinitions = {};
  if (Object.keys(artifacts).length) defs.artifacts = artifacts;
  if (Object.keys(parameters).length) defs.parameters = parameters;
  return Object.keys(defs).length ? defs : undefined;
}

/** Output definitions: outputs carry no optionality or defaults. */
export function outputDefinitions(specs: Readonly<Record<string, IOSpec>>): IODefinitions | undefined {
  const stripped: Record<string, IOSpec> = {};
  for (const [name, spec] of Object.entries(specs)) {
    stripped[name] =
      spec.kind === 'parameter'
        ? { kind: 'parameter', type: spec.type, optional: false, ...(spec.description ? { description: spec.description } : {}) }
        : { ...spec, optional: false };
  }
  return ioDefinitions(stripped);
}

/** Definitions for a group's injected inputs or surfaced outputs, typed from their channels. */
export function channelDefinitions(channels: readonly PipelineChannel[]): IODefinitions | undefined {
  const specs: Record<string, IOSpec> = {};
  for (const c of channels) {
    specs[channelInputName(c)] =
      c instanceof ParameterChannel
        ? { kind: 'parameter', type: c.type, optional: false }
        : { kind: 'artifact', artifactType: (c as ArtifactChannel).artifactType, isList: (c as ArtifactChannel).isList, optional: false };
  }
  return ioDefinitions(specs);
}

function renderCommandItem(item: CommandItem): JsonValue {
  if (typeof item === 'string') return item;
  if (item.kind === 'concat') return { Concat: item.items.map(renderCommandItem) };
  const branch = (b: readonly CommandItem[] | CommandItem): JsonValue =>
    Array.isArray(b) ? (b as readonly CommandItem[]).map(renderCommandItem) : renderCommandItem(b as CommandItem);
  const body: { [k: string]: JsonValue } = { InputName: item.inputName, Then: branch(item.then) };
  if (item.else !== undefined) body.Else = branch(item.else);
  return { IfPresent: body };
}

/** Top-level command/args items: plain strings stay, Concat/IfPresent become Python-style JSON text. */
function renderCommandLine(items: readonly CommandItem[]): string[] {
  return items.map((item) => {
    const rendered = renderCommandItem(item);
    return typeof rendered === 'string' ? rendered : pythonJsonDumps(rendered);
  });
}

export function containerExecutor(task: PipelineTask, component: ContainerComponent): ContainerSpec {
  const c = component.container;
  const executor: ContainerSpec = { image: replaceEmbeddedChannels(c.image) };
  if (c.command?.length) executor.command = renderCommandLine(c.command);
  if (c.args?.length) executor.args = renderCommandLine(c.args);
  if (task.env.length) executor.env = task.env.map(([name, value]) => ({ name, value }));
  const resources = containerResources(task.name, task.resources);
  if (resources) executor.resources = resources;
  return executor;
}

function containerResources(taskName: string, r: ResourceSettings): ContainerResources | undefined {
  const out: ContainerResources = {};
  const where = `task '${taskName}'`;
  // Each size is written as given (placeholders allowed) and, when static, as the numeric mirror.
  const sizes = [
    ['cpu_limit', 'resourceCpuLimit', 'cpuLimit', cpuToFloat],
    ['cpu_request', 'resourceCpuRequest', 'cpuRequest', cpuToFloat],
    ['memory_limit', 'resourceMemoryLimit', 'memoryLimit', memoryToGigabytes],
    ['memory_request', 'resourceMemoryRequest', 'memoryRequest', memoryToGigabytes],
  ] as const;
  for (const [setting, text, mirror, convert] of sizes) {
    const value = r[setting];
    if (value === undefined) continue;
    out[text] = replaceEmbeddedChannels(value);
    if (!hasEmbeddedChannel(value)) out[mirror] = convert(value, where);
  }
  if (r.accelerator_type !== undefined || r.accelerator_count !== undefined) {
    if (r.accelerator_type === undefined) throw new CompileError(`${where}: accelerator count set without an accelerator type`);
    if (r.accelerator_count === undefined) {
      throw new CompileError(`${where}: accelerator type '${r.accelerator_type}' set without a count (setAcceleratorLimit)`);
    }
    const dynamic = hasEmbeddedChannel(r.accelerator_type) || hasEmbeddedChannel(r.accelerator_count);
    if (!dynamic && !/^[1-9][0-9]*$/.test(r.accelerator_count)) {
      throw new CompileError(`${where}: accelerator count must be a positive integer, got '${r.accelerator_count}'`);
    }
    out.accelerator = {
      ...(dynamic ? {} : { type: r.accelerator_type, count: r.accelerator_count }),
      resourceType: replaceEmbeddedChannels(r.accelerator_type),
      resourceCount: replaceEmbeddedChannels(r.accelerator_count),
    };
  }
  return Object.keys(out).length ? out : undefined;
}

export function importerExecutor(task: PipelineTask, component: ImporterComponent): ImporterSpec {
  const uri = task.args.get('uri');
  const artifactType = component.outputs.artifact.artifactType;
  const executor: ImporterSpec = {
    artifactUri: typeof uri === 'string' ? { constant: uri } : { runtimeParameter: 'uri' },
    typeSchema: { ...artifactType },
  };
  if (component.metadata && Object.keys(component.metadata).length) executor.metadata = component.metadata;
  if (component.reimport) executor.reimport = true;
  return executor;
}
