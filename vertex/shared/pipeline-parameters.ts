// The root parameters a compiled KFP pipeline declares and whether a runtime value fits its
// declared type: Vertex refuses `runtimeConfig.parameterValues` of the wrong type (a number for a
// STRING, a fraction for an INTEGER, text for a BOOLEAN) when the job is created.

import type { ParameterType as IrParameterType } from '../../pipelines/ir/index.js';

export interface IrParameter {
  readonly type: IrParameterType | undefined;
  /** Optional, or has a default: a run may leave it out. */
  readonly optional: boolean;
}

function asObject(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/** The root parameters of a pipeline spec; undefined when it declares none (nothing to check against). */
export function rootParameters(spec: unknown): ReadonlyMap<string, IrParameter> | undefined {
  const declared = asObject(asObject(asObject(asObject(spec)?.root)?.inputDefinitions)?.parameters);
  if (declared === undefined) return undefined;
  const parameters = new Map<string, IrParameter>();
  for (const [key, value] of Object.entries(declared)) {
    const parameter = asObject(value);
    parameters.set(key, {
      type: typeof parameter?.parameterType === 'string' ? (parameter.parameterType as IrParameterType) : undefined,
      optional: parameter?.isOptional === true || parameter?.defaultValue !== undefined,
    });
  }
  return parameters;
}

/** What is wrong with `value` as a run-time value of a parameter of `type`; undefined when it fits. */
export function parameterTypeProblem(type: IrParameterType | undefined, value: unknown): string | undefined {
  const expect = (ok: boolean, what: string): string | undefined => (ok ? undefined : `pipeline expects ${what} (${type}), got ${JSON.stringify(value)?.slice(0, 120)}`);
  switch (type) {
    case 'STRING': return expect(typeof value === 'string', 'a string');
    case 'NUMBER_INTEGER': return expect(typeof value === 'number' && Number.isInteger(value), 'an integer');
    case 'NUMBER_DOUBLE': return expect(typeof value === 'number' && Number.isFinite(value), 'a number');
    case 'BOOLEAN': return expect(typeof value === 'boolean', 'a boolean');
    case 'LIST': return expect(Array.isArray(value), 'a list');
    case 'STRUCT': return expect(asObject(value) !== undefined, 'an object');
    default: return undefined;
  }
}

/** Each given value whose type does not fit its declared parameter (undeclared names are left to the caller). */
export function parameterValueProblems(
  values: Readonly<Record<string, unknown>>,
  declared: ReadonlyMap<string, IrParameter>,
): { name: string; problem: string }[] {
  const problems: { name: string; problem: string }[] = [];
  for (const [name, value] of Object.entries(values)) {
    const parameter = declared.get(name);
    if (parameter === undefined) continue;
    const problem = parameterTypeProblem(parameter.type, value);
    if (problem !== undefined) problems.push({ name, problem });
  }
  return problems;
}
