// pipeline_with_loops.yaml: ParallelFor over a LIST pipeline input, over a task's List[Dict] output
// (with `item.A_a` / `item.B_b` sub-fields) and over a static list of dicts.
import { definePipeline, param } from '../../../pipelines/dsl/index.js';
import { lightweightComponent } from '../lightweight.js';

const argsGeneratorOp = lightweightComponent({
  name: 'args_generator_op',
  // List[Dict[str, str]]: loop items are STRUCT.
  outputs: { Output: param.list({ items: 'STRUCT' }) },
  source: "def args_generator_op() -> List[Dict[str, str]]:\n    return [{'A_a': '1', 'B_b': '2'}, {'A_a': '10', 'B_b': '20'}]\n",
});

const printText = lightweightComponent({
  name: 'print_text',
  inputs: { msg: param.string() },
  source: 'def print_text(msg: str):\n    print(msg)\n',
});

const printStruct = lightweightComponent({
  name: 'print_struct',
  inputs: { struct: param.struct() },
  source: 'def print_struct(struct: Dict):\n    print(struct)\n',
});

export default definePipeline(
  // `loop_parameter: List[str]`: STRING items.
  { name: 'pipeline-with-loops', inputs: { loop_parameter: param.list({ items: 'STRING' }) } },
  (p, { loop_parameter }) => {
    // Loop argument is from a pipeline input.
    p.parallelFor(loop_parameter, (item) => {
      p.task(printText, { msg: item });
    });

    // Loop argument is from a component output.
    const argsGenerator = p.task(argsGeneratorOp);
    p.parallelFor(argsGenerator.output, (item) => {
      p.task(printStruct, { struct: item });
      p.task(printText, { msg: item.field('A_a') });
      p.task(printText, { msg: item.field('B_b') });
    });

    // Loop argument is a static value known at compile time.
    const loopArgs = [
      { A_a: '1', B_b: '2' },
      { A_a: '10', B_b: '20' },
    ];
    p.parallelFor(loopArgs, (item) => {
      p.task(printStruct, { struct: item });
      p.task(printText, { msg: item.field('A_a') });
      p.task(printText, { msg: item.field('B_b') });
    });
  },
);
