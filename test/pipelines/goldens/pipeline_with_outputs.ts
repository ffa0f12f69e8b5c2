// pipeline_with_outputs.yaml: an inner pipeline returns a NamedTuple (string `msg` + Artifact `data`)
// through dag.outputs; the outer pipeline returns the inner artifact as its single output.
import { artifact, containerComponent, definePipeline, param } from '../../../pipelines/dsl/index.js';
import { lightweightComponent } from '../lightweight.js';

const printOp1 = lightweightComponent({
  name: 'print_op1',
  inputs: { msg: param.string() },
  outputs: { Output: param.string() },
  source: 'def print_op1(msg: str) -> str:\n    print(msg)\n    return msg\n',
});

const printOp2 = containerComponent({
  name: 'print_op2',
  inputs: { msg: param.string() },
  outputs: { data: artifact.generic() },
  image: 'alpine',
  command: () => ['sh', '-c', 'mkdir --parents $(dirname "$1") && echo "$0" > "$1"'],
  args: ({ inputs, outputs }) => [inputs.msg, outputs.data.path],
});

const innerPipeline = definePipeline({ name: 'inner-pipeline', inputs: { msg: param.string() } }, (p, { msg }) => {
  const task1 = p.task(printOp1, { msg });
  const task2 = p.task(printOp2, { msg: task1.output });
  return { msg: task1.output, data: task2.outputs.data };
});

export default definePipeline(
  { name: 'pipeline-in-pipeline', inputs: { msg: param.string({ default: 'Hello' }) } },
  (p, { msg }) => {
    p.task(printOp1, { msg });
    const task2 = p.task(innerPipeline, { msg: 'world' });
    return { Output: task2.outputs.data };
  },
);
