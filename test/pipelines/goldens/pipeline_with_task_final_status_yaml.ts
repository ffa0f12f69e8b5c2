// pipeline_with_task_final_status_yaml.yaml: a named ExitHandler (`my-pipeline`) around an echo task;
// the container exit task takes a PipelineTaskFinalStatus input that the compiler wires up.
import { containerComponent, definePipeline, param } from '../../../pipelines/dsl/index.js';

const exitOp = containerComponent({
  name: 'Exit Op',
  inputs: { user_input: param.string(), status: param.taskFinalStatus() },
  image: 'python:3.9',
  command: ({ inputs }) => ['echo', 'user input:', inputs.user_input, 'pipeline status:', inputs.status],
});

const printOp = containerComponent({
  name: 'Print Op',
  inputs: { message: param.string() },
  image: 'python:3.9',
  command: ({ inputs }) => ['echo', inputs.message],
});

export default definePipeline(
  { name: 'pipeline-with-task-final-status-yaml', inputs: { message: param.string({ default: 'Hello World!' }) } },
  (p, { message }) => {
    const exitTask = p.task(exitOp, { user_input: message });
    p.exitHandler(
      exitTask,
      () => {
        p.task(printOp, { message });
      },
      { name: 'my-pipeline' },
    );
  },
);
