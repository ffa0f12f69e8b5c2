// Training growth: fit time and peak memory of each model type on 1%, 5% and 20% of the flights
// data (the train component run directly on a CSV sample), so how training grows with data is on record.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';
import { log } from '../log.js';
import { median, round } from './stats.js';

const require = createRequire(import.meta.url);
const flightsParquet = join(dirname(require.resolve('vega-datasets')), '..', 'data', 'flights-3m.parquet');
const PYTHONPATH = resolve(dirname(fileURLToPath(import.meta.url)), '../../pipelines/components/python');
const PYTHON = '/usr/bin/python3';
const MODEL_TYPES = ['random_forest', 'gradient_boosting', 'ridge', 'xgboost'] as const;
/** Fraction of the 3M rows → timed runs (the 20% case is run once: minutes per model). */
const SAMPLES: readonly { fraction: number; runs: number }[] = [
  { fraction: 0.01, runs: 3 },
  { fraction: 0.05, runs: 2 },
  { fraction: 0.2, runs: 1 },
];

// Runs the command and prints the peak resident memory of its process (ru_maxrss, KiB on Linux).
const MEASURE = 'import resource, subprocess, sys\ncode = subprocess.run(sys.argv[1:]).returncode\n'
  + 'print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, code)';

interface Measured {
  seconds: number;
  peakMb: number;
}

/** Wall time and the child's peak memory of one component run; fails with its stderr tail. */
function measure(module: string, args: readonly string[]): Promise<Measured> {
  return new Promise((done, fail) => {
    const t = performance.now();
    const child = spawn(PYTHON, ['-c', MEASURE, PYTHON, '-m', `mlops_components.steps.${module}`, ...args], {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', PYTHONPATH, PYTHONDONTWRITEBYTECODE: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr = (stderr + c).slice(-4000)));
    child.on('error', fail);
    child.on('close', () => {
      const [maxrss, code] = stdout.trim().split(/\s+/).map(Number);
      if (code !== 0) fail(new Error(`${module} exited ${String(code)}: ${stderr}`));
      else done({ seconds: (performance.now() - t) / 1000, peakMb: (maxrss ?? Number.NaN) / 1024 });
    });
  });
}

const work = mkdtempSync(join(tmpdir(), 'bench-training-'));
try {
  const duck = await (await DuckDBInstance.create(':memory:')).connect();
  const table: Record<string, string | number>[] = [];
  for (const { fraction, runs } of SAMPLES) {
    const dir = join(work, `p${fraction * 100}`);
    const csv = join(work, `flights-${fraction * 100}pct.csv`);
    await duck.run(`COPY (SELECT * FROM read_parquet('${flightsParquet}') USING SAMPLE ${fraction * 100} PERCENT (bernoulli, 42)) TO '${csv}' (HEADER)`);
    const split = {
      train: join(dir, 'train.csv'), validation: join(dir, 'validation.csv'), test: join(dir, 'test.csv'), schema: join(dir, 'schema.json'),
    };
    const prep = await measure('preprocess_split', [
      '--dataset', csv, '--target-column', 'delay', '--split-strategy', 'random', '--validation-fraction', '0.15', '--test-fraction', '0.15',
      '--train-data', split.train, '--validation-data', split.validation, '--test-data', split.test, '--feature-schema', split.schema,
    ]);
    const rows = (JSON.parse(readFileSync(split.schema, 'utf8')) as { split: { rows: { train: number } } }).split.rows.train;
    log('INFO', 'bench: training data', { fraction, trainRows: rows, preprocessSeconds: round(prep.seconds, 1), preprocessPeakMb: round(prep.peakMb, 0) });
    for (const modelType of MODEL_TYPES) {
      const samples: Measured[] = [];
      const metricsFile = join(dir, `${modelType}.json`);
      for (let i = 0; i < runs; i++) {
        samples.push(await measure('train', [
          '--train-data', split.train, '--validation-data', split.validation, '--feature-schema', split.schema, '--target-column', 'delay',
          '--task-type', 'regression', '--model-type', modelType, '--model', join(dir, modelType), '--training-metrics', metricsFile,
        ]));
      }
      const metrics = JSON.parse(readFileSync(metricsFile, 'utf8')) as Record<string, number>;
      const row = {
        modelType, fraction, trainRows: rows, runs,
        seconds: round(median(samples.map((s) => s.seconds)), 1),
        peakMb: round(median(samples.map((s) => s.peakMb)), 0),
        validationRmse: round(metrics.validation_rmse ?? Number.NaN, 3),
      };
      table.push(row);
      log('INFO', 'bench: training', row);
    }
  }
  duck.closeSync();
  // One line per model type: how time and memory grow from the smallest sample to the largest.
  for (const modelType of MODEL_TYPES) {
    const rows = table.filter((r) => r.modelType === modelType);
    log('INFO', 'bench: training growth', {
      modelType,
      seconds: rows.map((r) => r.seconds).join(' / '),
      peakMb: rows.map((r) => r.peakMb).join(' / '),
      fractions: SAMPLES.map((s) => s.fraction).join(' / '),
    });
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
