// A task: one use of a component inside a pipeline, with its arguments and run-time settings.
import type { ArtifactChannel, ParameterChannel, PipelineChannel } from './channels.js';
import { channelBySerial, embeddedChannelSerials, PipelineChannel as Channel } from './channels.js';
import type { ContainerComponent, ImporterComponent } from './component.js';
import type { PipelineDefinition } from './pipeline-definition.js';
import type { IOSpecMap, JsonValue } from './types.js';

export type ArgValue = PipelineChannel | JsonValue;

export type AnyComponent = ContainerComponent | ImporterComponent | PipelineDefinition;

export type TaskOutputs<O extends IOSpecMap> = {
  readonly [K in keyof O]: O[K] extends { kind: 'artifact' } ? ArtifactChannel : ParameterChannel;
};

export interface RetryPolicy {
  maxRetryCount: number;
  /** Seconds, or a duration string such as `"30s"`. */
  backoffDuration?: number | string;
  backoffFactor?: number;
  backoffMaxDuration?: number | string;
}

/** Container resources as given (strings, possibly embedding a task output channel). */
export interface ResourceSettings {
  cpu_request?: string;
  cpu_limit?: string;
  memory_request?: string;
  memory_limit?: string;
  accelerator_type?: string;
  accelerator_count?: string;
}

export class PipelineTask<Outputs = Record<string, PipelineChannel>> {
  displayName: string | undefined;
  enableCache = true;
  cacheKey: string | undefined;
  retryPolicy: RetryPolicy | undefined;
  readonly resources: ResourceSettings = {};
  readonly env: [string, string][];
  /** Names of tasks or groups this task runs after (`.after()`), in call order. */
  readonly dependentTasks: string[] = [];
  ignoresUpstreamFailure = false;
  isExitTask = false;
  /** Channels the arguments refer to, fixed at creation (KFP's `channel_inputs`). */
  readonly channelInputs: readonly PipelineChannel[];

  constructor(
    readonly name: string,
    readonly component: AnyComponent,
    readonly args: ReadonlyMap<string, ArgValue>,
    readonly outputs: Outputs,
  ) {
    this.env = component.kind === 'container' ? (component.container.env ?? []).map(([k, v]) => [k, v]) : [];
    this.channelInputs = collectChannels([...args.values()]);
  }

  /** The single output of a one-output component (KFP's `task.output`). */
  get output(): Outputs[keyof Outputs] {
    const values = Object.values(this.outputs as Record<string, unknown>);
    if (values.length !== 1) {
      throw new Error(`task '${this.name}' has ${values.length} outputs; use task.outputs.<name>`);
    }
    return values[0] as Outputs[keyof Outputs];
  }

  after(...tasks: { name: string }[]): this {
    for (const t of tasks) if (!this.dependentTasks.includes(t.name)) this.dependentTasks.push(t.name);
    return this;
  }

  setDisplayName(name: string): this {
    this.displayName = name;
    return this;
  }

  setCachingOptions(enableCache: boolean, cacheKey?: string): this {
    this.enableCache = enableCache;
    this.cacheKey = cacheKey;
    return this;
  }

  setRetry(policy: RetryPolicy): this {
    this.retryPolicy = policy;
    return this;
  }

  setCpuRequest(cpu: string | PipelineChannel): this {
    return this.setResource('cpu_request', cpu);
  }

  setCpuLimit(cpu: string | PipelineChannel): this {
    return this.setResource('cpu_limit', cpu);
  }

  setMemoryRequest(memory: string | PipelineChannel): this {
    return this.setResource('memory_request', memory);
  }

  setMemoryLimit(memory: string | PipelineChannel): this {
    return this.setResource('memory_limit', memory);
  }

  /** A Vertex accelerator type (`NVIDIA_L4`, `TPU_V3`, ...); a count must be set too. */
  setAcceleratorType(type: string | PipelineChannel): this {
    return this.setResource('accelerator_type', type);
  }

  setAcceleratorLimit(count: number | string | PipelineChannel): this {
    return this.setResource('accelerator_count', typeof count === 'number' ? String(count) : count);
  }

  setEnvVariable(name: string, value: string): this {
    const existing = this.env.find(([k]) => k === name);
    if (existing) existing[1] = value;
    else this.env.push([name, value]);
    return this;
  }

  /** Run even if upstream tasks failed (trigger strategy ALL_UPSTREAM_TASKS_COMPLETED). */
  ignoreUpstreamFailure(): this {
    this.ignoresUpstreamFailure = true;
    return this;
  }

  private setResource(key: keyof ResourceSettings, value: string | PipelineChannel): this {
    if (this.component.kind !== 'container') {
      throw new Error(`task '${this.name}': resources can only be set on container tasks`);
    }
    this.resources[key] = String(value);
    return this;
  }
}

/** Channels referred to by argument values: direct channels first, then those embedded in constants. */
function collectChannels(values: readonly unknown[]): PipelineChannel[] {
  const direct = values.filter((v): v is PipelineChannel => v instanceof Channel);
  const embedded: PipelineChannel[] = [];
  const visit = (v: unknown): void => {
    if (typeof v === 'string') {
      for (const serial of embeddedChannelSerials(v)) {
        const ch = channelBySerial(serial);
        if (ch && !embedded.includes(ch)) embedded.push(ch);
      }
    } else if (Array.isArray(v)) {
      v.forEach(visit);
    } else if (v && typeof v === 'object' && !(v instanceof Channel)) {
      Object.values(v).forEach(visit);
    }
  };
  values.filter((v) => !(v instanceof Channel)).forEach(visit);
  return [...direct, ...embedded.filter((c) => !direct.includes(c))];
}
