// servingHistograms against the BigQuery emulator through the official client: the one query's
// counts equal servingHistogramsInMemory's on the same rows, and both equal counts written out by
// hand for the edge cases (values at and beyond the edges, numeric strings, non-numbers, missing
// keys, derived calendar parts with and without offsets, list instances, unseen categories,
// unreadable and absent predictions). The pipeline's training rows, logged as requests, give back
// their baseline's counts (the SQL's calendar parts and bins agree with pandas and numpy).
import type { Table } from '@google-cloud/bigquery';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseBaseline } from '../../../control-plane/drift/baseline.js';
import type { MonitoredFeature } from '../../../control-plane/drift/monitored-features.js';
import { monitoredFeatures } from '../../../control-plane/drift/monitored-features.js';
import type { LoggedRequest, ServingWindow } from '../../../control-plane/drift/serving-histograms.js';
import { binCount, servingHistograms, servingHistogramsInMemory, servingHistogramsQuery } from '../../../control-plane/drift/serving-histograms.js';
import { REQUEST_RESPONSE_SCHEMA } from '../../../emulators/vertex/serving/request-logging/rows.js';
import type { Harness } from '../../emulators/bigquery/support.js';
import { PROJECT, startHarness } from '../../emulators/bigquery/support.js';
import { scipyStack } from './python.js';
import { linspace, rng } from '../../support/random.js';
import type { TrainingBaseline } from './training-baseline.js';
import { trainingBaseline } from './training-baseline.js';

const logTable = { projectId: PROJECT, datasetId: 'serving', tableId: 'request_response_logging' };
const endpointName = (e: string) => `projects/${PROJECT}/locations/us-central1/endpoints/${e}`;
const START = new Date('2025-03-01T10:00:00Z');
const END = new Date('2025-03-01T11:00:00Z');
const inWindow = (i: number) => new Date(START.getTime() + 1000 + (i % 3_000_000));
const window = (endpoint: string, deployedModelIds = ['stable', 'canary']): ServingWindow => ({ logTable, endpoint: endpointName(endpoint), deployedModelIds, start: START, end: END });

const uniform = (bins: number) => new Array<number>(bins).fill(1 / bins);
function numeric(name: string, edges: number[], source: MonitoredFeature['source']): MonitoredFeature {
  return { name, kind: 'numeric', source, edges, baseline: [0, ...uniform(edges.length - 1), 0], baselineCount: 100, baselineMissingFraction: 0 };
}
function categorical(name: string, categories: string[], source: MonitoredFeature['source']): MonitoredFeature {
  return { name, kind: 'categorical', source, categories, baseline: uniform(categories.length + 1), baselineCount: 100, baselineMissingFraction: 0 };
}

// Integer edges make the expected bins easy to write: on [0, 1, …, 10·k] value v is bin ⌊v⌋ + 1 of the
// layout (0 is underflow), the last edge itself is in the last bin.
const FEATURES: MonitoredFeature[] = [
  numeric('distance', [0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100], { kind: 'instance', key: 'distance', index: 0 }),
  numeric('date_hour', linspace(0, 23, 23), { kind: 'derived', key: 'date_hour', field: 'date', part: 'hour', index: 1 }),
  numeric('date_dayofweek', linspace(0, 6, 6), { kind: 'derived', key: 'date_dayofweek', field: 'date', part: 'dayofweek', index: 2 }),
  numeric('date_month', linspace(1, 12, 11), { kind: 'derived', key: 'date_month', field: 'date', part: 'month', index: 3 }),
  categorical('origin', ['ORD', 'DFW', 'ATL', '7'], { kind: 'instance', key: 'origin', index: 4 }),
  numeric('prediction', [-3, -2, -1, 0, 1, 2, 3], { kind: 'prediction' }),
];
const CLASS_FEATURES: MonitoredFeature[] = [categorical('prediction', ['a', 'b', '1'], { kind: 'prediction' })];
// A classifier's prediction with its labels in index order: indices (the prebuilt image's answers) read as labels.
const INDEXED_FEATURES: MonitoredFeature[] = [{ ...categorical('prediction', ['on_time', 'late', '5'], { kind: 'prediction' }), classes: ['late', 'on_time', '5'] }];

const INDEXED_CASES: Case[] = [
  { instance: {}, prediction: 'late', bins: { prediction: 1 } },
  { instance: {}, prediction: 1, bins: { prediction: 0 } },
  { instance: {}, prediction: 0, bins: { prediction: 1 } },
  { instance: {}, prediction: '1', bins: { prediction: 0 } },
  { instance: {}, prediction: 5, bins: { prediction: 2 } },
  { instance: {}, prediction: 2, bins: { prediction: 2 } },
  { instance: {}, prediction: 3, bins: { prediction: 3 } },
  { instance: {}, prediction: { predicted_class: 'on_time', probabilities: [0.4, 0.6, 0] }, bins: { prediction: 0 } },
  { instance: {}, prediction: { predicted_class: 0 }, bins: { prediction: 1 } },
  { instance: {}, prediction: -1, bins: { prediction: 3 } },
  { instance: {}, prediction: 1.5, bins: { prediction: 3 } },
  { instance: {}, prediction: 'x', bins: { prediction: 3 } },
  { instance: {}, prediction: null, bins: {} },
];

