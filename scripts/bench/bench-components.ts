// Container components the pipeline benchmarks share: a no-op, and a step with a parameter and a
// dataset artifact derived from its inputs (so every task has outputs and artifacts to handle).
import { artifact, containerComponent, param } from '../../pipelines/dsl/index.js';

export const noop = containerComponent({ name: 'noop', image: 'alpine', command: () => ['sh', '-c', 'true'] });

export const step = containerComponent({
  name: 'step',
  inputs: { text: param.string(), n: param.int() },
  outputs: { out: param.string(), data: artifact.dataset() },
  image: 'alpine',
  command: () => ['sh', '-c', 'printf "%s.%s" "$0" "$1" > "$2"; printf "%s\\n%s\\n" "$0" "$1" > "$3"'],
  args: ({ inputs, outputs }) => [inputs.text, inputs.n, outputs.out, outputs.data.path],
});
