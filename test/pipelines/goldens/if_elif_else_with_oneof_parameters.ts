// if_elif_else_with_oneof_parameters.yaml: an inner pipeline rolls a three-sided die and branches
// If/Elif/Else; the OneOf of the three branch outputs is its output, which the outer pipeline
// prints and returns.
import type { ParameterChannel } from '../../../pipelines/dsl/index.js';
import { definePipeline, eq, param } from '../../../pipelines/dsl/index.js';
import { lightweightComponent } from '../lightweight.js';

const flipThreeSidedDie = lightweightComponent({
  name: 'flip_three_sided_die',
  outputs: { Output: param.string() },
  source: "def flip_three_sided_die() -> str:\n    import random\n    return ['heads', 'tails', 'draw'][random.randint(0, 2)]\n",
});

const printAndReturn = lightweightComponent({
  name: 'print_and_return',
  inputs: { text: param.string() },
  outputs: { Output: param.string() },
  source: 'def print_and_return(text: str) -> str:\n    print(text)\n    return text\n',
});

/** `output_key: dsl.OutputPath(str)`: an output parameter with a chosen name. */
const specialPrintAndReturn = lightweightComponent({
  name: 'special_print_and_return',
  inputs: { text: param.string() },
  outputs: { output_key: param.string() },
  source:
    "def special_print_and_return(text: str, output_key: dsl.OutputPath(str)):\n    print('Got the special state:', text)\n    with open(output_key, 'w') as f:\n        f.write(text)\n",
});

function assigned<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`${what} was not created`);
  return value;
}

const rollDiePipeline = definePipeline({ name: 'roll-die-pipeline' }, (p) => {
  const flipCoinTask = p.task(flipThreeSidedDie);
  const branch: { heads?: ParameterChannel; tails?: ParameterChannel; draw?: ParameterChannel } = {};
  p.if(eq(flipCoinTask.output, 'heads'), () => {
    branch.heads = p.task(printAndReturn, { text: 'Got heads!' }).output;
  })
    .elif(eq(flipCoinTask.output, 'tails'), () => {
      branch.tails = p.task(printAndReturn, { text: 'Got tails!' }).output;
    })
    .else(() => {
      branch.draw = p.task(specialPrintAndReturn, { text: 'Draw!' }).outputs.output_key;
    });
  return {
    Output: p.oneOf(assigned(branch.heads, 't1'), assigned(branch.tails, 't2'), assigned(branch.draw, 't3')),
  };
});

export default definePipeline({ name: 'outer-pipeline' }, (p) => {
  const flipCoinTask = p.task(rollDiePipeline);
  return { Output: p.task(printAndReturn, { text: flipCoinTask.outputs.Output }).output };
});
