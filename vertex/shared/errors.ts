import { displayNameProblem, integerRangeProblem } from './limits.js';

/** A builder input that Vertex would reject (or silently misread); `field` names the input field. */
export class VertexRequestError extends Error {
  constructor(
    readonly field: string,
    readonly problem: string,
  ) {
    super(`${field}: ${problem}`);
    this.name = 'VertexRequestError';
  }
}

export function fail(field: string, problem: string): never {
  throw new VertexRequestError(field, problem);
}

/** Fails with `problem` (from a shared limit check in limits.ts) when there is one. */
export function failOn(problem: string | undefined, field: string): void {
  if (problem !== undefined) fail(field, problem);
}

/** A display name within Vertex's limit (see limits.ts). */
export function requireDisplayName(value: string | undefined, field = 'displayName'): string {
  const name = requireNonEmpty(value, field);
  failOn(displayNameProblem(name), field);
  return name;
}

export function requireNonEmpty(value: string | undefined, field: string): string {
  if (value === undefined || value.trim() === '') fail(field, 'is required and must not be empty');
  return value;
}

export function requireInteger(value: number, field: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  failOn(integerRangeProblem(value, min, max), field);
  return value;
}
