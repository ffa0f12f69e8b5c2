// Drift histograms at scale: 1,000,000 logged requests (one instance each, two deployed models) of
// 10 features (8 numeric, 2 categorical), binned on a baseline that the pipeline's own baseline.py
// writes from a training sample. One run each, the counts checked equal across the three:
// - the BigQuery emulator: the whole servingHistograms query through the official client (rows
//   written as Parquet, uploaded to the Storage emulator, loaded with a load job);
// - DuckDB directly (@duckdb/node-api): the same log rows in a native table, the same histograms in
//   DuckDB's own idiom (one JSON parse per instance for all keys, bins as sums of comparisons, the
//   log's list unnested in the select list rather than by a lateral join);
// - numpy (np.histogram, np.unique) on the same values as typed columns: the JSON is not parsed
//   there, only the binning is timed.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { BigQuery } from '@google-cloud/bigquery';
import { Storage } from '@google-cloud/storage';
import type { DuckDBConnection } from '@duckdb/node-api';
import { DuckDBInstance } from '@duckdb/node-api';
import { OAuth2Client } from 'google-auth-library';
import { parseBaseline } from '../../control-plane/drift/baseline.js';
import { featureDrift } from '../../control-plane/drift/feature-drift.js';
import type { MonitoredFeature } from '../../control-plane/drift/monitored-features.js';
import { monitoredFeatures } from '../../control-plane/drift/monitored-features.js';
import type { FeatureHistogram, ServingHistograms } from '../../control-plane/drift/serving-histograms.js';
import { binCount, servingHistograms } from '../../control-plane/drift/serving-histograms.js';
import { startBigQueryEmulator } from '../../emulators/bigquery/server.js';
import { startStorageEmulator } from '../../emulators/storage/server.js';
import { REQUEST_RESPONSE_SCHEMA } from '../../emulators/vertex/serving/request-logging/rows.js';
import { log } from '../log.js';
import { round } from './stats.js';
import { textTable } from './text-table.js';

process.env.METADATA_SERVER_DETECTION ??= 'none';
const PROJECT = 'bench-project';
const REQUESTS = 1_000_000;
const TRAINING_ROWS = 100_000;
const ENDPOINT = `projects/${PROJECT}/locations/us-central1/endpoints/1`;
const START = new Date('2025-03-01T00:00:00Z');
const END = new Date('2025-03-02T00:00:00Z');
const PYTHON = '/usr/bin/python3';
const PYTHONPATH = resolve(import.meta.dirname, '../../pipelines/components/python');
const NUMERIC = ['f0', 'f1', 'f2', 'f3', 'f4', 'f5', 'f6', 'f7'];
const CATEGORICAL = ['c0', 'c1'];

/**
 * The features' values: training and serving draw from the same distributions except f5 (shifted),
 * f6 (wider) and c1 (codes the training never saw); f3 is missing from 1% of the instances.
 */
function valuesSql(rows: number, serving: boolean): string {
  const normal = 'sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random())';
  return `SELECT i AS id,
    round(50 + 10 * ${normal}, 3) AS f0,
    round(exp(3 + 0.8 * ${normal}), 3) AS f1,
    round(100 * random(), 3) AS f2,
    CASE WHEN random() < 0.01 THEN NULL ELSE round(-20 * ln(1 - random()), 3) END AS f3,
    CAST(floor(24 * random()) AS DOUBLE) AS f4,
    round(${serving ? '12' : '10'} + 5 * ${normal}, 3) AS f5,
    round(${serving ? '3' : '2'} * ${normal}, 3) AS f6,
    CAST(floor(11 * random() * random()) AS DOUBLE) AS f7,
    'k' || lpad(CAST(CAST(floor(20 * random() * random()) AS INT) AS VARCHAR), 3, '0') AS c0,
    'a' || lpad(CAST(CAST(floor(${serving ? '220' : '200'} * pow(random(), 2)) AS INT) AS VARCHAR), 3, '0') AS c1
  FROM range(${rows}) r(i)`;
}

