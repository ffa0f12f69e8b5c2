// The control plane's metadata store (`default` in its project and region), and how a recording
// step is run: a failure that may pass (UNAVAILABLE, a lost race, a crash) makes the handler throw,
// so that the redelivery records it; anything else is logged and the handler goes on, because the
// run's real outcome matters more than its record in ML Metadata.
import { log } from '../../logging/log.js';
import { isTransient } from '../errors.js';
import type { ControlPlaneContext } from '../runtime/context.js';
import { vertexParent } from '../runtime/context.js';
import { MetadataStore } from './metadata-store.js';

/** One per context (and so per instance): it remembers that the `default` store exists. */
const stores = new WeakMap<ControlPlaneContext['clients'], MetadataStore>();

export function metadataStore(ctx: ControlPlaneContext): MetadataStore {
  let store = stores.get(ctx.clients);
  if (!store) {
    store = new MetadataStore(() => ctx.clients.metadata(), vertexParent(ctx.settings));
    stores.set(ctx.clients, store);
  }
  return store;
}

/** Runs a recording step: transient failures rethrown (redelivered), permanent ones logged. */
export async function recordSafely(what: string, record: () => Promise<void>): Promise<void> {
  try {
    await record();
  } catch (err) {
    if (isTransient(err)) throw err;
    log('WARNING', `ML Metadata: ${what} not recorded`, { error: String((err as Error)?.message ?? err).slice(0, 2000) });
  }
}