type Expected = Partial<Record<string, number>>;
interface Case {
  instance: unknown;
  prediction?: unknown;
  /** Layout bins per feature; a feature not named is missing. */
  bins: Expected;
}

// 2008-03-01 was a Saturday (dayofweek 5), 2024-12-31 a Tuesday (1), 2024-06-02 a Sunday (6).
const CASES: Case[] = [
  { instance: { distance: -5 }, bins: { distance: 0 } },
  { instance: { distance: 0 }, bins: { distance: 1 } },
  { instance: { distance: 10 }, bins: { distance: 2 } },
  { instance: { distance: 100 }, bins: { distance: 10 } },
  { instance: { distance: 100.0000001 }, bins: { distance: 11 } },
  { instance: { distance: 1e-300 }, bins: { distance: 1 } },
  { instance: { distance: '55.5' }, bins: { distance: 6 } },
  { instance: { distance: '-1e3' }, bins: { distance: 0 } },
  { instance: { distance: 'abc' }, bins: {} },
  { instance: { distance: '' }, bins: {} },
  { instance: { distance: true }, bins: {} },
  { instance: { distance: null }, bins: {} },
  { instance: { distance: { x: 1 } }, bins: {} },
  { instance: { distance: [5] }, bins: {} },
  { instance: { distance: 'NaN' }, bins: {} },
  { instance: { distance: '1e400' }, bins: {} },
  { instance: { other: 5 }, bins: {} },
  { instance: { date: '2008-03-01 10:15:00' }, bins: { date_hour: 11, date_dayofweek: 6, date_month: 3 } },
  { instance: { date: '2024-01-07 00:30:00+02:00' }, bins: { date_hour: 23, date_dayofweek: 6, date_month: 1 } },
  { instance: { date: '2024-12-31T23:59:59Z' }, bins: { date_hour: 23, date_dayofweek: 2, date_month: 11 } },
  { instance: { date: '2024-06-02' }, bins: { date_hour: 1, date_dayofweek: 6, date_month: 6 } },
  { instance: { date_hour: 7, date: '2008-03-01 10:15:00' }, bins: { date_hour: 8, date_dayofweek: 6, date_month: 3 } },
  { instance: { date_hour: 'abc', date_month: 30, date: '2008-03-01 10:15:00' }, bins: { date_hour: 11, date_dayofweek: 6, date_month: 12 } },
  { instance: { date: 'not a date' }, bins: {} },
  { instance: { date: '2008-02-30 10:00:00' }, bins: {} },
  { instance: { origin: 'ORD' }, bins: { origin: 0 } },
  { instance: { origin: 'ATL' }, bins: { origin: 2 } },
  { instance: { origin: 'XXX' }, bins: { origin: 4 } },
  { instance: { origin: 'ord' }, bins: { origin: 4 } },
  { instance: { origin: 7 }, bins: { origin: 3 } },
  { instance: { origin: true }, bins: { origin: 4 } },
  { instance: { origin: null }, bins: {} },
  { instance: { origin: ['ORD'] }, bins: {} },
  { instance: [12, 5, 1, 2, 'DFW'], bins: { distance: 2, date_hour: 6, date_dayofweek: 2, date_month: 2, origin: 1 } },
  { instance: [3], bins: { distance: 1 } },
  { instance: 'not an object', bins: {} },
  { instance: {}, prediction: 0.5, bins: { prediction: 4 } },
  { instance: {}, prediction: 3, bins: { prediction: 6 } },
  { instance: {}, prediction: -3.5, bins: { prediction: 0 } },
  { instance: {}, prediction: '1.5', bins: { prediction: 5 } },
  { instance: {}, prediction: 'oops', bins: {} },
  { instance: {}, prediction: { value: 3 }, bins: {} },
];
const CLASS_CASES: Case[] = [
  { instance: {}, prediction: { predicted_class: 'a', probabilities: [0.9, 0.1] }, bins: { prediction: 0 } },
  { instance: {}, prediction: 'b', bins: { prediction: 1 } },
  { instance: {}, prediction: 1, bins: { prediction: 2 } },
  { instance: {}, prediction: { predicted_class: 1 }, bins: { prediction: 2 } },
  { instance: {}, prediction: 'zzz', bins: { prediction: 3 } },
  { instance: {}, prediction: { probabilities: [0.2, 0.8] }, bins: {} },
  { instance: {}, prediction: null, bins: {} },
];

