// Cloud Storage for load and extract jobs, through the storage emulator's ObjectStore: objects
// are plain files, hard-linked (or copied) into the engine's tmp/ for DuckDB to read, since DuckDB
// may touch no other directory (engine.ts); writes go to a staging file in tmp/ first and move in
// with importFile (which computes the hashes the Storage API reports).
import { randomBytes } from 'node:crypto';
import { copyFile, link, mkdir, rm, stat, unlink } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { GoogleApiError } from '../kit/google-error.js';
import type { ObjectStore } from '../storage/object-store.js';
import type { Db } from './engine.js';
import { invalid } from './errors.js';
import { parseGcsUri } from '../../vertex/shared/storage-uris.js';
import { quoteString } from './sql/types.js';
import type { TableField } from './table-schema.js';
import { exportExpression } from './value-sql.js';

export interface GcsUri {
  bucket: string;
  name: string;
}

/** A URI that names an object (load sources, extract destinations); BigQuery's 400 otherwise. */
function parseObjectUri(uri: string): GcsUri {
  const location = parseGcsUri(uri);
  if (!location || location.object === '') throw invalid(`Invalid URI: ${uri}. URIs must start with gs:// and name an object`, 'uri');
  return { bucket: location.bucket, name: location.object };
}

export type ExportFormat = 'CSV' | 'NEWLINE_DELIMITED_JSON' | 'PARQUET';

export interface ExportOptions {
  uris: string[];
  format: ExportFormat;
  header: boolean;
  delimiter: string;
  compression: 'NONE' | 'GZIP' | 'SNAPPY' | 'ZSTD';
  /** EXPORT DATA refuses a non-empty destination unless overwrite is true. */
  overwrite?: boolean | undefined;
}

export interface ExportResult {
  rows: bigint;
  /** Files written per destination URI. */
  fileCounts: number[];
}

/** Source files where DuckDB may read them; `release` removes them (the objects stay). */
export interface StagedSources {
  files: string[];
  bytes: number;
  release(): Promise<void>;
}

const SHARD_DIGITS = 12;

/** Rows per file for wildcard destinations; BigQuery shards at about 1 GB, this by rows. */
const DEFAULT_SHARD_ROWS = 1_000_000;

export function normalizeFormat(format: string | undefined, fallback: ExportFormat = 'CSV'): ExportFormat | 'AVRO' {
  const f = (format ?? fallback).toUpperCase();
  if (f === 'JSON' || f === 'NEWLINE_DELIMITED_JSON') return 'NEWLINE_DELIMITED_JSON';
  if (f === 'CSV' || f === 'PARQUET' || f === 'AVRO') return f;
  throw invalid(`Invalid destination format: ${format ?? ''}`);
}

export class GcsIo {
  constructor(
    private readonly store: ObjectStore | undefined,
    private readonly tmpDir: string,
    private readonly shardRows = DEFAULT_SHARD_ROWS,
  ) {}

  private requireStore(): ObjectStore {
    if (!this.store) throw invalid('Cloud Storage is not configured for this BigQuery emulator (start it with a storage ObjectStore)');
    return this.store;
  }

