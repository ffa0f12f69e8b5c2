// Rollout analysis at scale: 1,000,000 logged requests (two deployed models, one instance each)
// and their actuals, written as Parquet, uploaded to the Storage emulator and loaded with load
// jobs through the official client; then comparePredictions and compareQuality (RMSE) timed
// (median of 3 after a warm-up) against a baseline through the same client: a COUNT(*) over the
// log that scans one column.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BigQuery } from '@google-cloud/bigquery';
import { Storage } from '@google-cloud/storage';
import { DuckDBInstance } from '@duckdb/node-api';
import { OAuth2Client } from 'google-auth-library';
import { comparePredictions } from '../../control-plane/rollouts/analysis/request-log-predictions.js';
import { compareQuality } from '../../control-plane/rollouts/analysis/request-log-quality.js';
import { startBigQueryEmulator } from '../../emulators/bigquery/server.js';
import { startStorageEmulator } from '../../emulators/storage/server.js';
import { log } from '../log.js';
import { round, timeRuns } from './stats.js';
import { textTable } from './text-table.js';
import { REQUEST_RESPONSE_SCHEMA } from '../../emulators/vertex/serving/request-logging/rows.js';

process.env.METADATA_SERVER_DETECTION ??= 'none';
const PROJECT = 'bench-project';
const REQUESTS = 1_000_000;
const ENDPOINT = `projects/${PROJECT}/locations/us-central1/endpoints/1`;
const START = new Date('2025-03-01T00:00:00Z');
const END = new Date('2025-03-02T00:00:00Z');

/** Parquet files of the log (half per deployed model; canary errors 1.2× the stable's) and the actuals. */
async function writeParquet(dir: string): Promise<{ logFile: string; actualsFile: string }> {
  const duck = await (await DuckDBInstance.create(':memory:')).connect();
  const logFile = join(dir, 'log.parquet');
  const actualsFile = join(dir, 'actuals.parquet');
  await duck.run('SELECT setseed(0.42)');
  await duck.run(`CREATE TABLE base AS SELECT i AS id, 50 + 10 * sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random()) AS y,
    sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random()) AS e FROM range(${REQUESTS}) r(i)`);
  await duck.run(`COPY (SELECT '${ENDPOINT}' AS endpoint, CASE WHEN id % 2 = 0 THEN 'stable' ELSE 'canary' END AS deployed_model_id,
    TIMESTAMPTZ '2025-03-01 00:00:00+00' + to_microseconds(CAST(id * 80 AS BIGINT)) AS logging_time, CAST(1000000000 + id AS DECIMAL(38, 9)) AS request_id,
    ['{"id":' || id || '}'] AS request_payload, [CAST(round(y + e * CASE WHEN id % 2 = 0 THEN 1 ELSE 1.2 END, 4) AS VARCHAR)] AS response_payload FROM base)
    TO '${logFile}' (FORMAT parquet)`);
  await duck.run(`COPY (SELECT id, y FROM base) TO '${actualsFile}' (FORMAT parquet)`);
  duck.closeSync();
  return { logFile, actualsFile };
}

const work = mkdtempSync(join(tmpdir(), 'bench-rollout-analysis-'));
const gcs = await startStorageEmulator({ dataDir: join(work, 'gcs') });
const emulator = await startBigQueryEmulator({ dataDir: join(work, 'bq'), storage: gcs.store });
try {
  const auth = new OAuth2Client();
  auth.setCredentials({ access_token: 'bench', expiry_date: Date.now() + 3_600_000 });
  const bigquery = new BigQuery({ projectId: PROJECT, apiEndpoint: emulator.url, authClient: auth });
  const storage = new Storage({ projectId: PROJECT, apiEndpoint: gcs.url, authClient: auth });

  let t = performance.now();
  const { logFile, actualsFile } = await writeParquet(work);
  const [bucket] = await storage.createBucket('bench-rollouts');
  await bucket.upload(logFile, { destination: 'log.parquet', resumable: false });
  await bucket.upload(actualsFile, { destination: 'actuals.parquet', resumable: false });
  const [dataset] = await bigquery.createDataset('serving');
  const logTable = dataset.table('request_response_logging');
  const actualsTable = dataset.table('actuals');
  const schema = { fields: REQUEST_RESPONSE_SCHEMA.map((f) => ({ ...f })) };
  await logTable.load(bucket.file('log.parquet'), { sourceFormat: 'PARQUET', schema });
  await actualsTable.load(bucket.file('actuals.parquet'), { sourceFormat: 'PARQUET', schema: { fields: [{ name: 'id', type: 'INTEGER' }, { name: 'y', type: 'FLOAT' }] } });
  const seedSeconds = round((performance.now() - t) / 1000, 1);

  const window = {
    logTable: { projectId: PROJECT, datasetId: 'serving', tableId: 'request_response_logging' },
    endpoint: ENDPOINT,
    stableDeployedModelId: 'stable',
    canaryDeployedModelId: 'canary',
    start: START,
    end: END,
  };
  const baselineSql = `SELECT COUNT(*) AS n FROM \`${PROJECT}.serving.request_response_logging\` WHERE deployed_model_id IS NOT NULL`;
  const [countRows] = await bigquery.query({ query: baselineSql });
  const counted = countRows[0] as { n: number } | undefined;
  t = performance.now();
  const predictions = await comparePredictions(bigquery, window);
  const quality = await compareQuality(bigquery, { ...window, actuals: { table: { ...window.logTable, tableId: 'actuals' }, idField: 'id', labelColumn: 'y' }, metric: 'rmse', confidence: 0.95 });
  log('INFO', 'bench: rollout analysis results', {
    rows: counted?.n,
    stableN: predictions.stable.n,
    canaryN: predictions.canary.n,
    ksStatistic: predictions.ksStatistic,
    ksUpperBound: predictions.ksUpperBound,
    pValue: predictions.pValue,
    rmseStable: quality.stable.value,
    rmseCanary: quality.canary.value,
    relativeChange: quality.relativeChange,
    firstRunSeconds: round((performance.now() - t) / 1000, 1),
  });

  const baseline = await timeRuns(() => bigquery.query({ query: baselineSql }), 3, 1);
  const ks = await timeRuns(() => comparePredictions(bigquery, window), 3, 0);
  const rmse = await timeRuns(() => compareQuality(bigquery, { ...window, actuals: { table: { ...window.logTable, tableId: 'actuals' }, idField: 'id', labelColumn: 'y' }, metric: 'rmse', confidence: 0.95 }), 3, 0);
  const figures = {
    requests: REQUESTS,
    seedSeconds,
    baselineMedianMs: baseline.medianMs,
    comparePredictionsMedianMs: ks.medianMs,
    compareQualityMedianMs: rmse.medianMs,
    comparePredictionsVsBaseline: round(ks.medianMs / baseline.medianMs, 1),
    compareQualityVsBaseline: round(rmse.medianMs / baseline.medianMs, 1),
  };
  log('INFO', 'bench: rollout analysis over 1M logged requests (BigQuery emulator)', figures);
  process.stdout.write(
    `${textTable(
      ['query (1M logged requests)', 'median ms', 'vs baseline'],
      [
        ['baseline: COUNT(*) scanning deployed_model_id', baseline.medianMs, 1],
        ['comparePredictions (KS, 200 buckets)', ks.medianMs, figures.comparePredictionsVsBaseline],
        ['compareQuality (RMSE, join to actuals)', rmse.medianMs, figures.compareQualityVsBaseline],
      ],
    )}\n`,
  );
} finally {
  await emulator.close();
  await gcs.close();
  rmSync(work, { recursive: true, force: true });
}
