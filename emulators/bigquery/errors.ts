// BigQuery's error vocabulary: the messages and reasons its API returns, and the ErrorProto that
// job resources carry (`status.errorResult`, `status.errors`).
import { GoogleApiError } from '../kit/google-error.js';
import type { DatasetRef, TableRef } from './sql/translator.js';

export interface ErrorProto {
  reason: string;
  message: string;
  location?: string;
  debugInfo?: string;
}

/** HTTP status for each BigQuery error reason (https://cloud.google.com/bigquery/docs/error-messages). */
const CODE_BY_REASON: Record<string, number> = {
  accessDenied: 403,
  backendError: 500,
  duplicate: 409,
  internalError: 500,
  invalid: 400,
  invalidQuery: 400,
  notFound: 404,
  notImplemented: 501,
  quotaExceeded: 403,
  rateLimitExceeded: 403,
  resourceInUse: 400,
  resourcesExceeded: 400,
  stopped: 200,
  timeout: 400,
};

const REASON_BY_CODE: Record<number, string> = { 400: 'invalid', 403: 'accessDenied', 404: 'notFound', 409: 'duplicate', 429: 'rateLimitExceeded', 500: 'backendError', 501: 'notImplemented', 503: 'backendError' };

export const tableName = (ref: TableRef) => `${ref.projectId}:${ref.datasetId}.${ref.tableId}`;
export const datasetName = (ref: DatasetRef) => `${ref.projectId}:${ref.datasetId}`;

export function tableNotFound(ref: TableRef): GoogleApiError {
  return new GoogleApiError(404, `Not found: Table ${tableName(ref)}`, { reason: 'notFound' });
}

export function datasetNotFound(ref: DatasetRef): GoogleApiError {
  return new GoogleApiError(404, `Not found: Dataset ${datasetName(ref)}`, { reason: 'notFound' });
}

export function jobNotFound(projectId: string, location: string, jobId: string): GoogleApiError {
  return new GoogleApiError(404, `Not found: Job ${projectId}:${location}.${jobId}`, { reason: 'notFound' });
}

export function alreadyExists(what: string): GoogleApiError {
  return new GoogleApiError(409, `Already Exists: ${what}`, { reason: 'duplicate' });
}

export function invalid(message: string, location?: string): GoogleApiError {
  return new GoogleApiError(400, message, { reason: 'invalid', ...(location ? { location } : {}) });
}

export function invalidQuery(message: string): GoogleApiError {
  return new GoogleApiError(400, message, { reason: 'invalidQuery', location: 'q' });
}

export function toErrorProto(error: GoogleApiError): ErrorProto {
  const reason = error.options.reason ?? REASON_BY_CODE[error.code] ?? 'invalid';
  return { reason, message: error.message, ...(error.options.location ? { location: error.options.location } : {}) };
}

export function fromErrorProto(proto: ErrorProto): GoogleApiError {
  return new GoogleApiError(CODE_BY_REASON[proto.reason] ?? 400, proto.message, { reason: proto.reason, ...(proto.location ? { location: proto.location } : {}) });
}
