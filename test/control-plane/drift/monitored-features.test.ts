// The baseline document and the features a drift check watches, on a baseline written by the
// pipeline's own baseline.py: parsing (garbage refused with the field named), the bin layouts and
// their baseline distributions, sources from input_schema.json, `only`, and the round trip that
// pins the binning and the calendar parts to numpy and pandas: the training rows themselves,
// binned in memory, give back the baseline's counts exactly (drift 0).
import { describe, expect, it } from 'vitest';
import type { BaselineStatistics } from '../../../control-plane/drift/baseline.js';
import { BaselineError, parseBaseline } from '../../../control-plane/drift/baseline.js';
import { featureDrift } from '../../../control-plane/drift/feature-drift.js';
import { MonitoredFeaturesError, monitoredFeatures } from '../../../control-plane/drift/monitored-features.js';
import type { LoggedRequest } from '../../../control-plane/drift/serving-histograms.js';
import { servingHistogramsInMemory } from '../../../control-plane/drift/serving-histograms.js';
import { scipyStack } from './python.js';
import { trainingBaseline } from './training-baseline.js';

const stack = scipyStack('drift monitored features');
const training = stack.ok ? trainingBaseline() : undefined;

/** The parts of baseline_statistics.json and input_schema.json the tests break. */
interface Stats {
  type: string;
  count: number;
  null_count: number;
  null_fraction: number;
  histogram: { bin_edges: number[]; counts: number[] };
  counts: Record<string, number>;
}
interface Doc {
  features: Record<string, Stats | Partial<Stats>>;
  prediction?: Partial<Stats> & { classes?: unknown; output?: string };
  written_by?: string;
}
type Edit = (d: Doc) => unknown;
interface SchemaDoc {
  features: { derived_from: { part: string } }[];
}

/** A deep copy of the document with `edit` applied. */
function edited<T = Doc>(doc: unknown, edit: (d: T) => unknown): unknown {
  const copy = structuredClone(doc) as T;
  edit(copy);
  return copy;
}
const stats = (d: Doc, name: string) => d.features[name] as Stats;

describe.skipIf(!stack.ok)('parseBaseline', () => {
  it('reads what baseline.py writes, extra keys included', () => {
    const doc = edited(training!.baseline, (d) => (d.written_by = 'a later version'));
    const baseline = parseBaseline(doc);
    expect(Object.keys(baseline.features)).toEqual(['distance', 'date_hour', 'date_dayofweek', 'date_month', 'origin']);
    expect(baseline.prediction?.type).toBe('numeric');
  });

  it.each([
    ['features', (d: Doc) => delete (d as Partial<Doc>).features, /field features: /],
    ['a type', (d: Doc) => (stats(d, 'origin').type = 'text'), /field features\.origin\.type/],
    ['unsorted edges', (d: Doc) => (stats(d, 'distance').histogram.bin_edges[3] = -1), /field features\.distance\.histogram\.bin_edges\[3\]: must be strictly increasing/],
    ['counts vs edges', (d: Doc) => stats(d, 'distance').histogram.counts.pop(), /field features\.distance\.histogram\.counts: has 19 counts for 21 edges/],
    ['a negative count', (d: Doc) => (stats(d, 'origin').counts.A000 = -2), /field features\.origin\.counts\.A000/],
    ['the prediction', (d: Doc) => (d.prediction = { type: 'numeric' }), /field prediction\.count/],
    ['the classes', (d: Doc) => (d.prediction!.classes = 'late'), /field prediction\.classes/],
  ] satisfies [string, Edit, RegExp][])('names the field when %s is wrong', (_, edit, message) => {
    expect(() => parseBaseline(edited(training!.baseline, edit))).toThrow(BaselineError);
    expect(() => parseBaseline(edited(training!.baseline, edit))).toThrow(message);
  });

  it('refuses a document that is not an object', () => {
    expect(() => parseBaseline('[]')).toThrow(/baseline_statistics\.json: /);
  });
});

