// Errors in Google's JSON error shape: {error: {code, message, status, errors: [{message, domain, reason}]}}.

import type { RpcStatusName } from '../../common/rpc-code.js';
import { RpcCode } from '../../common/rpc-code.js';

export { RpcCode };
export type { RpcStatusName };

/** The google.rpc code of a status name (`NOT_FOUND` → 5); undefined for a name Google does not define. */
export function rpcCodeOf(status: string): number | undefined {
  return Object.hasOwn(RpcCode, status) ? RpcCode[status as RpcStatusName] : undefined;
}

/** The status name an HTTP answer carries by default (HTTP status → google.rpc name). */
const STATUS_BY_CODE: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  405: 'UNIMPLEMENTED',
  409: 'ALREADY_EXISTS',
  412: 'FAILED_PRECONDITION',
  413: 'OUT_OF_RANGE',
  415: 'INVALID_ARGUMENT',
  416: 'OUT_OF_RANGE',
  429: 'RESOURCE_EXHAUSTED',
  499: 'CANCELLED',
  500: 'INTERNAL',
  501: 'UNIMPLEMENTED',
  503: 'UNAVAILABLE',
  504: 'DEADLINE_EXCEEDED',
};

const REASON_BY_CODE: Record<number, string> = {
  400: 'invalid',
  401: 'required',
  403: 'forbidden',
  404: 'notFound',
  405: 'methodNotAllowed',
  409: 'conflict',
  412: 'conditionNotMet',
  413: 'uploadTooLarge',
  415: 'unsupportedMediaType',
  416: 'requestedRangeNotSatisfiable',
  429: 'rateLimitExceeded',
  500: 'backendError',
  501: 'notImplemented',
  503: 'backendError',
  504: 'deadlineExceeded',
};

export interface GoogleErrorBody {
  error: {
    code: number;
    message: string;
    status: string;
    errors?: { message: string; domain: string; reason: string; location?: string; locationType?: string }[];
    details?: unknown[];
  };
}

/**
 * Storage and BigQuery (older JSON APIs) add an `errors` list with `reason`; the newer APIs
 * (Vertex AI, Monitoring) answer only `{code, message, status, details}`.
 */
export type ErrorStyle = 'json-api' | 'grpc-gateway';

export function errorStyleFor(service: string): ErrorStyle {
  return service === 'storage' || service === 'bigquery' ? 'json-api' : 'grpc-gateway';
}

export class GoogleApiError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly options: { reason?: string; status?: string; location?: string; details?: unknown[] } = {},
  ) {
    super(message);
    this.name = 'GoogleApiError';
  }

  get status(): string {
    return this.options.status ?? STATUS_BY_CODE[this.code] ?? 'UNKNOWN';
  }

  private legacyError(): NonNullable<GoogleErrorBody['error']['errors']>[number] {
    return {
      message: this.message,
      domain: 'global',
      reason: this.options.reason ?? REASON_BY_CODE[this.code] ?? 'unknown',
      ...(this.options.location ? { location: this.options.location, locationType: 'parameter' } : {}),
    };
  }

  toBody(style: ErrorStyle = 'json-api'): GoogleErrorBody {
    return {
      error: {
        code: this.code,
        message: this.message,
        status: this.status,
        ...(style === 'json-api' ? { errors: [this.legacyError()] } : {}),
        ...(this.options.details ? { details: this.options.details } : {}),
      },
    };
  }
}

/**
 * The message Google's JSON parser gives for a field the message type does not have:
 * `Invalid JSON payload received. Unknown name "x" at 'a.b': Cannot find field.` (no ` at` part
 * when the field is at the top of the body).
 */
export function unknownFieldMessage(name: string, at = ''): string {
  return `Invalid JSON payload received. Unknown name "${name}"${at ? ` at '${at}'` : ''}: Cannot find field.`;
}

export const badRequest = (message: string, options: GoogleApiError['options'] = {}) => new GoogleApiError(400, message, options);
export const notFound = (message: string) => new GoogleApiError(404, message);
export const conflict = (message: string) => new GoogleApiError(409, message);
export const preconditionFailed = (message: string) => new GoogleApiError(412, message);
