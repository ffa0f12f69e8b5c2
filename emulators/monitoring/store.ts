// Persistence in DuckDB (one file under dataDir): descriptors, series identities and points.
// Small in-memory indexes (series by identity, newest point per series) are rebuilt on open, so
// write checks need no query. Callers serialize access with `exclusive`: validation and the write
// it guards must not interleave with another request.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection, type DuckDBValue } from '@duckdb/node-api';
import type { Distribution, MetricDescriptor, MetricKind, Point, SeriesIdentity, StoredSeries, TypedValue, ValueType } from './model.js';
import { seriesKey } from './model.js';
import { systemDescriptor, systemDescriptors } from './system-metrics.js';

const SCHEMA = [
  `CREATE SEQUENCE IF NOT EXISTS series_id_seq START 1`,
  `CREATE TABLE IF NOT EXISTS metric_descriptors (
     project VARCHAR NOT NULL, type VARCHAR NOT NULL, body VARCHAR NOT NULL, PRIMARY KEY (project, type))`,
  `CREATE TABLE IF NOT EXISTS series (
     id BIGINT PRIMARY KEY, project VARCHAR NOT NULL, metric_type VARCHAR NOT NULL, series_key VARCHAR NOT NULL,
     metric_labels VARCHAR NOT NULL, resource_type VARCHAR NOT NULL, resource_labels VARCHAR NOT NULL,
     metric_kind VARCHAR NOT NULL, value_type VARCHAR NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS points (
     series_id BIGINT NOT NULL, start_ns BIGINT NOT NULL, end_ns BIGINT NOT NULL,
     bool_value BOOLEAN, int64_value BIGINT, double_value DOUBLE, string_value VARCHAR, distribution_value VARCHAR)`,
  // Alerting's resources (notification channels, alert policies, incidents, deliveries) as JSON documents.
  `CREATE TABLE IF NOT EXISTS alerting_documents (
     kind VARCHAR NOT NULL, name VARCHAR NOT NULL, body VARCHAR NOT NULL, PRIMARY KEY (kind, name))`,
];

/** One alerting document: `kind` (channel, policy, incident, delivery) and its unique `name`. */
export interface AlertingDocument {
  kind: string;
  name: string;
  body: string;
}

export interface LastPoint {
  startNs: bigint;
  endNs: bigint;
}

export interface NewSeries {
  project: string;
  identity: SeriesIdentity;
  metricKind: MetricKind;
  valueType: ValueType;
}

export interface WriteBatch {
  project: string;
  /** Descriptors to create or replace (auto-created ones, or ones that gained labels). */
  descriptors: MetricDescriptor[];
  /** One point per series; `series` is an existing series or one to create. */
  points: { series: StoredSeries | NewSeries; point: Point }[];
}

const indexKey = (project: string, key: string) => `${project}\u0000${key}`;