describe.skipIf(!stack.ok)('monitoredFeatures', () => {
  const baseline = stack.ok ? parseBaseline(training!.baseline) : (undefined as unknown as BaselineStatistics);

  it('lays out numeric bins with under- and overflow and categorical bins with other, as distributions', () => {
    const features = monitoredFeatures(baseline, training!.inputSchema);
    expect(features.map((f) => f.name)).toEqual(['distance', 'date_hour', 'date_dayofweek', 'date_month', 'origin', 'prediction']);
    const distance = features[0]!;
    const stats = baseline.features.distance!;
    if (stats.type !== 'numeric') throw new Error('distance is numeric');
    const counts = stats.histogram!.counts;
    const total = counts.reduce((a, b) => a + b, 0);
    expect(total).toBe(stats.count - stats.null_count);
    expect(distance.edges).toEqual(stats.histogram!.bin_edges);
    expect(distance.baseline).toEqual([0, ...counts.map((c) => c / total), 0]);
    expect(distance.baselineCount).toBe(total);
    expect(distance.baselineMissingFraction).toBeCloseTo(stats.null_count / stats.count, 12);

    const origin = features[4]!;
    const originStats = baseline.features.origin!;
    if (originStats.type !== 'categorical') throw new Error('origin is categorical');
    expect(origin.kind).toBe('categorical');
    expect(origin.categories).toHaveLength(100);
    expect(origin.categories).not.toContain('__other__');
    expect(originStats.counts.__other__).toBeGreaterThan(0);
    expect(origin.baseline.at(-1)).toBeCloseTo(originStats.counts.__other__! / origin.baselineCount, 12);
    expect(origin.baseline.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
  });

  it('takes sources from input_schema.json: keys, list indexes, derived timestamp parts; the prediction', () => {
    const byName = new Map(monitoredFeatures(baseline, training!.inputSchema).map((f) => [f.name, f.source]));
    expect(byName.get('distance')).toEqual({ kind: 'instance', key: 'distance', index: 0 });
    expect(byName.get('date_dayofweek')).toEqual({ kind: 'derived', key: 'date_dayofweek', field: 'date', part: 'dayofweek', index: 2 });
    expect(byName.get('origin')).toEqual({ kind: 'instance', key: 'origin', index: 4 });
    expect(byName.get('prediction')).toEqual({ kind: 'prediction' });
    // Without an input schema every feature is read from its own key.
    expect(monitoredFeatures(baseline, undefined)[1]!.source).toEqual({ kind: 'instance', key: 'date_hour' });
  });

  it("gives a classifier's prediction its classes, so that served class indices read as labels", () => {
    const classifier = parseBaseline(
      edited(training!.baseline, (d) => (d.prediction = { output: 'label', classes: ['late', 'on_time'], type: 'categorical', count: 10, null_count: 0, counts: { on_time: 7, late: 3 } })),
    );
    const [prediction] = monitoredFeatures(classifier, undefined, ['prediction']);
    expect(prediction).toMatchObject({ kind: 'categorical', categories: ['on_time', 'late'], classes: ['late', 'on_time'], baseline: [0.7, 0.3, 0] });
    expect(monitoredFeatures(baseline, undefined, ['prediction'])[0]).not.toHaveProperty('classes');
  });

  it('keeps only the named features and names the unknown ones', () => {
    expect(monitoredFeatures(baseline, undefined, ['origin', 'prediction']).map((f) => f.name)).toEqual(['origin', 'prediction']);
    expect(() => monitoredFeatures(baseline, undefined, ['distance', 'date_hours', 'carrier'])).toThrow(MonitoredFeaturesError);
    expect(() => monitoredFeatures(baseline, undefined, ['distance', 'date_hours', 'carrier'])).toThrow(/not in the baseline: 'date_hours' \(did you mean 'date_hour'\?\), 'carrier'/);
  });

  it('leaves out a feature the baseline saw no value of, unless it is named', () => {
    const empty = parseBaseline(edited(training!.baseline, (d) => (d.features.blank = { type: 'numeric', count: 10, null_count: 10, null_fraction: 1 })));
    expect(monitoredFeatures(empty, undefined).map((f) => f.name)).not.toContain('blank');
    expect(() => monitoredFeatures(empty, undefined, ['blank'])).toThrow(/'blank' has no value in the baseline/);
  });

  it('refuses names that cannot be JSONPath keys, a bad input schema, and a feature named prediction beside the entry', () => {
    const odd = parseBaseline(edited(training!.baseline, (d) => (d.features["dep time'"] = stats(d, 'distance'))));
    expect(() => monitoredFeatures(odd, undefined)).toThrow(/feature "dep time'" cannot be monitored/);
    const schema = edited<SchemaDoc>(training!.inputSchema, (s) => (s.features[1]!.derived_from.part = 'minute'));
    expect(() => monitoredFeatures(baseline, schema)).toThrow(/input_schema\.json field features\[1\]\.derived_from\.part/);
    const clash = parseBaseline(edited(training!.baseline, (d) => (d.features.prediction = stats(d, 'distance'))));
    expect(() => monitoredFeatures(clash, undefined)).toThrow(/clashes/);
  });

  it('the training rows, binned in memory, give back the baseline counts exactly (numpy bins, pandas calendar parts)', () => {
    const features = monitoredFeatures(baseline, training!.inputSchema);
    const asRequests = (instances: unknown[]): LoggedRequest[] => instances.map((instance, i) => ({ deployedModelId: 'm', instances: [instance], predictions: [training!.predictions[i]] }));
    for (const instances of [training!.objects, training!.lists]) {
      const histograms = servingHistogramsInMemory(asRequests(instances), features).get('m')!;
      for (const feature of features) {
        const h = histograms.get(feature.name)!;
        expect(h.counts, feature.name).toEqual(feature.baseline.map((p) => Math.round(p * feature.baselineCount)));
        expect(h.total - h.missing).toBe(feature.baselineCount);
        expect(h.missing / h.total).toBeCloseTo(feature.baselineMissingFraction, 12);
        const drift = featureDrift(feature, h);
        expect(drift.distance.value).toBeCloseTo(0, 12);
        expect(drift.psi).toBeCloseTo(0, 12);
        expect(drift.psiTier).toBe('stable');
      }
    }
  });
});
