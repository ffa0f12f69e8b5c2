// pipeline_with_task_using_ignore_upstream_failure.yaml: a failing task feeds a print task that runs
// even when its upstream failed; the print component's input has a default.
import { definePipeline, param } from '../../../pipelines/dsl/index.js';
import { lightweightComponent } from '../lightweight.js';

const failOp = lightweightComponent({
  name: 'fail_op',
  inputs: { message: param.string() },
  outputs: { Output: param.string() },
  source: 'def fail_op(message: str) -> str:\n    import sys\n    print(message)\n    sys.exit(1)\n    return message\n',
});

const printOp = lightweightComponent({
  name: 'print_op',
  inputs: { message: param.string({ default: 'default' }) },
  source: "def print_op(message: str = 'default'):\n    print(message)\n",
});

export default definePipeline(
  { name: 'my-pipeline', inputs: { sample_input: param.string({ default: 'message' }) } },
  (p, { sample_input }) => {
    const task = p.task(failOp, { message: sample_input });
    p.task(printOp, { message: task.output }).ignoreUpstreamFailure();
  },
);
