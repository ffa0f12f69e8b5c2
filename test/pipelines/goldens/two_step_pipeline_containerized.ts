// two_step_pipeline_containerized.yaml: a producer writes a string into a Dataset, a consumer `cat`s it.
import { artifact, containerComponent, definePipeline, param } from '../../../pipelines/dsl/index.js';

const component1 = containerComponent({
  name: 'component1',
  inputs: { text: param.string() },
  outputs: { output_gcs: artifact.dataset() },
  image: 'alpine',
  command: () => ['sh', '-c', 'mkdir --parents $(dirname "$1") && echo "$0" > "$1"'],
  args: ({ inputs, outputs }) => [inputs.text, outputs.output_gcs.path],
});

const component2 = containerComponent({
  name: 'component2',
  inputs: { input_gcs: artifact.dataset() },
  image: 'alpine',
  command: () => ['cat'],
  args: ({ inputs }) => [inputs.input_gcs.path],
});

export default definePipeline(
  { name: 'containerized-two-step-pipeline', inputs: { text: param.string() } },
  (p, { text }) => {
    const producer = p.task(component1, { text });
    p.task(component2, { input_gcs: producer.outputs.output_gcs });
  },
);