  /** Local files for gs:// source URIs (each may hold one '*' wildcard), and their total size. */
  async resolveSources(uris: string[]): Promise<{ files: string[]; bytes: number }> {
    const store = this.requireStore();
    const files: string[] = [];
    let bytes = 0;
    for (const uri of uris) {
      const { bucket, name } = parseObjectUri(uri);
      const star = name.indexOf('*');
      if (star < 0) {
        const meta = await store.statObject(bucket, name).catch((e: unknown) => {
          if (e instanceof GoogleApiError && e.code === 404) throw new GoogleApiError(404, `Not found: URI ${uri}`, { reason: 'notFound' });
          throw e;
        });
        files.push(store.filePath(bucket, name));
        bytes += Number(meta.size);
        continue;
      }
      if (name.indexOf('*', star + 1) >= 0) throw invalid(`Invalid URI ${uri}: only one wildcard is supported`);
      const pattern = new RegExp(`^${name.split('*').map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, 's');
      let pageToken: string | undefined;
      let matched = 0;
      do {
        const page = await store.listObjects(bucket, { prefix: name.slice(0, star), pageToken });
        for (const item of page.items) {
          if (item.name.endsWith('/') || !pattern.test(item.name)) continue;
          files.push(store.filePath(bucket, item.name));
          bytes += Number(item.size);
          matched++;
        }
        pageToken = page.nextPageToken;
      } while (pageToken);
      if (matched === 0) throw new GoogleApiError(404, `Not found: URI ${uri}`, { reason: 'notFound' });
    }
    return { files, bytes };
  }

  /**
   * The objects of `uris` in a fresh folder under tmp/: hard links (instant, and a snapshot should the
   * object be overwritten meanwhile), or copies where the store is on another file system. Staged
   * names keep only the object's extensions (DuckDB picks the compression from them), so no object
   * name can read as a DuckDB glob.
   */
  async stageSources(uris: string[]): Promise<StagedSources> {
    const { files, bytes } = await this.resolveSources(uris);
    const dir = join(this.tmpDir, `load-${randomBytes(8).toString('hex')}`);
    await mkdir(dir);
    const release = () => rm(dir, { recursive: true, force: true });
    try {
      const staged: string[] = [];
      for (const [i, file] of files.entries()) {
        const target = join(dir, `${String(i).padStart(6, '0')}${/(\.[A-Za-z0-9]{1,10}){1,2}$/.exec(basename(file))?.[0] ?? ''}`);
        await link(file, target).catch(() => copyFile(file, target));
        staged.push(target);
      }
      return { files: staged, bytes, release };
    } catch (e) {
      await release();
      throw e;
    }
  }

  /** Write the rows of `selectSql` (whose columns are `fields`) to Cloud Storage. */
  async exportRows(db: Db, selectSql: string, fields: TableField[], options: ExportOptions): Promise<ExportResult> {
    const store = this.requireStore();
    if (options.format === 'CSV') {
      const nested = fields.find((f) => f.type === 'RECORD' || f.mode === 'REPEATED');
      if (nested) throw invalid(`Operation cannot be performed on a nested schema. Field: ${nested.name}`);
    }
    const destinations = options.uris.map((uri) => ({ uri, ...parseObjectUri(uri) }));
    for (const d of destinations) {
      if ((d.name.match(/\*/g) ?? []).length > 1) throw invalid(`Invalid URI ${d.uri}: only one wildcard is supported`);
      if (options.overwrite === false) {
        const star = d.name.indexOf('*');
        const page = await store.listObjects(d.bucket, { prefix: star < 0 ? d.name : d.name.slice(0, star), maxResults: 1 });
        if (page.items.length > 0) throw invalid(`Cannot export to ${d.uri}: the destination is not empty and overwrite is false`);
      }
    }
    const total = await db.scalar(`SELECT count(*) FROM (${selectSql})`);
    const rows = typeof total === 'bigint' ? total : BigInt(Number(total ?? 0));
    const wildcard = destinations.every((d) => d.name.includes('*'));
    if (!wildcard && destinations.length > 1) throw invalid('Multiple destination URIs must each contain a wildcard');
    const shards = wildcard ? Math.max(1, Math.ceil(Number(rows) / this.shardRows)) : 1;
    const projection = fields.map((f) => exportExpression(f, options.format)).join(', ');
    const fileCounts = destinations.map(() => 0);
    for (let shard = 0; shard < shards; shard++) {
      const target = shard % destinations.length;
      const dest = destinations[target]!;
      const index = fileCounts[target]!;
      fileCounts[target] = index + 1;
      const name = dest.name.replace('*', String(index).padStart(SHARD_DIGITS, '0'));
      const limit = shards > 1 ? ` LIMIT ${this.shardRows} OFFSET ${shard * this.shardRows}` : '';
      const local = join(this.tmpDir, `export-${randomBytes(8).toString('hex')}`);
      try {
        await db.exec(`COPY (SELECT ${projection} FROM (${selectSql})${limit}) TO ${quoteString(local)} (${copyOptions(options)})`);
        await stat(local);
        await store.importFile(dest.bucket, name, local, { contentType: contentTypeFor(options) });
      } finally {
        await unlink(local).catch(() => undefined);
      }
    }
    return { rows, fileCounts };
  }
}

function copyOptions(options: ExportOptions): string {
  const compression = options.compression === 'NONE' ? 'uncompressed' : options.compression.toLowerCase();
  switch (options.format) {
    case 'CSV':
      return `FORMAT csv, HEADER ${options.header}, DELIMITER ${quoteString(options.delimiter)}, COMPRESSION ${compression}`;
    case 'NEWLINE_DELIMITED_JSON':
      return `FORMAT json, COMPRESSION ${compression}`;
    case 'PARQUET':
      return `FORMAT parquet, COMPRESSION ${options.compression === 'NONE' ? 'uncompressed' : compression}`;
  }
}

function contentTypeFor(options: ExportOptions): string {
  if (options.compression === 'GZIP' && options.format !== 'PARQUET') return 'application/octet-stream';
  if (options.format === 'CSV') return 'text/csv';
  if (options.format === 'NEWLINE_DELIMITED_JSON') return 'application/json';
  return 'application/octet-stream';
}
