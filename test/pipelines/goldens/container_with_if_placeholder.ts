// container_with_if_placeholder.yaml: a single container component compiled on its own, which KFP
// wraps as a one-task pipeline named after the component: the root passes the inputs through and
// exposes the component's outputs.
import { artifact, containerComponent, definePipeline, ifPresent, param } from '../../../pipelines/dsl/index.js';

const containerWithIfPlaceholder = containerComponent({
  name: 'container_with_if_placeholder',
  inputs: { optional_input: param.string({ default: 'default' }) },
  outputs: { output_path: param.string(), dataset: artifact.dataset() },
  image: 'python:3.9',
  command: ({ inputs, outputs }) => [
    'my_program',
    ifPresent('optional_input', { then: [inputs.optional_input], else: ['bye'] }),
    '--dataset',
    ifPresent('optional_input', { then: [outputs.dataset.uri], else: ['bye'] }),
  ],
  args: ({ outputs }) => ['--output_path', outputs.output_path],
});

export default definePipeline(
  { name: 'container-with-if-placeholder', inputs: { optional_input: param.string({ default: 'default' }) } },
  (p, { optional_input }) => {
    const task = p.task(containerWithIfPlaceholder, { optional_input });
    return { output_path: task.outputs.output_path, dataset: task.outputs.dataset };
  },
);
