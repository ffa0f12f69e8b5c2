import { describe, expect, it } from 'vitest';
import { CelError, evaluateCel, evaluateCondition, parseCel } from '../../../emulators/vertex/pipeline-engine/cel.js';

const env = (values: Record<string, string | number | boolean>) => ({ inputs: { parameter_values: values } });

describe('CEL subset', () => {
  it('evaluates the comparison forms KFP emits', () => {
    const e = env({ 'pipelinechannel--flip-coin-Output': 'heads', 'pipelinechannel--n': 7, 'pipelinechannel--f': 1.5, 'pipelinechannel--b': true });
    expect(evaluateCondition("inputs.parameter_values['pipelinechannel--flip-coin-Output'] == 'heads'", e)).toBe(true);
    expect(evaluateCondition("inputs.parameter_values['pipelinechannel--flip-coin-Output'] != 'heads'", e)).toBe(false);
    expect(evaluateCondition("int(inputs.parameter_values['pipelinechannel--n']) > 5", e)).toBe(true);
    expect(evaluateCondition("int(inputs.parameter_values['pipelinechannel--n']) <= 5", e)).toBe(false);
    expect(evaluateCondition("double(int(inputs.parameter_values['pipelinechannel--n'])) >= inputs.parameter_values['pipelinechannel--f']", e)).toBe(true);
    expect(evaluateCondition("inputs.parameter_values['pipelinechannel--f'] < 2.0", e)).toBe(true);
    expect(evaluateCondition("inputs.parameter_values['pipelinechannel--b'] == true", e)).toBe(true);
  });

  it('evaluates negation and conjunction (Elif/Else chains)', () => {
    const e = env({ x: 'tails', n: 3 });
    expect(evaluateCondition("!(inputs.parameter_values['x'] == 'heads') && inputs.parameter_values['x'] == 'tails'", e)).toBe(true);
    expect(evaluateCondition("!(inputs.parameter_values['x'] == 'heads') && !(inputs.parameter_values['x'] == 'tails')", e)).toBe(false);
    expect(evaluateCondition("!(int(inputs.parameter_values['n']) > 5) && int(inputs.parameter_values['n']) > -1", e)).toBe(true);
  });

  it('converts strings with int() and double(), and treats values of different types as unequal', () => {
    const e = env({ s: '42', d: '2.5' });
    expect(evaluateCondition("int(inputs.parameter_values['s']) == 42", e)).toBe(true);
    expect(evaluateCondition("double(inputs.parameter_values['d']) > 2", e)).toBe(true);
    expect(evaluateCondition("inputs.parameter_values['s'] == 42", e)).toBe(false);
    expect(() => evaluateCondition("inputs.parameter_values['s'] < 42", e)).toThrow(/no such overload: string < number/);
    expect(() => evaluateCondition("int(inputs.parameter_values['d']) == 2", e)).toThrow(/int\(\) cannot convert/);
  });

  it('evaluates parameterExpressionSelector forms', () => {
    expect(evaluateCel('parseJson(string_value)["A_a"]', { string_value: '{"A_a": "1", "B_b": "2"}' })).toBe('1');
    expect(evaluateCel('parseJson(string_value)["nested"]["k"]', { string_value: '{"nested": {"k": [1, 2]}}' })).toEqual([1, 2]);
    expect(evaluateCel('parseJson(string_value)[1]', { string_value: '["a", "b"]' })).toBe('b');
  });

  it('rejects anything outside the subset with a clear error', () => {
    expect(() => parseCel("inputs.parameter_values['x'] == 'a' || true")).toThrow(/'\|\|' is not supported/);
    expect(() => parseCel("size(inputs.parameter_values['x']) > 1")).toThrow(/unsupported function 'size'/);
    expect(() => parseCel("inputs.parameter_values['x'] + 1 > 2")).toThrow(CelError);
    expect(() => parseCel("x ? 1 : 2")).toThrow(/unsupported character '\?'/);
    expect(() => parseCel("1 < 2 < 3")).toThrow(/chained comparisons/);
    expect(() => parseCel("'unterminated")).toThrow(/unterminated string literal/);
    expect(() => evaluateCondition("inputs.parameter_values['missing'] == 'a'", env({}))).toThrow(/no such key 'missing'/);
    expect(() => evaluateCondition("other == 'a'", env({}))).toThrow(/unknown identifier 'other'/);
    expect(() => evaluateCondition("inputs.parameter_values['x']", env({ x: 'a' }))).toThrow(/not a bool/);
  });
});
