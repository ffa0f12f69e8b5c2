// Idempotent writes to Vertex ML Metadata: every context, artifact and execution the control plane
// records has an id derived from what it stands for, so "create" is "create, or read the one a
// previous (or concurrent) delivery made and bring it up to date". Links (context children,
// context membership, execution events) are added only when missing, so a redelivery adds nothing.
import type { protos } from '@google-cloud/aiplatform';
import type { MetadataServiceClient } from '../../google-clients/vertex.js';
import { fromStruct, toStruct } from '../../vertex/shared/struct.js';
import type { JsonObject, JsonValue } from '../../vertex/shared/struct.js';
import { ControlPlaneError, RetryLater, RpcCode, grpcCode } from '../errors.js';

type V1 = typeof protos.google.cloud.aiplatform.v1;
export type IContext = protos.google.cloud.aiplatform.v1.IContext;
export type IArtifact = protos.google.cloud.aiplatform.v1.IArtifact;
export type IExecution = protos.google.cloud.aiplatform.v1.IExecution;
export type ExecutionState = keyof V1['Execution']['State'];
export type EventType = 'INPUT' | 'OUTPUT';

const { ALREADY_EXISTS, NOT_FOUND, ABORTED, FAILED_PRECONDITION } = RpcCode;
/** The store the Vertex AI SDK records experiments and pipelines in. */
export const DEFAULT_STORE = 'default';
const ATTEMPTS = 5;
/** Child contexts per AddContextChildren call. */
const CHILDREN_PER_CALL = 100;

/** What a node should look like; `metadata` is merged over what is stored (other writers' keys stay). */
export interface NodeSpec {
  readonly id: string;
  readonly schemaTitle: string;
  readonly schemaVersion: string;
  readonly displayName: string;
  readonly description?: string;
  readonly metadata: JsonObject;
}
export interface ArtifactSpec extends NodeSpec {
  readonly uri?: string;
}
export interface ExecutionSpec extends NodeSpec {
  readonly state: ExecutionState;
}

/** The last write wins for each key given; nested objects (`_params`, `_metrics`) are merged key by key too. */
export function mergeMetadata(stored: JsonObject, wanted: JsonObject): JsonObject {
  const out: Record<string, JsonValue> = { ...stored };
  for (const [key, value] of Object.entries(wanted)) {
    const before = out[key];
    out[key] = isObject(before) && isObject(value) ? { ...before, ...value } : value;
  }
  return out;
}

const isObject = (v: JsonValue | undefined): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Order-insensitive JSON equality (Struct maps carry no order). */
export function sameJson(a: JsonValue | undefined, b: JsonValue | undefined): boolean {
  return canonical(a) === canonical(b);
}
function canonical(v: JsonValue | undefined): string {
  if (isObject(v)) return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`).join(',')}}`;
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  return JSON.stringify(v ?? null);
}

/**
 * A metadata resource name without its project segment. The control plane builds names with the
 * project ID, Vertex answers with the project NUMBER: within one store, the rest decides.
 */