/** The histograms the cases' `bins` spell out, for `copies` requests of each case. */
function expectedHistograms(cases: Case[], features: MonitoredFeature[], copies: number) {
  return new Map(
    features.map((f) => {
      const counts = new Array<number>(binCount(f)).fill(0);
      let missing = 0;
      for (const c of cases) {
        const bin = c.bins[f.name];
        if (bin === undefined) missing += copies;
        else counts[bin]! += copies;
      }
      return [f.name, { counts, missing, total: cases.length * copies }];
    }),
  );
}

interface LogRow {
  endpoint: string;
  deployed_model_id: string;
  logging_time: Date;
  request_id: string;
  request_payload: string[];
  response_payload: string[];
}

let h: Harness;
let log: Table;
let counter = 0;
const logged: Record<string, LoggedRequest[]> = {};
const stack = scipyStack('drift serving histograms');
let training: TrainingBaseline | undefined;

/** A log row, remembered (for the in-memory reference) when it is one the window must read. */
function row(endpoint: string, deployedModelId: string, at: Date, instances: unknown[], predictions: unknown[], read = true): LogRow {
  counter++;
  if (read) (logged[endpoint] ??= []).push({ deployedModelId, instances, predictions });
  return {
    endpoint: endpointName(endpoint),
    deployed_model_id: deployedModelId,
    logging_time: at,
    request_id: `${100_000_000_000 + counter}`,
    request_payload: instances.map((i) => JSON.stringify(i)),
    response_payload: predictions.map((p) => JSON.stringify(p)),
  };
}

beforeAll(async () => {
  h = await startHarness();
  const [ds] = await h.bigquery.createDataset('serving');
  [log] = await ds.createTable('request_response_logging', { schema: REQUEST_RESPONSE_SCHEMA.map((f) => ({ ...f })) });
  const rows: LogRow[] = [];
  // Edge cases: each case once per version, one instance per request.
  CASES.forEach((c, i) => {
    for (const version of ['stable', 'canary']) rows.push(row('edges', version, inWindow(i), [c.instance], 'prediction' in c ? [c.prediction] : []));
  });
  CLASS_CASES.forEach((c, i) => rows.push(row('classes', 'stable', inWindow(i), [c.instance], [c.prediction])));
  INDEXED_CASES.forEach((c, i) => rows.push(row('indexed', 'stable', inWindow(i), [c.instance], [c.prediction])));
  // A mix: requests of 1–4 instances drawn from the cases and from random values; some responses short.
  const r = rng(5);
  const origins = ['ORD', 'DFW', 'ATL', 'JFK', 'SFO', '7'];
  for (let req = 0; req < 600; req++) {
    const k = 1 + r.int(4);
    const instances: unknown[] = [];
    const predictions: unknown[] = [];
    for (let j = 0; j < k; j++) {
      const c = CASES[r.int(CASES.length)]!;
      const day = new Date(Date.UTC(2024, r.int(12), 1 + r.int(28), r.int(24), r.int(60)));
      const random = { distance: r.normal(50, 30), date: day.toISOString().replace('T', ' ').slice(0, 19), origin: origins[r.int(origins.length)] };
      instances.push(r.uniform() < 0.3 ? c.instance : random);
      predictions.push(r.uniform() < 0.3 && 'prediction' in c ? c.prediction : r.normal(0, 1.5));
    }
    if (r.uniform() < 0.1) predictions.pop();
    rows.push(row('mix', req % 3 === 0 ? 'canary' : 'stable', inWindow(req), instances, predictions));
  }
  // Rows the window must not read: outside it, another endpoint, a third deployed model.
  for (let i = 0; i < 50; i++) {
    rows.push(row('mix', 'stable', new Date(START.getTime() - 1 - i), [{ distance: 5 }], [0], false));
    rows.push(row('mix', 'canary', new Date(END.getTime() + i), [{ distance: 5 }], [0], false));
    rows.push(row('mix', 'third', inWindow(i), [{ distance: 5 }], [0], false));
  }
  if (stack.ok) {
    training = trainingBaseline();
    training.objects.forEach((instance, i) => rows.push(row('training', 'stable', inWindow(i), [instance], [training!.predictions[i]])));
  }
  for (let i = 0; i < rows.length; i += 1000) await log.insert(rows.slice(i, i + 1000));
}, 120_000);

afterAll(async () => {
  await h?.close();
});