/** Training and serving values, the log as Parquet, and both as CSV for Python. */
async function writeData(duck: DuckDBConnection, dir: string): Promise<{ logFile: string; trainCsv: string; servingCsv: string }> {
  const files = { logFile: join(dir, 'log.parquet'), trainCsv: join(dir, 'train.csv'), servingCsv: join(dir, 'serving.csv') };
  await duck.run('SELECT setseed(0.42)');
  await duck.run(`CREATE TABLE train AS ${valuesSql(TRAINING_ROWS, false)}`);
  await duck.run(`CREATE TABLE serving AS SELECT *, CASE WHEN id % 10 = 0 THEN 'canary' ELSE 'stable' END AS deployed_model_id FROM (${valuesSql(REQUESTS, true)})`);
  const columns = [...NUMERIC, ...CATEGORICAL];
  await duck.run(`COPY (SELECT ${columns.join(', ')} FROM train) TO '${files.trainCsv}' (HEADER)`);
  await duck.run(`COPY (SELECT deployed_model_id, ${columns.join(', ')} FROM serving ORDER BY id) TO '${files.servingCsv}' (HEADER)`);
  // json_object drops no key: a NULL becomes a missing key here, as a client leaves a value out.
  const json = `CAST(json_object(${columns.map((c) => `'${c}', ${c}`).join(', ')}) AS VARCHAR)`;
  await duck.run(`COPY (SELECT '${ENDPOINT}' AS endpoint, deployed_model_id,
    TIMESTAMPTZ '2025-03-01 00:00:00+00' + to_microseconds(CAST(id * 80 AS BIGINT)) AS logging_time, CAST(1000000000 + id AS DECIMAL(38, 9)) AS request_id,
    [regexp_replace(${json}, '"f3":null,?', '')] AS request_payload, ['0'] AS response_payload FROM serving ORDER BY id)
    TO '${files.logFile}' (FORMAT parquet)`);
  return files;
}

function python(script: string, input: unknown): string {
  const result = spawnSync(PYTHON, ['-c', script], { input: JSON.stringify(input), encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, env: { ...process.env, PYTHONPATH } });
  if (result.status !== 0) throw new Error(`python failed: ${result.error?.message ?? result.stderr}`);
  return result.stdout;
}

/** baseline_statistics.json of the training sample, by the pipeline's baseline.py. */
function baselineDocument(trainCsv: string): unknown {
  const script = `
import json, sys
import pandas as pd
from mlops_components.baseline import baseline_statistics
spec = json.load(sys.stdin)
frame = pd.read_csv(spec["csv"], keep_default_na=False, na_values=[""])
print(json.dumps(baseline_statistics(frame, spec["numeric"], spec["categorical"], None, True, 20)))`;
  return JSON.parse(python(script, { csv: trainCsv, numeric: NUMERIC, categorical: CATEGORICAL }));
}

/** The histograms in numpy on typed columns; the seconds it took to bin (reading the CSV excluded). */
function numpyHistograms(servingCsv: string, features: readonly MonitoredFeature[]): { histograms: ServingHistograms; seconds: number } {
  const script = `
import json, sys, time
import numpy as np
import pandas as pd
spec = json.load(sys.stdin)
frame = pd.read_csv(spec["csv"], keep_default_na=False, na_values=[""])
models = frame["deployed_model_id"].to_numpy()
columns = {f["name"]: frame[f["name"]].to_numpy() for f in spec["features"]}
start = time.perf_counter()
out = {}
for model in np.unique(models):
    rows = models == model
    result = {}
    for f in spec["features"]:
        values = columns[f["name"]][rows]
        if f["kind"] == "numeric":
            present = values[~np.isnan(values)]
            edges = np.asarray(f["edges"])
            inside, _ = np.histogram(present, bins=edges)
            counts = [int((present < edges[0]).sum()), *map(int, inside), int((present > edges[-1]).sum())]
        else:
            present = values[pd.notna(values)].astype(str)
            labels, n = np.unique(present, return_counts=True)
            index = {c: k for k, c in enumerate(f["categories"])}
            counts = [0] * (len(f["categories"]) + 1)
            for label, c in zip(labels, n):
                counts[index.get(label, len(f["categories"]))] += int(c)
        result[f["name"]] = {"counts": counts, "missing": int(len(values) - len(present)), "total": int(len(values))}
    out[str(model)] = result
seconds = time.perf_counter() - start
print(json.dumps({"histograms": out, "seconds": seconds}))`;
  const answer = JSON.parse(python(script, { csv: servingCsv, features })) as { histograms: Record<string, Record<string, FeatureHistogram>>; seconds: number };
  const histograms = new Map(Object.entries(answer.histograms).map(([model, byFeature]) => [model, new Map(Object.entries(byFeature))]));
  return { histograms, seconds: answer.seconds };
}

