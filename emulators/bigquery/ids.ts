// BigQuery's rules for project, dataset, table and job IDs, with its messages (400 invalid): the
// one place they are checked, for path parameters (routing.ts) and for IDs in bodies and DDL.
import { invalid } from './errors.js';

/**
 * 6–63 lowercase letters, digits or hyphens, starting with a letter and not ending with a hyphen
 * (new projects get 6–30; older ones are longer), optionally after a domain and a colon
 * (`example.com:my-project`), which BigQuery accepts too.
 */
const PROJECT_ID = /^(?:[a-z0-9](?:[a-z0-9.-]{0,251}[a-z0-9])?:)?[a-z][a-z0-9-]{4,61}[a-z0-9]$/;
const DATASET_ID = /^[A-Za-z0-9_]{1,1024}$/;
/** Unicode letters, marks, numbers, connectors, dashes and spaces; at most 1,024 UTF-8 bytes. */
const TABLE_ID = /^[\p{L}\p{M}\p{N}\p{Pc}\p{Pd}\p{Zs}]+$/u;
const TABLE_ID_BYTES = 1024;
const JOB_ID = /^[A-Za-z0-9_-]{1,1024}$/;

export function checkProjectId(id: string): void {
  if (!PROJECT_ID.test(id)) {
    throw invalid(
      `Invalid project ID '${id}'. Project IDs must contain 6-63 lowercase letters, digits, or dashes. Some project IDs also include domain name separated by a colon. IDs must start with a letter and may not end with a dash.`,
    );
  }
}

export function checkDatasetId(id: string): void {
  if (!DATASET_ID.test(id)) {
    throw invalid(`Invalid dataset ID "${id}". Dataset IDs must be alphanumeric (plus underscores) and must be at most 1024 characters long.`);
  }
}

export function checkTableId(id: string): void {
  if (!TABLE_ID.test(id) || Buffer.byteLength(id, 'utf8') > TABLE_ID_BYTES) {
    throw invalid(`Invalid table ID "${id}". Table IDs must be alphanumeric (plus underscores) and must be at most 1024 characters long. Also, Table decorators cannot be used.`);
  }
}

export function checkJobId(id: string): void {
  if (!JOB_ID.test(id)) {
    throw invalid(`Invalid job ID "${id}". Job IDs must be alphanumeric (plus underscores and dashes) and must be at most 1024 characters long.`);
  }
}

const BY_PARAM: Record<string, (id: string) => void> = { projectId: checkProjectId, datasetId: checkDatasetId, tableId: checkTableId, jobId: checkJobId };

/** Check the IDs a request path names ({projectId}, {datasetId}, {tableId}, {jobId}). */
export function checkPathIds(params: Record<string, string>): void {
  for (const [name, value] of Object.entries(params)) BY_PARAM[name]?.(value);
}
