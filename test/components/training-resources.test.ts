// How training grows with its data: the encoding each model family gets, the cores a component
// uses, progress logs during long fits, and the split step's refusal of a feature that is the target.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mulberry32 } from '../../emulators/vertex/hyperparameter-tuning-jobs/suggestions.js';
import { flights, writeRegressionCsv } from './fixtures.js';
import { makeWorkDir, pythonStack, readJson, runComponent, runOk, runPython } from './support.js';

const stack = pythonStack('training resources', 'sklearn, xgboost, pandas');

/** Flights with 300 origins: enough categories that a dense one-hot matrix is large. */
function manyAirports(path: string, rows: number): void {
  const next = mulberry32(11);
  const lines = ['distance,origin,hour,delay'];
  for (let i = 0; i < rows; i += 1) {
    const origin = Math.floor(next() * 300);
    const distance = 100 + Math.floor(next() * 2900);
    const hour = Math.floor(next() * 24);
    const delay = 0.01 * distance + (origin % 7) * 3 + (hour >= 17 ? 10 : 0) + 4 * (next() - 0.5);
    lines.push(`${distance},A${origin},${hour},${delay.toFixed(1)}`);
  }
  writeFileSync(path, `${lines.join('\n')}\n`);
}

// Loads a trained model.joblib and describes its preprocessing and the matrix it feeds the estimator.
const DESCRIBE_ENCODING = `
import json, sys, joblib, pandas as pd, scipy.sparse as sp
model = joblib.load(sys.argv[1] + "/model.joblib")
meta = json.load(open(sys.argv[1] + "/model_metadata.json"))
frame = pd.read_csv(sys.argv[2], dtype={"origin": str})
matrix = model.named_steps["preprocess"].transform(frame[meta["features"]].astype(object).to_numpy())
steps = model.named_steps["preprocess"].named_transformers_["categorical"].named_steps
encoder = steps[list(steps)[-1]]
nbytes = matrix.data.nbytes + matrix.indices.nbytes + matrix.indptr.nbytes if sp.issparse(matrix) else matrix.nbytes
print(json.dumps({"encoder": type(encoder).__name__, "sparse": bool(sp.issparse(matrix)), "columns": matrix.shape[1],
                  "rows": matrix.shape[0], "nbytes": int(nbytes), "encoding": meta.get("encoding")}))
`;

interface Encoding {
  encoder: string;
  sparse: boolean;
  columns: number;
  rows: number;
  nbytes: number;
  encoding: string;
}

