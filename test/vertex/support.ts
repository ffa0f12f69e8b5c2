// Shared assertions for the vertex tests.
import { expect } from 'vitest';
import { VertexRequestError } from '../../vertex/shared/errors.js';
import { assertValidRequest, formatIssue, validateRequest } from '../../vertex/validation/proto-validator.js';

/** The request has no validation errors against the protos (warnings are allowed). */
export function expectValidRequest(typeName: string, request: unknown): void {
  const errors = validateRequest(typeName, request).filter((i) => i.severity === 'error');
  expect(errors.map(formatIssue)).toEqual([]);
  expect(() => assertValidRequest(typeName, request)).not.toThrow();
}

/** `build()` throws a VertexRequestError about `field`, whose message names the field. */
export function expectFieldError(build: () => unknown, field: string, messagePart?: string | RegExp): VertexRequestError {
  let thrown: unknown;
  try {
    build();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(VertexRequestError);
  const error = thrown as VertexRequestError;
  expect(error.field).toBe(field);
  expect(error.message.startsWith(`${field}:`)).toBe(true);
  if (messagePart !== undefined) expect(error.message).toMatch(messagePart);
  return error;
}

export const LOCATION = { project: 'mlops-demo', location: 'us-central1' } as const;
export const PARENT = 'projects/mlops-demo/locations/us-central1';
