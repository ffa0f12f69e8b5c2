// The rollout analysis over Vertex's request-response log, against the BigQuery emulator through
// the official client: KS bounds and p-values on known distributions, RMSE/MAE/accuracy with
// intervals against figures computed here from the generated data, the window and endpoint
// filters, small samples, and multi-instance requests joined at the right offsets.
import type { Table } from '@google-cloud/bigquery';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { comparePredictions, kolmogorovSurvival, ksTwoSamplePValue } from '../../../control-plane/rollouts/analysis/request-log-predictions.js';
import { compareQuality } from '../../../control-plane/rollouts/analysis/request-log-quality.js';
import type { Harness } from '../../emulators/bigquery/support.js';
import { PROJECT, startHarness } from '../../emulators/bigquery/support.js';
import { REQUEST_RESPONSE_SCHEMA } from '../../../emulators/vertex/serving/request-logging/rows.js';
import { rng } from '../../support/random.js';

// Vertex's request-response log table, as the local Vertex creates it.
const LOG_SCHEMA = REQUEST_RESPONSE_SCHEMA.map((f) => ({ ...f }));
const logTable = { projectId: PROJECT, datasetId: 'serving', tableId: 'request_response_logging' };
const actualsTable = { projectId: PROJECT, datasetId: 'serving', tableId: 'actuals' };
const endpointName = (e: string) => `projects/${PROJECT}/locations/us-central1/endpoints/${e}`;
const START = new Date('2025-03-01T10:00:00Z');
const END = new Date('2025-03-01T11:00:00Z');
const inWindow = (i: number) => new Date(START.getTime() + 1000 + (i % 3_000_000));

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
let actuals: Table;
let requestCounter = 0;

function row(endpoint: string, deployedModelId: string, at: Date, instances: unknown[], predictions: unknown[]): LogRow {
  requestCounter++;
  return {
    endpoint: endpointName(endpoint),
    deployed_model_id: deployedModelId,
    logging_time: at,
    request_id: `${100_000_000_000 + requestCounter}`,
    request_payload: instances.map((i) => JSON.stringify(i)),
    // A string is logged as is (a JSON text, or not JSON at all); anything else as its JSON.
    response_payload: predictions.map((p) => (typeof p === 'string' ? p : JSON.stringify(p))),
  };
}

async function insert(table: Table, rows: object[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 1000) await table.insert(rows.slice(i, i + 1000));
}

/** The exact two-sample KS statistic of two samples (the reference the bounds must bracket). */
function exactKs(a: number[], b: number[]): number {
  const x = [...a].sort((p, q) => p - q);
  const y = [...b].sort((p, q) => p - q);
  let i = 0;
  let j = 0;
  let d = 0;
  while (i < x.length && j < y.length) {
    const v = Math.min(x[i]!, y[j]!);
    while (i < x.length && x[i] === v) i++;
    while (j < y.length && y[j] === v) j++;
    d = Math.max(d, Math.abs(i / x.length - j / y.length));
  }
  return d;
}

const ks = { same: { stable: [] as number[], canary: [] as number[] }, shifted: { stable: [] as number[], canary: [] as number[] } };
const errors = { stable: [] as number[], canary: [] as number[] };
const correct = { stable: 0, canary: 0 };

