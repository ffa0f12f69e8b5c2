// MetadataStores: create (long-running, optional metadata_store_id), get, list, delete
// (long-running, with everything in the store). `default` is what Vertex AI Pipelines and the SDK
// use; the pipeline engine creates it on first use (`ensure`), as Vertex does.
import { alreadyExists, invalidArgument } from '../api/errors.js';
import { numericId } from '../api/ids.js';
import type { QueryValues } from '../api/query.js';
import { assertValidWireRequest, canonical } from '../api/request-validation.js';
import type { JsonObject } from '../api/wire-json.js';
import { isPlainObject } from '../api/wire-json.js';
import type { Operation, Operations } from '../operations/operations.js';
import { METADATA_ID } from './kinds.js';
import { pageOfNodes } from './list.js';
import type { MetadataState } from './state.js';

export class MetadataStores {
  constructor(
    private readonly state: MetadataState,
    private readonly operations: Operations,
  ) {}

  async create(parent: string, body: unknown, storeId: string | undefined): Promise<Operation> {
    assertValidWireRequest('CreateMetadataStoreRequest', { parent, metadataStore: body, ...(storeId !== undefined ? { metadataStoreId: storeId } : {}) });
    if (storeId !== undefined && storeId !== '' && !METADATA_ID.test(storeId)) {
      throw invalidArgument(`Invalid metadata_store_id "${storeId}": 4 to 128 characters of [a-z0-9-], starting with a letter or digit.`, 'metadata_store_id');
    }
    const name = `${parent}/metadataStores/${storeId || numericId()}`;
    if (this.state.stores.has(name)) throw alreadyExists(`MetadataStore ${name} already exists.`);
    const store = canonical('MetadataStore', isPlainObject(body) ? body : {});
    return this.operations.start({
      under: name,
      metadataType: 'CreateMetadataStoreOperationMetadata',
      run: async () => {
        if (this.state.stores.has(name)) throw alreadyExists(`MetadataStore ${name} already exists.`);
        const created = await this.put(name, store);
        return { responseType: 'google.cloud.aiplatform.v1.MetadataStore', response: created };
      },
    });
  }

  /** The store, created when missing (the pipeline engine's first run in a location). */
  async ensure(name: string): Promise<void> {
    if (!this.state.stores.has(name)) await this.put(name, { description: 'Default MetadataStore, created on first use by Vertex AI Pipelines.' });
  }

  get(name: string): JsonObject {
    return structuredClone(this.state.store(name));
  }

  list(parent: string, params: QueryValues): JsonObject {
    const stores = this.state.stores.values().filter((s) => String(s.name).startsWith(`${parent}/metadataStores/`));
    return pageOfNodes(stores, params, 'metadataStores', ['metadataStores', parent]);
  }

  async delete(name: string): Promise<Operation> {
    this.state.store(name);
    return this.operations.start({
      under: name,
      metadataType: 'DeleteMetadataStoreOperationMetadata',
      run: async () => {
        for (const kind of ['artifacts', 'contexts', 'executions'] as const) {
          for (const node of this.state.nodesIn(name, kind)) await this.state.remove(kind, String(node.resource.name));
        }
        for (const schema of this.state.schemas.values()) if (String(schema.name).startsWith(`${name}/metadataSchemas/`)) await this.state.schemas.delete(String(schema.name));
        await this.state.stores.delete(name);
        return { responseType: 'google.protobuf.Empty', response: {} };
      },
    });
  }

  private async put(name: string, store: JsonObject): Promise<JsonObject> {
    const now = this.state.now();
    const created: JsonObject = { name, ...store, createTime: now, updateTime: now, state: { diskUtilizationBytes: '0' } };
    await this.state.stores.put(name, created);
    return structuredClone(created);
  }
}
