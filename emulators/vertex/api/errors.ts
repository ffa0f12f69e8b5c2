// Vertex AI's error answers: google.rpc codes on the HTTP status Google maps them to, with the
// `status` name the clients decode (FAILED_PRECONDITION travels as HTTP 400, ABORTED as 409).
import { GoogleApiError, RpcCode, rpcCodeOf } from '../../kit/google-error.js';

export { RpcCode };

export interface FieldViolation {
  readonly field: string;
  readonly description: string;
}

export function badRequestDetails(violations: readonly FieldViolation[]): unknown[] {
  return [{ '@type': 'type.googleapis.com/google.rpc.BadRequest', fieldViolations: violations }];
}

/** 400 INVALID_ARGUMENT naming the field (snake_case, as Google spells it). */
export function invalidArgument(message: string, field?: string): GoogleApiError {
  return new GoogleApiError(400, message, {
    status: 'INVALID_ARGUMENT',
    ...(field ? { location: field, details: badRequestDetails([{ field, description: message }]) } : {}),
  });
}

export function notFound(message: string): GoogleApiError {
  return new GoogleApiError(404, message, { status: 'NOT_FOUND' });
}

export function alreadyExists(message: string): GoogleApiError {
  return new GoogleApiError(409, message, { status: 'ALREADY_EXISTS' });
}

/** The request is valid but the resource is in the wrong state for it. */
export function failedPrecondition(message: string): GoogleApiError {
  return new GoogleApiError(400, message, { status: 'FAILED_PRECONDITION', reason: 'failedPrecondition' });
}

/** A concurrent change won (etag mismatch, AIP-154). */
export function aborted(message: string): GoogleApiError {
  return new GoogleApiError(409, message, { status: 'ABORTED', reason: 'aborted' });
}

/** google.rpc.Status as stored on jobs and operations. */
export interface RpcStatus {
  code: number;
  message: string;
  details?: unknown[];
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Any failure as a google.rpc.Status: API errors keep their code. */
export function toRpcStatus(err: unknown, fallbackCode: number = RpcCode.INTERNAL): RpcStatus {
  if (err instanceof GoogleApiError) return { code: rpcCodeOf(err.status) ?? fallbackCode, message: err.message };
  return { code: fallbackCode, message: errorMessage(err) };
}
