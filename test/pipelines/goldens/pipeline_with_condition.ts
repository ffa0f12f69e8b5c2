// pipeline_with_condition.yaml: coin flip -> If(flip == 'heads') holding a second flip and two
// prints; caching is off on both flips.
import { definePipeline, eq, param } from '../../../pipelines/dsl/index.js';
import { lightweightComponent } from '../lightweight.js';

const flipCoinOp = lightweightComponent({
  name: 'flip_coin_op',
  outputs: { Output: param.string() },
  source: "def flip_coin_op() -> str:\n    import random\n    return 'heads' if random.randint(0, 1) == 0 else 'tails'\n",
});

const printOp = lightweightComponent({
  name: 'print_op',
  inputs: { msg: param.string() },
  source: 'def print_op(msg: str):\n    print(msg)\n',
});

export default definePipeline(
  { name: 'single-condition-pipeline', inputs: { text: param.string({ default: 'condition test' }) } },
  (p, { text }) => {
    const flip1 = p.task(flipCoinOp).setCachingOptions(false);
    p.task(printOp, { msg: flip1.output });

    p.if(eq(flip1.output, 'heads'), () => {
      const flip2 = p.task(flipCoinOp).setCachingOptions(false);
      p.task(printOp, { msg: flip2.output });
      p.task(printOp, { msg: text });
    });
  },
);
