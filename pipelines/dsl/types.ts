// Parameter and artifact type declarations for component and pipeline interfaces.
// Names follow KFP's PipelineSpec enums so a reader who knows the IR knows these.

import type { JsonValue, ParameterType as IrParameterType } from '../ir/index.js';

export type { JsonValue } from '../ir/index.js';

/** The IR's parameter types that a component or pipeline can declare. */
export type ParameterType = Exclude<IrParameterType, 'PARAMETER_TYPE_ENUM_UNSPECIFIED' | 'TASK_CONFIG'>;

export interface ParameterSpec {
  readonly kind: 'parameter';
  readonly type: ParameterType;
  /** Element type of a LIST (used for loop items); STRING when the list is untyped, as KFP does. */
  readonly itemType?: ParameterType;
  readonly default?: JsonValue;
  readonly optional: boolean;
  readonly description?: string;
  /** The values a caller may pass; KFP's IR has no enum, so this stays TypeScript metadata, checked at submission. */
  readonly closedSet?: ClosedSet;
}

/** A closed set of strings: the parameter's value (a STRING) or the keys of its object (a STRUCT). */
export interface ClosedSet {
  readonly appliesTo: 'value' | 'keys';
  readonly values: readonly string[];
}

export interface ArtifactTypeRef {
  readonly schemaTitle: string;
  readonly schemaVersion: string;
}

export interface ArtifactSpec {
  readonly kind: 'artifact';
  readonly artifactType: ArtifactTypeRef;
  readonly isList: boolean;
  readonly optional: boolean;
  readonly description?: string;
}

export type IOSpec = ParameterSpec | ArtifactSpec;
export type IOSpecMap = Record<string, IOSpec>;

interface ParamOptions<T extends JsonValue> {
  default?: T;
  optional?: boolean;
  description?: string;
}

function parameter<T extends JsonValue>(type: ParameterType, options: ParamOptions<T> = {}, itemType?: ParameterType, closedSet?: ClosedSet): ParameterSpec {
  if (closedSet) checkDefault(closedSet, options.default);
  const spec: ParameterSpec = {
    kind: 'parameter',
    type,
    optional: options.optional ?? options.default !== undefined,
    ...(itemType ? { itemType } : {}),
    ...(options.default !== undefined ? { default: options.default } : {}),
    ...(options.description !== undefined ? { description: options.description } : {}),
    ...(closedSet ? { closedSet } : {}),
  };
  return spec;
}

/** A default outside its own closed set is a definition bug: refuse it when the pipeline is declared. */
function checkDefault(set: ClosedSet, value: JsonValue | undefined): void {
  if (value === undefined) return;
  const given = set.appliesTo === 'value' ? [value] : typeof value === 'object' && value !== null && !Array.isArray(value) ? Object.keys(value) : [];
  const outside = given.filter((v) => typeof v !== 'string' || !set.values.includes(v));
  if (outside.length > 0) throw new Error(`default ${JSON.stringify(value)} is outside the closed set ${set.values.join(', ')}`);
}

/** Parameter types (`str`, `int`, `float`, `bool`, `list`, `dict`, `PipelineTaskFinalStatus` in KFP). */
export const param = {
  /** `oneOf`: the closed set of values accepted (checked when a run is submitted, not in the IR). */
  string: (o?: ParamOptions<string> & { oneOf?: readonly string[] }) =>
    parameter('STRING', o, undefined, o?.oneOf ? { appliesTo: 'value', values: o.oneOf } : undefined),
  int: (o?: ParamOptions<number>) => parameter('NUMBER_INTEGER', o),
  double: (o?: ParamOptions<number>) => parameter('NUMBER_DOUBLE', o),
  bool: (o?: ParamOptions<boolean>) => parameter('BOOLEAN', o),
  /** A LIST; `items` is the element type loops see (STRUCT for dicts); untyped lists yield STRING items. */
  list: (o?: ParamOptions<JsonValue[]> & { items?: ParameterType }) => parameter('LIST', o, o?.items),
  /** `keysOneOf`: the closed set of keys the object may have (checked when a run is submitted, not in the IR). */
  struct: (o?: ParamOptions<{ [key: string]: JsonValue }> & { keysOneOf?: readonly string[] }) =>
    parameter('STRUCT', o, undefined, o?.keysOneOf ? { appliesTo: 'keys', values: o.keysOneOf } : undefined),
  /** The final status of the exit handler's tasks; only an exit task may declare it. */
  taskFinalStatus: (): ParameterSpec => ({ kind: 'parameter', type: 'TASK_FINAL_STATUS', optional: true }),
};

interface ArtifactOptions {
  optional?: boolean;
  /** An artifact list (fan-in of artifacts). */
  list?: boolean;
  description?: string;
}

function artifactOf(schemaTitle: string, schemaVersion = '0.0.1') {
  return (o: ArtifactOptions = {}): ArtifactSpec => ({
    kind: 'artifact',
    artifactType: { schemaTitle, schemaVersion },
    isList: o.list ?? false,
    optional: o.optional ?? false,
    ...(o.description !== undefined ? { description: o.description } : {}),
  });
}

/** Artifact types: KFP's `system.*` ontology plus any `google.*` type by name. */
export const artifact = {
  generic: artifactOf('system.Artifact'),
  dataset: artifactOf('system.Dataset'),
  model: artifactOf('system.Model'),
  metrics: artifactOf('system.Metrics'),
  classificationMetrics: artifactOf('system.ClassificationMetrics'),
  slicedClassificationMetrics: artifactOf('system.SlicedClassificationMetrics'),
  html: artifactOf('system.HTML'),
  markdown: artifactOf('system.Markdown'),
  /** e.g. `artifact.of('google.VertexModel')`. */
  of: (schemaTitle: string, schemaVersion = '0.0.1', o?: ArtifactOptions) => artifactOf(schemaTitle, schemaVersion)(o),
};

export function isParameterSpec(spec: IOSpec): spec is ParameterSpec {
  return spec.kind === 'parameter';
}
