// Reads a Cloud Storage object whole, surviving 429/5xx answers. Every object read of the control
// plane goes through here instead of `file.download()`, because of a client bug:
//
// @google-cloud/storage 8.4.0 (retry-request 9.1.0, teeny-request 11.1.1) on Node 24: when
// `file.download()` / `createReadStream()` gets a retryable status (429, 5xx), retry-request
// destroys the teeny-request stream from its 'response' listener; teeny-request's own 'response'
// listener then calls `stream.pipeline(response.body, destroyedStream)`, which Node 24 answers by
// THROWING ERR_STREAM_UNABLE_TO_PIPE synchronously, inside a promise callback of teeny-request:
// an unhandled rejection that ends the process. The caller cannot catch it.
//
// So the media GET runs with the client's retries off (the error then reaches the caller as an
// ordinary ApiError) and this helper retries with exponential backoff itself.
//
// A second, harmless one: the client pipes the short-lived response body stream twice, so any body
// over ~64 KiB emits MaxListenersExceededWarning; readFile raises the limit on that one stream only.
import type { CreateReadStreamOptions, File, Storage } from '@google-cloud/storage';
import { EventEmitter } from 'node:events';
import { buffer } from 'node:stream/consumers';
import type { ClientEnvironment } from './environment.js';
import { clientEnvironment } from './environment.js';
import { storageClient } from './storage.js';

export interface DownloadOptions {
  /** Tries in all (default 5). */
  readonly attempts?: number;
  /** First backoff in ms, doubled per retry with full jitter (default 250). */
  readonly baseDelayMs?: number;
  /** A client with retries off; by default one is built for `ce` (see storageClient). */
  readonly storage?: Storage;
  readonly ce?: ClientEnvironment;
  /** Passed to createReadStream, e.g. `{ validation: 'md5' }` (default: the client's crc32c check). */
  readonly readOptions?: CreateReadStreamOptions;
}

/** HTTP statuses Google documents as safe to retry, plus network failures (no status). */
function isRetryableStorageError(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'number') return code === 408 || code === 429 || code >= 500;
  return typeof code === 'string' && ['ECONNRESET', 'ETIMEDOUT', 'ECONNREFUSED', 'EPIPE', 'EAI_AGAIN'].includes(code);
}

/** A Storage client for media reads: the client's retries off, retried by downloadObject instead. */
export function mediaReadClient(ce: ClientEnvironment = clientEnvironment()): Storage {
  return storageClient(ce, { autoRetry: false, maxRetries: 0 });
}

/** One read of the whole object, without the client's spurious MaxListenersExceededWarning. */
async function readFile(file: File, readOptions: CreateReadStreamOptions = {}): Promise<Buffer> {
  const stream = file.createReadStream(readOptions);
  // googleapis/google-cloud-node#9185: the response body stream gets 2 listeners too many per read.
  stream.on('response', (res: unknown) => {
    if (res instanceof EventEmitter) res.setMaxListeners(res.getMaxListeners() + 2);
  });
  return buffer(stream);
}

/** The bytes of gs://bucket/name; throws the last (catchable) error once the tries are spent. */
export async function downloadObject(bucket: string, name: string, options: DownloadOptions = {}): Promise<Buffer> {
  const storage = options.storage ?? mediaReadClient(options.ce);
  const attempts = options.attempts ?? 5;
  const base = options.baseDelayMs ?? 250;
  for (let attempt = 1; ; attempt++) {
    try {
      return await readFile(storage.bucket(bucket).file(name), options.readOptions);
    } catch (err) {
      if (attempt >= attempts || !isRetryableStorageError(err)) throw err;
      await new Promise((resolve) => setTimeout(resolve, Math.random() * base * 2 ** (attempt - 1)));
    }
  }
}
