// Trigger conditions in CEL, written the way KFP writes them for dsl.If/Elif/Else.
import type { PipelineChannel } from '../dsl/channels.js';
import { PipelineChannel as Channel } from '../dsl/channels.js';
import type { ConditionOperation, Operand } from '../dsl/groups.js';
import type { ParameterType } from '../dsl/types.js';
import { CompileError } from './errors.js';
import { channelInputName } from './naming.js';

function channelType(c: PipelineChannel): ParameterType {
  if (c.kind !== 'parameter') throw new CompileError(`condition operand '${c.fullName}' is an artifact; conditions compare parameters`);
  return (c as PipelineChannel & { type: ParameterType }).type;
}

function operandType(o: Operand): ParameterType {
  if (o instanceof Channel) return channelType(o);
  if (typeof o === 'string') return 'STRING';
  if (typeof o === 'boolean') return 'BOOLEAN';
  return Number.isInteger(o) ? 'NUMBER_INTEGER' : 'NUMBER_DOUBLE';
}

function pythonNumber(n: number, type: ParameterType): string {
  // Python prints floats with a fraction (`1.0`); integers without.
  return type === 'NUMBER_DOUBLE' && Number.isInteger(n) ? `${n}.0` : String(n);
}

function resolveOperands(left: Operand, right: Operand): [string, string] {
  for (const o of [left, right]) {
    if (o instanceof Channel) {
      const t = channelType(o);
      if (t === 'LIST' || t === 'STRUCT' || t === 'TASK_FINAL_STATUS') {
        throw new CompileError(`condition needs primitive values; '${channelInputName(o)}' is ${t}`);
      }
    }
  }
  const types = new Set([operandType(left), operandType(right)]);
  // Mixed types are promoted: String > Boolean > Double > Integer.
  const canonical: ParameterType = types.has('STRING')
    ? 'STRING'
    : types.has('BOOLEAN')
      ? 'BOOLEAN'
      : types.has('NUMBER_DOUBLE')
        ? 'NUMBER_DOUBLE'
        : 'NUMBER_INTEGER';
  const render = (o: Operand): string => {
    const type = operandType(o);
    let text: string;
    if (o instanceof Channel) {
      text = `inputs.parameter_values['${channelInputName(o)}']`;
      if (type === 'NUMBER_INTEGER') text = `int(${text})`;
    } else if (typeof o === 'string') {
      text = `'${o}'`;
    } else if (typeof o === 'boolean') {
      text = o ? 'true' : 'false';
    } else {
      text = pythonNumber(o, type);
    }
    if (type !== canonical) {
      if (canonical === 'STRING') text = `'${text}'`;
      else if (canonical === 'BOOLEAN') text = Number(text) === 0 ? 'true' : 'false';
      else text = `double(${text})`;
    }
    return text;
  };
  return [render(left), render(right)];
}

export function conditionToCel(conditions: readonly ConditionOperation[]): string {
  return conditions
    .map((op) => {
      const [l, r] = resolveOperands(op.left, op.right);
      const text = `${l} ${op.operator} ${r}`;
      return op.negate ? `!(${text})` : text;
    })
    .join(' && ');
}
