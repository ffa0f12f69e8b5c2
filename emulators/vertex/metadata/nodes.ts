// Artifacts, Contexts and Executions of a MetadataStore: create (optional caller-chosen id),
// get, list (metadata filters, order_by, paging), update (update_mask, allow_missing, etag) and
// delete (long-running, etag). Deleting a node also drops what points at it: an artifact's
// events, a context's memberships and its place among other contexts' parents.
import { snakeToCamel } from '../../../common/suggest.js';
import { alreadyExists, failedPrecondition, invalidArgument } from '../api/errors.js';
import { numericId } from '../api/ids.js';
import type { QueryValues } from '../api/query.js';
import { stringParam } from '../api/query.js';
import { assertValidWireRequest, canonical } from '../api/request-validation.js';
import type { JsonObject } from '../api/wire-json.js';
import { isPlainObject, text } from '../api/wire-json.js';
import type { Operation, Operations } from '../operations/operations.js';
import { parseMetadataFilter } from './filter.js';
import type { MetadataKind } from './kinds.js';
import { KINDS, METADATA_ID, parseNodeName } from './kinds.js';
import { pageOfNodes } from './list.js';
import type { MetadataState, StoredNode } from './state.js';
import { newEtag } from './state.js';

const idField = (kind: MetadataKind) => `${KINDS[kind].field}_id`;
/** Names a purge answers with, as Vertex's purge_sample. */
const PURGE_SAMPLE = 100;

export class MetadataNodes {
  constructor(
    private readonly state: MetadataState,
    private readonly operations: Operations,
  ) {}

  async create(kind: MetadataKind, parent: string, body: unknown, id: string | undefined): Promise<JsonObject> {
    const spec = KINDS[kind];
    assertValidWireRequest(`Create${spec.message}Request`, { parent, [spec.field]: body, ...(id !== undefined ? { [spec.idField]: id } : {}) });
    this.state.store(parent);
    if (id !== undefined && id !== '' && !METADATA_ID.test(id)) {
      throw invalidArgument(`Invalid ${idField(kind)} "${id}": 4 to 128 characters of [a-z0-9-], starting with a letter or digit.`, idField(kind));
    }
    const resource = canonical(spec.message, isPlainObject(body) ? body : {});
    checkLabels(resource.labels, `${spec.field}.labels`);
    const name = `${parent}/${kind}/${id || numericId()}`;
    if (this.state.find(kind, name)) throw alreadyExists(`${spec.message} ${name} already exists.`);
    return this.insert(kind, name, resource);
  }

  /** Creates or replaces a node as the pipeline engine describes it (no request checks: it is ours). */
  async upsert(kind: MetadataKind, name: string, resource: JsonObject): Promise<void> {
    const existing = this.state.find(kind, name);
    if (!existing) {
      await this.insert(kind, name, resource);
      return;
    }
    const merged: JsonObject = { ...existing.resource, ...resource, name, createTime: existing.resource.createTime };
    if (JSON.stringify({ ...merged, updateTime: null, etag: null }) === JSON.stringify({ ...existing.resource, updateTime: null, etag: null })) return;
    existing.resource = { ...merged, etag: newEtag(), updateTime: this.state.now() };
    await this.state.save(kind, existing);
  }

  get(kind: MetadataKind, name: string): JsonObject {
    return structuredClone(this.state.node(kind, name).resource);
  }

  list(kind: MetadataKind, parent: string, params: QueryValues): JsonObject {
    this.state.store(parent);
    const matching = this.matching(kind, parent, stringParam(params, 'filter')).map((node) => node.resource);
    return pageOfNodes(matching, params, kind, [kind, parent]);
  }