beforeAll(async () => {
  h = await startHarness();
  const [ds] = await h.bigquery.createDataset('serving');
  [log] = await ds.createTable('request_response_logging', { schema: LOG_SCHEMA });
  [actuals] = await ds.createTable('actuals', { schema: [{ name: 'id', type: 'INTEGER' }, { name: 'y', type: 'FLOAT' }, { name: 'label', type: 'STRING' }] });
  const r = rng(7);
  const rows: LogRow[] = [];
  // KS: single-instance requests, 3,000 per version.
  for (let i = 0; i < 3000; i++) {
    for (const [scenario, shift] of [['same', 0], ['shifted', 0.5]] as const) {
      const s = r.normal();
      const c = r.normal(shift);
      ks[scenario].stable.push(s);
      ks[scenario].canary.push(c);
      rows.push(row(scenario, 'stable', inWindow(i), [{ x: i }], [s]), row(scenario, 'canary', inWindow(i), [{ x: i }], [c]));
    }
  }
  // Noise the analysis must not see: outside the window, another endpoint, a third deployed model.
  for (let i = 0; i < 200; i++) {
    rows.push(row('same', 'canary', new Date(START.getTime() - 1 - i), [{ x: i }], [100 + i]));
    rows.push(row('same', 'canary', new Date(END.getTime() + i), [{ x: i }], [100 + i]));
    rows.push(row('other', 'canary', inWindow(i), [{ x: i }], [100 + i]));
    rows.push(row('same', 'third', inWindow(i), [{ x: i }], [100 + i]));
  }
  // Small: 5 canary predictions, one of them unreadable.
  for (let i = 0; i < 40; i++) rows.push(row('small', 'stable', inWindow(i), [{ x: i }], [r.normal()]));
  rows.push(row('small', 'canary', inWindow(1), [{ x: 1 }, { x: 2 }, { x: 3 }], [0.1, 'oops', { value: 3 }]));
  rows.push(row('small', 'canary', inWindow(2), [{ x: 1 }, { x: 2 }, { x: 3 }], [0.2, 0.3, 0.4]));
  rows.push(row('small', 'canary', inWindow(3), [{ x: 1 }], ['NaN']));
  // Quality: requests of 1–4 instances; stable errors N(0, 1), canary errors N(0, 1.5).
  const truth: { id: number; y: number; label: string }[] = [];
  let id = 0;
  for (const [version, sd] of [['stable', 1], ['canary', 1.5]] as const) {
    for (let req = 0; req < 1200; req++) {
      const k = 1 + (req % 4);
      const instances: unknown[] = [];
      const predictions: unknown[] = [];
      for (let j = 0; j < k; j++) {
        id++;
        const y = r.normal(50, 10);
        const e = r.normal(0, sd);
        truth.push({ id, y, label: y > 50 ? 'high' : 'low' });
        instances.push({ id, feature: y + 1 });
        predictions.push(y + e);
        errors[version].push(e);
      }
      rows.push(row('quality', version, inWindow(req), instances, predictions));
    }
  }
  // Skipped in the join: a response shorter than its request, an instance without an id, an id
  // without an actual, an unreadable prediction, rows outside the window.
  rows.push(row('quality', 'canary', inWindow(5), [{ id: 1 }, { id: 2 }], [999]));
  rows.push(row('quality', 'canary', inWindow(6), [{ noid: 1 }, { id: 987_654 }, { id: 3 }], [999, 999, 'oops']));
  rows.push(row('quality', 'stable', new Date(END.getTime() + 5), [{ id: 1 }], [999]));
  // The first of those rows pairs id 1 with the prediction 999 at offset 0: that one counts.
  errors.canary.push(999 - truth[0]!.y);
  // Accuracy: 500 labelled instances per version, stable right 80% of the time and canary 60%;
  // predictions as plain labels or as return_probabilities objects.
  for (const [version, rate] of [['stable', 0.8], ['canary', 0.6]] as const) {
    for (let i = 0; i < 500; i++) {
      id++;
      const label = i % 2 === 0 ? 'high' : 'low';
      const right = i % 10 < rate * 10;
      const predicted = right ? label : label === 'high' ? 'low' : 'high';
      truth.push({ id, y: 0, label });
      correct[version] += right ? 1 : 0;
      rows.push(row('classes', version, inWindow(i), [{ id }], [i % 3 === 0 ? { predicted_class: predicted, classes: ['high', 'low'], probabilities: [0.5, 0.5] } : JSON.stringify(predicted)]));
    }
  }
  await insert(log, rows);
  await insert(actuals, truth);
}, 120_000);

