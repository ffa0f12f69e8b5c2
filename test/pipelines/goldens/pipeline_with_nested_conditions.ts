// pipeline_with_nested_conditions.yaml: an If inside an If; the inner one compares two task outputs,
// one of them from outside both conditions.
import { definePipeline, eq, ne, param } from '../../../pipelines/dsl/index.js';
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

export default definePipeline({ name: 'nested-conditions-pipeline' }, (p) => {
  const flip1 = p.task(flipCoinOp);
  p.task(printOp, { msg: flip1.output });
  const flip2 = p.task(flipCoinOp);
  p.task(printOp, { msg: flip2.output });

  // Always true.
  p.if(ne(flip1.output, 'no-such-result'), () => {
    const flip3 = p.task(flipCoinOp);
    p.task(printOp, { msg: flip3.output });

    p.if(eq(flip2.output, flip3.output), () => {
      const flip4 = p.task(flipCoinOp);
      p.task(printOp, { msg: flip4.output });
    });
  });
});
