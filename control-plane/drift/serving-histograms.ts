// Serving traffic binned on the baseline's bins: one BigQuery query over Vertex's request-response
// log counts, per deployed model and monitored feature, the instances in each bin of the feature's
// layout (monitored-features.ts), and those whose value is missing. Only these counts leave
// BigQuery. `servingHistogramsInMemory` computes the same counts in TypeScript from parsed rows: the
// reference the tests hold the SQL to.
//
// Reading a value (the same rules on both sides):
// - an instance is one element of `request_payload` (JSON); the prediction is `response_payload` at
//   the same offset (a shorter response leaves it missing);
// - a feature is the instance's key of its name, or its element at the input schema's index when the
//   instance is a list; a JSON string, number or boolean is a value, anything else (absent, null, an
//   object or list, a payload that is not JSON) is missing;
// - numeric: a JSON number, or a string holding a decimal number (`"12.5"`, `"-1e3"`); non-numbers
//   and values that are not finite (`"NaN"`, `"inf"`) are missing;
// - derived (date_hour, …): the instance's own key when it holds a number, else the part of the
//   source timestamp — `YYYY-MM-DD[( |T)HH:MM:SS[.f]][Z|±HH[:MM]]`, UTC unless an offset is given:
//   hour 0–23, dayofweek Monday = 0 … Sunday = 6 (pandas), month 1–12;
// - categorical: the value's text (a number as its JSON text; baseline categories are pandas
//   `astype(str)` texts); a prediction is its `predicted_class` when it is such an object, and a
//   class index (digits that are not a label, below the number of classes) is read as its label;
// - binning: numeric values on the baseline edges as numpy does ([e_k, e_k+1), the last bin closed,
//   so the maximum falls in the last bin), below the first edge in the underflow bin, above the last
//   in the overflow bin; categorical values in their category's bin, or the other bin.
import type { BigQuery } from '@google-cloud/bigquery';
import { z } from 'zod';
import type { ParameterizedQuery, QueryParamType, TableRef } from '../analysis/bigquery-query.js';
import { aggregateRows, columnNameSchema, tableRefSchema, tableSql } from '../analysis/bigquery-query.js';
import type { DatePart, MonitoredFeature } from './monitored-features.js';
import { DATE_PARTS } from './monitored-features.js';

/** The log rows a drift check reads: one endpoint, its deployed models, `[start, end)`. */
export interface ServingWindow {
  readonly logTable: TableRef;
  /** `projects/P/locations/L/endpoints/E`, as Vertex writes it in the log's `endpoint` column. */
  readonly endpoint: string;
  readonly deployedModelIds: readonly string[];
  readonly start: Date;
  readonly end: Date;
}

/** Serving counts over a feature's bins (its MonitoredFeature layout). */
export interface FeatureHistogram {
  /** Instances per bin: numeric [underflow, B bins, overflow]; categorical [...categories, other]. */
  readonly counts: number[];
  /** Instances without a readable value. */
  readonly missing: number;
  /** All instances: Σ counts + missing. */
  readonly total: number;
}

/** Per deployed model (every one of the window's), per feature name. */
export type ServingHistograms = Map<string, Map<string, FeatureHistogram>>;

/** One logged request, parsed: its instances and predictions as JSON values. */
export interface LoggedRequest {
  readonly deployedModelId: string;
  readonly instances: readonly unknown[];
  readonly predictions: readonly unknown[];
}

const windowSchema = z
  .object({
    logTable: tableRefSchema,
    endpoint: z.string().regex(/^projects\/[^/]+\/locations\/[^/]+\/endpoints\/[^/]+$/, 'projects/P/locations/L/endpoints/E'),
    deployedModelIds: z.array(z.string().min(1)).min(1),
    start: z.date(),
    end: z.date(),
  })
  .refine((w) => w.start.getTime() < w.end.getTime(), { message: 'start must be before end', path: ['end'] });

