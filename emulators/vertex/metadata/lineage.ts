// LineageSubgraphs: an artifact's lineage (events walked both ways, `max_hops` edges at most,
// artifacts kept only when they match `filter`), an execution's inputs and outputs, and
// everything added to a context. Vertex refuses subgraphs of more than 1000 nodes or edges.
import { failedPrecondition, invalidArgument } from '../api/errors.js';
import type { JsonObject } from '../api/wire-json.js';
import { parseMetadataFilter } from './filter.js';
import { parseNodeName } from './kinds.js';
import { parentsOf } from './graph.js';
import type { MetadataState, StoredNode } from './state.js';

const MAX_ITEMS = 1000;

export class MetadataLineage {
  constructor(private readonly state: MetadataState) {}

  queryArtifactLineageSubgraph(artifact: string, maxHops: number | undefined, filter: string | undefined): JsonObject {
    if (maxHops !== undefined && maxHops < 0) throw invalidArgument(`max_hops must not be negative, got ${maxHops}.`, 'max_hops');
    const start = this.state.node('artifacts', artifact, 'artifact');
    const predicate = parseMetadataFilter(filter, 'artifacts');
    const store = parseNodeName(artifact)!.store;
    const executions = this.state.nodesIn(store, 'executions');
    const byArtifact = new Map<string, StoredNode[]>();
    for (const execution of executions) {
      for (const event of execution.events) {
        const list = byArtifact.get(String(event.artifact)) ?? [];
        if (!list.includes(execution)) list.push(execution);
        byArtifact.set(String(event.artifact), list);
      }
    }
    const parentsOfContext = (name: string) => {
      const found = this.state.find('contexts', name);
      return found ? parentsOf(found) : [];
    };
    const matches = (node: StoredNode) => predicate({ resource: node.resource, contexts: node.contexts, parentsOf: parentsOfContext });

    const artifacts = new Map<string, StoredNode>([[artifact, start]]);
    const seenExecutions = new Map<string, StoredNode>();
    // Each hop crosses one event edge: artifact → execution, or execution → artifact.
    let frontier: { kind: 'artifact' | 'execution'; node: StoredNode }[] = [{ kind: 'artifact', node: start }];
    for (let hop = 0; frontier.length > 0 && (maxHops === undefined || hop < maxHops); hop++) {
      const next: typeof frontier = [];
      for (const item of frontier) {
        if (item.kind === 'artifact') {
          for (const execution of byArtifact.get(String(item.node.resource.name)) ?? []) {
            const name = String(execution.resource.name);
            if (seenExecutions.has(name)) continue;
            seenExecutions.set(name, execution);
            next.push({ kind: 'execution', node: execution });
          }
        } else {
          for (const event of item.node.events) {
            const name = String(event.artifact);
            if (artifacts.has(name)) continue;
            const node = this.state.find('artifacts', name);
            if (!node || !matches(node)) continue;
            artifacts.set(name, node);
            next.push({ kind: 'artifact', node });
          }
        }
      }
      frontier = next;
    }
    return subgraph([...artifacts.values()], [...seenExecutions.values()]);
  }

  queryExecutionInputsAndOutputs(execution: string): JsonObject {
    const node = this.state.node('executions', execution, 'execution');
    const artifacts = [...new Set(node.events.map((e) => String(e.artifact)))].flatMap((name) => {
      const found = this.state.find('artifacts', name);
      return found ? [found] : [];
    });
    return subgraph(artifacts, [node]);
  }

  queryContextLineageSubgraph(context: string): JsonObject {
    this.state.node('contexts', context, 'context');
    const store = parseNodeName(context)!.store;
    const artifacts = this.state.nodesIn(store, 'artifacts').filter((n) => n.contexts.includes(context));
    const executions = this.state.nodesIn(store, 'executions').filter((n) => n.contexts.includes(context));
    return subgraph(artifacts, executions);
  }
}

/** The nodes and the events between them, oldest first. */
function subgraph(artifacts: readonly StoredNode[], executions: readonly StoredNode[]): JsonObject {
  const artifactNames = new Set(artifacts.map((a) => String(a.resource.name)));
  const events = executions.flatMap((e) => e.events.filter((event) => artifactNames.has(String(event.artifact))));
  for (const [what, count] of [['Artifacts', artifacts.length], ['Executions', executions.length], ['Events', events.length]] as const) {
    if (count > MAX_ITEMS) throw failedPrecondition(`The lineage subgraph has ${count} ${what}, more than the ${MAX_ITEMS} a query may return.`);
  }
  const byTime = (a: StoredNode, b: StoredNode) => String(a.resource.createTime).localeCompare(String(b.resource.createTime)) || String(a.resource.name).localeCompare(String(b.resource.name));
  return {
    ...(artifacts.length > 0 ? { artifacts: [...artifacts].sort(byTime).map((a) => structuredClone(a.resource)) } : {}),
    ...(executions.length > 0 ? { executions: [...executions].sort(byTime).map((e) => structuredClone(e.resource)) } : {}),
    ...(events.length > 0 ? { events: structuredClone(events) } : {}),
  };
}
