// pipeline_with_resource_spec.yaml: ingest -> train, the trainer with cpu/memory requests and limits
// and an accelerator (type + count); pipeline description and defaulted inputs.
import { artifact, containerComponent, definePipeline, param } from '../../../pipelines/dsl/index.js';

const ingestion = containerComponent({
  name: 'ingestion',
  inputs: { input_location: param.string() },
  outputs: { examples: artifact.dataset() },
  image: 'gcr.io/my-project/my-ingestor',
  args: ({ inputs, outputs }) => ['--input-location', inputs.input_location, '--output-examples', outputs.examples.uri],
});

const trainer = containerComponent({
  name: 'trainer',
  inputs: { examples: artifact.dataset(), optimizer: param.string(), n_epochs: param.int() },
  outputs: { model: artifact.model() },
  image: 'gcr.io/my-project/my-fancy-trainer',
  args: ({ inputs, outputs }) => [
    '--input-examples',
    inputs.examples.uri,
    '--optimizer',
    inputs.optimizer,
    '--n_epochs',
    inputs.n_epochs,
    '--output-model',
    outputs.model.uri,
  ],
});

export default definePipeline(
  {
    name: 'two-step-pipeline-with-resource-spec',
    description: 'A linear two-step pipeline with resource specification.',
    inputs: {
      input_location: param.string({ default: 'gs://test-bucket/pipeline_root' }),
      optimizer: param.string({ default: 'sgd' }),
      n_epochs: param.int({ default: 200 }),
    },
  },
  (p, { input_location, optimizer, n_epochs }) => {
    const ingestor = p.task(ingestion, { input_location });
    p.task(trainer, { examples: ingestor.outputs.examples, optimizer, n_epochs })
      .setCpuRequest('2')
      .setCpuLimit('4')
      .setMemoryRequest('4Gi')
      .setMemoryLimit('14Gi')
      .setAcceleratorType('tpu-v3')
      .setAcceleratorLimit(1);
  },
);
