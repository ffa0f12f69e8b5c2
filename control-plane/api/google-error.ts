// Any error as Google's JSON error shape, `{error: {code, message, status, details}}`, with field
// violations (google.rpc.BadRequest) for invalid input. Input problems are 4xx, never 5xx; only an
// unexpected failure is a 500, and its details stay in the log.
import { ZodError } from 'zod';
import { ModelNotFoundError, ModelSpecError } from '../config/load-model-specs.js';
import type { FieldViolation, RpcStatus } from '../errors.js';
import { ControlPlaneError, RpcCode, grpcCode, isTransient, RPC_STATUS } from '../errors.js';
import { SettingsError } from '../runtime/settings.js';
import { VertexRequestError } from '../../vertex/shared/errors.js';

export interface GoogleErrorResponse {
  readonly httpStatus: number;
  readonly body: { error: { code: number; message: string; status: string; details?: unknown[] } };
}

/** gRPC codes a Google client error carries, as google.rpc.Code names. */
// INTERNAL is left out: a Google API's internal error is answered as UNAVAILABLE (retry), below.
const GRPC_NAMES: Record<number, RpcStatus> = Object.fromEntries(
  Object.entries(RpcCode)
    .filter(([name]) => Object.hasOwn(RPC_STATUS, name) && name !== 'INTERNAL')
    .map(([name, code]) => [code, name as RpcStatus]),
);

function fieldOf(path: readonly PropertyKey[]): string {
  return path.map((p) => (typeof p === 'number' ? `[${p}]` : String(p))).join('.').replace(/\.\[/g, '[') || '(body)';
}

export function zodViolations(error: ZodError, prefix = ''): FieldViolation[] {
  return error.issues.flatMap((issue) =>
    // One violation per unknown field, as Google's BadRequest lists them (zod reports them together).
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({ field: `${prefix}${fieldOf([...issue.path, key])}`, description: `Unrecognized key: ${JSON.stringify(key)}` }))
      : [{ field: `${prefix}${fieldOf(issue.path)}`, description: issue.message }],
  );
}

function classify(err: unknown): { status: RpcStatus; message: string; violations: readonly FieldViolation[] } {
  if (err instanceof ControlPlaneError) return { status: err.status, message: err.message, violations: err.fieldViolations };
  if (err instanceof ZodError) {
    const violations = zodViolations(err);
    return { status: 'INVALID_ARGUMENT', message: violations.map((v) => `${v.field}: ${v.description}`).join('; '), violations };
  }
  if (err instanceof ModelNotFoundError) return { status: 'NOT_FOUND', message: err.message, violations: [] };
  if (err instanceof VertexRequestError) return { status: 'INVALID_ARGUMENT', message: err.message, violations: [{ field: err.field, description: err.problem }] };
  // A deployment whose configuration is wrong: the operator's problem, said plainly.
  if (err instanceof SettingsError || err instanceof ModelSpecError) return { status: 'FAILED_PRECONDITION', message: `the service is misconfigured: ${err.message}`, violations: [] };
  const code = grpcCode(err);
  if (code !== undefined && GRPC_NAMES[code]) return { status: GRPC_NAMES[code], message: (err as Error).message.replace(/^\d+ [A-Z_]+: /, ''), violations: [] };
  if (isTransient(err)) return { status: 'UNAVAILABLE', message: 'a Google API the service depends on is unavailable; retry later', violations: [] };
  return { status: 'INTERNAL', message: 'internal error', violations: [] };
}

export function googleError(err: unknown): GoogleErrorResponse {
  const { status, message, violations } = classify(err);
  const httpStatus = RPC_STATUS[status];
  const details = violations.length > 0 ? [{ '@type': 'type.googleapis.com/google.rpc.BadRequest', fieldViolations: violations }] : undefined;
  return { httpStatus, body: { error: { code: httpStatus, message, status, ...(details ? { details } : {}) } } };
}
