import { Storage } from '@google-cloud/storage';
import type { StorageOptions } from '@google-cloud/storage';
import type { ClientEnvironment } from './environment.js';
import { clientEnvironment, emulatorAuth, parseEmulatorHost } from './environment.js';

type RetryOptions = NonNullable<StorageOptions['retryOptions']>;

/** `retryOptions` tunes the client's own retries (download-object.ts turns them off for media reads). */
export function storageClient(ce: ClientEnvironment = clientEnvironment(), retryOptions?: RetryOptions): Storage {
  const host = ce.env.STORAGE_EMULATOR_HOST;
  const retry = retryOptions === undefined ? {} : { retryOptions };
  if (host) return new Storage({ projectId: ce.projectId, apiEndpoint: parseEmulatorHost(host).url, authClient: emulatorAuth(), ...retry });
  return new Storage({ projectId: ce.projectId, ...retry });
}