export function metadataNameKey(name: string): string {
  return name.replace(/^projects\/[^/]+\//, '');
}

/** True when both name the same context, artifact or execution, whether with the project ID or number. */
export function sameMetadataName(a: string | null | undefined, b: string | null | undefined): boolean {
  return typeof a === 'string' && typeof b === 'string' && metadataNameKey(a) === metadataNameKey(b);
}

export class MetadataStore {
  readonly name: string;
  private ensured: Promise<void> | undefined;

  constructor(
    private readonly client: () => Promise<MetadataServiceClient>,
    readonly parent: string,
  ) {
    this.name = `${parent}/metadataStores/${DEFAULT_STORE}`;
  }

  contextName(id: string): string {
    return `${this.name}/contexts/${id}`;
  }
  artifactName(id: string): string {
    return `${this.name}/artifacts/${id}`;
  }
  executionName(id: string): string {
    return `${this.name}/executions/${id}`;
  }

  /** The `default` store exists before anything is written to it (the SDK creates it on first use, so do we). */
  private async ready(): Promise<MetadataServiceClient> {
    const client = await this.client();
    this.ensured ??= (async () => {
      try {
        await client.getMetadataStore({ name: this.name });
      } catch (err) {
        if (grpcCode(err) !== NOT_FOUND) throw err;
        try {
          const [operation] = await client.createMetadataStore({ parent: this.parent, metadataStoreId: DEFAULT_STORE, metadataStore: {} });
          await operation.promise();
        } catch (created) {
          if (grpcCode(created) !== ALREADY_EXISTS) throw created;
        }
      }
    })();
    this.ensured.catch(() => (this.ensured = undefined));
    await this.ensured;
    return client;
  }

  async metadataClient(): Promise<MetadataServiceClient> {
    return this.ready();
  }

  /** The context as `spec` says (created, or the stored one updated where it differs). `keep` may refuse a change (e.g. a state going back). */
  async ensureContext(spec: NodeSpec, keep?: (stored: JsonObject, next: JsonObject) => JsonObject): Promise<IContext> {
    const client = await this.ready();
    const name = this.contextName(spec.id);
    const fields = { displayName: spec.displayName, schemaTitle: spec.schemaTitle, schemaVersion: spec.schemaVersion, ...(spec.description ? { description: spec.description } : {}) };
    return upsert<IContext>({
      name,
      schemaTitle: spec.schemaTitle,
      create: async () => (await client.createContext({ parent: this.name, contextId: spec.id, context: { ...fields, metadata: toStruct(spec.metadata, 'context.metadata') } }))[0],
      get: async () => (await client.getContext({ name }))[0],
      next: (stored) => nextMetadata(stored, spec, keep),
      update: async (stored, metadata) => (await client.updateContext({ context: { name, ...fields, metadata: toStruct(metadata, 'context.metadata'), ...(stored.etag ? { etag: stored.etag } : {}) } }))[0],
    });
  }

  async ensureArtifact(spec: ArtifactSpec): Promise<IArtifact> {
    const client = await this.ready();
    const name = this.artifactName(spec.id);
    const fields = { displayName: spec.displayName, schemaTitle: spec.schemaTitle, schemaVersion: spec.schemaVersion, state: 'LIVE' as const, ...(spec.uri ? { uri: spec.uri } : {}), ...(spec.description ? { description: spec.description } : {}) };
    return upsert<IArtifact>({
      name,
      schemaTitle: spec.schemaTitle,
      create: async () => (await client.createArtifact({ parent: this.name, artifactId: spec.id, artifact: { ...fields, metadata: toStruct(spec.metadata, 'artifact.metadata') } }))[0],
      get: async () => (await client.getArtifact({ name }))[0],
      next: (stored) => (stored.uri ?? '') !== (spec.uri ?? '') ? mergeMetadata(fromStruct(stored.metadata), spec.metadata) : nextMetadata(stored, spec),
      update: async (stored, metadata) => (await client.updateArtifact({ artifact: { name, ...fields, metadata: toStruct(metadata, 'artifact.metadata'), ...(stored.etag ? { etag: stored.etag } : {}) } }))[0],
    });
  }

  /** The execution in `spec.state`, unless it is already in a terminal state (a late duplicate never reopens it). */
  async ensureExecution(spec: ExecutionSpec): Promise<IExecution> {
    const client = await this.ready();
    const name = this.executionName(spec.id);
    const fields = { displayName: spec.displayName, schemaTitle: spec.schemaTitle, schemaVersion: spec.schemaVersion, ...(spec.description ? { description: spec.description } : {}) };
    return upsert<IExecution>({
      name,
      schemaTitle: spec.schemaTitle,
      create: async () => (await client.createExecution({ parent: this.name, executionId: spec.id, execution: { ...fields, state: spec.state, metadata: toStruct(spec.metadata, 'execution.metadata') } }))[0],
      get: async () => (await client.getExecution({ name }))[0],
      next: (stored) => {
        const storedState = String(stored.state ?? 'STATE_UNSPECIFIED');
        const terminal = TERMINAL_EXECUTION_STATES.includes(storedState);
        const metadata = mergeMetadata(fromStruct(stored.metadata), spec.metadata);
        if (terminal && !TERMINAL_EXECUTION_STATES.includes(spec.state)) return undefined;
        return storedState === spec.state && sameJson(fromStruct(stored.metadata), metadata) ? undefined : metadata;
      },
      update: async (stored, metadata) => (await client.updateExecution({ execution: { name, ...fields, state: spec.state, metadata: toStruct(metadata, 'execution.metadata'), ...(stored.etag ? { etag: stored.etag } : {}) } }))[0],
    });
  }

  /** Makes `children` child contexts of `parent`, those not already. */
  async addChildren(parent: string, children: readonly string[]): Promise<void> {
    const client = await this.ready();
    const missing: string[] = [];
    for (const child of children) {
      const [context] = await client.getContext({ name: child });
      if (!(context.parentContexts ?? []).some((p) => sameMetadataName(p, parent))) missing.push(child);
    }
    if (missing.length === 0) return;
    try {
      await client.addContextChildren({ context: parent, childContexts: missing });
    } catch (err) {
      // A concurrent delivery linked them first.
      if (grpcCode(err) !== ALREADY_EXISTS) throw err;
    }
  }

  /**
   * Makes `children` (known not to be yet: their parentContexts said so) child contexts of `parent`,
   * one call per chunk rather than one per child.
   */
  async linkChildren(parent: string, children: readonly string[]): Promise<void> {
    if (children.length === 0) return;
    const client = await this.ready();
    for (let i = 0; i < children.length; i += CHILDREN_PER_CALL) {
      try {
        await client.addContextChildren({ context: parent, childContexts: children.slice(i, i + CHILDREN_PER_CALL) });
      } catch (err) {
        // A concurrent delivery linked them first.
        if (grpcCode(err) !== ALREADY_EXISTS) throw err;
      }
    }
  }

  /** Adds artifacts and executions to a context (adding one already there is a no-op on Vertex). */
  async addToContext(context: string, artifacts: readonly string[], executions: readonly string[] = []): Promise<void> {
    if (artifacts.length === 0 && executions.length === 0) return;
    const client = await this.ready();
    await client.addContextArtifactsAndExecutions({ context, artifacts: [...artifacts], executions: [...executions] });
  }

  /**
   * Adds the events of `execution` to artifacts it has none with yet (as Vertex does: an event
   * between an execution and an artifact that already have one is skipped, whatever its type).
   */
  async addEvents(execution: string, events: readonly { artifact: string; type: EventType }[]): Promise<void> {
    const client = await this.ready();
    const [graph] = await client.queryExecutionInputsAndOutputs({ execution });
    const have = new Set((graph.events ?? []).flatMap((e) => (e.artifact ? [metadataNameKey(e.artifact)] : [])));
    const missing = events.filter((e) => !have.has(metadataNameKey(e.artifact)));
    if (missing.length === 0) return;
    try {
      await client.addExecutionEvents({ execution, events: missing.map((e) => ({ artifact: e.artifact, type: e.type })) });
    } catch (err) {
      if (grpcCode(err) !== ALREADY_EXISTS) throw err;
    }
  }
}

export const TERMINAL_EXECUTION_STATES: readonly string[] = ['COMPLETE', 'FAILED', 'CACHED', 'CANCELLED'];

/** The metadata to write over `stored` (undefined: nothing to change). */
export function nextMetadata(stored: { metadata?: protos.google.protobuf.IStruct | null; displayName?: string | null }, spec: NodeSpec, keep?: (stored: JsonObject, next: JsonObject) => JsonObject): JsonObject | undefined {
  const before = fromStruct(stored.metadata);
  let merged = mergeMetadata(before, spec.metadata);
  if (keep) merged = keep(before, merged);
  return sameJson(before, merged) && stored.displayName === spec.displayName ? undefined : merged;
}

interface Upsert<T> {
  readonly name: string;
  /** The schema the node must have: an id already taken by another kind of node is never overwritten. */
  readonly schemaTitle: string;
  create(): Promise<T>;
  get(): Promise<T>;
  next(stored: T): JsonObject | undefined;
  update(stored: T, metadata: JsonObject): Promise<T>;
}

/** create → ALREADY_EXISTS → read, and update where it differs (with the etag, re-read on a lost race). */
async function upsert<T extends { schemaTitle?: string | null }>(op: Upsert<T>): Promise<T> {
  try {
    return await op.create();
  } catch (err) {
    if (grpcCode(err) !== ALREADY_EXISTS) throw err;
  }
  for (let i = 0; i < ATTEMPTS; i++) {
    const stored = await op.get();
    // E.g. a model named like a pipeline: its experiment must not overwrite the system.Pipeline context. Permanent.
    if ((stored.schemaTitle ?? '') !== op.schemaTitle) {
      throw new ControlPlaneError('FAILED_PRECONDITION', `metadata: ${op.name} exists as a ${stored.schemaTitle ?? '(untyped)'} node, not ${op.schemaTitle}; left as it is`);
    }
    const metadata = op.next(stored);
    if (metadata === undefined) return stored;
    try {
      return await op.update(stored, metadata);
    } catch (err) {
      const code = grpcCode(err);
      if (code !== ABORTED && code !== FAILED_PRECONDITION) throw err;
    }
  }
  throw new RetryLater('metadata: too many concurrent updates of one node');
}
