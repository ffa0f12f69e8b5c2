/** One problem found in a request object, addressed by its field path. */
export interface ValidationIssue {
  /** Dotted field path from the request root, e.g. `customJob.jobSpec.workerPoolSpecs[0]`. */
  readonly path: string;
  readonly code: IssueCode;
  readonly message: string;
  /** Warnings (deprecated fields or enum values) do not make `assertValidRequest` throw. */
  readonly severity: 'error' | 'warning';
}

export type IssueCode =
  | 'unknown-field'
  | 'type'
  | 'range'
  /** A documented Vertex limit (vertex/shared/limits.ts, labels, machine types). */
  | 'limit'
  | 'enum'
  | 'required'
  | 'output-only'
  | 'oneof'
  | 'struct-plain-object'
  | 'value-raw'
  | 'resource-name'
  | 'field-mask'
  | 'deprecated';

export function joinPath(base: string, key: string): string {
  return base === '' ? key : `${base}.${key}`;
}

export function indexPath(base: string, index: number): string {
  return `${base}[${index}]`;
}

export function mapKeyPath(base: string, key: string): string {
  return `${base}[${JSON.stringify(key)}]`;
}

/** Short, human description of a value for messages: `string "2"`, `number 1.5`, `array`. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (value instanceof Uint8Array) return 'Uint8Array';
  if (value instanceof Date) return 'Date';
  switch (typeof value) {
    case 'string': {
      const shown = value.length > 40 ? `${value.slice(0, 37)}...` : value;
      return `string ${JSON.stringify(shown)}`;
    }
    case 'number':
    case 'boolean':
    case 'bigint':
      return `${typeof value} ${String(value)}`;
    case 'object':
      return 'object';
    default:
      return typeof value;
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A message-shaped value: an object that is not an array, byte buffer or Date. */
export function isMessageObject(value: unknown): value is Record<string, unknown> {
  return isRecord(value) && !(value instanceof Uint8Array) && !(value instanceof Date);
}

export function formatIssue(issue: ValidationIssue): string {
  return `${issue.path === '' ? '(root)' : issue.path}: ${issue.message}`;
}
