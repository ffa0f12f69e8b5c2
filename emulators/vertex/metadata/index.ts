// Vertex ML Metadata on the local Vertex: one object holding the persisted state and the parts
// that serve MetadataService (routes/metadata.ts) and record pipeline runs (pipeline-lineage.ts).
import type { Operations } from '../operations/operations.js';
import { MetadataGraph } from './graph.js';
import { MetadataLineage } from './lineage.js';
import { MetadataStores } from './metadata-stores.js';
import { MetadataNodes } from './nodes.js';
import { MetadataSchemas } from './schemas.js';
import { MetadataState } from './state.js';

export interface MetadataService {
  state: MetadataState;
  stores: MetadataStores;
  nodes: MetadataNodes;
  graph: MetadataGraph;
  lineage: MetadataLineage;
  schemas: MetadataSchemas;
}

/** Loads the metadata kept under `stateDir`; `state.flush()` on close. */
export async function openMetadataService(stateDir: string, operations: Operations): Promise<MetadataService> {
  const state = new MetadataState(stateDir);
  await state.load();
  return {
    state,
    stores: new MetadataStores(state, operations),
    nodes: new MetadataNodes(state, operations),
    graph: new MetadataGraph(state),
    lineage: new MetadataLineage(state),
    schemas: new MetadataSchemas(state),
  };
}