const increasing = (edges: readonly number[]) => edges.every((e, i) => Number.isFinite(e) && (i === 0 || e > edges[i - 1]!));
const index = z.number().int().nonnegative().optional();
// Keys and indexes are written into JSONPaths, so they are checked here whoever built the feature.
const featureSchema = z.object({
  name: z.string().min(1),
  kind: z.enum(['numeric', 'categorical']),
  source: z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('instance'), key: columnNameSchema, index }),
    z.object({ kind: z.literal('derived'), key: columnNameSchema, field: columnNameSchema, part: z.enum(DATE_PARTS), index }),
    z.object({ kind: z.literal('prediction') }),
  ]),
  edges: z.array(z.number()).min(2).refine(increasing, 'must be finite and strictly increasing').optional(),
  categories: z.array(z.string()).optional(),
  classes: z.array(z.string()).optional(),
});
const featuresSchema = z
  .array(featureSchema)
  .min(1)
  .superRefine((features, ctx) => {
    features.forEach((f, i) => {
      if (f.kind === 'numeric' && f.edges === undefined) ctx.addIssue({ code: 'custom', message: 'a numeric feature needs its edges', path: [i, 'edges'] });
      if (f.kind === 'categorical' && f.categories === undefined) ctx.addIssue({ code: 'custom', message: 'a categorical feature needs its categories', path: [i, 'categories'] });
      if (f.kind === 'categorical' && f.source.kind === 'derived') ctx.addIssue({ code: 'custom', message: 'only numeric features are derived', path: [i, 'source'] });
      if (f.classes !== undefined && (f.kind !== 'categorical' || f.source.kind !== 'prediction')) ctx.addIssue({ code: 'custom', message: 'only a categorical prediction has classes', path: [i, 'classes'] });
      if (features.findIndex((g) => g.name === f.name) !== i) ctx.addIssue({ code: 'custom', message: `feature '${f.name}' is listed twice`, path: [i, 'name'] });
    });
  });

/** Bins of a feature's layout. */
export function binCount(feature: MonitoredFeature): number {
  return feature.kind === 'numeric' ? feature.edges!.length + 1 : feature.categories!.length + 1;
}

// ---- SQL -------------------------------------------------------------------------------------------

/** `JSON_VALUE` of the feature's key, or of its list position when the instance is a list. */
function rawSql(key: string, position: number | undefined): string {
  const byKey = `JSON_VALUE(instance, '$.${key}')`;
  return position === undefined ? byKey : `COALESCE(${byKey}, JSON_VALUE(instance, '$[${position}]'))`;
}

const finiteSql = (x: string) => `IF(IS_NAN(${x}) OR IS_INF(${x}), NULL, ${x})`;

/** The calendar part as pandas numbers it (BigQuery's DAYOFWEEK is Sunday = 1 … Saturday = 7). */
function datePartSql(part: DatePart, timestamp: string): string {
  switch (part) {
    case 'hour':
      return `CAST(EXTRACT(HOUR FROM ${timestamp}) AS FLOAT64)`;
    case 'dayofweek':
      return `CAST(MOD(EXTRACT(DAYOFWEEK FROM ${timestamp}) + 5, 7) AS FLOAT64)`;
    case 'month':
      return `CAST(EXTRACT(MONTH FROM ${timestamp}) AS FLOAT64)`;
  }
}

/** Columns of the `readings` stage for feature i: what the instance (or prediction) holds. */
function readingSql(feature: MonitoredFeature, i: number): string {
  const source = feature.source;
  const numeric = feature.kind === 'numeric';
  switch (source.kind) {
    case 'prediction':
      return numeric ? `SAFE_CAST(JSON_VALUE(prediction) AS FLOAT64) AS r${i}` : `COALESCE(JSON_VALUE(prediction, '$.predicted_class'), JSON_VALUE(prediction)) AS r${i}`;
    case 'derived':
      return `SAFE_CAST(${rawSql(source.key, source.index)} AS FLOAT64) AS r${i}, SAFE_CAST(JSON_VALUE(instance, '$.${source.field}') AS TIMESTAMP) AS t${i}`;
    case 'instance':
      return numeric ? `SAFE_CAST(${rawSql(source.key, source.index)} AS FLOAT64) AS r${i}` : `${rawSql(source.key, source.index)} AS r${i}`;
  }
}

