// pipeline_with_exit_handler.yaml: an ExitHandler around a print and a failing task; the exit task
// (created first, as in Python) runs whatever happened.
import { definePipeline, param } from '../../../pipelines/dsl/index.js';
import { lightweightComponent } from '../lightweight.js';

const printOp = lightweightComponent({
  name: 'print_op',
  inputs: { message: param.string() },
  source: 'def print_op(message: str):\n    print(message)\n',
});

const failOp = lightweightComponent({
  name: 'fail_op',
  inputs: { message: param.string() },
  source: 'def fail_op(message: str):\n    import sys\n    print(message)\n    sys.exit(1)\n',
});

export default definePipeline(
  { name: 'pipeline-with-exit-handler', inputs: { message: param.string({ default: 'Hello World!' }) } },
  (p, { message }) => {
    const exitTask = p.task(printOp, { message: 'Exit handler has worked!' });
    p.exitHandler(exitTask, () => {
      p.task(printOp, { message });
      p.task(failOp, { message: 'Task failed.' });
    });
  },
);