  /** PurgeArtifacts/Contexts/Executions: what matches `filter` is counted (and, with `force`, deleted with its references). */
  async purge(kind: MetadataKind, parent: string, body: JsonObject): Promise<Operation> {
    const plural = `${kind.charAt(0).toUpperCase()}${kind.slice(1)}`;
    assertValidWireRequest(`Purge${plural}Request`, { ...body, parent });
    const request = canonical(`Purge${plural}Request`, body);
    this.state.store(parent);
    const names = this.matching(kind, parent, text(request.filter)).map((node) => String(node.resource.name));
    return this.operations.start({
      under: parent,
      metadataType: `Purge${plural}Metadata`,
      run: async () => {
        if (request.force === true) for (const name of names) if (this.state.find(kind, name)) await this.removeWithReferences(kind, name);
        const sample = names.slice(0, PURGE_SAMPLE);
        return { responseType: `google.cloud.aiplatform.v1.Purge${plural}Response`, response: { purgeCount: String(names.length), ...(sample.length > 0 ? { purgeSample: sample } : {}) } };
      },
    });
  }

  private matching(kind: MetadataKind, parent: string, filter: string | undefined): StoredNode[] {
    const predicate = parseMetadataFilter(filter, kind);
    const parentsOf = (context: string) => {
      const found = this.state.find('contexts', context);
      return Array.isArray(found?.resource.parentContexts) ? found.resource.parentContexts.map(String) : [];
    };
    return this.state.nodesIn(parent, kind).filter((node) => predicate({ resource: node.resource, contexts: node.contexts, parentsOf }));
  }

  async update(kind: MetadataKind, name: string, body: unknown, mask: string[] | undefined, allowMissing: boolean): Promise<JsonObject> {
    const spec = KINDS[kind];
    const wire = isPlainObject(body) ? body : {};
    // Output-only fields a client echoes back from a read (name, create_time, ...) are ignored, as on Vertex.
    assertValidWireRequest(`Update${spec.message}Request`, { [spec.field]: { ...wire, name }, ...(mask ? { updateMask: mask.join(',') } : {}), allowMissing }, { acceptOutputOnly: [spec.field] });
    const patch = canonical(spec.message, wire);
    checkLabels(patch.labels, `${spec.field}.labels`);
    for (const path of mask ?? []) {
      if (!spec.updatable.includes(path)) {
        throw invalidArgument(`Field "${path}" of ${spec.message} cannot be updated (updatable: ${spec.updatable.join(', ')}).`, 'update_mask');
      }
    }
    const existing = this.state.find(kind, name);
    const parsed = parseNodeName(name);
    if (!existing) {
      if (!allowMissing || !parsed || parsed.kind !== kind) throw this.missing(kind, name);
      this.state.store(parsed.store);
      if (!METADATA_ID.test(parsed.id)) throw invalidArgument(`Invalid ${spec.message} id "${parsed.id}": 4 to 128 characters of [a-z0-9-], starting with a letter or digit.`, `${spec.field}.name`);
      return this.insert(kind, name, pick(patch, spec.updatable));
    }
    const paths = mask && mask.length > 0 ? mask : spec.updatable.filter((p) => patch[snakeToCamel(p)] !== undefined);
    checkEtag(existing, patch.etag, spec.message);
    const resource = { ...existing.resource };
    for (const path of paths) {
      const key = snakeToCamel(path);
      if (patch[key] === undefined) delete resource[key];
      else resource[key] = patch[key];
    }
    existing.resource = { ...resource, etag: newEtag(), updateTime: this.state.now() };
    await this.state.save(kind, existing);
    return structuredClone(existing.resource);
  }

  async delete(kind: MetadataKind, name: string, etag: string | undefined): Promise<Operation> {
    const node = this.state.node(kind, name);
    checkEtag(node, etag, KINDS[kind].message);
    return this.operations.start({
      under: name,
      metadataType: 'DeleteOperationMetadata',
      run: async () => {
        if (this.state.find(kind, name)) await this.removeWithReferences(kind, name);
        return { responseType: 'google.protobuf.Empty', response: {} };
      },
    });
  }