/** Feature i's value in the `values` stage: a finite FLOAT64 or a STRING, NULL when missing. */
function valueSql(feature: MonitoredFeature, i: number): string {
  if (feature.kind === 'categorical' && feature.classes !== undefined) {
    // A label stays; a class index (digits, within the classes) becomes its label.
    return `CASE WHEN r${i} IN UNNEST(@classes_${i}) OR NOT REGEXP_CONTAINS(r${i}, r'^[0-9]{1,9}$') THEN r${i} ELSE COALESCE(@classes_${i}[SAFE_OFFSET(CAST(r${i} AS INT64))], r${i}) END AS v${i}`;
  }
  if (feature.kind === 'categorical') return `r${i} AS v${i}`;
  if (feature.source.kind === 'derived') return `COALESCE(${finiteSql(`r${i}`)}, ${datePartSql(feature.source.part, `t${i}`)}) AS v${i}`;
  return `${finiteSql(`r${i}`)} AS v${i}`;
}

/**
 * Feature i's bin (`b<i>`) and category (`c<i>`). Numeric: the bin is RANGE_BUCKET on the edges
 * (0 below the first edge, B + 1 above the last) less one at the last edge itself (numpy's closed
 * last bin). Categorical: the bin is 0 for any value and the category the value when it is one of
 * the baseline's (else the other bin). Missing: bin NULL.
 */
function binSql(feature: MonitoredFeature, i: number): string {
  if (feature.kind === 'numeric') return `RANGE_BUCKET(v${i}, @edges_${i}) - IF(v${i} = @last_edge_${i}, 1, 0) AS b${i}, CAST(NULL AS STRING) AS c${i}`;
  return `IF(v${i} IS NULL, NULL, 0) AS b${i}, IF(v${i} IN UNNEST(@categories_${i}), v${i}, NULL) AS c${i}`;
}

/**
 * `CASE feature WHEN 0 THEN b0 … END`: feature i's column of the `binned` row. Each row meets every
 * feature index through an uncorrelated cross join; an UNNEST of per-row cells (a correlated array)
 * is as valid in BigQuery but many times slower in the emulator's DuckDB.
 */
function pickSql(features: readonly MonitoredFeature[], column: 'b' | 'c'): string {
  return `CASE feature ${features.map((_, i) => `WHEN ${i} THEN ${column}${i}`).join(' ')} END`;
}

/** The query of every feature's counts, per deployed model: rows (deployed_model_id, feature, bin, category, n). */
export function servingHistogramsQuery(window: ServingWindow, features: readonly MonitoredFeature[]): ParameterizedQuery {
  const w = windowSchema.parse(window);
  featuresSchema.parse(features);
  const params: Record<string, unknown> = {
    endpoint: w.endpoint,
    deployed_model_ids: w.deployedModelIds,
    window_start: w.start,
    window_end: w.end,
  };
  const types: Record<string, QueryParamType> = { endpoint: 'STRING', deployed_model_ids: ['STRING'], window_start: 'TIMESTAMP', window_end: 'TIMESTAMP' };
  features.forEach((f, i) => {
    if (f.kind === 'numeric') {
      params[`edges_${i}`] = f.edges;
      types[`edges_${i}`] = ['FLOAT64'];
      params[`last_edge_${i}`] = f.edges!.at(-1);
      types[`last_edge_${i}`] = 'FLOAT64';
    } else {
      params[`categories_${i}`] = f.categories;
      types[`categories_${i}`] = ['STRING'];
      if (f.classes !== undefined) {
        params[`classes_${i}`] = f.classes;
        types[`classes_${i}`] = ['STRING'];
      }
    }
  });
  // The offset only pairs an instance with its prediction: without one, plain UNNEST is cheaper.
  const predicted = features.some((f) => f.source.kind === 'prediction');
  const prediction = predicted ? ', log.response_payload[SAFE_OFFSET(position)] AS prediction' : '';
  const list = (parts: string[]) => parts.join(',\n    ');
  const sql = `WITH instances AS (
  SELECT log.deployed_model_id AS deployed_model_id, instance${prediction}
  FROM ${tableSql(w.logTable)} AS log, UNNEST(log.request_payload) AS instance${predicted ? ' WITH OFFSET AS position' : ''}
  WHERE log.endpoint = @endpoint
    AND log.deployed_model_id IN UNNEST(@deployed_model_ids)
    AND log.logging_time >= @window_start
    AND log.logging_time < @window_end
),
readings AS (
  SELECT deployed_model_id,
    ${list(features.map(readingSql))}
  FROM instances
),
feature_values AS (
  SELECT deployed_model_id,
    ${list(features.map(valueSql))}
  FROM readings
),
binned AS (
  SELECT deployed_model_id,
    ${list(features.map(binSql))}
  FROM feature_values
)
SELECT deployed_model_id, feature, ${pickSql(features, 'b')} AS bin, ${pickSql(features, 'c')} AS category, COUNT(*) AS n
FROM binned CROSS JOIN UNNEST(GENERATE_ARRAY(0, ${features.length - 1})) AS feature
GROUP BY deployed_model_id, feature, bin, category`;
  return { sql, params, types };
}