describe.skipIf(!stack.ok)('training resources', () => {
  const work = makeWorkDir('resources');
  const path = (...parts: string[]): string => join(work.dir, ...parts);
  const split = (name: string) => ({
    train: path(name, 'train.csv'), validation: path(name, 'validation.csv'), test: path(name, 'test.csv'), schema: path(name, 'schema.json'),
  });
  const preprocess = (dataset: string, name: string) => {
    const out = split(name);
    return runComponent('preprocess_split', [
      '--dataset', dataset, '--target-column', 'delay', '--split-strategy', 'random', '--time-column', '',
      '--validation-fraction', '0.15', '--test-fraction', '0.15', '--random-seed', '42',
      '--train-data', out.train, '--validation-data', out.validation, '--test-data', out.test, '--feature-schema', out.schema,
    ]);
  };
  const train = (name: string, modelType: string, hyperparameters: object, env: Record<string, string> = {}) => {
    const s = split(name);
    return runOk('train', [
      '--train-data', s.train, '--validation-data', s.validation, '--feature-schema', s.schema, '--target-column', 'delay',
      '--task-type', 'regression', '--model-type', modelType, '--hyperparameters', JSON.stringify(hyperparameters),
      '--model', path(name, modelType), '--training-metrics', path(name, `${modelType}.json`),
    ], { env, timeoutMs: 120_000 });
  };

  beforeAll(async () => {
    manyAirports(path('airports.csv'), 3000);
    const result = await preprocess(path('airports.csv'), 'airports');
    if (result.code !== 0) throw new Error(result.stderr);
  }, 60_000);
  afterAll(() => work.cleanup());

  it('linear models get a sparse one-hot matrix; tree ensembles one ordinal column per category', async () => {
    const trained = await Promise.all([
      train('airports', 'ridge', { alpha: 1 }),
      train('airports', 'random_forest', { n_estimators: 20 }),
      train('airports', 'xgboost', { n_estimators: 20 }),
    ]);
    const encodings: Record<string, Encoding> = {};
    for (const modelType of ['ridge', 'random_forest', 'xgboost']) {
      const described = await runPython(['-c', DESCRIBE_ENCODING, path('airports', modelType), split('airports').train]);
      expect(described.code, described.stderr).toBe(0);
      encodings[modelType] = JSON.parse(described.stdout) as Encoding;
    }
    const ridge = encodings.ridge!;
    expect(ridge).toMatchObject({ encoder: 'OneHotEncoder', sparse: true, encoding: 'onehot' });
    expect(ridge.columns).toBeGreaterThan(250); // 2 numeric + ~300 origins
    // Dense float64 would take rows × columns × 8 bytes; the sparse matrix holds ~3 values a row.
    expect(ridge.nbytes).toBeLessThan((ridge.rows * ridge.columns * 8) / 20);
    for (const modelType of ['random_forest', 'xgboost']) {
      expect(encodings[modelType], modelType).toMatchObject({ encoder: 'OrdinalEncoder', sparse: false, columns: 3, encoding: 'ordinal' });
    }
    // Every model still learns the delay (the origin effect included).
    for (const [i, modelType] of ['ridge', 'random_forest', 'xgboost'].entries()) {
      const metrics = readJson<Record<string, number>>(path('airports', `${modelType}.json`));
      expect(metrics.validation_r2, modelType).toBeGreaterThan(0.6);
      expect(trained[i]!.logs.find((l) => l.message === 'training')?.encoding).toBe(encodings[modelType]!.encoding);
    }
  }, 180_000);

  it('a component uses the cores of its CPU affinity, sizing thread pools and estimators to them', async () => {
    const script = `
import os, json, sys
os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
from mlops_components.models import build_estimator
from mlops_components.cores import available_cores
rf = build_estimator("random_forest", "regression", {}, 1)
xgb = build_estimator("xgboost", "regression", {}, 1)
print(json.dumps({"cores": available_cores(), "rf": rf.n_jobs, "xgb": xgb.n_jobs, "omp": os.environ["OMP_NUM_THREADS"],
                  "host": os.cpu_count()}))`;
    const pinned = await runPython(['-c', script]);
    expect(pinned.code, pinned.stderr).toBe(0);
    const result = JSON.parse(pinned.stdout) as { cores: number; rf: number; xgb: number; omp: string; host: number };
    expect(result).toMatchObject({ cores: 1, rf: 1, xgb: 1 });
    if (process.env.OMP_NUM_THREADS === undefined) expect(result.omp).toBe('1');

    const unpinned = await runPython(['-c', 'import json, os\nimport mlops_components\nfrom mlops_components.models import build_estimator\n'
      + 'print(json.dumps({"affinity": len(os.sched_getaffinity(0)), "rf": build_estimator("random_forest", "regression", {}, 1).n_jobs, '
      + '"omp": os.environ["OMP_NUM_THREADS"]}))']);
    expect(unpinned.code, unpinned.stderr).toBe(0);
    const all = JSON.parse(unpinned.stdout) as { affinity: number; rf: number; omp: string };
    expect(all.rf).toBe(all.affinity);
    if (process.env.OMP_NUM_THREADS === undefined) expect(all.omp).toBe(String(all.affinity));
  }, 60_000);

  it('long fits log their progress: trees for forests, boosting rounds for boosters, at most once a tenth', async () => {
    const [forest, booster] = await Promise.all([
      train('airports', 'random_forest', { n_estimators: 40 }),
      train('airports', 'gradient_boosting', { n_estimators: 50 }),
    ]);
    for (const [result, unit, total] of [[forest, 'trees', 40], [booster, 'boosting rounds', 50]] as const) {
      const lines = result.logs.filter((l) => l.message === 'fitting');
      expect(lines.length, unit).toBeGreaterThanOrEqual(2);
      expect(lines.length, unit).toBeLessThanOrEqual(11);
      expect(lines.every((l) => l.unit === unit && l.total === total && l.severity === 'INFO')).toBe(true);
      const done = lines.map((l) => Number(l.done));
      expect(done).toEqual([...done].sort((a, b) => a - b));
      expect(done.at(-1)).toBe(total);
      expect(typeof lines[0]?.remaining_seconds).toBe('number');
    }
    const xgboost = await train('airports', 'xgboost', { n_estimators: 30 });
    expect(xgboost.logs.filter((l) => l.message === 'fitting').at(-1)).toMatchObject({ unit: 'boosting rounds', done: 30, total: 30 });
  }, 180_000);

  it('the split step refuses a feature that is a copy of the target, naming the column', async () => {
    const rows = flights(200, 5);
    writeRegressionCsv(path('plain.csv'), rows);
    const lines = ['date,delay,distance,origin,arrival_delay', ...rows.map((r) => `${r.date},${r.delay},${r.distance},${r.origin},${r.delay}`)];
    writeFileSync(path('leaky.csv'), `${lines.join('\n')}\n`);
    const typed = ['date,delay,distance,origin,delay_label', ...rows.map((r) => `${r.date},${r.delay},${r.distance},${r.origin},"${String(r.delay)}"`)];
    writeFileSync(path('leaky-typed.csv'), `${typed.join('\n')}\n`);

    for (const [file, column] of [['leaky.csv', 'arrival_delay'], ['leaky-typed.csv', 'delay_label']] as const) {
      const result = await preprocess(path(file), file);
      expect(result.code, file).toBe(1);
      const error = result.logs.find((l) => l.severity === 'ERROR');
      expect(error?.message).toContain(`feature column '${column}' is an exact copy of the target column 'delay'`);
      expect(error?.error_type).toBe('TargetLeakError');
    }
    // A column merely correlated with the target is a feature like any other.
    expect((await preprocess(path('plain.csv'), 'plain')).code).toBe(0);
  }, 60_000);
});
