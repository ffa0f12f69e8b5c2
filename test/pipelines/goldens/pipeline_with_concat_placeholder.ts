// pipeline_with_concat_placeholder.yaml: one task whose args hold a Concat of an input and a literal.
import { concat, containerComponent, definePipeline, param } from '../../../pipelines/dsl/index.js';

const componentWithConcatPlaceholder = containerComponent({
  name: 'component_with_concat_placeholder',
  inputs: { input_prefix: param.string() },
  image: 'gcr.io/my-project/my-image',
  args: ({ inputs }) => ['--arg0', concat(inputs.input_prefix, 'some value')],
});

export default definePipeline({ name: 'one-step-pipeline-with-concat-placeholder' }, (p) => {
  p.task(componentWithConcatPlaceholder, { input_prefix: 'some prefix:' });
});
