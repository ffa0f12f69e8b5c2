// The three kinds of metadata node a MetadataStore holds, and what differs between them: the
// message, the request fields, the states, the fields filters and updates may name.
export type MetadataKind = 'artifacts' | 'contexts' | 'executions';

export interface KindSpec {
  /** google.cloud.aiplatform.v1 message: Artifact, Context, Execution. */
  message: 'Artifact' | 'Context' | 'Execution';
  /** The request field holding the resource (`artifact`), and its id (`artifactId`). */
  field: 'artifact' | 'context' | 'execution';
  idField: 'artifactId' | 'contextId' | 'executionId';
  /** State enum names (STATE_UNSPECIFIED excluded); contexts have none. */
  states: readonly string[];
  /** Attributes a filter may compare (snake_case). */
  filterAttributes: readonly string[];
  /** Whether `in_context()` applies. */
  inContext: boolean;
  /** Fields an update may set (snake_case); OUTPUT_ONLY fields are never among them. */
  updatable: readonly string[];
}

const COMMON_FILTER = ['name', 'display_name', 'schema_title', 'schema_version', 'description', 'create_time', 'update_time'];
const COMMON_UPDATE = ['display_name', 'labels', 'schema_title', 'schema_version', 'metadata', 'description'];

export const KINDS: Readonly<Record<MetadataKind, KindSpec>> = {
  artifacts: {
    message: 'Artifact',
    field: 'artifact',
    idField: 'artifactId',
    states: ['PENDING', 'LIVE'],
    filterAttributes: [...COMMON_FILTER, 'uri', 'state'],
    inContext: true,
    updatable: [...COMMON_UPDATE, 'uri', 'state'],
  },
  contexts: {
    message: 'Context',
    field: 'context',
    idField: 'contextId',
    states: [],
    filterAttributes: COMMON_FILTER,
    inContext: false,
    updatable: COMMON_UPDATE,
  },
  executions: {
    message: 'Execution',
    field: 'execution',
    idField: 'executionId',
    states: ['NEW', 'RUNNING', 'COMPLETE', 'FAILED', 'CACHED', 'CANCELLED'],
    filterAttributes: [...COMMON_FILTER, 'state'],
    inContext: true,
    updatable: [...COMMON_UPDATE, 'state'],
  },
};

/** Ids a caller may choose for stores, artifacts, contexts and executions: 4 to 128 characters of `[a-z0-9-]` (the proto's `artifact_id`, `context_id`, ... comments), starting with a letter or digit. */
export const METADATA_ID = /^[a-z0-9][a-z0-9-]{3,127}$/;

/** `projects/P/locations/L/metadataStores/S` of a node name, and the node's kind and id. */
export function parseNodeName(name: string): { store: string; kind: MetadataKind; id: string } | undefined {
  const m = /^(projects\/[^/]+\/locations\/[^/]+\/metadataStores\/[^/]+)\/(artifacts|contexts|executions)\/([^/]+)$/.exec(name);
  return m ? { store: m[1]!, kind: m[2] as MetadataKind, id: m[3]! } : undefined;
}
