// Everything a MetadataStore holds, in memory and persisted (one JSON file per resource): the
// stores themselves, their schemas and their artifacts, contexts and executions. Memberships (contexts an
// artifact or execution was added to) and an execution's events live on the node they belong to,
// so one write keeps each change whole. Node saves made in one turn of the event loop are written
// together, once per node: contexts, then artifacts, then executions, so a file on disk never
// points (membership, event) at a node whose file has not landed yet.
import { randomBytes } from 'node:crypto';
import { notFound, invalidArgument } from '../api/errors.js';
import type { JsonObject } from '../api/wire-json.js';
import { JsonStore } from '../state/json-store.js';
import type { MetadataKind } from './kinds.js';
import { KINDS } from './kinds.js';

export interface StoredNode {
  /** The Artifact, Context or Execution as answered. */
  resource: JsonObject;
  /** Contexts an artifact or execution was added to (AddContextArtifactsAndExecutions). */
  contexts: string[];
  /** An execution's events (AddExecutionEvents); empty for artifacts and contexts. */
  events: JsonObject[];
}

const STORE_NAME = /^projects\/[^/]+\/locations\/[^/]+\/metadataStores\/[^/]+$/;

export const newEtag = (): string => randomBytes(9).toString('base64url');

/** Referenced before referencing: memberships point at contexts, events at artifacts. */
const WRITE_ORDER: readonly MetadataKind[] = ['contexts', 'artifacts', 'executions'];

interface SaveBatch {
  dirty: Record<MetadataKind, Set<string>>;
  /** Settles once every node saved in this batch (in its state at write time) is on disk. */
  done: Promise<void>;
}

export class MetadataState {
  readonly stores: JsonStore<JsonObject>;
  readonly schemas: JsonStore<JsonObject>;
  private readonly nodes: Record<MetadataKind, JsonStore<StoredNode>>;
  private lastTime = 0;
  private batch: SaveBatch | undefined;

  constructor(stateDir: string) {
    this.stores = new JsonStore<JsonObject>(stateDir, 'metadataStores');
    this.schemas = new JsonStore<JsonObject>(stateDir, 'metadataSchemas');
    this.nodes = {
      artifacts: new JsonStore<StoredNode>(stateDir, 'metadataArtifacts'),
      contexts: new JsonStore<StoredNode>(stateDir, 'metadataContexts'),
      executions: new JsonStore<StoredNode>(stateDir, 'metadataExecutions'),
    };
  }

  async load(): Promise<void> {
    await Promise.all([this.stores.load(), this.schemas.load(), ...Object.values(this.nodes).map((s) => s.load())]);
    for (const store of Object.values(this.nodes)) for (const node of store.values()) this.lastTime = Math.max(this.lastTime, Date.parse(String(node.resource.updateTime)) || 0);
  }

  async flush(): Promise<void> {
    await this.batch?.done;
    await Promise.all([this.stores.flush(), this.schemas.flush(), ...Object.values(this.nodes).map((s) => s.flush())]);
  }

  /** A timestamp later than every one given before: creation order is list order, even within a millisecond. */
  now(): string {
    this.lastTime = Math.max(Date.now(), this.lastTime + 1);
    return new Date(this.lastTime).toISOString();
  }

  /** The store's resource; INVALID_ARGUMENT for a malformed name, NOT_FOUND when absent. */
  store(name: string): JsonObject {
    if (!STORE_NAME.test(name)) {
      throw invalidArgument(`Invalid MetadataStore name "${name}": expected projects/{project}/locations/{location}/metadataStores/{metadata_store}.`, 'parent');
    }
    const found = this.stores.get(name);
    if (!found) {
      throw notFound(
        `MetadataStore ${name} not found. Create it with CreateMetadataStore (metadata_store_id "default" for the default store; Vertex AI Pipelines and the Vertex SDK create it on first use).`,
      );
    }
    return found;
  }

  find(kind: MetadataKind, name: string): StoredNode | undefined {
    return this.nodes[kind].get(name);
  }

  /** The node; INVALID_ARGUMENT for a malformed name, NOT_FOUND when absent. */
  node(kind: MetadataKind, name: string, field = 'name'): StoredNode {
    const pattern = new RegExp(`^projects/[^/]+/locations/[^/]+/metadataStores/[^/]+/${kind}/[^/]+$`);
    const message = KINDS[kind].message;
    if (!pattern.test(name)) {
      throw invalidArgument(`Invalid ${message} name "${name}": expected projects/{project}/locations/{location}/metadataStores/{metadata_store}/${kind}/{id}.`, field);
    }
    const found = this.nodes[kind].get(name);
    if (!found) throw notFound(`${message} ${name} not found.`);
    return found;
  }

  /** Every node of a kind in a store. */
  nodesIn(store: string, kind: MetadataKind): StoredNode[] {
    const prefix = `${store}/${kind}/`;
    return this.nodes[kind].values().filter((n) => String(n.resource.name).startsWith(prefix));
  }

  /** Keeps the node in memory now; settles once it (in this or a newer state) is on disk. */
  save(kind: MetadataKind, node: StoredNode): Promise<void> {
    const name = String(node.resource.name);
    const batch = (this.batch ??= this.openBatch());
    const store = this.nodes[kind];
    // In memory at once (find() sees it); on disk with the batch, one write however often saved.
    if (store.get(name) !== node) store.stage(name, node);
    batch.dirty[kind].add(name);
    return batch.done;
  }

  /** Writes, after this turn of the event loop, what was saved during it. */
  private openBatch(): SaveBatch {
    const batch: SaveBatch = { dirty: { artifacts: new Set(), contexts: new Set(), executions: new Set() }, done: Promise.resolve() };
    batch.done = new Promise<void>((resolve) => setImmediate(resolve)).then(async () => {
      this.batch = undefined;
      for (const kind of WRITE_ORDER) {
        const store = this.nodes[kind];
        // A node removed since its save is gone from memory: its removal wrote (unlinked) it.
        await Promise.all([...batch.dirty[kind]].flatMap((name) => {
          const node = store.get(name);
          return node ? [store.put(name, node)] : [];
        }));
      }
    });
    return batch;
  }

  remove(kind: MetadataKind, name: string): Promise<void> {
    return this.nodes[kind].delete(name);
  }
}
