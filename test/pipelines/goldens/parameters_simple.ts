// parameters_simple.yaml (parallelfor_fan_in): a loop over [1, 2, 3] doubles numbers; the results are
// fanned in (Collected) to a lightweight adder and a jq container adder, and returned as the
// pipeline's LIST output.
import type { ParameterChannel } from '../../../pipelines/dsl/index.js';
import { collected, containerComponent, definePipeline, param } from '../../../pipelines/dsl/index.js';
import { lightweightComponent } from '../lightweight.js';

const double = lightweightComponent({
  name: 'double',
  inputs: { num: param.int() },
  outputs: { Output: param.int() },
  source: 'def double(num: int) -> int:\n    return 2 * num\n',
});

const add = lightweightComponent({
  name: 'add',
  inputs: { nums: param.list() },
  outputs: { Output: param.int() },
  source: 'def add(nums: List[int]) -> int:\n    return sum(nums)\n',
});

/** `add_container(nums: List[int], sum: dsl.OutputPath(int))`. */
const addContainer = containerComponent({
  name: 'add_container',
  inputs: { nums: param.list() },
  outputs: { sum: param.int() },
  image: 'stedolan/jq',
  command: () => ['sh', '-c'],
  args: ({ inputs, outputs }) => [
    `
            set -ex
            mkdir -p $(dirname ${outputs.sum})
            echo ${inputs.nums} | jq 'add' > ${outputs.sum}
            `,
  ],
});

export default definePipeline({ name: 'math-pipeline' }, (p) => {
  let doubled: ParameterChannel | undefined;
  p.parallelFor([1, 2, 3], (x) => {
    doubled = p.task(double, { num: x }).output;
  });
  if (!doubled) throw new Error('loop body did not run');
  p.task(add, { nums: collected(doubled) });
  p.task(addContainer, { nums: collected(doubled) });
  return { Output: collected(doubled) };
});