afterAll(async () => {
  await h?.close();
});

const window = (endpoint: string) => ({ logTable, endpoint: endpointName(endpoint), stableDeployedModelId: 'stable', canaryDeployedModelId: 'canary', start: START, end: END });

describe('comparePredictions', () => {
  it('finds no shift between samples of one distribution', async () => {
    const result = await comparePredictions(h.bigquery, window('same'));
    expect(result.stable.n).toBe(3000);
    expect(result.canary.n).toBe(3000);
    const exact = exactKs(ks.same.stable, ks.same.canary);
    expect(result.ksStatistic!).toBeLessThanOrEqual(exact + 1e-12);
    expect(result.ksUpperBound!).toBeGreaterThanOrEqual(exact - 1e-12);
    expect(result.ksUpperBound! - result.ksStatistic!).toBeLessThan(0.02);
    expect(result.ksStatistic!).toBeLessThan(0.05);
    expect(result.pValue!).toBeGreaterThan(0.05);
  });

  it('measures a half-sd shift: D ≈ 2Φ(0.25) − 1 ≈ 0.197 and a tiny p-value', async () => {
    const result = await comparePredictions(h.bigquery, window('shifted'));
    const exact = exactKs(ks.shifted.stable, ks.shifted.canary);
    expect(result.ksStatistic!).toBeLessThanOrEqual(exact + 1e-12);
    expect(result.ksUpperBound!).toBeGreaterThanOrEqual(exact - 1e-12);
    expect(Math.abs(result.ksStatistic! - 0.1974)).toBeLessThan(0.04);
    expect(result.pValue!).toBeLessThan(1e-12);
  });

  it('more buckets narrow the bounds', async () => {
    const coarse = await comparePredictions(h.bigquery, { ...window('shifted'), buckets: 10 });
    const fine = await comparePredictions(h.bigquery, { ...window('shifted'), buckets: 1000 });
    expect(coarse.ksUpperBound! - coarse.ksStatistic!).toBeGreaterThan(fine.ksUpperBound! - fine.ksStatistic!);
    expect(fine.ksUpperBound! - fine.ksStatistic!).toBeLessThan(0.005);
  });

  it('counts small samples, skipping unreadable predictions, and leaves the verdict to the caller', async () => {
    const result = await comparePredictions(h.bigquery, window('small'));
    expect(result.stable.n).toBe(40);
    expect(result.canary.n).toBe(4); // 0.1, 0.2, 0.3, 0.4; not 'oops', {"value": 3} nor NaN
    expect(result.pValue).toBeGreaterThan(0);
  });

  it('reports no statistic when a version has no prediction in the window', async () => {
    const result = await comparePredictions(h.bigquery, { ...window('same'), start: new Date('2020-01-01T00:00:00Z'), end: new Date('2020-01-02T00:00:00Z') });
    expect(result).toEqual({ stable: { n: 0 }, canary: { n: 0 }, ksStatistic: undefined, ksUpperBound: undefined, pValue: undefined });
  });

  it('rejects a table name that would not be a BigQuery identifier', async () => {
    await expect(comparePredictions(h.bigquery, { ...window('same'), logTable: { ...logTable, tableId: 'x` OR 1=1 --' } })).rejects.toThrow(/tableId/);
  });
});

describe('the Kolmogorov distribution', () => {
  it('matches scipy.special.kolmogorov on both series', () => {
    const reference: [number, number][] = [
      [0.2, 0.999999999999495],
      [0.5, 0.9639452436648751],
      [0.8, 0.5441424115741981],
      [1.0, 0.26999967167735456],
      [1.2, 0.11224966667072497],
      [1.36, 0.049485876755377876],
      [2.0, 0.0006709252557796953],
      [3.0, 3.045995948942526e-8],
    ];
    for (const [x, q] of reference) expect(kolmogorovSurvival(x)).toBeCloseTo(q, 10);
    expect(ksTwoSamplePValue(0, 10, 10)).toBe(1);
  });
});

