// The rule every trial's parameters follow, whoever made them (the Designer's suggestions, a
// caller's CreateTrial): each parameter active under its parents' values exactly once, each value
// of its parameter's kind and in range, and nothing else. Callers word the problem for their audience.
import type { ParameterSpec, ParameterValue } from '../hyperparameter-tuning-jobs/study-spec.js';

export interface AssignedValue {
  readonly parameterId: string;
  readonly value: ParameterValue;
  /** When given (the Designer says it), it must be the parameter's kind. */
  readonly kind?: ParameterSpec['kind'];
}

export type AssignmentProblem =
  | { readonly problem: 'missing'; readonly parameterId: string }
  | { readonly problem: 'duplicate'; readonly parameterId: string; readonly index: number }
  | { readonly problem: 'inactive'; readonly parameterId: string; readonly index: number }
  | { readonly problem: 'outOfSpec'; readonly parameterId: string; readonly index: number; readonly value: ParameterValue; readonly spec: ParameterSpec };

/** Whether `value` is a value of the parameter: one of its values, or in its range (whole for an integer). */
export function valueFits(spec: ParameterSpec, value: unknown): value is ParameterValue {
  if (spec.kind === 'categorical') return typeof value === 'string' && spec.values.includes(value);
  if (typeof value !== 'number') return false;
  if (spec.kind === 'discrete') return spec.values.includes(value);
  return value >= spec.min && value <= spec.max && (spec.kind === 'double' || Number.isInteger(value));
}

/** The first problem of the assignment (in the order of `assignment`), or undefined when it fits the study. */
export function assignmentProblem(specs: readonly ParameterSpec[], assignment: readonly AssignedValue[]): AssignmentProblem | undefined {
  const indexOf = new Map<string, number>();
  for (const [index, a] of assignment.entries()) {
    if (indexOf.has(a.parameterId)) return { problem: 'duplicate', parameterId: a.parameterId, index };
    indexOf.set(a.parameterId, index);
  }
  const active = new Set<string>();
  const visit = (spec: ParameterSpec): AssignmentProblem | undefined => {
    const index = indexOf.get(spec.id);
    if (index === undefined) return { problem: 'missing', parameterId: spec.id };
    active.add(spec.id);
    const { value, kind } = assignment[index]!;
    if (!valueFits(spec, value) || (kind !== undefined && kind !== spec.kind)) return { problem: 'outOfSpec', parameterId: spec.id, index, value, spec };
    for (const child of spec.children) {
      if (!child.parentValues.some((p) => p === value)) continue;
      const found = visit(child.spec);
      if (found) return found;
    }
    return undefined;
  };
  for (const spec of specs) {
    const found = visit(spec);
    if (found) return found;
  }
  const extra = assignment.findIndex((a) => !active.has(a.parameterId));
  return extra < 0 ? undefined : { problem: 'inactive', parameterId: assignment[extra]!.parameterId, index: extra };
}
