// JSON documents in Cloud Storage, changed only with generation preconditions: a create succeeds
// once (`ifGenerationMatch: 0`), an update only over the generation that was read. This is how the
// control plane's state survives crashes and concurrent deliveries without a database.
import type { Storage } from '@google-cloud/storage';
import type { z } from 'zod';
import type { ClientEnvironment } from '../../google-clients/environment.js';
import { httpStatus } from '../errors.js';

export interface Versioned<T> {
  readonly value: T;
  readonly generation: string;
}

export class JsonObjectStore {
  constructor(
    private readonly storage: () => Promise<Storage>,
    /** For object reads: the client's own retries off (download-object.ts retries). */
    private readonly mediaStorage: () => Promise<Storage>,
    private readonly ce: ClientEnvironment,
    readonly bucket: string,
  ) {}

  /** The document and its generation, or undefined when absent. A document that fails `schema` throws. */
  async read<S extends z.ZodType>(path: string, schema: S): Promise<Versioned<z.output<S>> | undefined> {
    const file = (await this.storage()).bucket(this.bucket).file(path);
    let metadata;
    try {
      [metadata] = await file.getMetadata();
    } catch (err) {
      if (httpStatus(err) === 404) return undefined;
      throw err;
    }
    const generation = String(metadata.generation);
    let bytes: Buffer;
    try {
      // A newer write between the two reads is harmless: its generation fails our next precondition.
      const { downloadObject } = await import('../../google-clients/download-object.js');
      bytes = await downloadObject(this.bucket, path, { ce: this.ce, storage: await this.mediaStorage() });
    } catch (err) {
      // Replaced or deleted between the two reads: read again.
      if (httpStatus(err) === 404) return this.read(path, schema);
      throw err;
    }
    const parsed = schema.safeParse(JSON.parse(bytes.toString('utf8')));
    if (!parsed.success) {
      throw new Error(`gs://${this.bucket}/${path} is not a valid document: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    }
    return { value: parsed.data, generation };
  }

  /** Writes the document only if none exists; the generation written, or undefined when one existed. */
  async create(path: string, value: unknown): Promise<string | undefined> {
    return this.write(path, value, '0');
  }

  /** Replaces the document only if it is still at `generation`; the new generation, or undefined when it changed. */
  async replace(path: string, value: unknown, generation: string): Promise<string | undefined> {
    return this.write(path, value, generation);
  }

  /** Object paths under `prefix`, newest first (by creation time), at most `limit` of them. */
  async list(prefix: string, limit = Number.POSITIVE_INFINITY): Promise<string[]> {
    const [files] = await (await this.storage()).bucket(this.bucket).getFiles({ prefix });
    const created = (f: (typeof files)[number]) => String(f.metadata.timeCreated ?? '');
    return files
      .sort((a, b) => created(b).localeCompare(created(a)))
      .slice(0, limit)
      .map((f) => f.name);
  }

  private async write(path: string, value: unknown, ifGenerationMatch: string): Promise<string | undefined> {
    const file = (await this.storage()).bucket(this.bucket).file(path);
    try {
      await file.save(`${JSON.stringify(value, null, 2)}\n`, {
        contentType: 'application/json',
        resumable: false,
        preconditionOpts: { ifGenerationMatch: Number(ifGenerationMatch) },
      });
    } catch (err) {
      if (httpStatus(err) === 412) return undefined;
      throw err;
    }
    return String(file.metadata.generation);
  }
}