const quality = (metric: 'rmse' | 'mae' | 'accuracy', labelColumn = 'y') =>
  compareQuality(h.bigquery, { ...window('quality'), actuals: { table: actualsTable, idField: 'id', labelColumn }, metric, confidence: 0.95 });

describe('compareQuality', () => {
  const rmse = (e: number[]) => Math.sqrt(e.reduce((a, x) => a + x * x, 0) / e.length);

  it('computes RMSE per version as the generated errors give it, with intervals covering the truth', async () => {
    const result = await quality('rmse');
    expect(result.stable.n).toBe(errors.stable.length);
    expect(result.canary.n).toBe(errors.canary.length);
    expect(result.stable.value!).toBeCloseTo(rmse(errors.stable), 9);
    expect(result.canary.value!).toBeCloseTo(rmse(errors.canary), 9);
    const [lo, hi] = result.stable.ci!;
    expect(lo).toBeLessThan(1);
    expect(hi).toBeGreaterThan(1);
    expect(result.relativeChange!.estimate).toBeCloseTo(rmse(errors.canary) / rmse(errors.stable) - 1, 9);
  });

  it('computes MAE and a relative change whose interval covers the true +50%', async () => {
    const mae = (e: number[]) => e.reduce((a, x) => a + Math.abs(x), 0) / e.length;
    const withoutOutlier = errors.canary.slice(0, -1);
    const result = await quality('mae');
    expect(result.stable.value!).toBeCloseTo(mae(errors.stable), 9);
    expect(result.canary.value!).toBeCloseTo(mae(errors.canary), 9);
    expect(result.canary.ci![0]).toBeLessThan(result.canary.value!);
    // Truth: E|N(0, σ)| = σ·√(2/π), so the canary's MAE is 1.5× the stable one's (the one 999
    // outlier moves it by < 1%).
    expect(mae(withoutOutlier) / mae(errors.stable)).toBeGreaterThan(1.3);
    const [lo, hi] = result.relativeChange!.ci;
    expect(lo).toBeLessThan(0.5);
    expect(hi).toBeGreaterThan(0.5);
  });

  it('computes accuracy on labels (plain or predicted_class) with Wilson intervals and the relative drop', async () => {
    const result = await compareQuality(h.bigquery, { ...window('classes'), actuals: { table: actualsTable, idField: 'id', labelColumn: 'label' }, metric: 'accuracy', confidence: 0.95 });
    expect(result.stable).toMatchObject({ n: 500, value: correct.stable / 500 });
    expect(result.canary).toMatchObject({ n: 500, value: correct.canary / 500 });
    expect(result.stable.ci![0]).toBeLessThan(0.8);
    expect(result.stable.ci![1]).toBeGreaterThan(0.8);
    expect(result.relativeChange!.estimate).toBeCloseTo(1 - correct.canary / correct.stable, 12);
    const [lo, hi] = result.relativeChange!.ci;
    expect(lo).toBeGreaterThan(0.1);
    expect(hi).toBeLessThan(0.4);
    // On numbers against text labels nothing matches, and nothing fails.
    const mismatched = await quality('accuracy', 'label');
    expect(mismatched.stable).toMatchObject({ n: errors.stable.length, value: 0 });
    expect(mismatched.relativeChange).toBeUndefined();
  });

  it('joins instances to predictions at the same offset', async () => {
    // Shuffled offsets would pair ids with other instances' predictions (errors of ~14, not ~1).
    const result = await quality('rmse');
    expect(result.stable.value!).toBeLessThan(1.2);
  });

  it('rejects a column name that is not an identifier', async () => {
    await expect(compareQuality(h.bigquery, { ...window('quality'), actuals: { table: actualsTable, idField: "id') OR ('1", labelColumn: 'y' }, metric: 'rmse', confidence: 0.95 })).rejects.toThrow(/idField/);
  });
});
