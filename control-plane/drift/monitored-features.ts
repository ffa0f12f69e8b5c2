// What a drift check watches: each baseline feature (and the model's prediction, when the baseline
// describes it) with where its serving value comes from and the bins it is compared on.
//
// Bins. A numeric feature has the baseline's B histogram bins plus an underflow bin in front and an
// overflow bin behind (serving values outside the training range land there; the baseline has no
// mass in them). A categorical feature has the baseline's categories plus one bin for every other
// value (`__other__` in the baseline: values beyond its top 100; in serving also values never seen).
// `baseline` is the baseline's distribution over exactly these bins, so serving counts binned the
// same way compare bin by bin.
//
// Sources. A feature is read from the logged instance's key of the same name (`$.distance`), or at
// its input_schema.json index when the instance is a list. A feature input_schema.json marks
// `derived_from {source, part}` (date_hour from date) is read from its own key when the instance has
// it, and otherwise computed from the source timestamp. The prediction is the response's element at
// the instance's offset; a classifier's prediction given as a class index is read as its label.
import { z } from 'zod';
import { closestName } from '../../common/suggest.js';
import { columnNameSchema } from '../analysis/bigquery-query.js';
import { PREDICTION_FEATURE } from '../config/model-spec.js';
import type { BaselineStatistics, FeatureStatistics } from './baseline.js';
import { OTHER_CATEGORY } from './baseline.js';

/** Calendar parts of a timestamp, as pipelines/components/python/mlops_components/features.py derives them (UTC). */
export const DATE_PARTS = ['hour', 'dayofweek', 'month'] as const;
export type DatePart = (typeof DATE_PARTS)[number];

export type FeatureSource =
  /** The instance's `key` (or its element at `index` when the instance is a list). */
  | { readonly kind: 'instance'; readonly key: string; readonly index?: number }
  /** The instance's `key` when present, else `part` of the timestamp in its `field`. */
  | { readonly kind: 'derived'; readonly key: string; readonly field: string; readonly part: DatePart; readonly index?: number }
  /** The prediction at the instance's offset in the response. */
  | { readonly kind: 'prediction' };

export interface MonitoredFeature {
  /** The baseline's name (`prediction` for the predictions). */
  readonly name: string;
  readonly kind: 'numeric' | 'categorical';
  readonly source: FeatureSource;
  /** Numeric: the baseline's B + 1 bin edges; bins are [underflow, the B bins, overflow]. */
  readonly edges?: readonly number[];
  /** Categorical: the baseline's categories; bins are [...categories, other]. */
  readonly categories?: readonly string[];
  /**
   * A classifier's prediction: its labels in index order. A served prediction that is not one of
   * them but a whole number k < classes.length is read as classes[k] (servers answering indices).
   */
  readonly classes?: readonly string[];
  /** The baseline's distribution over the feature's bins (sums to 1). */
  readonly baseline: readonly number[];
  /** Baseline values binned (nulls excluded). */
  readonly baselineCount: number;
  /** The baseline's share of nulls. */
  readonly baselineMissingFraction: number;
}

export class MonitoredFeaturesError extends Error {
  override readonly name = 'MonitoredFeaturesError';
}

const inputSchemaSchema = z.looseObject({
  features: z.array(
    z.looseObject({
      name: z.string(),
      index: z.number().int().nonnegative().optional(),
      derived_from: z.looseObject({ source: z.string(), part: z.enum(DATE_PARTS) }).optional(),
    }),
  ),
});
type InputSchemaFeature = z.infer<typeof inputSchemaSchema>['features'][number];

function parseInputSchema(json: unknown): Map<string, InputSchemaFeature> {
  if (json === undefined) return new Map();
  const parsed = inputSchemaSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path.reduce<string>((t, s) => (typeof s === 'number' ? `${t}[${s}]` : t ? `${t}.${String(s)}` : String(s)), '');
    throw new MonitoredFeaturesError(`input_schema.json${field ? ` field ${field}` : ''}: ${issue.message}`);
  }
  return new Map(parsed.data.features.map((f) => [f.name, f]));
}

