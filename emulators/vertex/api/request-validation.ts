// Strict request checks with Google's error texts: unknown JSON names fail the way Google's JSON
// parser fails them ("Unknown name ... Cannot find field."), everything else as a list of field
// errors. Field paths are snake_case from the request root (`custom_job.job_spec...`).
import { GoogleApiError, unknownFieldMessage } from '../../kit/google-error.js';
import { validateRequest } from '../../../vertex/validation/proto-validator.js';
import type { ValidationIssue } from '../../../vertex/validation/proto-validator.js';
import { camelToSnake } from '../../../common/suggest.js';
import type { FieldViolation } from './errors.js';
import { badRequestDetails } from './errors.js';
import type { JsonObject } from './wire-json.js';
import { toCanonicalJson, toProtoObject } from './wire-json.js';

/** `customJob.jobSpec.workerPoolSpecs[0]` → `custom_job.job_spec.worker_pool_specs[0]`; map keys untouched. */
export function snakePath(path: string): string {
  return path.replace(/\[[^\]]*\]|[^.[\]]+/g, (token) => (token.startsWith('[') ? token : camelToSnake(token)));
}

function parentAndLeaf(path: string): { parent: string; leaf: string } {
  const dot = path.lastIndexOf('.');
  return dot === -1 ? { parent: '', leaf: path } : { parent: path.slice(0, dot), leaf: path.slice(dot + 1) };
}

function describe(issue: ValidationIssue): string {
  switch (issue.code) {
    case 'required':
      return issue.message === 'missing required field' ? 'Required field is not set.' : `Required field is not set: ${issue.message}.`;
    case 'output-only':
      return 'Output only field must not be set by the caller.';
    default:
      return issue.message.charAt(0).toUpperCase() + issue.message.slice(1) + (issue.message.endsWith('.') ? '' : '.');
  }
}

export interface WireRequestOptions {
  /**
   * Request paths (camelCase, from the root) whose OUTPUT_ONLY fields the service really takes from
   * callers, e.g. `measurement` in AddTrialMeasurementRequest: every Measurement field is marked
   * OUTPUT_ONLY in the proto, yet Vizier's clients send them.
   */
  acceptOutputOnly?: readonly string[];
}

/**
 * Checks a whole request (`{parent, customJob: body}`) against `requestType`; throws a 400 that
 * names every bad field. Returns nothing: use `canonical()` for the stored form.
 */
export function assertValidWireRequest(requestType: string, request: JsonObject, options: WireRequestOptions = {}): void {
  const converted = toProtoObject(requestType, request);
  const accepted = options.acceptOutputOnly ?? [];
  const isAccepted = (path: string) => accepted.some((p) => path === p || path.startsWith(`${p}.`) || path.startsWith(`${p}[`));
  const issues = validateRequest(requestType, converted.value).filter((i) => i.severity === 'error' && !(i.code === 'output-only' && isAccepted(i.path)));
  const unknown = issues.filter((i) => i.code === 'unknown-field');
  if (unknown.length > 0) {
    const lines = unknown.map((i) => {
      const { parent, leaf } = parentAndLeaf(i.path);
      return unknownFieldMessage(leaf, parent === '' ? '' : snakePath(parent));
    });
    const violations: FieldViolation[] = unknown.map((i, n) => ({ field: snakePath(parentAndLeaf(i.path).parent), description: lines[n]! }));
    throw new GoogleApiError(400, lines.join('\n'), {
      status: 'INVALID_ARGUMENT',
      location: violations[0]!.field,
      details: badRequestDetails(violations),
    });
  }
  const violations: FieldViolation[] = [
    ...converted.issues.map((i) => ({ field: snakePath(i.path), description: `${i.message.charAt(0).toUpperCase()}${i.message.slice(1)}.` })),
    ...issues.map((i) => ({ field: snakePath(i.path), description: describe(i) })),
  ];
  if (violations.length === 0) return;
  const list = violations.map((v, n) => `${n + 1}.Field: ${v.field}; Message: ${v.description}`).join('\t');
  throw new GoogleApiError(400, `List of found errors:\t${list}\t`, {
    status: 'INVALID_ARGUMENT',
    location: violations[0]!.field,
    details: badRequestDetails(violations),
  });
}

/** Validated wire JSON of a message, in the stored form. */
export function canonical(typeName: string, wire: unknown): JsonObject {
  return toCanonicalJson(typeName, wire);
}