const countRow = z.object({
  deployed_model_id: z.string(),
  feature: z.coerce.number().int().nonnegative(),
  bin: z.coerce.number().int().nullable(),
  category: z.string().nullable(),
  n: z.coerce.number().int().nonnegative(),
});
type CountRow = z.infer<typeof countRow>;

function emptyHistograms(deployedModelIds: readonly string[], features: readonly MonitoredFeature[]): Map<string, Map<string, { counts: number[]; missing: number; total: number }>> {
  return new Map(deployedModelIds.map((id) => [id, new Map(features.map((f) => [f.name, { counts: new Array<number>(binCount(f)).fill(0), missing: 0, total: 0 }]))]));
}

/** The bin of a result row in its feature's layout; undefined for missing. */
function binOfRow(feature: MonitoredFeature, row: CountRow, categoryIndex: Map<string, number> | undefined): number | undefined {
  if (row.bin === null) return undefined;
  if (feature.kind === 'categorical') return row.category === null ? feature.categories!.length : categoryIndex!.get(row.category);
  return row.bin;
}

/** Every deployed model's histograms over the window, from one query. */
export async function servingHistograms(bigquery: BigQuery, window: ServingWindow, features: readonly MonitoredFeature[]): Promise<ServingHistograms> {
  const rows = await aggregateRows(bigquery, servingHistogramsQuery(window, features), countRow);
  const result = emptyHistograms(window.deployedModelIds, features);
  const categoryIndexes = features.map((f) => (f.categories === undefined ? undefined : new Map(f.categories.map((c, k) => [c, k]))));
  for (const row of rows) {
    const feature = features[row.feature];
    const histogram = feature && result.get(row.deployed_model_id)?.get(feature.name);
    if (feature === undefined || histogram === undefined) throw new Error(`the histogram query answered an unexpected row: ${JSON.stringify(row)}`);
    const bin = binOfRow(feature, row, categoryIndexes[row.feature]);
    if (bin !== undefined && (histogram.counts[bin] === undefined || !Number.isInteger(bin))) throw new Error(`the histogram query answered a bin outside feature '${feature.name}': ${JSON.stringify(row)}`);
    if (bin === undefined) histogram.missing += row.n;
    else histogram.counts[bin]! += row.n;
    histogram.total += row.n;
  }
  return result;
}

// ---- in memory -------------------------------------------------------------------------------------

/** JSON_VALUE's text of a parsed JSON value: strings, numbers and booleans; undefined otherwise. */
function scalarText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? JSON.stringify(value) : undefined;
  if (typeof value === 'boolean') return String(value);
  return undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function rawValue(instance: unknown, key: string, position: number | undefined): string | undefined {
  if (isRecord(instance)) return Object.hasOwn(instance, key) ? scalarText(instance[key]) : undefined;
  if (Array.isArray(instance) && position !== undefined) return scalarText(instance[position]);
  return undefined;
}

const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

function finiteNumber(text: string | undefined): number | undefined {
  if (text === undefined || !DECIMAL.test(text)) return undefined;
  const n = Number(text);
  return Number.isFinite(n) ? n : undefined;
}

