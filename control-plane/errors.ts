// The control plane's errors: what it refuses (with google.rpc codes, so the API answers in Google's
// error shape) and how a failure from a Google API is classified. Transient failures make a handler
// throw so that Pub/Sub redelivers; permanent ones are recorded and the message is acknowledged.
import { RpcCode } from '../common/rpc-code.js';

export { RpcCode };

/** google.rpc.Code names the control plane answers with, and their HTTP statuses. */
export const RPC_STATUS = {
  INVALID_ARGUMENT: 400,
  FAILED_PRECONDITION: 400,
  UNAUTHENTICATED: 401,
  PERMISSION_DENIED: 403,
  NOT_FOUND: 404,
  ALREADY_EXISTS: 409,
  ABORTED: 409,
  RESOURCE_EXHAUSTED: 429,
  INTERNAL: 500,
  UNAVAILABLE: 503,
  DEADLINE_EXCEEDED: 504,
} as const;
export type RpcStatus = keyof typeof RPC_STATUS;

/** One refusal of a field of the caller's input (google.rpc.BadRequest.FieldViolation). */
export interface FieldViolation {
  readonly field: string;
  readonly description: string;
}

export class ControlPlaneError extends Error {
  constructor(
    readonly status: RpcStatus,
    message: string,
    readonly fieldViolations: readonly FieldViolation[] = [],
  ) {
    super(message);
  }
}

export const invalidArgument = (field: string, description: string) =>
  new ControlPlaneError('INVALID_ARGUMENT', `${field}: ${description}`, [{ field, description }]);
export const notFound = (message: string) => new ControlPlaneError('NOT_FOUND', message);
export const failedPrecondition = (message: string) => new ControlPlaneError('FAILED_PRECONDITION', message);

/** Thrown when work must be retried later (a lease held by another delivery, a lost race). */
export class RetryLater extends Error {}


const TRANSIENT_GRPC = new Set<number>([RpcCode.DEADLINE_EXCEEDED, RpcCode.RESOURCE_EXHAUSTED, RpcCode.ABORTED, RpcCode.INTERNAL, RpcCode.UNAVAILABLE]);
const TRANSIENT_NETWORK = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'ENOTFOUND', 'UND_ERR_SOCKET']);

/**
 * Whether a failure may succeed if tried again: 408/429/5xx, gRPC DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED,
 * ABORTED, INTERNAL, UNAVAILABLE, network errors, and our own RetryLater. Anything else (400, 403, 404,
 * 409, validation) is permanent.
 */
export function isTransient(err: unknown): boolean {
  if (err instanceof RetryLater) return true;
  if (err instanceof ControlPlaneError) return ['RESOURCE_EXHAUSTED', 'UNAVAILABLE', 'DEADLINE_EXCEEDED', 'INTERNAL', 'ABORTED'].includes(err.status);
  if (typeof err !== 'object' || err === null) return false;
  const e = err as { code?: unknown; status?: unknown; cause?: unknown; errors?: unknown };
  if (typeof e.code === 'string' && TRANSIENT_NETWORK.has(e.code)) return true;
  // gax (REST fallback) puts the gRPC code in `code`; the Storage/BigQuery clients the HTTP status.
  if (typeof e.code === 'number') {
    if (e.code >= 100) return e.code === 408 || e.code === 429 || e.code >= 500;
    return TRANSIENT_GRPC.has(e.code);
  }
  if (typeof e.status === 'number') return e.status === 408 || e.status === 429 || e.status >= 500;
  if (e.cause !== undefined && e.cause !== err) return isTransient(e.cause);
  return false;
}

/** The gRPC code of a Google client error, if it has one (`5` is NOT_FOUND, `6` ALREADY_EXISTS). */
export function grpcCode(err: unknown): number | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'number' && code < 100 ? code : undefined;
}

/** The HTTP status of a Storage/BigQuery client error, if it has one. */
export function httpStatus(err: unknown): number | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'number' && code >= 100 ? code : undefined;
}
