// pipeline_with_nested_loops.yaml: a loop over a list-of-dicts pipeline input with an inner loop over
// the sub-field `p_a` of its item; and a static outer loop with a static inner loop whose task uses
// both loop items.
import { definePipeline, param } from '../../../pipelines/dsl/index.js';
import { lightweightComponent } from '../lightweight.js';

const printOp = lightweightComponent({
  name: 'print_op',
  inputs: { msg: param.string(), msg2: param.string({ optional: true }) },
  source: "def print_op(msg: str, msg2: Optional[str] = None):\n    print(f'msg: {msg}, msg2: {msg2}')\n",
});

export default definePipeline(
  {
    name: 'pipeline-with-nested-loops',
    inputs: {
      // An untyped `list` input: its loop items are STRING.
      loop_parameter: param.list({
        default: [
          { p_a: [{ q_a: '1' }, { q_a: '2' }], p_b: 'hello' },
          { p_a: [{ q_a: '11' }, { q_a: '22' }], p_b: 'halo' },
        ],
      }),
    },
  },
  (p, { loop_parameter }) => {
    // Nested loop with withParams loop args.
    p.parallelFor(loop_parameter, (item) => {
      // A sub-field of a loop item is typed only at run time; KFP loops over it all the same.
      p.parallelFor(item.field('p_a'), (itemPA) => {
        p.task(printOp, { msg: itemPA.field('q_a') });
      });
    });

    // Nested loop with withItems loop args.
    p.parallelFor(['1', '2'], (outerItem) => {
      p.task(printOp, { msg: outerItem });
      p.parallelFor(['100', '200', '300'], (innerItem) => {
        p.task(printOp, { msg: outerItem, msg2: innerItem });
      });
    });
  },
);
