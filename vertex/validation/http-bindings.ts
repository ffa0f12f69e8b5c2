// A request's google.api.http template names the fields that form its URL, e.g.
// `/v1/{endpoint.name=projects/*/locations/*/endpoints/*}`. Those fields must be present
// and shaped like the resource name, and such a field may be set even when the resource
// marks it OUTPUT_ONLY (`endpoint.name` in UpdateEndpointRequest identifies the endpoint).
import { snakeToCamel } from '../../common/suggest.js';

export interface PathVariable {
  /** lowerCamelCase field path from the request root, e.g. `endpoint.name`. */
  readonly fieldPath: string;
  /** The resource-name pattern, e.g. `projects/*\/locations/*`. */
  readonly pattern: string;
  readonly regex: RegExp;
}

export interface HttpBinding {
  readonly template: string;
  readonly variables: readonly PathVariable[];
}

const VARIABLE = /\{([^}=]+)(?:=([^}]*))?\}/g;

export function parseTemplate(template: string): HttpBinding {
  const variables: PathVariable[] = [];
  for (const match of template.matchAll(VARIABLE)) {
    const rawPath = match[1] ?? '';
    const pattern = match[2] ?? '*';
    variables.push({
      fieldPath: rawPath.split('.').map(snakeToCamel).join('.'),
      pattern,
      regex: patternRegex(pattern),
    });
  }
  return { template, variables };
}

function patternRegex(pattern: string): RegExp {
  const body = pattern
    .split('/')
    .map((segment) => {
      if (segment === '**') return '.+';
      if (segment === '*') return '[^/]+';
      return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('/');
  return new RegExp(`^${body}$`);
}

/** The value at a dotted path of plain objects, or undefined. */
function valueAtPath(root: unknown, dotted: string): unknown {
  let current: unknown = root;
  for (const key of dotted.split('.')) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

export interface BindingProblem {
  readonly fieldPath: string;
  readonly kind: 'missing' | 'mismatch';
  readonly patterns: readonly string[];
  readonly value?: string;
}

/**
 * Problems only when no binding fits: some methods have alternative bindings
 * (e.g. with and without `parent`), and any one of them is enough.
 */
export function bindingProblems(bindings: readonly HttpBinding[], request: unknown): BindingProblem[] {
  if (bindings.length === 0) return [];
  const fits = (binding: HttpBinding): boolean =>
    binding.variables.every((v) => {
      const value = valueAtPath(request, v.fieldPath);
      return typeof value === 'string' && v.regex.test(value);
    });
  if (bindings.some(fits)) return [];
  const problems: BindingProblem[] = [];
  const seen = new Set<string>();
  for (const binding of bindings) {
    for (const variable of binding.variables) {
      if (seen.has(variable.fieldPath)) continue;
      seen.add(variable.fieldPath);
      const patterns = bindings.flatMap((b) => b.variables.filter((v) => v.fieldPath === variable.fieldPath).map((v) => v.pattern));
      const value = valueAtPath(request, variable.fieldPath);
      if (value === undefined || value === null || value === '') {
        problems.push({ fieldPath: variable.fieldPath, kind: 'missing', patterns });
      } else if (typeof value === 'string' && !bindings.some((b) => b.variables.some((v) => v.fieldPath === variable.fieldPath && v.regex.test(value)))) {
        problems.push({ fieldPath: variable.fieldPath, kind: 'mismatch', patterns, value });
      }
    }
  }
  return problems;
}
