// The demo's users: flights drawn at random from the sample (held out from training but for the
// ~1% a snapshot may share with them) replayed against the endpoint through Vertex's
// PredictionServiceClient, each instance carrying its flight id; the actual delays are written to
// the actuals table the model spec names, as the business would record them once flights land.
import type { BigQuery } from '@google-cloud/bigquery';
import type { ClientEnvironment } from '../../google-clients/environment.js';
import { bigQueryClient } from '../../google-clients/bigquery.js';
import { PredictionServiceClient, vertexClientOptions } from '../../google-clients/vertex.js';
import type { JsonValue } from '../../pipelines/ir/index.js';
import { toProtoValue } from '../../vertex/shared/struct.js';

export interface ActualsTable {
  readonly datasetId: string;
  readonly tableId: string;
  readonly idField: string;
  readonly labelColumn: string;
}

interface Flight {
  readonly instance: { [key: string]: JsonValue };
  readonly id: string;
  readonly delay: number;
}

export interface TrafficCounts {
  requests: number;
  errors: number;
  /** Requests answered per deployed model id. */
  byDeployedModel: Record<string, number>;
}

async function ensureActualsTable(bigquery: BigQuery, table: ActualsTable): Promise<void> {
  const dataset = bigquery.dataset(table.datasetId);
  const [exists] = await dataset.exists();
  if (!exists) await dataset.create().catch(() => undefined);
  const [tableExists] = await dataset.table(table.tableId).exists();
  if (!tableExists) {
    await dataset.createTable(table.tableId, {
      schema: { fields: [{ name: table.idField, type: 'STRING', mode: 'REQUIRED' }, { name: table.labelColumn, type: 'FLOAT', mode: 'NULLABLE' }, { name: 'recorded_at', type: 'TIMESTAMP', mode: 'NULLABLE' }] },
    });
  }
}

export class TrafficReplay {
  private readonly bigquery: BigQuery;
  private readonly predictions: PredictionServiceClient;
  private flights: Flight[] = [];
  private next = 0;
  private running = false;
  private workers: Promise<void>[] = [];
  private pendingActuals: Record<string, unknown>[] = [];
  readonly counts: TrafficCounts = { requests: 0, errors: 0, byDeployedModel: {} };

  constructor(
    ce: ClientEnvironment,
    private readonly endpoint: string,
    private readonly actuals: ActualsTable,
    private readonly options: { concurrency: number; instancesPerRequest: number } = { concurrency: 4, instancesPerRequest: 2 },
  ) {
    this.bigquery = bigQueryClient(ce);
    this.predictions = new PredictionServiceClient(vertexClientOptions('us-central1', ce));
  }

  /**
   * Loads `count` random flights (from `since` on, when given) and makes sure the actuals table
   * exists. Called while the replay runs, it switches the traffic to the new flights.
   */
  async prepare(count: number, since?: string): Promise<void> {
    await ensureActualsTable(this.bigquery, this.actuals);
    const [rows] = await this.bigquery.query({
      // A random sample, from the distribution the champion and the challenger were compared on
      // offline: each snapshot is a 1% sample, so about 1% of these flights may have been trained on.
      query: `SELECT date, distance, origin, destination, delay FROM \`samples.flights\` WHERE delay IS NOT NULL${since ? ' AND date >= @since' : ''} ORDER BY RAND() LIMIT @count`,
      params: { count, ...(since ? { since: new Date(since) } : {}) },
      ...(since ? { types: { count: 'INT64', since: 'TIMESTAMP' } } : {}),
    });
    this.flights = (rows as Record<string, unknown>[]).map((row, i) => {
      const { delay, ...features } = row;
      const id = `flight-${i}-${String((features.date as { value?: string } | undefined)?.value ?? features.date).replace(/\D/g, '')}`;
      const instance: Flight['instance'] = { ...(features as Record<string, JsonValue>), date: String((features.date as { value?: string } | undefined)?.value ?? features.date), [this.actuals.idField]: id };
      return { instance, id, delay: Number(delay) };
    });
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.workers = Array.from({ length: this.options.concurrency }, () => this.worker());
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.workers);
    await this.flushActuals();
  }

  async close(): Promise<void> {
    await this.stop();
    await this.predictions.close();
  }

  private async worker(): Promise<void> {
    while (this.running) {
      const batch = Array.from({ length: this.options.instancesPerRequest }, () => this.flights[this.next++ % this.flights.length]!);
      try {
        const [response] = await this.predictions.predict({ endpoint: this.endpoint, instances: batch.map((f) => toProtoValue(f.instance, 'instance')) });
        this.counts.requests += 1;
        const id = response.deployedModelId ?? '?';
        this.counts.byDeployedModel[id] = (this.counts.byDeployedModel[id] ?? 0) + 1;
        for (const f of batch) this.pendingActuals.push({ insertId: f.id, json: { [this.actuals.idField]: f.id, [this.actuals.labelColumn]: f.delay, recorded_at: new Date().toISOString() } });
        if (this.pendingActuals.length >= 200) await this.flushActuals();
      } catch {
        this.counts.requests += 1;
        this.counts.errors += 1;
        await new Promise((r) => setTimeout(r, 20));
      }
    }
  }

  private async flushActuals(): Promise<void> {
    const rows = this.pendingActuals.splice(0);
    if (rows.length === 0) return;
    // A flight predicted twice (the pool wraps around) has one actual: its id is the insertId.
    await this.bigquery.dataset(this.actuals.datasetId).table(this.actuals.tableId).insert(rows, { raw: true });
  }
}