const TIMESTAMP = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ Tt](\d{1,2}):(\d{1,2}):(\d{1,2})(\.\d{1,9})?)?(?:\s*(?:([Zz])|([+-])(\d{1,2})(?::?(\d{2}))?))?$/;

/** Epoch milliseconds of a BigQuery canonical timestamp text (UTC unless it has an offset). */
function timestampMillis(text: string | undefined): number | undefined {
  const m = text === undefined ? null : TIMESTAMP.exec(text);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = [1, 2, 3, 4, 5, 6].map((k) => Number(m[k] ?? 0)) as [number, number, number, number, number, number];
  // setUTCFullYear, not Date.UTC, which reads years below 100 as 19xx.
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, 0);
  // Out-of-range fields roll over (Feb 30 → Mar 2): such a text is not a timestamp.
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day || date.getUTCHours() !== hour || date.getUTCMinutes() !== minute || date.getUTCSeconds() !== second) return undefined;
  const offsetMinutes = m[9] === undefined ? 0 : (m[9] === '-' ? -1 : 1) * (Number(m[10]) * 60 + Number(m[11] ?? 0));
  return date.getTime() - offsetMinutes * 60_000 + Number(m[7] ?? 0) * 1000;
}

function datePart(part: DatePart, millis: number | undefined): number | undefined {
  if (millis === undefined) return undefined;
  const date = new Date(millis);
  if (part === 'hour') return date.getUTCHours();
  if (part === 'dayofweek') return (date.getUTCDay() + 6) % 7;
  return date.getUTCMonth() + 1;
}

/** The feature's value for one instance (and its prediction): a finite number, a text, or undefined. */
function valueOf(feature: MonitoredFeature, instance: unknown, prediction: unknown): number | string | undefined {
  const source = feature.source;
  if (source.kind === 'prediction') {
    if (feature.kind === 'numeric') return finiteNumber(scalarText(prediction));
    const text = (isRecord(prediction) && Object.hasOwn(prediction, 'predicted_class') ? scalarText(prediction.predicted_class) : undefined) ?? scalarText(prediction);
    const classes = feature.classes;
    if (text === undefined || classes === undefined || classes.includes(text) || !/^[0-9]{1,9}$/.test(text)) return text;
    return classes[Number(text)] ?? text;
  }
  const raw = rawValue(instance, source.key, source.index);
  if (feature.kind === 'categorical') return raw;
  const own = finiteNumber(raw);
  if (own !== undefined || source.kind === 'instance') return own;
  return datePart(source.part, timestampMillis(rawValue(instance, source.field, undefined)));
}

/** numpy's bin among [underflow, B bins, overflow]: edges[k-1] <= v < edges[k] is bin k; the last edge is in bin B. */
function numericBin(edges: readonly number[], v: number): number {
  const last = edges.length - 1;
  if (v === edges[last]) return last;
  // Edges <= v (RANGE_BUCKET): a binary search for the first edge above v.
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (edges[mid]! <= v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The same histograms as `servingHistograms`, from parsed log rows (the reference for the SQL). */
export function servingHistogramsInMemory(rows: readonly LoggedRequest[], features: readonly MonitoredFeature[]): ServingHistograms {
  featuresSchema.parse(features);
  const ids = [...new Set(rows.map((r) => r.deployedModelId))];
  const result = emptyHistograms(ids, features);
  const categoryIndexes = features.map((f) => (f.categories === undefined ? undefined : new Map(f.categories.map((c, k) => [c, k]))));
  for (const row of rows) {
    const histograms = result.get(row.deployedModelId)!;
    row.instances.forEach((instance, position) => {
      const prediction = row.predictions[position];
      features.forEach((feature, i) => {
        const histogram = histograms.get(feature.name)!;
        const value = valueOf(feature, instance, prediction);
        histogram.total++;
        if (value === undefined) {
          histogram.missing++;
          return;
        }
        const bin = typeof value === 'number' ? numericBin(feature.edges!, value) : (categoryIndexes[i]!.get(value) ?? feature.categories!.length);
        histogram.counts[bin]!++;
      });
    });
  }
  return result;
}
