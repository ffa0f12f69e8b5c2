// The training baseline a drift check compares serving traffic with: `baseline_statistics.json`,
// written beside each model version's artifact by pipelines/components/python/mlops_components/
// baseline.py. Numeric features carry np.histogram's edges and counts (`histogram_bins` equal-width
// bins over [min, max], the last bin closed on the right); categorical ones the counts of their 100
// most frequent values, the rest summed as `__other__`. An optional `prediction` entry, of the same
// shape, describes the model's predictions on its training data.
//
// The fields the check relies on are checked strictly (an error names the field); the rest of the
// document (quantiles, mean, …, keys added later) is let through untouched. A classifier's
// `prediction` also lists its `classes` (labels in index order): a server that answers with class
// indices (Vertex's prebuilt scikit-learn image) is read through them.
import { z } from 'zod';

/** The key under which baseline.py sums the values beyond the top 100. */
export const OTHER_CATEGORY = '__other__';

const count = z.number().int().nonnegative();
const finite = z.number().finite();

const histogramSchema = z
  .looseObject({
    bin_edges: z.array(finite).min(2),
    counts: z.array(count).min(1),
  })
  .superRefine((h, ctx) => {
    if (h.counts.length !== h.bin_edges.length - 1) {
      ctx.addIssue({ code: 'custom', message: `has ${h.counts.length} counts for ${h.bin_edges.length} edges (one fewer expected)`, path: ['counts'] });
    }
    for (let i = 1; i < h.bin_edges.length; i++) {
      if (!(h.bin_edges[i]! > h.bin_edges[i - 1]!)) {
        ctx.addIssue({ code: 'custom', message: 'must be strictly increasing', path: ['bin_edges', i] });
        return;
      }
    }
  });

const common = {
  count,
  null_count: count,
  null_fraction: z.number().min(0).max(1).optional(),
};

const numericStatisticsSchema = z.looseObject({
  type: z.literal('numeric'),
  ...common,
  /** Absent when the column had no value at all. */
  histogram: histogramSchema.optional(),
});

const categoricalStatisticsSchema = z.looseObject({
  type: z.literal('categorical'),
  ...common,
  /** The top values' counts, and `__other__` for the rest. */
  counts: z.record(z.string(), count),
});

export const featureStatisticsSchema = z.discriminatedUnion('type', [numericStatisticsSchema, categoricalStatisticsSchema]);

/**
 * The model's predictions on its training data: `output` `value` (regression, numeric) or `label`
 * (classification, categorical over the labels as strings, `classes` the labels in index order).
 */
export const predictionStatisticsSchema = z.intersection(
  featureStatisticsSchema,
  z.looseObject({ output: z.enum(['value', 'label']).optional(), classes: z.array(z.string()).optional() }),
);

export const baselineStatisticsSchema = z.looseObject({
  row_count: count,
  histogram_bins: z.number().int().min(1),
  features: z.record(z.string(), featureStatisticsSchema),
  /** The model's predictions on its training data, when the pipeline could score them. */
  prediction: predictionStatisticsSchema.optional(),
});

export type FeatureStatistics = z.infer<typeof featureStatisticsSchema>;
export type NumericStatistics = z.infer<typeof numericStatisticsSchema>;
export type CategoricalStatistics = z.infer<typeof categoricalStatisticsSchema>;
export type PredictionStatistics = z.infer<typeof predictionStatisticsSchema>;
export type BaselineStatistics = z.infer<typeof baselineStatisticsSchema>;

export class BaselineError extends Error {
  override readonly name = 'BaselineError';
}

/** `features.distance.histogram.bin_edges[3]`: the path of an issue as written in the document. */
function fieldPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((text, s) => (typeof s === 'number' ? `${text}[${s}]` : text === '' ? String(s) : `${text}.${String(s)}`), '');
}

/** The parsed document, or a BaselineError naming the first field that is wrong. */
export function parseBaseline(json: unknown): BaselineStatistics {
  const parsed = baselineStatisticsSchema.safeParse(json);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const field = fieldPath(issue.path);
  throw new BaselineError(`baseline_statistics.json${field ? ` field ${field}` : ''}: ${issue.message}`);
}
