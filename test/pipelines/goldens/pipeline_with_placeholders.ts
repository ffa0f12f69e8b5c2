// pipeline_with_placeholders.yaml: five uses of one lightweight component, each given a system
// placeholder as a constant argument (tasks print-op, print-op-2 ... print-op-5 in this order).
import { definePipeline, param, system } from '../../../pipelines/dsl/index.js';
import { lightweightComponent } from '../lightweight.js';

const printOp = lightweightComponent({
  name: 'print_op',
  inputs: { msg: param.string(), value: param.string() },
  source: 'def print_op(msg: str, value: str):\n    print(msg, value)\n',
});

export default definePipeline({ name: 'pipeline-with-placeholders' }, (p) => {
  p.task(printOp, { msg: 'job name:', value: system.pipelineJobName });
  p.task(printOp, { msg: 'job resource name:', value: system.pipelineJobResourceName });
  p.task(printOp, { msg: 'job id:', value: system.pipelineJobUuid });
  p.task(printOp, { msg: 'task name:', value: system.pipelineTaskName });
  p.task(printOp, { msg: 'task id:', value: system.pipelineTaskUuid });
});