/** The same histograms in DuckDB's own idiom over a native copy of the log table. */
function duckDbSql(features: readonly MonitoredFeature[]): string {
  const paths = features.map((f) => `'$.${f.name}'`).join(', ');
  const value = (f: MonitoredFeature, i: number) => (f.kind === 'numeric' ? `TRY_CAST(x[${i + 1}] AS DOUBLE)` : `x[${i + 1}]`);
  const bin = (f: MonitoredFeature, i: number) => {
    if (f.kind === 'categorical') return `CASE WHEN v${i} IS NULL THEN NULL ELSE coalesce(nullif(list_position([${f.categories!.map((c) => `'${c}'`).join(', ')}], v${i}), 0) - 1, ${f.categories!.length}) END`;
    const edges = f.edges!;
    const steps = edges.map((e) => `(v${i} >= ${e})::INT`).join(' + ');
    return `CASE WHEN v${i} IS NULL OR isnan(v${i}) OR isinf(v${i}) THEN NULL WHEN v${i} = ${edges.at(-1)!} THEN ${edges.length - 1} ELSE ${steps} END`;
  };
  return `WITH inst AS (
  SELECT deployed_model_id, json_extract_string(instance, [${paths}]) AS x
  FROM (SELECT deployed_model_id, unnest(request_payload) AS instance FROM log
        WHERE endpoint = '${ENDPOINT}' AND deployed_model_id IN ('stable', 'canary')
          AND logging_time >= TIMESTAMPTZ '${START.toISOString()}' AND logging_time < TIMESTAMPTZ '${END.toISOString()}')
),
vals AS (SELECT deployed_model_id, ${features.map((f, i) => `${value(f, i)} AS v${i}`).join(', ')} FROM inst),
binned AS (SELECT deployed_model_id, ${features.map((f, i) => `${bin(f, i)} AS b${i}`).join(',\n  ')} FROM vals)
SELECT deployed_model_id, feature, CASE feature ${features.map((_, i) => `WHEN ${i} THEN b${i}`).join(' ')} END AS bin, count(*) AS n
FROM binned CROSS JOIN range(${features.length}) AS r(feature)
GROUP BY ALL`;
}

async function duckDbHistograms(duck: DuckDBConnection, features: readonly MonitoredFeature[]): Promise<ServingHistograms> {
  const reader = await duck.runAndReadAll(duckDbSql(features));
  const result = new Map<string, Map<string, { counts: number[]; missing: number; total: number }>>();
  for (const [model, feature, bin, n] of reader.getRows() as [string, number, number | null, bigint][]) {
    const f = features[feature]!;
    if (!result.has(model)) result.set(model, new Map(features.map((g) => [g.name, { counts: new Array<number>(binCount(g)).fill(0), missing: 0, total: 0 }])));
    const h = result.get(model)!.get(f.name)!;
    if (bin === null) h.missing += Number(n);
    else h.counts[bin]! += Number(n);
    h.total += Number(n);
  }
  return result;
}

/** Seconds one call takes, and its answer. */
async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; seconds: number }> {
  const t = performance.now();
  const value = await fn();
  return { value, seconds: (performance.now() - t) / 1000 };
}

