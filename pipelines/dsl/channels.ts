// Pipeline channels: references to values that exist only at run time (pipeline inputs,
// task outputs, loop items, fan-in collections, OneOf). Names follow KFP's compiler so
// the generated `pipelinechannel--...` names are identical.
import type { ArtifactTypeRef, JsonValue, ParameterType } from './types.js';

let nextChannelSerial = 0;
// Channels embedded in strings are found again by serial; weak so finished compilations are freed.
const registry = new Map<number, WeakRef<PipelineChannel>>();
const forget = new FinalizationRegistry<number>((serial) => registry.delete(serial));

export function channelBySerial(serial: number): PipelineChannel | undefined {
  return registry.get(serial)?.deref();
}

export abstract class PipelineChannel {
  /** Mutable: the compiler re-points fan-in and OneOf channels at the groups that surface them. */
  name: string;
  taskName: string | undefined;
  /** Identity for the pattern registry (names alone can repeat across compilations). */
  readonly serial = ++nextChannelSerial;

  protected constructor(name: string, taskName: string | undefined) {
    this.name = name;
    this.taskName = taskName;
    registry.set(this.serial, new WeakRef(this));
    forget.register(this, this.serial);
  }

  abstract readonly kind: 'parameter' | 'artifact';

  get fullName(): string {
    return this.taskName ? `${this.taskName}-${this.name}` : this.name;
  }

  /** Text form that lets a channel be embedded in a string (`${channel}`), as KFP's f-strings do. */
  get pattern(): string {
    return `{{channel:serial=${this.serial};task=${this.taskName ?? ''};name=${this.name};}}`;
  }

  toString(): string {
    return this.pattern;
  }
}

export class ParameterChannel extends PipelineChannel {
  readonly kind = 'parameter' as const;
  constructor(
    name: string,
    taskName: string | undefined,
    readonly type: ParameterType,
    /** Element type of LIST channels, for loops over them. */
    readonly itemType?: ParameterType,
  ) {
    super(name, taskName);
  }
}

export class ArtifactChannel extends PipelineChannel {
  readonly kind = 'artifact' as const;
  constructor(
    name: string,
    taskName: string | undefined,
    readonly artifactType: ArtifactTypeRef,
    readonly isList: boolean,
  ) {
    super(name, taskName);
  }
}

/** The item of a ParallelFor: over a channel list (`<list>-loop-item`) or a static list (`loop-item-param-N`). */
export class LoopArgument extends ParameterChannel {
  constructor(
    name: string,
    taskName: string | undefined,
    itemType: ParameterType,
    readonly items: ParameterChannel | readonly JsonValue[],
  ) {
    super(name, taskName, itemType);
  }

  get isWithItems(): boolean {
    return !(this.items instanceof PipelineChannel);
  }

  /** A field of a STRUCT item: `item.field('a')` is KFP's `item.a`. */
  field(key: string): LoopArgumentVariable {
    return new LoopArgumentVariable(this, key);
  }
}

export class LoopArgumentVariable extends ParameterChannel {
  constructor(
    readonly loopArgument: LoopArgument,
    readonly subvarName: string,
  ) {
    // A sub-field's type is unknown until run time; KFP types it as a string.
    super(`${loopArgument.name}-subvar-${subvarName}`, loopArgument.taskName, 'STRING');
  }

  get isWithItems(): boolean {
    return this.loopArgument.isWithItems;
  }

  field(key: string): never {
    throw new Error(`loop item sub-field '${this.subvarName}' cannot be indexed again with '${key}'; loop over it instead`);
  }
}

/** Fan-in: all values of a task output produced inside a ParallelFor, as a list (`dsl.Collected`). */
export class CollectedParameter extends ParameterChannel {
  constructor(readonly output: ParameterChannel) {
    super(output.name, output.taskName, 'LIST', output.type);
  }
}

export class CollectedArtifact extends ArtifactChannel {
  constructor(readonly output: ArtifactChannel) {
    super(output.name, output.taskName, output.artifactType, true);
  }
}

export type Collected = CollectedParameter | CollectedArtifact;

export function isCollected(c: PipelineChannel): c is Collected {
  return c instanceof CollectedParameter || c instanceof CollectedArtifact;
}

/** One value out of exclusive If/Elif/Else branches (`dsl.OneOf`). */
export class OneOfParameter extends ParameterChannel {
  constructor(name: string, branchesGroupName: string, type: ParameterType, readonly channels: readonly ParameterChannel[]) {
    super(name, branchesGroupName, type);
  }
}

export class OneOfArtifact extends ArtifactChannel {
  constructor(name: string, branchesGroupName: string, artifactType: ArtifactTypeRef, readonly channels: readonly ArtifactChannel[]) {
    super(name, branchesGroupName, artifactType, false);
  }
}

export type OneOf = OneOfParameter | OneOfArtifact;

export function isOneOf(c: PipelineChannel): c is OneOf {
  return c instanceof OneOfParameter || c instanceof OneOfArtifact;
}

export function isLoopChannel(c: PipelineChannel): c is LoopArgument | LoopArgumentVariable {
  return c instanceof LoopArgument || c instanceof LoopArgumentVariable;
}

/** The next outer channel of a loop item chain (item → list, field → item), as KFP walks it. */
export function loopChannelParent(c: LoopArgument | LoopArgumentVariable): PipelineChannel | undefined {
  if (c instanceof LoopArgumentVariable) return c.loopArgument;
  return c.items instanceof PipelineChannel ? c.items : undefined;
}

const PATTERN = /\{\{channel:serial=(\d+);task=[^;]*;name=[^;]*;\}\}/g;

/** Serials of channels embedded in a string, in order of appearance, de-duplicated. */
export function embeddedChannelSerials(text: string): number[] {
  const seen = new Set<number>();
  for (const m of text.matchAll(PATTERN)) seen.add(Number(m[1]));
  return [...seen];
}
