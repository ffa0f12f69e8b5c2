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

export function requireNonEmpty(value: string | undefined, field: string): string {
  if (value === undefined || value.trim() === '') fail(field, 'is required and must not be empty');
  return value;
}

export function requireInteger(value: number, field: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (!Number.isInteger(value)) fail(field, `must be an integer, got ${value}`);
  if (value < min || value > max) fail(field, `must be in [${min}, ${max}], got ${value}`);
  return value;
}

export function requireMaxLength(value: string, field: string, max: number): string {
  // Google counts Unicode code points, not UTF-16 units.
  const length = [...value].length;
  if (length > max) fail(field, `must be at most ${max} characters, got ${length}`);
  return value;
}
