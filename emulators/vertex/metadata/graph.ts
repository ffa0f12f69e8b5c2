// The edges of a MetadataStore: contexts' children (a DAG: at most 10 parents, no cycles),
// artifacts and executions added to contexts, and events tying artifacts to executions as
// INPUT or OUTPUT. Adding what is already there is skipped, as Vertex documents.
import { invalidArgument } from '../api/errors.js';
import { assertValidWireRequest, canonical } from '../api/request-validation.js';
import type { JsonObject } from '../api/wire-json.js';
import { isPlainObject } from '../api/wire-json.js';
import type { MetadataKind } from './kinds.js';
import { parseNodeName } from './kinds.js';
import type { MetadataState, StoredNode } from './state.js';

const MAX_PARENTS = 10;

export interface NewEvent {
  artifact: string;
  type: 'INPUT' | 'OUTPUT';
  labels?: JsonObject;
}

export const parentsOf = (node: StoredNode): string[] => (Array.isArray(node.resource.parentContexts) ? node.resource.parentContexts.map(String) : []);

const strings = (value: unknown): string[] => (Array.isArray(value) ? value.map(String) : []);

export class MetadataGraph {
  constructor(private readonly state: MetadataState) {}

  async addContextArtifactsAndExecutions(context: string, body: JsonObject): Promise<JsonObject> {
    assertValidWireRequest('AddContextArtifactsAndExecutionsRequest', { ...body, context });
    const request = canonical('AddContextArtifactsAndExecutionsRequest', body);
    this.state.node('contexts', context, 'context');
    const members = [
      ...strings(request.artifacts).map((name, i) => this.member('artifacts', context, name, `artifacts[${i}]`)),
      ...strings(request.executions).map((name, i) => this.member('executions', context, name, `executions[${i}]`)),
    ];
    await this.addToContext(context, members);
    return {};
  }

  /** Adds nodes to a context (those already in it are skipped). */
  async addToContext(context: string, members: readonly { kind: MetadataKind; node: StoredNode }[]): Promise<void> {
    for (const { kind, node } of members) {
      if (node.contexts.includes(context)) continue;
      node.contexts.push(context);
      await this.state.save(kind, node);
    }
  }

  async addContextChildren(context: string, body: JsonObject): Promise<JsonObject> {
    assertValidWireRequest('AddContextChildrenRequest', { ...body, context });
    const children = strings(canonical('AddContextChildrenRequest', body).childContexts);
    await this.addChildren(context, children);
    return {};
  }

  /** Makes `children` children of `context`: all or none (a cycle or an 11th parent refuses the whole call). */
  async addChildren(context: string, children: readonly string[]): Promise<void> {
    this.state.node('contexts', context, 'context');
    const store = parseNodeName(context)!.store;
    const nodes = children.map((name, i) => {
      const node = this.state.node('contexts', name, `child_contexts[${i}]`);
      if (parseNodeName(name)!.store !== store) throw invalidArgument(`child_contexts[${i}] ${name} is in another MetadataStore than ${context}.`, `child_contexts[${i}]`);
      return node;
    });
    const added = nodes.filter((n) => !parentsOf(n).includes(context));
    for (const [i, child] of added.entries()) {
      const name = String(child.resource.name);
      if (name === context || this.ancestors(context).has(name)) {
        throw invalidArgument(`Adding ${name} as a child of ${context} would create a cycle: ${name === context ? 'a context cannot be its own child' : `${name} is already an ancestor of ${context}`}.`, `child_contexts[${i}]`);
      }
      if (parentsOf(child).length >= MAX_PARENTS) throw invalidArgument(`Context ${name} already has ${MAX_PARENTS} parent contexts, the most a Context may have.`, `child_contexts[${i}]`);
    }
    for (const child of added) {
      child.resource.parentContexts = [...parentsOf(child), context];
      await this.state.save('contexts', child);
    }
  }

  async removeContextChildren(context: string, body: JsonObject): Promise<JsonObject> {
    assertValidWireRequest('RemoveContextChildrenRequest', { ...body, context });
    const children = strings(canonical('RemoveContextChildrenRequest', body).childContexts);
    this.state.node('contexts', context, 'context');
    const nodes = children.map((name, i) => this.state.node('contexts', name, `child_contexts[${i}]`));
    for (const child of nodes) {
      const parents = parentsOf(child);
      if (!parents.includes(context)) continue;
      const kept = parents.filter((p) => p !== context);
      if (kept.length > 0) child.resource.parentContexts = kept;
      else delete child.resource.parentContexts;
      await this.state.save('contexts', child);
    }
    return {};
  }

  async addExecutionEvents(execution: string, body: JsonObject): Promise<JsonObject> {
    assertValidWireRequest('AddExecutionEventsRequest', { ...body, execution });
    const events = (canonical('AddExecutionEventsRequest', body).events ?? []) as JsonObject[];
    const node = this.state.node('executions', execution, 'execution');
    const checked = events.map((event, i): NewEvent => {
      const artifact = String(event.artifact);
      this.member('artifacts', execution, artifact, `events[${i}].artifact`);
      const type = event.type;
      if (type !== 'INPUT' && type !== 'OUTPUT') throw invalidArgument(`events[${i}].type must be INPUT or OUTPUT.`, `events[${i}].type`);
      return { artifact, type, ...(isPlainObject(event.labels) ? { labels: event.labels } : {}) };
    });
    await this.addEvents(node, checked);
    return {};
  }

  /**
   * Appends events to an execution. As the proto's AddExecutionEvents says, an event between the
   * execution and an artifact that already have one is skipped, whatever its type.
   */
  async addEvents(node: StoredNode, events: readonly NewEvent[]): Promise<void> {
    const name = String(node.resource.name);
    let changed = false;
    for (const event of events) {
      if (node.events.some((e) => e.artifact === event.artifact)) continue;
      node.events.push({ artifact: event.artifact, execution: name, eventTime: this.state.now(), type: event.type, ...(event.labels ? { labels: event.labels } : {}) });
      changed = true;
    }
    if (changed) await this.state.save('executions', node);
  }

  /** A node named in a request about `owner`: it must exist in the owner's store. */
  private member(kind: MetadataKind, owner: string, name: string, field: string): { kind: MetadataKind; node: StoredNode } {
    const node = this.state.node(kind, name, field);
    if (parseNodeName(name)!.store !== parseNodeName(owner)!.store) throw invalidArgument(`${field} ${name} is in another MetadataStore than ${owner}.`, field);
    return { kind, node };
  }

  private ancestors(context: string): Set<string> {
    const seen = new Set<string>();
    const queue = [context];
    while (queue.length > 0) {
      const node = this.state.find('contexts', queue.pop()!);
      for (const parent of node ? parentsOf(node) : []) {
        if (seen.has(parent)) continue;
        seen.add(parent);
        queue.push(parent);
      }
    }
    return seen;
  }
}
