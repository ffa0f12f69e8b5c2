// The proto enums this API uses. Over REST the Node client sends enums as integers
// (`$alt=json;enum-encoding=int`), other callers send names: both are accepted, and responses use
// the encoding the caller asked for.

export interface EnumDef<N extends string> {
  /** Fully qualified proto name, used in Google's "Invalid value" messages. */
  readonly fullName: string;
  readonly values: Readonly<Record<N, number>>;
}

function defineEnum<N extends string>(fullName: string, values: Record<N, number>): EnumDef<N> {
  return { fullName, values };
}

export const MetricKindEnum = defineEnum('google.api.MetricDescriptor.MetricKind', {
  METRIC_KIND_UNSPECIFIED: 0,
  GAUGE: 1,
  DELTA: 2,
  CUMULATIVE: 3,
});

export const ValueTypeEnum = defineEnum('google.api.MetricDescriptor.ValueType', {
  VALUE_TYPE_UNSPECIFIED: 0,
  BOOL: 1,
  INT64: 2,
  DOUBLE: 3,
  STRING: 4,
  DISTRIBUTION: 5,
  MONEY: 6,
});

export const LabelValueTypeEnum = defineEnum('google.api.LabelDescriptor.ValueType', { STRING: 0, BOOL: 1, INT64: 2 });

export const LaunchStageEnum = defineEnum('google.api.LaunchStage', {
  LAUNCH_STAGE_UNSPECIFIED: 0,
  UNIMPLEMENTED: 6,
  PRELAUNCH: 7,
  EARLY_ACCESS: 1,
  ALPHA: 2,
  BETA: 3,
  GA: 4,
  DEPRECATED: 5,
});

export const HierarchyLevelEnum = defineEnum('google.api.MetricDescriptor.MetricDescriptorMetadata.TimeSeriesResourceHierarchyLevel', {
  TIME_SERIES_RESOURCE_HIERARCHY_LEVEL_UNSPECIFIED: 0,
  PROJECT: 1,
  ORGANIZATION: 2,
  FOLDER: 3,
});

export const AlignerEnum = defineEnum('google.monitoring.v3.Aggregation.Aligner', {
  ALIGN_NONE: 0,
  ALIGN_DELTA: 1,
  ALIGN_RATE: 2,
  ALIGN_INTERPOLATE: 3,
  ALIGN_NEXT_OLDER: 4,
  ALIGN_MIN: 10,
  ALIGN_MAX: 11,
  ALIGN_MEAN: 12,
  ALIGN_COUNT: 13,
  ALIGN_SUM: 14,
  ALIGN_STDDEV: 15,
  ALIGN_COUNT_TRUE: 16,
  ALIGN_COUNT_FALSE: 24,
  ALIGN_FRACTION_TRUE: 17,
  ALIGN_PERCENTILE_99: 18,
  ALIGN_PERCENTILE_95: 19,
  ALIGN_PERCENTILE_50: 20,
  ALIGN_PERCENTILE_05: 21,
  ALIGN_PERCENT_CHANGE: 23,
});

export const ReducerEnum = defineEnum('google.monitoring.v3.Aggregation.Reducer', {
  REDUCE_NONE: 0,
  REDUCE_MEAN: 1,
  REDUCE_MIN: 2,
  REDUCE_MAX: 3,
  REDUCE_SUM: 4,
  REDUCE_STDDEV: 5,
  REDUCE_COUNT: 6,
  REDUCE_COUNT_TRUE: 7,
  REDUCE_COUNT_FALSE: 15,
  REDUCE_FRACTION_TRUE: 8,
  REDUCE_PERCENTILE_99: 9,
  REDUCE_PERCENTILE_95: 10,
  REDUCE_PERCENTILE_50: 11,
  REDUCE_PERCENTILE_05: 12,
});

export const ViewEnum = defineEnum('google.monitoring.v3.ListTimeSeriesRequest.TimeSeriesView', { FULL: 0, HEADERS: 1 });

export type EnumName<D> = D extends EnumDef<infer N> ? N : never;
export type MetricKindName = EnumName<typeof MetricKindEnum>;
export type ValueTypeName = EnumName<typeof ValueTypeEnum>;
export type LabelValueTypeName = EnumName<typeof LabelValueTypeEnum>;
export type LaunchStageName = EnumName<typeof LaunchStageEnum>;
export type AlignerName = EnumName<typeof AlignerEnum>;
export type ReducerName = EnumName<typeof ReducerEnum>;
export type ViewName = EnumName<typeof ViewEnum>;
export type HierarchyLevelName = EnumName<typeof HierarchyLevelEnum>;

/** The name for a name or number (numbers may arrive as strings in query parameters), or undefined. */
export function enumName<N extends string>(def: EnumDef<N>, raw: unknown): N | undefined {
  const names = Object.keys(def.values) as N[];
  if (typeof raw === 'string' && (names as string[]).includes(raw)) return raw as N;
  const num = typeof raw === 'number' ? raw : typeof raw === 'string' && /^-?\d+$/.test(raw) ? Number(raw) : undefined;
  if (num === undefined) return undefined;
  return names.find((n) => def.values[n] === num);
}

/** How a response spells enums: names (the JSON default) or numbers (`enum-encoding=int`). */
export interface Encoding {
  readonly enumsAsInts: boolean;
}

export function encodeEnum<N extends string>(def: EnumDef<N>, name: N, encoding: Encoding): string | number {
  return encoding.enumsAsInts ? def.values[name] : name;
}

/** `$alt=json;enum-encoding=int` is how the REST fallback asks for numeric enums. */
export function encodingFromQuery(query: URLSearchParams): Encoding {
  const alt = query.get('$alt') ?? query.get('alt') ?? '';
  return { enumsAsInts: /(^|;)enum-encoding=int($|;)/.test(alt) };
}
