// pipeline_with_various_io_types.yaml: v1-style container components with many parameter and
// artifact types (Model, HTML, google.BQMLModel; untyped / unknown types become system.Artifact),
// `.path` / `.uri` / output_file placeholders, and a pipeline artifact input.
import { artifact, containerComponent, definePipeline, param } from '../../../pipelines/dsl/index.js';

const upstream = containerComponent({
  name: 'upstream',
  inputs: {
    input_1: param.string(),
    input_2: param.double(),
    input_3: artifact.generic(),
    input_4: param.string(),
  },
  outputs: {
    output_1: param.int(),
    output_2: artifact.model(),
    output_3: artifact.generic(), // untyped
    output_4: artifact.model(),
    output_5: artifact.generic(), // `Datasets` (unknown type)
    output_6: artifact.generic(), // `Some arbitrary type`
    output_7: artifact.generic(), // `{GcsPath: {data_type: TSV}}`
    output_8: artifact.html(),
    output_9: artifact.of('google.BQMLModel'),
  },
  image: 'gcr.io/image',
  args: ({ inputs, outputs }) => [
    inputs.input_1,
    inputs.input_2,
    inputs.input_3.path,
    inputs.input_4,
    outputs.output_1,
    outputs.output_2.uri,
    outputs.output_3.path,
    outputs.output_4.uri,
    outputs.output_5.uri,
    outputs.output_6.path,
    outputs.output_7.path,
    outputs.output_8.path,
  ],
});

const downstream = containerComponent({
  name: 'downstream',
  inputs: {
    input_a: param.int(),
    input_b: artifact.model(),
    input_c: artifact.generic(),
    input_d: artifact.model(),
    input_e: artifact.generic(),
    input_f: artifact.generic(),
    input_g: artifact.generic(),
    input_h: artifact.html(),
    input_i: artifact.of('google.BQMLModel'),
  },
  image: 'gcr.io/image',
  args: ({ inputs }) => [
    inputs.input_a,
    inputs.input_b.uri,
    inputs.input_c.path,
    inputs.input_d.uri,
    inputs.input_e.uri,
    inputs.input_f.path,
    inputs.input_g.path,
    inputs.input_h.path,
  ],
});

export default definePipeline(
  {
    name: 'pipeline-with-various-types',
    inputs: { input1: param.string(), input3: artifact.generic(), input4: param.string({ default: '' }) },
  },
  (p, { input1, input3, input4 }) => {
    const component1 = p.task(upstream, { input_1: input1, input_2: 3.1415926, input_3: input3, input_4: input4 });
    p.task(downstream, {
      input_a: component1.outputs.output_1,
      input_b: component1.outputs.output_2,
      input_c: component1.outputs.output_3,
      input_d: component1.outputs.output_4,
      input_e: component1.outputs.output_5,
      input_f: component1.outputs.output_6,
      input_g: component1.outputs.output_7,
      input_h: component1.outputs.output_8,
      input_i: component1.outputs.output_9,
    });
  },
);