describe('servingHistograms', () => {
  it('bins the edge cases as written out by hand, the same in SQL and in memory', async () => {
    const sql = await servingHistograms(h.bigquery, window('edges'), FEATURES);
    const expected = expectedHistograms(CASES, FEATURES, 1);
    expect(sql).toEqual(new Map([['stable', expected], ['canary', expected]]));
    expect(servingHistogramsInMemory(logged.edges!, FEATURES)).toEqual(sql);
  });

  it('reads categorical predictions: predicted_class, plain labels, numbers as text, other', async () => {
    const sql = await servingHistograms(h.bigquery, window('classes', ['stable']), CLASS_FEATURES);
    expect(sql.get('stable')).toEqual(expectedHistograms(CLASS_CASES, CLASS_FEATURES, 1));
    expect(servingHistogramsInMemory(logged.classes!, CLASS_FEATURES)).toEqual(sql);
  });

  it('reads a class index as its label when the prediction has classes, and a label as itself', async () => {
    const sql = await servingHistograms(h.bigquery, window('indexed', ['stable']), INDEXED_FEATURES);
    expect(sql.get('stable')).toEqual(expectedHistograms(INDEXED_CASES, INDEXED_FEATURES, 1));
    expect(servingHistogramsInMemory(logged.indexed!, INDEXED_FEATURES)).toEqual(sql);
  });

  it('equals the in-memory histograms on a mix of multi-instance requests, reading only the window', async () => {
    const sql = await servingHistograms(h.bigquery, window('mix'), FEATURES);
    const memory = servingHistogramsInMemory(logged.mix!, FEATURES);
    expect(sql).toEqual(memory);
    const instances = logged.mix!.filter((r) => r.deployedModelId === 'stable').reduce((n, r) => n + r.instances.length, 0);
    expect(sql.get('stable')!.get('distance')!.total).toBe(instances);
    // Responses one short leave their last instance's prediction missing.
    expect(sql.get('stable')!.get('prediction')!.missing).toBeGreaterThan(0);
  });

  it('answers empty histograms for a deployed model without traffic in the window', async () => {
    const sql = await servingHistograms(h.bigquery, window('edges', ['idle', 'canary']), FEATURES);
    expect(sql.get('idle')!.get('origin')).toEqual({ counts: [0, 0, 0, 0, 0], missing: 0, total: 0 });
    expect(sql.get('canary')).toEqual(expectedHistograms(CASES, FEATURES, 1));
  });

  it.skipIf(!stack.ok)('gives back the baseline counts of the training rows (calendar parts as pandas, bins as numpy)', async () => {
    const features = monitoredFeatures(parseBaseline(training!.baseline), training!.inputSchema);
    const sql = (await servingHistograms(h.bigquery, window('training', ['stable']), features)).get('stable')!;
    expect(sql).toEqual(servingHistogramsInMemory(logged.training!, features).get('stable'));
    for (const f of features) {
      const { counts, missing, total } = sql.get(f.name)!;
      expect(total - missing, f.name).toBe(f.baselineCount);
      expect(counts, f.name).toEqual(f.baseline.map((p) => Math.round(p * f.baselineCount)));
    }
  });
});

describe('servingHistogramsQuery', () => {
  it('passes the window, the edges and the categories as parameters, not in the SQL', () => {
    const query = servingHistogramsQuery(window('edges'), FEATURES);
    expect(query.sql).not.toMatch(/ORD|DFW|stable|2025-03-01/);
    expect(query.params.categories_4).toEqual(['ORD', 'DFW', 'ATL', '7']);
    expect(query.types.edges_0).toEqual(['FLOAT64']);
    expect(query.params.last_edge_0).toBe(100);
    // One pass over the log: the table appears once.
    expect(query.sql.split('`local-project.serving.request_response_logging`')).toHaveLength(2);
  });

  it('refuses identifiers that are not BigQuery names, and windows or features that make no sense', () => {
    const w = window('edges');
    expect(() => servingHistogramsQuery({ ...w, logTable: { ...logTable, tableId: 'x` OR 1=1 --' } }, FEATURES)).toThrow(/tableId/);
    expect(() => servingHistogramsQuery({ ...w, endpoint: 'endpoints/1' }, FEATURES)).toThrow(/endpoint/);
    expect(() => servingHistogramsQuery({ ...w, deployedModelIds: [] }, FEATURES)).toThrow(/deployedModelIds/);
    expect(() => servingHistogramsQuery({ ...w, end: START }, FEATURES)).toThrow(/start must be before end/);
    expect(() => servingHistogramsQuery(w, [numeric("x')--", [0, 1], { kind: 'instance', key: "x')--" })])).toThrow(/key/);
    expect(() => servingHistogramsQuery(w, [numeric('x', [1, 0], { kind: 'instance', key: 'x' })])).toThrow(/strictly increasing/);
    expect(() => servingHistogramsQuery(w, [FEATURES[0]!, FEATURES[0]!])).toThrow(/listed twice/);
    expect(() => servingHistogramsQuery(w, [])).toThrow();
  });
});