const work = mkdtempSync(join(tmpdir(), 'bench-drift-'));
const gcs = await startStorageEmulator({ dataDir: join(work, 'gcs') });
const emulator = await startBigQueryEmulator({ dataDir: join(work, 'bq'), storage: gcs.store });
const duck = await (await DuckDBInstance.create(':memory:')).connect();
try {
  const auth = new OAuth2Client();
  auth.setCredentials({ access_token: 'bench', expiry_date: Date.now() + 3_600_000 });
  const bigquery = new BigQuery({ projectId: PROJECT, apiEndpoint: emulator.url, authClient: auth });
  const storage = new Storage({ projectId: PROJECT, apiEndpoint: gcs.url, authClient: auth });

  const t = performance.now();
  const files = await writeData(duck, work);
  const features = monitoredFeatures(parseBaseline(baselineDocument(files.trainCsv)), undefined);
  const [bucket] = await storage.createBucket('bench-drift');
  await bucket.upload(files.logFile, { destination: 'log.parquet', resumable: false });
  const [dataset] = await bigquery.createDataset('serving');
  await dataset.table('request_response_logging').load(bucket.file('log.parquet'), { sourceFormat: 'PARQUET', schema: { fields: REQUEST_RESPONSE_SCHEMA.map((f) => ({ ...f })) } });
  await duck.run(`CREATE TABLE log AS SELECT * FROM '${files.logFile}'`);
  const seedSeconds = round((performance.now() - t) / 1000, 1);

  const window = { logTable: { projectId: PROJECT, datasetId: 'serving', tableId: 'request_response_logging' }, endpoint: ENDPOINT, deployedModelIds: ['stable', 'canary'], start: START, end: END };
  const viaEmulator = await timed(() => servingHistograms(bigquery, window, features));
  const viaDuckDb = await timed(() => duckDbHistograms(duck, features));
  const viaNumpy = numpyHistograms(files.servingCsv, features);
  const agree = { duckDb: isDeepStrictEqual(viaEmulator.value, viaDuckDb.value), numpy: isDeepStrictEqual(viaEmulator.value, viaNumpy.histograms) };

  const stable = viaEmulator.value.get('stable')!;
  const drift = Object.fromEntries(features.map((f) => {
    const d = featureDrift(f, stable.get(f.name)!);
    return [f.name, { [d.distance.metric]: round(d.distance.value ?? Number.NaN, 4), psi: round(d.psi ?? Number.NaN, 4) }];
  }));
  const figures = {
    requests: REQUESTS,
    features: `${NUMERIC.length} numeric, ${CATEGORICAL.length} categorical`,
    seedSeconds,
    emulatorMs: round(viaEmulator.seconds * 1000, 0),
    duckDbMs: round(viaDuckDb.seconds * 1000, 0),
    numpyMs: round(viaNumpy.seconds * 1000, 0),
    emulatorVsDuckDb: round(viaEmulator.seconds / viaDuckDb.seconds, 2),
    emulatorVsNumpy: round(viaEmulator.seconds / viaNumpy.seconds, 2),
    countsAgree: agree,
  };
  log('INFO', 'bench: drift histograms of the stable model (distance and PSI per feature)', drift);
  log('INFO', 'bench: drift histograms over 1M logged requests × 10 features', figures);
  if (!agree.duckDb || !agree.numpy) log('ERROR', 'bench: the drift histograms differ between the paths', agree);
  process.stdout.write(
    `${textTable(
      ['drift histograms (1M requests × 10 features, one run)', 'ms', 'vs emulator'],
      [
        ['BigQuery emulator: servingHistograms (JSON in SQL, one query)', figures.emulatorMs, 1],
        ['DuckDB direct: native table, one JSON parse per instance', figures.duckDbMs, round(viaDuckDb.seconds / viaEmulator.seconds, 2)],
        ['numpy: np.histogram / np.unique on typed columns (no JSON)', figures.numpyMs, round(viaNumpy.seconds / viaEmulator.seconds, 2)],
      ],
    )}\n`,
  );
} finally {
  duck.closeSync();
  await emulator.close();
  await gcs.close();
  rmSync(work, { recursive: true, force: true });
}
