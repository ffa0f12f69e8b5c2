// pipeline_in_pipeline.yaml: an outer task plus an inner pipeline (graph component
// `comp-inner-pipeline`) of two chained tasks; the inner `print_op1` is the second use of that
// component in the spec, hence `comp-print-op1-2`.
import { containerComponent, definePipeline, param } from '../../../pipelines/dsl/index.js';
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
  image: 'alpine',
  command: ({ inputs }) => ['echo', inputs.msg],
});

const innerPipeline = definePipeline({ name: 'inner-pipeline', inputs: { msg: param.string() } }, (p, { msg }) => {
  const task = p.task(printOp1, { msg });
  p.task(printOp2, { msg: task.output });
});

export default definePipeline({ name: 'pipeline-in-pipeline' }, (p) => {
  p.task(printOp1, { msg: 'Hello' });
  p.task(innerPipeline, { msg: 'world' });
});