  /** The error reading a missing node gives: INVALID_ARGUMENT for a malformed name, else NOT_FOUND. */
  private missing(kind: MetadataKind, name: string): Error {
    try {
      this.state.node(kind, name);
    } catch (err) {
      return err as Error;
    }
    return new Error(`${name} exists`);
  }

  private async insert(kind: MetadataKind, name: string, resource: JsonObject): Promise<JsonObject> {
    const now = this.state.now();
    const fields = { ...resource };
    for (const key of ['name', 'etag', 'createTime', 'updateTime', 'parentContexts']) delete fields[key];
    const node: StoredNode = { resource: { name, ...fields, etag: newEtag(), createTime: now, updateTime: now }, contexts: [], events: [] };
    await this.state.save(kind, node);
    return structuredClone(node.resource);
  }

  private async removeWithReferences(kind: MetadataKind, name: string): Promise<void> {
    const store = parseNodeName(name)!.store;
    await this.state.remove(kind, name);
    if (kind === 'artifacts') {
      for (const execution of this.state.nodesIn(store, 'executions')) {
        const kept = execution.events.filter((e) => e.artifact !== name);
        if (kept.length === execution.events.length) continue;
        execution.events = kept;
        await this.state.save('executions', execution);
      }
    }
    if (kind === 'contexts') {
      for (const member of ['artifacts', 'executions'] as const) {
        for (const node of this.state.nodesIn(store, member)) {
          if (!node.contexts.includes(name)) continue;
          node.contexts = node.contexts.filter((c) => c !== name);
          await this.state.save(member, node);
        }
      }
      for (const child of this.state.nodesIn(store, 'contexts')) {
        const parents = Array.isArray(child.resource.parentContexts) ? child.resource.parentContexts.map(String) : [];
        if (!parents.includes(name)) continue;
        const kept = parents.filter((p) => p !== name);
        if (kept.length > 0) child.resource.parentContexts = kept;
        else delete child.resource.parentContexts;
        await this.state.save('contexts', child);
      }
    }
  }
}

/** A stale etag fails the call (FAILED_PRECONDITION, as DeleteContextRequest documents); none means a blind write. */
function checkEtag(node: StoredNode, etag: unknown, message: string): void {
  if (typeof etag === 'string' && etag !== '' && etag !== node.resource.etag) {
    throw failedPrecondition(`The etag "${etag}" of ${message} ${String(node.resource.name)} does not match its current etag "${String(node.resource.etag)}": it was changed since it was read. Read it again and retry.`);
  }
}

const LABEL_KEY = /^[\p{Ll}\p{Lo}\p{N}_-]{1,64}$/u;
const LABEL_VALUE = /^[\p{Ll}\p{Lo}\p{N}_-]{0,64}$/u;
const MAX_LABELS = 64;

/** Label keys and values as Vertex documents them: up to 64 lowercase letters, digits, `_` and `-`; at most 64 labels. */
function checkLabels(labels: unknown, field: string): void {
  if (!isPlainObject(labels)) return;
  const entries = Object.entries(labels);
  if (entries.length > MAX_LABELS) throw invalidArgument(`${field} has ${entries.length} labels; at most ${MAX_LABELS} are allowed.`, field);
  for (const [key, value] of entries) {
    if (!LABEL_KEY.test(key)) throw invalidArgument(`${field}: key "${key}" must be 1-64 lowercase letters, digits, underscores or dashes.`, `${field}[${JSON.stringify(key)}]`);
    if (!LABEL_VALUE.test(text(value))) throw invalidArgument(`${field}["${key}"]: value "${text(value)}" must be up to 64 lowercase letters, digits, underscores or dashes.`, `${field}[${JSON.stringify(key)}]`);
  }
}

function pick(resource: JsonObject, fields: readonly string[]): JsonObject {
  const keys = new Set(fields.map(snakeToCamel));
  return Object.fromEntries(Object.entries(resource).filter(([k]) => keys.has(k)));
}