/** A name written into SQL as a JSONPath key must be a plain identifier. */
function checkedKey(name: string, what: string): string {
  if (!columnNameSchema.safeParse(name).success) throw new MonitoredFeaturesError(`${what} ${JSON.stringify(name)} cannot be monitored: serving keys must be letters, digits and underscores`);
  return name;
}

/** Where a feature's serving value comes from; only numeric features are derived (calendar parts are numbers). */
function sourceOf(name: string, kind: MonitoredFeature['kind'], schema: InputSchemaFeature | undefined): FeatureSource {
  const key = checkedKey(name, 'feature');
  const index = schema?.index === undefined ? {} : { index: schema.index };
  const derived = schema?.derived_from;
  if (derived === undefined || kind !== 'numeric') return { kind: 'instance', key, ...index };
  return { kind: 'derived', key, field: checkedKey(derived.source, `the source of feature ${name},`), part: derived.part, ...index };
}

/** The feature's bins and baseline distribution; undefined when the baseline saw no value of it. */
function binsOf(stats: FeatureStatistics): Pick<MonitoredFeature, 'kind' | 'edges' | 'categories' | 'baseline' | 'baselineCount'> | undefined {
  if (stats.type === 'numeric') {
    const histogram = stats.histogram;
    const total = histogram?.counts.reduce((a, b) => a + b, 0) ?? 0;
    if (histogram === undefined || total === 0) return undefined;
    return { kind: 'numeric', edges: histogram.bin_edges, baseline: [0, ...histogram.counts.map((c) => c / total), 0], baselineCount: total };
  }
  const categories = Object.keys(stats.counts).filter((c) => c !== OTHER_CATEGORY);
  const counts = [...categories.map((c) => stats.counts[c]!), stats.counts[OTHER_CATEGORY] ?? 0];
  const total = counts.reduce((a, b) => a + b, 0);
  if (total === 0) return undefined;
  return { kind: 'categorical', categories, baseline: counts.map((c) => c / total), baselineCount: total };
}

/**
 * The features a drift check watches: every baseline feature, then `prediction` when the baseline
 * has it; only those named in `only` when given (an unknown name is an error, as is a named feature
 * the baseline saw no value of). Unnamed features the baseline saw no value of are left out.
 */
export function monitoredFeatures(baseline: BaselineStatistics, inputSchema: unknown, only?: readonly string[]): MonitoredFeature[] {
  const schema = parseInputSchema(inputSchema);
  if (baseline.prediction !== undefined && Object.hasOwn(baseline.features, PREDICTION_FEATURE)) {
    throw new MonitoredFeaturesError(`baseline feature '${PREDICTION_FEATURE}' clashes with the baseline's prediction entry`);
  }
  const entries: [string, FeatureStatistics, FeatureSource | undefined][] = Object.entries(baseline.features).map(([name, stats]) => [name, stats, undefined]);
  if (baseline.prediction !== undefined) entries.push([PREDICTION_FEATURE, baseline.prediction, { kind: 'prediction' }]);

  const known = entries.map(([name]) => name);
  const wanted = only === undefined ? undefined : new Set(only);
  const unknown = [...(wanted ?? [])].filter((name) => !known.includes(name));
  if (unknown.length > 0) {
    const hints = unknown.map((name) => {
      const guess = closestName(name, known);
      return guess === undefined ? `'${name}'` : `'${name}' (did you mean '${guess}'?)`;
    });
    throw new MonitoredFeaturesError(`not in the baseline: ${hints.join(', ')}; it has ${known.join(', ')}`);
  }

  const features: MonitoredFeature[] = [];
  for (const [name, stats, predictionSource] of entries) {
    if (wanted !== undefined && !wanted.has(name)) continue;
    const bins = binsOf(stats);
    if (bins === undefined) {
      if (wanted !== undefined) throw new MonitoredFeaturesError(`feature '${name}' has no value in the baseline to compare with`);
      continue;
    }
    const classes = predictionSource !== undefined && bins.kind === 'categorical' ? baseline.prediction?.classes : undefined;
    features.push({
      name,
      ...bins,
      ...(classes === undefined ? {} : { classes }),
      source: predictionSource ?? sourceOf(name, bins.kind, schema.get(name)),
      baselineMissingFraction: stats.count === 0 ? 0 : stats.null_count / stats.count,
    });
  }
  return features;
}