export class MonitoringStore {
  private readonly seriesByKey = new Map<string, StoredSeries>();
  private readonly lastPoints = new Map<bigint, LastPoint>();
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;

  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly db: DuckDBConnection,
  ) {}

  static async open(dataDir: string): Promise<MonitoringStore> {
    await mkdir(dataDir, { recursive: true });
    const instance = await DuckDBInstance.create(join(dataDir, 'monitoring.duckdb'));
    const db = await instance.connect();
    for (const statement of SCHEMA) await db.run(statement);
    const store = new MonitoringStore(instance, db);
    await store.loadIndexes();
    return store;
  }

  /** Runs `fn` alone: requests are serialized so that checks and writes see a consistent store. */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(() => {
      if (this.closed) throw new Error('monitoring store is closed');
      return fn();
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  async close(): Promise<void> {
    await this.exclusive(async () => {
      this.closed = true;
      // Checkpoint so the next open does not have to replay the write-ahead log.
      await this.db.run('CHECKPOINT');
    }).catch(() => undefined);
    this.db.closeSync();
    this.instance.closeSync();
  }

  // ---- descriptors ------------------------------------------------------------------------------

  /** Built-in (system) descriptors come from code and are seen by every project; the rest are stored. */
  async getDescriptor(project: string, type: string): Promise<MetricDescriptor | undefined> {
    const builtIn = systemDescriptor(project, type);
    if (builtIn) return builtIn;
    const reader = await this.db.runAndReadAll('SELECT body FROM metric_descriptors WHERE project = $1 AND type = $2', [project, type]);
    const row = reader.getRowObjects()[0];
    return row ? parseDescriptor(row.body) : undefined;
  }

  async listDescriptors(project: string): Promise<MetricDescriptor[]> {
    const reader = await this.db.runAndReadAll('SELECT body FROM metric_descriptors WHERE project = $1 ORDER BY type', [project]);
    const stored = reader.getRowObjects().map((row) => parseDescriptor(row.body));
    return [...systemDescriptors(project), ...stored].sort((a, b) => (a.type < b.type ? -1 : a.type > b.type ? 1 : 0));
  }

  /** Creates or replaces a descriptor; `dropData` discards its series (its kind or type changed). */
  async putDescriptor(project: string, descriptor: MetricDescriptor, options: { dropData: boolean }): Promise<void> {
    await this.transaction(async () => {
      if (options.dropData) await this.deleteSeriesOf(project, descriptor.type);
      await this.upsertDescriptor(project, descriptor);
    });
    if (options.dropData) this.forgetSeriesOf(project, descriptor.type);
  }

  /** Deletes a descriptor and its data; false when there was none. */
  async deleteDescriptor(project: string, type: string): Promise<boolean> {
    if (!(await this.getDescriptor(project, type))) return false;
    await this.transaction(async () => {
      await this.deleteSeriesOf(project, type);
      await this.db.run('DELETE FROM metric_descriptors WHERE project = $1 AND type = $2', [project, type]);
    });
    this.forgetSeriesOf(project, type);
    return true;
  }

  // ---- series and points ------------------------------------------------------------------------

  findSeries(project: string, identity: SeriesIdentity): StoredSeries | undefined {
    return this.seriesByKey.get(indexKey(project, seriesKey(identity)));
  }

  seriesOfMetric(project: string, metricType: string): StoredSeries[] {
    return [...this.seriesByKey.values()].filter((s) => s.project === project && s.identity.metricType === metricType);
  }

  lastPoint(seriesId: bigint): LastPoint | undefined {
    return this.lastPoints.get(seriesId);
  }

  /** Writes descriptors, new series and points in one transaction. */
  async write(batch: WriteBatch): Promise<void> {
    const created: StoredSeries[] = [];
    const written: { id: bigint; point: Point }[] = [];
    await this.transaction(async () => {
      for (const descriptor of batch.descriptors) await this.upsertDescriptor(batch.project, descriptor);
      for (const { series, point } of batch.points) {
        let stored: StoredSeries;
        if ('id' in series) stored = series;
        else {
          stored = await this.insertSeries(series);
          created.push(stored);
        }
        written.push({ id: stored.id, point });
      }
      if (written.length > 0) {
        const rows = written.map(({ id, point }) => [id, point.startNs, point.endNs, ...valueColumns(point.value)]);
        const placeholders = rows.map((row, r) => `(${row.map((_v, c) => `$${r * row.length + c + 1}`).join(', ')})`).join(', ');
        await this.db.run(`INSERT INTO points VALUES ${placeholders}`, rows.flat());
      }
    });
    // The indexes change only once the transaction has committed.
    for (const s of created) this.seriesByKey.set(indexKey(s.project, seriesKey(s.identity)), s);
    for (const { id, point } of written) this.lastPoints.set(id, { startNs: point.startNs, endNs: point.endNs });
  }

  /** Points of a metric's series with `afterNs < end <= upToNs`, oldest first, by series id. */
  async readPoints(project: string, metricType: string, afterNs: bigint, upToNs: bigint): Promise<Map<bigint, Point[]>> {
    const reader = await this.db.runAndReadAll(
      `SELECT p.* FROM points p JOIN series s ON p.series_id = s.id
       WHERE s.project = $1 AND s.metric_type = $2 AND p.end_ns > $3 AND p.end_ns <= $4
       ORDER BY p.series_id, p.end_ns`,
      [project, metricType, afterNs, upToNs],
    );
    const bySeries = new Map<bigint, Point[]>();
    for (const row of reader.getRowObjects()) {
      const id = asBigInt(row.series_id);
      const list = bySeries.get(id) ?? [];
      list.push(rowToPoint(row));
      bySeries.set(id, list);
    }
    return bySeries;
  }

  /** The newest point at or before `atNs` of each of a metric's series. */
  async readPriorPoints(project: string, metricType: string, atNs: bigint): Promise<Map<bigint, Point>> {
    const reader = await this.db.runAndReadAll(
      `SELECT p.* FROM points p JOIN series s ON p.series_id = s.id
       WHERE s.project = $1 AND s.metric_type = $2 AND p.end_ns <= $3
       QUALIFY row_number() OVER (PARTITION BY p.series_id ORDER BY p.end_ns DESC) = 1`,
      [project, metricType, atNs],
    );
    return new Map(reader.getRowObjects().map((row) => [asBigInt(row.series_id), rowToPoint(row)]));
  }

  // ---- alerting documents ----------------------------------------------------------------------

  async readAlertingDocuments(kind: string): Promise<AlertingDocument[]> {
    const reader = await this.db.runAndReadAll('SELECT kind, name, body FROM alerting_documents WHERE kind = $1 ORDER BY name', [kind]);
    return reader.getRowObjects().map((row) => ({ kind: asString(row.kind), name: asString(row.name), body: asString(row.body) }));
  }

  /** Writes and deletes documents in one transaction. */
  async writeAlertingDocuments(put: readonly AlertingDocument[], remove: readonly { kind: string; name: string }[] = []): Promise<void> {
    if (put.length === 0 && remove.length === 0) return;
    await this.transaction(async () => {
      for (const d of remove) await this.db.run('DELETE FROM alerting_documents WHERE kind = $1 AND name = $2', [d.kind, d.name]);
      for (const d of put) {
        await this.db.run(
          `INSERT INTO alerting_documents VALUES ($1, $2, $3) ON CONFLICT (kind, name) DO UPDATE SET body = excluded.body`,
          [d.kind, d.name, d.body],
        );
      }
    });
  }

  // ---- internals --------------------------------------------------------------------------------

  private async transaction(fn: () => Promise<void>): Promise<void> {
    await this.db.run('BEGIN TRANSACTION');
    try {
      await fn();
      await this.db.run('COMMIT');
    } catch (err) {
      await this.db.run('ROLLBACK');
      throw err;
    }
  }

  private async upsertDescriptor(project: string, descriptor: MetricDescriptor): Promise<void> {
    await this.db.run(
      `INSERT INTO metric_descriptors VALUES ($1, $2, $3)
       ON CONFLICT (project, type) DO UPDATE SET body = excluded.body`,
      [project, descriptor.type, JSON.stringify(descriptor)],
    );
  }

  private async insertSeries(series: NewSeries): Promise<StoredSeries> {
    const reader = await this.db.runAndReadAll(
      `INSERT INTO series VALUES (nextval('series_id_seq'), $1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
      [
        series.project,
        series.identity.metricType,
        seriesKey(series.identity),
        JSON.stringify(series.identity.metricLabels),
        series.identity.resourceType,
        JSON.stringify(series.identity.resourceLabels),
        series.metricKind,
        series.valueType,
      ],
    );
    return { id: asBigInt(reader.getRowObjects()[0]?.id), ...series };
  }

  private async deleteSeriesOf(project: string, metricType: string): Promise<void> {
    await this.db.run('DELETE FROM points WHERE series_id IN (SELECT id FROM series WHERE project = $1 AND metric_type = $2)', [project, metricType]);
    await this.db.run('DELETE FROM series WHERE project = $1 AND metric_type = $2', [project, metricType]);
  }

  private forgetSeriesOf(project: string, metricType: string): void {
    for (const s of this.seriesOfMetric(project, metricType)) {
      this.seriesByKey.delete(indexKey(project, seriesKey(s.identity)));
      this.lastPoints.delete(s.id);
    }
  }

  private async loadIndexes(): Promise<void> {
    const series = await this.db.runAndReadAll('SELECT * FROM series');
    for (const row of series.getRowObjects()) {
      const stored: StoredSeries = {
        id: asBigInt(row.id),
        project: asString(row.project),
        identity: {
          metricType: asString(row.metric_type),
          metricLabels: parseLabels(row.metric_labels),
          resourceType: asString(row.resource_type),
          resourceLabels: parseLabels(row.resource_labels),
        },
        metricKind: asString(row.metric_kind) as MetricKind,
        valueType: asString(row.value_type) as ValueType,
      };
      this.seriesByKey.set(indexKey(stored.project, asString(row.series_key)), stored);
    }
    const last = await this.db.runAndReadAll(
      `SELECT series_id, start_ns, end_ns FROM points QUALIFY row_number() OVER (PARTITION BY series_id ORDER BY end_ns DESC) = 1`,
    );
    for (const row of last.getRowObjects()) {
      this.lastPoints.set(asBigInt(row.series_id), { startNs: asBigInt(row.start_ns), endNs: asBigInt(row.end_ns) });
    }
  }
}

// ---- row mapping --------------------------------------------------------------------------------

function asBigInt(value: DuckDBValue | undefined): bigint {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number') return BigInt(value);
  throw new Error(`expected a BIGINT from the store, got ${typeof value}`);
}

function asString(value: DuckDBValue | undefined): string {
  if (typeof value === 'string') return value;
  throw new Error(`expected a VARCHAR from the store, got ${typeof value}`);
}

function parseLabels(value: DuckDBValue | undefined): Record<string, string> {
  const parsed: unknown = JSON.parse(asString(value));
  const labels: Record<string, string> = {};
  if (parsed && typeof parsed === 'object') {
    for (const [k, v] of Object.entries(parsed)) if (typeof v === 'string') labels[k] = v;
  }
  return labels;
}

function parseDescriptor(value: DuckDBValue | undefined): MetricDescriptor {
  // Written by this module from a validated MetricDescriptor.
  return JSON.parse(asString(value)) as MetricDescriptor;
}

function valueColumns(value: TypedValue): DuckDBValue[] {
  return [
    value.type === 'BOOL' ? value.value : null,
    value.type === 'INT64' ? value.value : null,
    value.type === 'DOUBLE' ? value.value : null,
    value.type === 'STRING' ? value.value : null,
    value.type === 'DISTRIBUTION' ? serializeDistribution(value.value) : null,
  ];
}

function rowToPoint(row: Record<string, DuckDBValue>): Point {
  return { startNs: asBigInt(row.start_ns), endNs: asBigInt(row.end_ns), value: rowToValue(row) };
}

function rowToValue(row: Record<string, DuckDBValue>): TypedValue {
  if (typeof row.bool_value === 'boolean') return { type: 'BOOL', value: row.bool_value };
  if (typeof row.int64_value === 'bigint') return { type: 'INT64', value: row.int64_value };
  if (typeof row.double_value === 'number') return { type: 'DOUBLE', value: row.double_value };
  if (typeof row.string_value === 'string') return { type: 'STRING', value: row.string_value };
  return { type: 'DISTRIBUTION', value: deserializeDistribution(asString(row.distribution_value)) };
}

function serializeDistribution(d: Distribution): string {
  return JSON.stringify(d, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
}

function deserializeDistribution(text: string): Distribution {
  const raw = JSON.parse(text) as Omit<Distribution, 'count' | 'bucketCounts'> & { count: string; bucketCounts: string[] };
  return { ...raw, count: BigInt(raw.count), bucketCounts: raw.bucketCounts.map((c) => BigInt(c)) };
}
