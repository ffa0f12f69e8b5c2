// Where an endpoint's request-response log goes: `bq://project[.dataset[.table]]`, with Vertex's
// defaults for the parts left out.
export interface TableRef {
  project: string;
  dataset: string;
  table: string;
}

const DEFAULT_LOGGING_TABLE = 'request_response_logging';

/** Vertex: a project alone gets dataset `logging_<endpoint display name>_<endpoint id>`. */
export function loggingTable(outputUri: string, endpoint: { name: string; displayName?: string | undefined }): TableRef {
  const match = /^bq:\/\/(.+)$/.exec(outputUri.trim());
  if (!match) throw new Error(`request-response logging destination '${outputUri}' is not a bq:// URI`);
  const parts = match[1]!.split('.');
  // A domain-scoped project (example.com:proj) has dots of its own: dataset and table are the last parts.
  if (parts.length >= 3) return { project: parts.slice(0, -2).join('.'), dataset: parts.at(-2)!, table: parts.at(-1)! };
  const endpointId = endpoint.name.slice(endpoint.name.lastIndexOf('/') + 1);
  const dataset = parts[1] ?? `logging_${(endpoint.displayName ?? '').replace(/[^A-Za-z0-9_]/g, '_')}_${endpointId}`;
  return { project: parts[0]!, dataset, table: DEFAULT_LOGGING_TABLE };
}

export function tableKey(ref: TableRef): string {
  return `${ref.project}.${ref.dataset}.${ref.table}`;
}
