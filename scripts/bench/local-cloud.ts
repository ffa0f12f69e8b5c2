// Local cloud figures: stack start-up, Storage throughput against plain file I/O, BigQuery query
// latency against the same query on DuckDB directly, and streaming insertAll rows per second.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { startLocalCloud } from '../../emulators/launcher/local-cloud.js';
import { FLIGHTS_TABLE, SAMPLES_DATASET } from '../../emulators/launcher/seed.js';
import { downloadObject } from '../../google-clients/download-object.js';
import { bigQueryClient, storageClient } from '../../google-clients/index.js';
import { log } from '../log.js';
import { round, timeRuns } from './stats.js';

process.env.METADATA_SERVER_DETECTION ??= 'none';
const require = createRequire(import.meta.url);
const flightsParquet = join(dirname(require.resolve('vega-datasets')), '..', 'data', 'flights-3m.parquet');

const work = mkdtempSync(join(tmpdir(), 'bench-local-cloud-'));
try {
  // Start-up: a fresh stack with Pub/Sub, no seed, three times.
  const startups: number[] = [];
  for (let i = 0; i < 3; i++) {
    const t = performance.now();
    const c = await startLocalCloud({ dataDir: join(work, `startup-${i}`), seed: 'none' });
    startups.push(performance.now() - t);
    await c.stop();
  }
  startups.sort((a, b) => a - b);
  log('INFO', 'bench: local cloud start-up', { runs: 3, medianMs: round(startups[1]!), pubsub: true });

  const cloud = await startLocalCloud({ dataDir: join(work, 'cloud'), seed: 'flights', pubsub: false });
  const ce = { projectId: cloud.projectId, env: cloud.env };
  try {
    // Storage: 64 MiB up and down through the client vs writeFile/readFile of the same bytes.
    const data = randomBytes(64 * 1024 * 1024);
    const storage = storageClient(ce);
    await storage.createBucket('bench-bucket');
    const file = storage.bucket('bench-bucket').file('blob.bin');
    const plain = join(work, 'plain.bin');
    const up = await timeRuns(() => file.save(data, { resumable: false, validation: 'crc32c' }), 3, 1);
    const down = await timeRuns(() => downloadObject('bench-bucket', 'blob.bin', { ce }), 3, 1); // the product's reader
    const fsUp = await timeRuns(() => writeFileSync(plain, data), 3, 1);
    const fsDown = await timeRuns(() => readFileSync(plain), 3, 1);
    const mib = data.length / 1024 / 1024;
    log('INFO', 'bench: storage throughput (64 MiB object)', {
      uploadMiBps: round((mib / up.medianMs) * 1000, 1),
      downloadMiBps: round((mib / down.medianMs) * 1000, 1),
      plainWriteMiBps: round((mib / fsUp.medianMs) * 1000, 1),
      plainReadMiBps: round((mib / fsDown.medianMs) * 1000, 1),
      uploadVsPlainWrite: round(up.medianMs / fsUp.medianMs, 2),
      downloadVsPlainRead: round(down.medianMs / fsDown.medianMs, 2),
    });

    // BigQuery: the same aggregate over 3M flights, through the client vs DuckDB directly.
    const sql = (table: string) =>
      `SELECT origin, COUNT(*) AS flights, AVG(delay) AS mean_delay FROM ${table} GROUP BY origin ORDER BY flights DESC LIMIT 20`;
    const bigquery = bigQueryClient(ce);
    const viaEmulator = await timeRuns(() => bigquery.query({ query: sql(`\`${cloud.projectId}.${SAMPLES_DATASET}.${FLIGHTS_TABLE}\``) }), 10, 2);
    const duck = await (await DuckDBInstance.create(':memory:')).connect();
    await duck.run(`CREATE TABLE flights AS SELECT * FROM read_parquet('${flightsParquet}')`);
    const direct = await timeRuns(() => duck.runAndReadAll(sql('flights')), 10, 2);
    duck.closeSync();
    log('INFO', 'bench: BigQuery query latency (3M-row GROUP BY)', {
      emulatorMedianMs: viaEmulator.medianMs,
      duckdbDirectMedianMs: direct.medianMs,
      ratio: round(viaEmulator.medianMs / direct.medianMs, 2),
    });

    // Streaming inserts: 20,000 rows in batches of 500.
    const table = bigquery.dataset(SAMPLES_DATASET).table('bench_insert');
    await table.create({ schema: { fields: [{ name: 'id', type: 'INTEGER' }, { name: 'origin', type: 'STRING' }, { name: 'delay', type: 'FLOAT' }] } });
    const total = 20_000;
    const t = performance.now();
    for (let start = 0; start < total; start += 500) {
      const rows = Array.from({ length: 500 }, (_, i) => ({ insertId: `r${start + i}`, json: { id: start + i, origin: 'SFO', delay: (start + i) % 90 } }));
      await table.insert(rows, { raw: true });
    }
    const seconds = (performance.now() - t) / 1000;
    log('INFO', 'bench: BigQuery insertAll', { rows: total, batch: 500, rowsPerSecond: Math.round(total / seconds) });
  } finally {
    await cloud.stop();
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
