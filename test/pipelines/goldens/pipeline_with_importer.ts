// pipeline_with_importer.yaml: an importer with a constant URI and static metadata feeds a training
// task; inside a condition on its output, a second importer (reimport, URI from a pipeline input)
// feeds another training task.
import { artifact, definePipeline, eq, param } from '../../../pipelines/dsl/index.js';
import { lightweightComponent } from '../lightweight.js';

/** `train(dataset: Input[Dataset]) -> NamedTuple('Outputs', [('scalar', str), ('model', Model)])`. */
const train = lightweightComponent({
  name: 'train',
  inputs: { dataset: artifact.dataset() },
  outputs: { scalar: param.string(), model: artifact.model() },
  source: "def train(dataset: Input[Dataset]) -> NamedTuple('Outputs', [('scalar', str), ('model', Model)]): ...\n",
});

export default definePipeline(
  {
    name: 'pipeline-with-importer',
    inputs: { dataset2: param.string({ default: 'gs://ml-pipeline-playground/shakespeare2.txt' }) },
  },
  (p, { dataset2 }) => {
    const importer1 = p.importer({
      artifactUri: 'gs://ml-pipeline-playground/shakespeare1.txt',
      artifactType: artifact.dataset(),
      reimport: false,
      metadata: { key: 'value' },
    });
    const train1 = p.task(train, { dataset: importer1.output });

    p.if(eq(train1.outputs.scalar, '123'), () => {
      const importer2 = p.importer({ artifactUri: dataset2, artifactType: artifact.dataset(), reimport: true });
      p.task(train, { dataset: importer2.output });
    });
  },
);
