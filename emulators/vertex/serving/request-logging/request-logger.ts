// Request-response logging for endpoints: sampled, queued, and written in the background so a
// prediction never waits on (or fails because of) BigQuery.
import { emulatorLog } from '../../../kit/log.js';
import type { Random } from '../traffic.js';
import type { TableRef } from './destination.js';
import { tableKey } from './destination.js';
import type { ExchangeRecord, RequestResponseRow } from './rows.js';
import { requestResponseRow } from './rows.js';
import type { RequestResponseSink } from './bigquery-sink.js';
import { describeSinkError } from './bigquery-sink.js';
import { BoundedWorkQueue } from './queue.js';

interface Entry {
  table: TableRef;
  row: RequestResponseRow;
}

export interface RequestLoggerOptions {
  sink: RequestResponseSink;
  random: Random;
  /** Rows waiting beyond this are dropped (default 10 000). */
  capacity?: number;
  /** Rows per insertAll call (default 500). */
  batchSize?: number;
}

export class RequestLogger {
  private readonly queue: BoundedWorkQueue<Entry>;
  private readonly random: Random;

  constructor(options: RequestLoggerOptions) {
    this.random = options.random;
    this.queue = new BoundedWorkQueue<Entry>({
      capacity: options.capacity ?? 10_000,
      batchSize: options.batchSize ?? 500,
      handle: (batch) => writeBatch(options.sink, batch),
      onError: (error, batch) => logLost(error, batch.length, [...new Set(batch.map((e) => tableKey(e.table)))]),
      onDrop: (dropped) =>
        emulatorLog('WARNING', `request-response logging is behind; ${dropped} rows dropped so far`, { component: 'vertex-serving' }),
    });
  }

  /** Sampled at `samplingRate`; returns whether the exchange was queued. */
  record(table: TableRef, samplingRate: number, exchange: ExchangeRecord): boolean {
    if (this.random() >= samplingRate) return false;
    return this.queue.push({ table, row: requestResponseRow(exchange) });
  }

  flush(): Promise<void> {
    return this.queue.flush();
  }
}

function logLost(error: unknown, rows: number, tables: string[]): void {
  emulatorLog('WARNING', `request-response logging failed; ${rows} rows lost: ${describeSinkError(error)}`, { component: 'vertex-serving', tables });
}

/** One insert per destination table in the batch; a failing table costs only its own rows. */
async function writeBatch(sink: RequestResponseSink, batch: readonly Entry[]): Promise<void> {
  const byTable = new Map<string, { table: TableRef; rows: RequestResponseRow[] }>();
  for (const { table, row } of batch) {
    const key = tableKey(table);
    const group = byTable.get(key) ?? { table, rows: [] };
    group.rows.push(row);
    byTable.set(key, group);
  }
  await Promise.all(
    [...byTable.entries()].map(([key, { table, rows }]) => sink.write(table, rows).catch((error: unknown) => logLost(error, rows.length, [key]))),
  );
}
