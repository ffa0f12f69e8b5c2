// The performance check's SQL against the BigQuery emulator through the official client: R², RMSE,
// MAE and accuracy of one deployed model's logged predictions joined with the actuals equal the
// same metrics computed here from the generated rows; other deployed models, other endpoints and
// rows outside the window are not counted; unusable predictions and instances without an actual
// are skipped.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { measurePerformance } from '../../../control-plane/drift/performance.js';
import type { Harness } from '../../emulators/bigquery/support.js';
import { PROJECT, startHarness } from '../../emulators/bigquery/support.js';
import { REQUEST_RESPONSE_SCHEMA } from '../../../emulators/vertex/serving/request-logging/rows.js';

const logTable = { projectId: PROJECT, datasetId: 'perf', tableId: 'log' };
const actualsTable = { projectId: PROJECT, datasetId: 'perf', tableId: 'actuals' };
const endpoint = `projects/${PROJECT}/locations/us-central1/endpoints/perf`;
const START = new Date('2025-05-01T00:00:00Z');
const END = new Date('2025-05-01T01:00:00Z');

let h: Harness;
let n = 0;
const pairs: { y: number; p: number }[] = [];
const labels: { truth: string; predicted: string }[] = [];

function logRow(deployedModelId: string, at: Date, instances: unknown[], predictions: unknown[], where = endpoint) {
  n++;
  return {
    endpoint: where, deployed_model_id: deployedModelId, logging_time: at, request_id: String(1e11 + n),
    request_payload: instances.map((i) => JSON.stringify(i)), response_payload: predictions.map((p) => (typeof p === 'string' ? p : JSON.stringify(p))),
  };
}

beforeAll(async () => {
  h = await startHarness();
  const [ds] = await h.bigquery.createDataset('perf');
  const [log] = await ds.createTable('log', { schema: REQUEST_RESPONSE_SCHEMA.map((f) => ({ ...f })) });
  const [actuals] = await ds.createTable('actuals', { schema: [{ name: 'flight_id', type: 'STRING' }, { name: 'delay', type: 'FLOAT' }, { name: 'label', type: 'STRING' }] });
  const rows = [];
  const truth: { flight_id: string; delay: number; label: string }[] = [];
  let seed = 12345;
  const uniform = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  for (let r = 0; r < 400; r++) {
    const k = 1 + (r % 3);
    const instances = [];
    const predictions = [];
    for (let j = 0; j < k; j++) {
      const id = `f-${r}-${j}`;
      const y = 40 * uniform() - 10;
      const p = y + 8 * (uniform() - 0.5) + 2;
      const label = y > 10 ? 'late' : 'on_time';
      const predicted = p > 10 ? 'late' : 'on_time';
      truth.push({ flight_id: id, delay: y, label });
      instances.push({ flight_id: id, distance: 100 });
      predictions.push(p);
      pairs.push({ y, p });
      labels.push({ truth: label, predicted });
    }
    rows.push(logRow('champion', new Date(START.getTime() + 1000 + r * 1000), instances, predictions));
    // The same flights' classification answers, on a deployed model of their own.
    rows.push(logRow('classifier', new Date(START.getTime() + 1000 + r * 1000), instances, predictions.map((p) => ({ predicted_class: p > 10 ? 'late' : 'on_time' }))));
  }
  // Not counted: another deployed model, another endpoint, outside the window, no actual, unusable predictions.
  rows.push(logRow('other', new Date(START.getTime() + 5000), [{ flight_id: 'f-0-0' }], [1e6]));
  rows.push(logRow('champion', new Date(START.getTime() + 5000), [{ flight_id: 'f-0-0' }], [1e6], `${endpoint}-2`));
  rows.push(logRow('champion', new Date(END.getTime() + 1), [{ flight_id: 'f-0-0' }], [1e6]));
  rows.push(logRow('champion', new Date(START.getTime() - 1), [{ flight_id: 'f-0-0' }], [1e6]));
  rows.push(logRow('champion', new Date(START.getTime() + 7000), [{ flight_id: 'no-actual' }, { distance: 3 }], [1e6, 1e6]));
  rows.push(logRow('champion', new Date(START.getTime() + 8000), [{ flight_id: 'f-1-0' }, { flight_id: 'f-1-1' }], ['"text"', 'NaN']));
  for (let i = 0; i < rows.length; i += 500) await (log).insert(rows.slice(i, i + 500));
  await (actuals).insert(truth);
}, 60_000);

afterAll(async () => {
  await h?.close();
});

const request = (metric: 'r2' | 'rmse' | 'mae' | 'accuracy', deployedModelId = 'champion') => ({
  logTable, endpoint, deployedModelId, start: START, end: END, metric,
  actuals: { table: actualsTable, idField: 'flight_id', labelColumn: metric === 'accuracy' ? 'label' : 'delay' },
});

describe('measurePerformance', () => {
  it('R², RMSE and MAE equal the metrics computed from the rows', async () => {
    const count = pairs.length;
    const mean = pairs.reduce((a, x) => a + x.y, 0) / count;
    const sse = pairs.reduce((a, x) => a + (x.p - x.y) ** 2, 0);
    const sst = pairs.reduce((a, x) => a + (x.y - mean) ** 2, 0);
    const mae = pairs.reduce((a, x) => a + Math.abs(x.p - x.y), 0) / count;
    const r2 = await measurePerformance(h.bigquery, request('r2'));
    expect(r2.n).toBe(count);
    expect(r2.value).toBeCloseTo(1 - sse / sst, 9);
    expect((await measurePerformance(h.bigquery, request('rmse'))).value).toBeCloseTo(Math.sqrt(sse / count), 9);
    expect((await measurePerformance(h.bigquery, request('mae'))).value).toBeCloseTo(mae, 9);
  });

  it('accuracy reads predicted_class objects and compares labels', async () => {
    const accuracy = await measurePerformance(h.bigquery, request('accuracy', 'classifier'));
    expect(accuracy.n).toBe(labels.length);
    expect(accuracy.value).toBeCloseTo(labels.filter((l) => l.truth === l.predicted).length / labels.length, 12);
  });

  it('nothing served in the window: no value', async () => {
    expect(await measurePerformance(h.bigquery, { ...request('r2'), deployedModelId: 'nobody' })).toEqual({ n: 0, value: undefined });
  });

  it('identifiers are validated before they reach SQL', async () => {
    await expect(measurePerformance(h.bigquery, { ...request('rmse'), actuals: { table: actualsTable, idField: 'flight_id`; DROP', labelColumn: 'delay' } })).rejects.toThrow(/column name/);
  });
});
